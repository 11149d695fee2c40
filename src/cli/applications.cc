#include "cli/applications.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/check.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"

namespace imagepin::cli {

std::optional<int> OpenApplications(const std::string& root, const std::string& env,
                                    ApplicationsSession* out) {
  base::Result<policy::Config> config = policy::LoadConfig(root);
  if (!config.ok()) {
    PrintError(config.error());
    return ExitCodeFor(config.error());
  }
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

}  // namespace imagepin::cli
