// `imagepin config [-C DIR] [--format text|json]`: the effective configuration, every setting
// with where its value comes from (policy::EffectiveSettings decides both).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "policy/config.h"
#include "policy/config_view.h"
#include "report/display.h"

namespace imagepin::cli {
namespace {

struct ConfigFlags {
  std::string format = "text";
  std::string root = ".";
};

int RunConfig(const ConfigFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return ExitCodeFor(config.error());
  }
  PrintConfigNotes(*config);
  std::vector<policy::Setting> settings = policy::EffectiveSettings(*config);
  if (flags.format == "json") {
    std::cout << DumpJson(policy::SettingsJson(settings)) << "\n";
  } else {
    // Values are file text: nothing in them may act on the terminal.
    fmt::print("{}", report::Displayable(policy::SettingsText(settings), "\n"));
  }
  return kExitOk;
}

}  // namespace

void RegisterConfig(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ConfigFlags>();
  CLI::App* cmd = app.add_subcommand("config",
                                     "Print the effective configuration: every setting, its "
                                     "value and where it comes from");
  AddFormatFlag(cmd, &flags->format, {"text", "json"});
  AddRootFlag(cmd, &flags->root);
  cmd->callback([flags, exit_code] { *exit_code = RunConfig(*flags); });
}

}  // namespace imagepin::cli
