#include "apps/discover.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "base/glob.h"

namespace imagepin::apps {
namespace {

bool IsValuesFile(std::string_view path) {
  return path.ends_with(".yaml") || path.ends_with(".yml");
}

// "apps/api" for "apps/api.yaml"; "api" is its stem.
std::string WithoutExtension(std::string_view rel) {
  return std::string(rel.substr(0, rel.rfind('.')));
}
std::string Stem(std::string_view rel) {
  std::string name = WithoutExtension(rel);
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// The part of `path` below directory `dir`, or empty when it is not below it.
std::string_view Below(std::string_view dir, std::string_view path) {
  if (dir.empty() || path.size() <= dir.size() + 1 || path.substr(0, dir.size()) != dir ||
      path[dir.size()] != '/') {
    return {};
  }
  return path.substr(dir.size() + 1);
}

}  // namespace

std::string ChartValuesPath(std::string_view chart) {
  return chart == "." || chart.empty() ? std::string("values.yaml")
                                       : std::string(chart) + "/values.yaml";
}

namespace {

// A layer's role from the placeholder its pattern starts from.
LayerRole RoleOf(std::string_view pattern) {
  if (pattern.find("{shared}") != std::string_view::npos) return LayerRole::kShared;
  if (pattern.find("{env}") != std::string_view::npos ||
      pattern.find("{envname}") != std::string_view::npos) {
    return LayerRole::kEnvironment;
  }
  return LayerRole::kDeclared;
}

// A declared file's role from where it lies.

class Discoverer {
 public:
  Discoverer(const policy::Config& config, const DiscoveryInput& input)
      : config_(config), input_(input) {}

  Discovery Run() {
    for (const policy::ApplicationEntry& entry : config_.applications.apps) AddEntry(entry);
    for (const DeclaredApplication& d : input_.declared) AddDeclared(d);
    AddConvention();
    std::stable_sort(out_.apps.begin(), out_.apps.end(),
                     [&](const Application& a, const Application& b) {
                       if (a.name != b.name) return a.name < b.name;
                       return EnvIndex(a.environment) < EnvIndex(b.environment);
                     });
    return std::move(out_);
  }

 private:
  size_t EnvIndex(std::string_view name) const {
    for (size_t i = 0; i < config_.environments.size(); ++i) {
      if (config_.environments[i].name == name) return i;
    }
    return config_.environments.size();
  }

  PatternValues ValuesFor(const policy::Environment& env) const {
    PatternValues v;
    v.shared = config_.shared;
    v.env = env.path;
    v.envname = env.name;
    v.charts = config_.charts;
    return v;
  }

  Layer MakeLayer(std::string path, LayerRole role) const {
    Layer layer;
    layer.exists = input_.files.count(path) != 0;
    layer.path = std::move(path);
    layer.role = role;
    return layer;
  }

  // The stack below an app's own layers: the chart's values.yaml, then the globals.
  Application Begin(std::string name, const policy::Environment& env, std::string chart,
                    std::string origin) const {
    Application app;
    app.name = std::move(name);
    app.environment = env.name;
    app.chart = std::move(chart);
    app.origin = std::move(origin);
    if (!app.chart.empty()) {
      app.layers.push_back(MakeLayer(ChartValuesPath(app.chart), LayerRole::kChart));
    }
    for (const std::string& global : config_.applications.globals) {
      app.layers.push_back(MakeLayer(ExpandPattern(global, ValuesFor(env)), LayerRole::kGlobal));
    }
    return app;
  }

  bool Claimed(const std::string& name, const std::string& env) const {
    return claimed_.count({name, env}) != 0;
  }
  void Add(Application app) {
    for (const Layer& layer : app.layers) {
      if (layer.role != LayerRole::kChart && layer.role != LayerRole::kGlobal) {
        used_.insert(layer.path);
      }
    }
    claimed_.insert({app.name, app.environment});
    out_.apps.push_back(std::move(app));
  }

