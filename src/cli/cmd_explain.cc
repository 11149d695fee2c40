// `imagepin explain APP`: what Argo CD will deploy for one application, and why. For each
// environment it is deployed to: every effective image, each part of it (ref, registry,
// repository, tag, digest, pull policy) with the layer, line and column that decides it and the
// chart default it overrides, then the findings of the app's whole-stack rules.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "apps/check.h"
#include "apps/load.h"
#include "cli/applications.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "policy/exceptions.h"
#include "report/display.h"

namespace imagepin::cli {
namespace {

struct ExplainFlags {
  std::string app;
  std::string env;
  std::string format = "text";
  std::string root = ".";
};

// One part as explain shows it.
struct PartView {
  const char* name;   // "ref", "registry", …, "pullPolicy"
  const char* label;  // "ref", "registry", …, "pull policy"
  const apps::Part* part;
  const apps::Part* chart;  // the same part in the chart's values alone, or null
};

std::vector<PartView> PartsOf(const apps::EffectiveImage& image,
                              const apps::EffectiveImage* chart) {
  auto view = [&](const char* name, const char* label, const apps::Part apps::EffectiveImage::*m) {
    return PartView{name, label, &(image.*m), chart != nullptr ? &(chart->*m) : nullptr};
  };
  using E = apps::EffectiveImage;
  std::vector<PartView> out;
  if (image.form == apps::SiteForm::kSplit) {
    out = {view("registry", "registry", &E::registry),
           view("repository", "repository", &E::repository), view("tag", "tag", &E::tag),
           view("digest", "digest", &E::digest)};
  } else {
    out = {view("ref", "ref", &E::ref)};
  }
  out.push_back(view("pullPolicy", "pull policy", &E::pull_policy));
  return out;
}

// The chart default a part overrides: the chart layer sets it, a higher layer decides it, and
// the values differ.
const apps::Part* Overridden(const PartView& v) {
  if (v.chart == nullptr || !v.chart->present() || v.part->layer <= 0) return nullptr;
  if (v.part->present() && v.part->value.value == v.chart->value.value) return nullptr;
  return v.chart;
}

class Explainer {
 public:
  explicit Explainer(const apps::LoadedApplication& loaded) : loaded_(loaded) {
    const apps::Application& app = loaded.app;
    if (!app.layers.empty() && app.layers[0].role == apps::LayerRole::kChart &&
        loaded.layers[0].doc != nullptr) {
      chart_ = std::make_unique<apps::LayeredValues>(std::vector<apps::LayerDoc>{loaded.layers[0]});
    }
  }

  // The image at the same path in the chart's values alone.
  std::vector<apps::EffectiveImage> ChartImage(const apps::EffectiveImage& image) const {
    if (chart_ == nullptr) return {};
    return apps::FindEffectiveImages(*chart_, {image.path});
  }

  // "sources/values/env/dev/apps/api.yaml:5:8 (env)".
  std::string Where(const apps::Part& part) const {
    const apps::Layer& layer = loaded_.app.layers[static_cast<size_t>(part.layer)];
    return fmt::format("{} ({})", Location(layer.path, part.value.line, part.value.column),
                       apps::LayerRoleName(layer.role));
  }

  static std::string Location(const std::string& path, int line, int column) {
    std::string where =
        base::MakeError(base::ErrorCode::kInternal, "", path, {line, column}).ToString();
    return where.ends_with(": ") ? where.substr(0, where.size() - 2) : where;  // "path:line:col"
  }

  const std::string& LayerPath(int i) const {
    return loaded_.app.layers[static_cast<size_t>(i)].path;
  }

