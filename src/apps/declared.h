// Applications declared in manifests: Argo CD `Application` and `ApplicationSet` (list
// generators expanded) and Flux `HelmRelease` objects, read from one parsed YAML document. What
// they declare (a chart in the repository, value files, inline values, parameters) becomes an
// Application in discovery; what cannot be expanded (other generators, a chart outside the
// repository) is a notice, never a guess.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apps/application.h"
#include "base/diagnostic.h"
#include "policy/config.h"
#include "yaml/document.h"

namespace imagepin::apps {

struct DeclaredApplication {
  std::string kind;          // "Application", "ApplicationSet", "HelmRelease"
  std::string name;          // metadata.name, after ApplicationSet expansion
  std::string path;          // the manifest, relative to the root
  int line = 0, column = 0;  // the object (or the ApplicationSet's list element), 1-based
  std::string chart;         // the chart directory relative to the root; empty: not in the repo
  std::string chart_source;  // as written, for messages: "path: charts/api", "repoURL …"
  std::vector<std::string> value_files;  // relative to the root, normalised, in order
  bool ignore_missing_value_files = false;
  std::vector<Layer> inline_layers;  // after the value files (role kInline, path = manifest)
  std::vector<std::pair<std::string, std::string>> parameters;  // helm.parameters, in order
  std::string environment;  // a configured environment's name; empty when none can be told
};

// Reads the Argo CD and Flux objects of `doc` (the file `display_path`, relative to the root)
// into `out`; problems with them (an unsupported generator, a placeholder that does not resolve,
// a chart path that leaves the repository) go to `notices`, one line each, with a position.
void ReadDeclarations(const yaml::Document& doc, std::string_view display_path,
                      const policy::Config& config, std::vector<DeclaredApplication>* out,
                      std::vector<base::Diagnostic>* notices);

}  // namespace imagepin::apps
