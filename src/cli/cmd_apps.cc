// `imagepin apps`: the applications the repository deploys, as the application model sees them:
// per environment, the chart, the stack of values files (lowest first) and the images the stack
// merges to. What `check` judges, listed so that a person can see it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/check.h"
#include "apps/load.h"
#include "apps/rules.h"
#include "base/utf8.h"
#include "cli/applications.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "report/display.h"
#include "report/markdown.h"
#include "scan/image_field.h"

namespace imagepin::cli {
namespace {

struct AppsFlags {
  std::string env;
  std::string format = "table";
  std::string root = ".";
};

// "sources/values/env/dev/apps/api.yaml (missing)", "argo/api.yaml [spec.source.helm.values]",
// "… (unreadable)" for a layer LoadApplication could not read or parse.
std::string LayerLabel(const apps::LoadedApplication& loaded, const apps::Layer& layer) {
  std::string label = layer.path;
  if (layer.role == apps::LayerRole::kInline)
    label += fmt::format(" [{}]", fmt::join(layer.root, "."));
  if (!layer.exists) label += " (missing)";
  if (std::any_of(loaded.problems.begin(), loaded.problems.end(),
                  [&](const base::Diagnostic& d) { return d.path == layer.path; })) {
    label += " (unreadable)";
  }
  return label;
}

// The IMAGES cell: each effective reference, its digest shortened; "image.ref missing" first when
// the chart requires one and no layer sets it.
std::string ImagesCell(const policy::Config& config, const apps::LoadedApplication& loaded) {
  std::vector<std::string> cells;
  bool has_ref = false;
  for (const apps::EffectiveImage& image : loaded.images) {
    if (image.key_path == "image" && image.form == apps::SiteForm::kRef &&
        !image.reference.empty()) {
      has_ref = true;
    }
  }
  if (!has_ref && apps::RequiresImageRef(config, loaded.app, loaded.values)) {
    cells.emplace_back("image.ref missing");
  }
  for (const apps::EffectiveImage& image : loaded.images) {
    if (image.reference.empty()) continue;
    // The table shows short digests, as `docker images` does; the JSON has them whole.
    std::string shown = image.reference;
    if (size_t at = shown.find('@'); at != std::string::npos) {
      shown = shown.substr(0, at + 1) + report::ShortDigest(std::string_view(shown).substr(at + 1));
    }
    cells.push_back(image.partial ? shown + " (partial)" : shown);
  }
  return cells.empty() ? "(none)" : fmt::format("{}", fmt::join(cells, ", "));
}

// Columns a cell takes: one per character (the layers' arrows are one character, three bytes).
size_t Width(std::string_view text) { return static_cast<size_t>(base::Utf8Length(text)); }

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], Width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - Width(row[c]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

nlohmann::ordered_json AppJson(const apps::LoadedApplication& loaded) {
  const apps::Application& app = loaded.app;
  nlohmann::ordered_json j = ApplicationJson(app);
  j["images"] = nlohmann::ordered_json::array();
  for (const apps::EffectiveImage& image : loaded.images) {
    nlohmann::ordered_json i;
    i["keyPath"] = image.key_path;
    i["reference"] = image.reference;
    i["form"] = apps::SiteFormName(image.form);
    j["images"].push_back(std::move(i));
  }
  return j;
}

int RunApps(const AppsFlags& flags) {
  ApplicationsSession session;
  if (std::optional<int> stop = OpenApplications(flags.root, flags.env, &session)) return *stop;
  const policy::Config* config = &session.config;
  const std::vector<apps::Application>& found = session.applications;
  std::vector<apps::LoadedApplication> loaded;
  bool problems = false;
  for (const apps::Application& app : found) {
    if (!flags.env.empty() && app.environment != flags.env) continue;
    loaded.push_back(apps::LoadApplication(*config, flags.root, app));
    PrintDiagnostics(loaded.back().problems);
    problems |= !loaded.back().problems.empty();
  }

  if (flags.format == "json") {
    nlohmann::ordered_json out;
    out["applications"] = nlohmann::ordered_json::array();
    for (const apps::LoadedApplication& l : loaded) out["applications"].push_back(AppJson(l));
    std::cout << DumpJson(out) << "\n";
  } else if (loaded.empty()) {
    std::cout << (flags.env.empty() ? "no applications\n"
                                    : fmt::format("no applications in {}\n", flags.env));
  } else {
    std::vector<std::vector<std::string>> rows{{"ENV", "APP", "CHART", "LAYERS", "IMAGES"}};
    for (const apps::LoadedApplication& l : loaded) {
      std::vector<std::string> layers;
      for (const apps::Layer& layer : l.app.layers) layers.push_back(LayerLabel(l, layer));
      rows.push_back({l.app.environment, l.app.name, l.app.chart.empty() ? "unknown" : l.app.chart,
                      fmt::format("{}", fmt::join(layers, " → ")), ImagesCell(*config, l)});
      for (std::string& cell : rows.back()) cell = report::Displayable(cell);
    }
    std::cout << Table(rows);
  }
  return problems ? kExitRuntime : kExitOk;
}

}  // namespace

void RegisterApps(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<AppsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "apps", "List the applications: each environment's chart, values stack and images");
  cmd->footer(
      "One row per application and environment, as `check` judges them: the chart (\"unknown\"\n"
      "when it is not in the repository), the values files Helm stacks, lowest first (a file\n"
      "that does not exist is marked \"(missing)\" and skipped), and the images the stack merges\n"
      "to. `imagepin explain APP` shows where each part of them comes from.\n"
      "Exit codes: 0 listed, 2 usage or config error, 3 a layer that cannot be read or parsed.");
  cmd->add_option("--env", flags->env, "Only this environment");
  AddFormatFlag(cmd, &flags->format, {"table", "json"});
  AddRootFlag(cmd, &flags->root);
  cmd->callback([flags, exit_code] { *exit_code = RunApps(*flags); });
}

}  // namespace imagepin::cli