  std::string Text(const std::vector<policy::Finding>& findings) const {
    const apps::Application& app = loaded_.app;
    std::string out = fmt::format("{} in {}\n", app.name, app.environment);
    out += fmt::format("  chart:  {}\n", app.chart.empty() ? "unknown" : app.chart);
    out += fmt::format("  origin: {}{}\n", app.origin,
                       app.declared_in.empty() ? "" : " (" + app.declared_in + ")");
    out += "  layers (lowest first):\n";
    for (size_t i = 0; i < app.layers.size(); ++i) {
      const apps::Layer& layer = app.layers[i];
      out += fmt::format("    {}  {:<8} {}{}{}\n", i, apps::LayerRoleName(layer.role), layer.path,
                         layer.role == apps::LayerRole::kInline
                             ? fmt::format(" [{}]", fmt::join(layer.root, "."))
                             : "",
                         layer.exists ? "" : " (missing)");
    }
    if (loaded_.images.empty()) out += "  images: none\n";
    for (const apps::EffectiveImage& image : loaded_.images) {
      std::vector<apps::EffectiveImage> chart = ChartImage(image);
      out +=
          fmt::format("  image {} ({}): {}{}\n", image.key_path, apps::SiteFormName(image.form),
                      image.reference.empty() ? "(empty)" : image.reference,
                      image.partial ? " (partial: the chart's templates name the repository)" : "");
      for (const PartView& v : PartsOf(image, chart.empty() ? nullptr : &chart[0])) {
        std::string line = fmt::format("    {:<12} ", v.label);
        if (v.part->present()) {
          line += fmt::format("{:<} from {}", Quoted(v.part->value.value), Where(*v.part));
        } else if (v.part->deleted_by >= 0) {
          line += fmt::format("(deleted by null in {})", LayerPath(v.part->deleted_by));
        } else {
          line += "(not set)";
        }
        if (const apps::Part* c = Overridden(v)) {
          line += fmt::format("; overrides chart default {} at {}", Quoted(c->value.value),
                              Location(LayerPath(0), c->value.line, c->value.column));
        }
        out += line + "\n";
      }
    }
    for (const base::Diagnostic& d : loaded_.problems) {
      out +=
          fmt::format("  problem: {}: {}\n", Location(d.path, d.pos.line, d.pos.column), d.message);
    }
    if (findings.empty()) {
      out += loaded_.problems.empty() ? "  findings: none\n"
                                      : "  findings: not judged (a layer has a problem)\n";
    } else {
      out += "  findings:\n";
      for (const policy::Finding& f : findings) {
        out += fmt::format("    {}: {}: {} [{} {}]\n", Location(f.path, f.line, f.column),
                           f.suppression ? "suppressed" : policy::SeverityName(f.severity),
                           f.message, f.rule_id, f.rule_name);
      }
    }
    return report::Displayable(out, "\n");
  }

  nlohmann::ordered_json Json(const std::vector<policy::Finding>& findings) const {
    const apps::Application& app = loaded_.app;
    nlohmann::ordered_json j = ApplicationJson(app);
    j["images"] = nlohmann::ordered_json::array();
    for (const apps::EffectiveImage& image : loaded_.images) {
      std::vector<apps::EffectiveImage> chart = ChartImage(image);
      nlohmann::ordered_json i;
      i["keyPath"] = image.key_path;
      i["form"] = apps::SiteFormName(image.form);
      i["reference"] = image.reference;
      i["partial"] = image.partial;
      nlohmann::ordered_json parts = nlohmann::ordered_json::object();
      for (const PartView& v : PartsOf(image, chart.empty() ? nullptr : &chart[0])) {
        nlohmann::ordered_json p;
        if (v.part->present()) {
          const apps::Layer& layer = app.layers[static_cast<size_t>(v.part->layer)];
          p["value"] = v.part->value.value;
          p["key"] = v.part->key;
          p["path"] = layer.path;
          p["line"] = v.part->value.line;
          p["column"] = v.part->value.column;
          p["layer"] = v.part->layer;
          p["role"] = apps::LayerRoleName(layer.role);
        } else {
          p["value"] = nullptr;
          p["deletedBy"] = v.part->deleted_by >= 0
                               ? nlohmann::ordered_json(LayerPath(v.part->deleted_by))
                               : nlohmann::ordered_json(nullptr);
        }
        if (const apps::Part* c = Overridden(v)) {
          p["overridesChartDefault"] = {{"value", c->value.value},
                                        {"path", LayerPath(0)},
                                        {"line", c->value.line},
                                        {"column", c->value.column}};
        } else {
          p["overridesChartDefault"] = nullptr;
        }
        parts[v.name] = std::move(p);
      }
      i["parts"] = std::move(parts);
      j["images"].push_back(std::move(i));
    }
    j["problems"] = nlohmann::ordered_json::array();
    for (const base::Diagnostic& d : loaded_.problems) {
      j["problems"].push_back({{"path", d.path},
                               {"line", d.pos.line},
                               {"column", d.pos.column},
                               {"message", d.message}});
    }
    j["findings"] = nlohmann::ordered_json::array();
    for (const policy::Finding& f : findings) {
      nlohmann::ordered_json o;
      o["ruleId"] = f.rule_id;
      o["ruleName"] = f.rule_name;
      o["severity"] = policy::SeverityName(f.severity);
      o["suppressed"] = f.suppression.has_value();
      o["path"] = f.path;
      o["line"] = f.line;
      o["column"] = f.column;
      o["keyPath"] = f.key_path;
      o["message"] = f.message;
      j["findings"].push_back(std::move(o));
    }
    return j;
  }