  void AddEntry(const policy::ApplicationEntry& entry) {
    for (const policy::Environment& env : config_.environments) {
      if (!entry.environments.empty() &&
          std::find(entry.environments.begin(), entry.environments.end(), env.name) ==
              entry.environments.end()) {
        continue;
      }
      PatternValues v = ValuesFor(env);
      v.name = entry.name;
      Application app = Begin(entry.name, env, ExpandPattern(entry.chart, v), "config");
      app.declared_in =
          fmt::format("{}:{}", config_.path.empty() ? ".imagepin.yaml" : config_.path, entry.line);
      for (const std::string& pattern : entry.values) {
        app.layers.push_back(MakeLayer(ExpandPattern(pattern, v), RoleOf(pattern)));
      }
      Add(std::move(app));
    }
  }

  void AddDeclared(const DeclaredApplication& d) {
    const policy::Environment* env = config_.FindEnvironment(d.environment);
    if (env == nullptr) {
      out_.notices.push_back(base::Diagnostic::Note(
          d.path, {d.line, d.column},
          fmt::format("{} {}: no configured environment can be told from its value files, path "
                      "or destination; name it in applications.apps to check it",
                      d.kind, d.name)));
      return;
    }
    if (Claimed(d.name, env->name)) return;  // the config's entry wins
    std::string chart = d.chart;
    if (!chart.empty() && !std::binary_search(input_.charts.begin(), input_.charts.end(), chart)) {
      out_.notices.push_back(base::Diagnostic::Note(
          d.path, {d.line, d.column},
          fmt::format("{} {}: chart path {} holds no Chart.yaml; its defaults are not judged",
                      d.kind, d.name, chart)));
      chart.clear();
    }
    Application app = Begin(d.name, *env, chart, d.kind);
    // Flux packages a HelmRelease's valuesFiles as the chart's values: its values.yaml counts
    // only when listed.
    if (d.kind == "HelmRelease" && !d.value_files.empty() && !app.layers.empty() &&
        app.layers[0].role == LayerRole::kChart &&
        std::find(d.value_files.begin(), d.value_files.end(), app.layers[0].path) ==
            d.value_files.end()) {
      app.layers.erase(app.layers.begin());
    }
    app.declared_in = fmt::format("{}:{}", d.path, d.line);
    for (const std::string& file : d.value_files) {
      app.layers.push_back(MakeLayer(file, RoleOfPath(config_, file)));
      if (!app.layers.back().exists && !d.ignore_missing_value_files) {
        out_.notices.push_back(base::Diagnostic::Note(
            d.path, {d.line, d.column},
            fmt::format("{} {}: value file {} does not exist, and ignoreMissingValueFiles is not "
                        "set: Argo CD will fail to render it",
                        d.kind, d.name, file)));
      }
    }
    for (const Layer& inline_layer : d.inline_layers) {
      Layer layer = inline_layer;
      layer.exists = true;
      app.layers.push_back(std::move(layer));
    }
    app.parameters = d.parameters;
    if (!app.parameters.empty()) {  // the top layer, read from the object itself
      Layer parameters;
      parameters.path = d.path;
      parameters.role = LayerRole::kParameters;
      parameters.exists = true;
      app.layers.push_back(std::move(parameters));
    }
    Add(std::move(app));
  }

  // The chart named by `applications.chart` for an app whose values file has stem `name`: the
  // one chart directory matching the pattern; none (unknown) when no or several match.
  std::string ConventionChart(const std::string& name) const {
    PatternValues v;
    v.charts = config_.charts;
    v.shared = config_.shared;
    v.name = name;
    std::string pattern = ExpandPattern(config_.applications.chart, v);
    // A literal last segment (the default `{charts}/**/{name}`) can only match a chart of that
    // directory name: look those up instead of matching every chart for every app.
    std::string_view last = std::string_view(pattern).substr(pattern.rfind('/') + 1);
    const std::vector<std::string>* candidates = &input_.charts;
    if (last.find_first_of("*?[") == std::string_view::npos) {
      if (charts_by_name_.empty()) {
        for (const std::string& chart : input_.charts) {
          charts_by_name_[chart.substr(chart.rfind('/') + 1)].push_back(chart);
        }
      }
      auto it = charts_by_name_.find(std::string(last));
      if (it == charts_by_name_.end()) return {};
      candidates = &it->second;
    }
    std::string found;
    for (const std::string& chart : *candidates) {
      if (!base::GlobMatch(pattern, chart)) continue;
      if (!found.empty()) return {};
      found = chart;
    }
    return found;
  }

