// Which applications a repository deploys: from `applications.apps` in the config, from Argo CD
// and Flux objects (declared.h), and by the convention (every values file under an environment
// or the shared dir is an app, stacked as `applications.layers`). Pure: it works on lists of
// paths, so tests need no files.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "apps/application.h"
#include "apps/declared.h"
#include "base/diagnostic.h"
#include "policy/config.h"

namespace imagepin::apps {

struct DiscoveryInput {
  // Every file that exists below the shared dir, the environment dirs and the charts dir,
  // relative to the root ('/'-separated): layers are looked up here, never on disk.
  std::unordered_set<std::string> files;
  std::vector<std::string> charts;  // chart directories (holding a Chart.yaml), sorted
  std::vector<DeclaredApplication> declared;
};

struct Discovery {
  std::vector<Application> apps;  // sorted by name, then environment order
  std::vector<base::Diagnostic> notices;
};

// Where `path` (relative to the root) lies: below the shared dir (kShared), an environment's
// dir (kEnvironment), or elsewhere (kDeclared).
LayerRole RoleOfPath(const policy::Config& config, std::string_view path);

// The values.yaml of the chart directory `chart` ("." is the repository root).
std::string ChartValuesPath(std::string_view chart);

Discovery DiscoverApplications(const policy::Config& config, const DiscoveryInput& input);

// `pattern` with its placeholders replaced (docs/config.md): {shared}, {env}, {envname},
// {charts}, {path}, {name}. A placeholder with no value given stays as written.
struct PatternValues {
  std::string shared, env, envname, charts, path, name;
};
std::string ExpandPattern(std::string_view pattern, const PatternValues& values);

}  // namespace imagepin::apps