 private:
  static std::string Quoted(const std::string& value) { return nlohmann::json(value).dump(); }

  const apps::LoadedApplication& loaded_;
  std::unique_ptr<apps::LayeredValues> chart_;
};

// Levenshtein distance, for suggesting names.
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "no application named "X"; close names: a, b" or "…; 12 applications (imagepin apps lists them)".
std::string UnknownApp(const std::string& name, const std::vector<apps::Application>& found) {
  std::set<std::string> names;
  for (const apps::Application& app : found) names.insert(app.name);
  std::vector<std::pair<size_t, std::string>> close;
  for (const std::string& candidate : names) {
    size_t d = Distance(name, candidate);
    bool contains = !name.empty() && (candidate.find(name) != std::string::npos ||
                                      name.find(candidate) != std::string::npos);
    if (contains || d <= std::max<size_t>(2, name.size() / 3)) close.emplace_back(d, candidate);
  }
  std::sort(close.begin(), close.end());
  std::string message = fmt::format("no application named \"{}\"", name);
  if (!close.empty()) {
    std::vector<std::string> shown;
    for (size_t i = 0; i < close.size() && i < 10; ++i) shown.push_back(close[i].second);
    return message + fmt::format("; close names: {}", fmt::join(shown, ", "));
  }
  return message + fmt::format("; the repository has {} application{} (imagepin apps lists them)",
                               names.size(), names.size() == 1 ? "" : "s");
}

int RunExplain(const ExplainFlags& flags) {
  ApplicationsSession session;
  if (std::optional<int> stop = OpenApplications(flags.root, flags.env, &session)) return *stop;
  const policy::Config* config = &session.config;
  const std::vector<apps::Application>& found = session.applications;
  std::vector<const apps::Application*> chosen;
  std::vector<std::string> deployed;
  for (const apps::Application& app : found) {
    if (app.name != flags.app) continue;
    deployed.push_back(app.environment);
    if (flags.env.empty() || app.environment == flags.env) chosen.push_back(&app);
  }
  if (deployed.empty()) {
    PrintError(base::MakeError(base::ErrorCode::kInvalidArgument, UnknownApp(flags.app, found)));
    return kExitUsage;
  }
  if (chosen.empty()) {
    PrintError(base::MakeError(base::ErrorCode::kInvalidArgument,
                               fmt::format("{} is not deployed to {} (deployed to: {})", flags.app,
                                           flags.env, fmt::join(deployed, ", "))));
    return kExitUsage;
  }

  std::string today = policy::TodayUtc();
  bool problems = false;
  nlohmann::ordered_json json;
  json["applications"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < chosen.size(); ++i) {
    apps::LoadedApplication loaded = apps::LoadApplication(*config, flags.root, *chosen[i]);
    problems |= !loaded.problems.empty();
    // As check reports them: a documented exception marks a finding suppressed.
    std::vector<policy::Finding> findings = loaded.findings;
    policy::ApplyExceptions(*config, today, &findings);
    Explainer explainer(loaded);
    if (flags.format == "json") {
      json["applications"].push_back(explainer.Json(findings));
    } else {
      if (i > 0) std::cout << "\n";
      std::cout << explainer.Text(findings);
    }
  }
  if (flags.format == "json") std::cout << DumpJson(json) << "\n";
  return problems ? kExitRuntime : kExitOk;
}

}  // namespace

void RegisterExplain(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ExplainFlags>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Show what an application deploys in each environment, and which file says so");
  cmd->footer(
      "APP is an application's name as `imagepin apps` prints it. For each environment it is\n"
      "deployed to (or only --env): its layers, each effective image with every part's value\n"
      "and the file:line:col (and layer role) it comes from, the chart default a part\n"
      "overrides, and the findings of the rules that judge the whole values stack.\n"
      "Exit codes: 0 shown, 2 usage or config error (an unknown application or environment),\n"
      "3 a layer that cannot be read or parsed.");
  cmd->add_option("app", flags->app, "The application, e.g. apps/api")->required();
  cmd->add_option("--env", flags->env, "Only this environment");
  AddFormatFlag(cmd, &flags->format, {"text", "json"});
  AddRootFlag(cmd, &flags->root);
  cmd->callback([flags, exit_code] { *exit_code = RunExplain(*flags); });
}

}  // namespace imagepin::cli