  void AddConvention() {
    // Every values file's path relative to its environment (or the shared dir) is one app.
    std::set<std::string> rels;  // sorted, whatever order the files come in
    std::set<std::string> globals;
    for (const policy::Environment& env : config_.environments) {
      for (const std::string& g : config_.applications.globals) {
        globals.insert(ExpandPattern(g, ValuesFor(env)));
      }
    }
    for (const std::string& file : input_.files) {
      if (!IsValuesFile(file) || globals.count(file) != 0) continue;
      std::string_view rel = Below(config_.shared, file);
      for (const policy::Environment& env : config_.environments) {
        if (!rel.empty()) break;
        rel = Below(env.path, file);
      }
      if (!rel.empty()) rels.insert(std::string(rel));
    }
    for (const std::string& rel : rels) {
      std::string name = WithoutExtension(rel);
      std::string chart = ConventionChart(Stem(rel));
      for (const policy::Environment& env : config_.environments) {
        if (Claimed(name, env.name)) continue;
        PatternValues v = ValuesFor(env);
        v.path = rel;
        v.name = Stem(rel);
        Application app = Begin(name, env, chart, "convention");
        // Files an explicit or declared app stacks are theirs: an environment's overlay in
        // that environment, a shared file in every environment without an overlay of its own.
        bool deployed = false, overlay = false, overlay_taken = false, shared_taken = false;
        for (const std::string& pattern : config_.applications.layers) {
          Layer layer = MakeLayer(ExpandPattern(pattern, v), RoleOf(pattern));
          bool used = used_.count(layer.path) != 0;
          deployed |= layer.exists;
          if (layer.exists && layer.role == LayerRole::kEnvironment) {
            overlay = true;
            overlay_taken |= used;
          } else if (layer.exists) {
            shared_taken |= used;
          }
          app.layers.push_back(std::move(layer));
        }
        bool taken = overlay ? overlay_taken : shared_taken;
        if (deployed && !taken) out_.apps.push_back(std::move(app));
      }
    }
  }

  const policy::Config& config_;
  const DiscoveryInput& input_;
  Discovery out_;
  std::set<std::pair<std::string, std::string>> claimed_;  // (name, environment)
  std::set<std::string> used_;  // layer files of explicit and declared apps
  mutable std::unordered_map<std::string, std::vector<std::string>> charts_by_name_;
};

}  // namespace

std::string ExpandPattern(std::string_view pattern, const PatternValues& values) {
  const std::pair<std::string_view, const std::string*> names[] = {
      {"{shared}", &values.shared}, {"{envname}", &values.envname}, {"{env}", &values.env},
      {"{charts}", &values.charts}, {"{path}", &values.path},       {"{name}", &values.name}};
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    bool replaced = false;
    for (const auto& [name, value] : names) {
      if (pattern.substr(i, name.size()) == name && !value->empty()) {
        out += *value;
        i += name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += pattern[i++];
  }
  return out;
}

LayerRole RoleOfPath(const policy::Config& config, std::string_view path) {
  if (!Below(config.shared, path).empty()) return LayerRole::kShared;
  for (const policy::Environment& env : config.environments) {
    if (!Below(env.path, path).empty()) return LayerRole::kEnvironment;
  }
  return LayerRole::kDeclared;
}

Discovery DiscoverApplications(const policy::Config& config, const DiscoveryInput& input) {
  return Discoverer(config, input).Run();
}

}  // namespace imagepin::apps
