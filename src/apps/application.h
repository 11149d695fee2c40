// The application model: what Helm renders is a chart and an ordered stack of values files (Argo
// CD's `valueFiles`, last wins), so the policy's real failures sit between files. An Application
// is one chart deployed in one environment with its layers, lowest first. Plain data: discovery
// (discover.h) builds it, the effective values (effective.h) and the rules read it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace imagepin::apps {

enum class LayerRole {
  kChart,        // the chart's own values.yaml: defaults, judged as defaults
  kGlobal,       // applications.globals: first in every stack
  kShared,       // {shared}/<rel>: what every environment shares
  kEnvironment,  // {env}/<rel>: the environment's own overlay
  kDeclared,     // a value file an Argo CD Application or Flux HelmRelease lists
  kInline,       // values written inside a manifest (helm.valuesObject, helm.values, spec.values)
  kParameters,   // Argo CD helm.parameters (`image.ref=…`): the top of the stack
};

// "chart", "global", "shared", "env", "declared", "inline", "parameters".
const char* LayerRoleName(LayerRole role);

struct Layer {
  std::string path;  // relative to the repository root, '/'-separated
  LayerRole role = LayerRole::kEnvironment;
  bool exists = false;  // a missing file is skipped (Argo CD's ignoreMissingValueFiles)
  // Inline layers only: the values are a subtree of a manifest, not a whole file.
  int document = 0;               // which YAML document of `path`
  std::vector<std::string> root;  // keys from the document root to the values mapping
  bool root_is_text = false;      // helm.values: the scalar at `root` is YAML text to parse
};

struct Application {
  std::string name;           // "apps/api" for the convention's apps/api.yaml; an entry's name
  std::string environment;    // a configured environment's name
  std::string chart;          // the chart directory, relative to the root; empty: unknown
  std::vector<Layer> layers;  // lowest first; the chart's values.yaml first when the chart is known
  // Argo CD helm.parameters (`image.ref=…`), in order: the kParameters layer, above every other.
  std::vector<std::pair<std::string, std::string>> parameters;
  std::string origin;  // "convention", "config", "Application", "ApplicationSet", "HelmRelease"
  std::string declared_in;  // where an explicit entry or object is written: "path:line"; else empty
};

}  // namespace imagepin::apps
