#include "cli/applications.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/check.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"

namespace imagepin::cli {

std::optional<int> OpenApplications(const std::string& root, const std::string& env,
                                    ApplicationsSession* out) {
  base::Result<policy::Config> config = policy::LoadConfig(root);
  if (!config.ok()) {
    PrintError(config.error());
    return ExitCodeFor(config.error());
  }
  PrintConfigNotes(*config);
  if (!env.empty() && config->FindEnvironment(env) == nullptr) {
    std::vector<std::string> names;
    for (const policy::Environment& e : config->environments) names.push_back(e.name);
    PrintError(base::MakeError(
        base::ErrorCode::kInvalidArgument,
        fmt::format("unknown environment \"{}\" (configured: {})", env, fmt::join(names, ", ")),
        config->path));
    return kExitUsage;
  }
  std::vector<base::Diagnostic> notices;
  out->applications = apps::FindApplications(*config, root, &notices);
  PrintDiagnostics(notices);
  out->config = std::move(*config);
  return std::nullopt;
}

nlohmann::ordered_json ApplicationJson(const apps::Application& app) {
  nlohmann::ordered_json j;
  j["name"] = app.name;
  j["environment"] = app.environment;
  j["chart"] = StringOrNull(app.chart);
  j["origin"] = app.origin;
  j["declaredIn"] = StringOrNull(app.declared_in);
  j["layers"] = nlohmann::ordered_json::array();
  for (const apps::Layer& layer : app.layers) {
    nlohmann::ordered_json l;
    l["path"] = layer.path;
    l["role"] = apps::LayerRoleName(layer.role);
    l["exists"] = layer.exists;
    j["layers"].push_back(std::move(l));
  }
  return j;
}

}  // namespace imagepin::cli
