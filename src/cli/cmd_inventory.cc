// `imagepin inventory`: the environment matrix. One row per image field of the environment
// overlays, one column per configured environment, markers where a lane differs from the one
// before it. What runs where, and what waits for promotion, without a cluster.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/terminal.h"
#include "plan/inventory.h"
#include "report/inventory.h"

namespace imagepin::cli {
namespace {

struct InventoryFlags {
  std::string format = "table";
  std::string color = "auto";
  bool only_drift = false;
  std::string root = ".";
  unsigned jobs = 0;
};

// docs/inventory.md documents this shape; keep them in step.
nlohmann::ordered_json InventoryJson(const plan::Inventory& inventory) {
  nlohmann::ordered_json out;
  out["environments"] = nlohmann::ordered_json::array();
  out["missingEnvironments"] = nlohmann::ordered_json::array();
  for (const plan::InventoryEnvironment& env : inventory.environments) {
    out["environments"].push_back(env.name);
    if (!env.exists) out["missingEnvironments"].push_back(env.name);
  }
  out["rows"] = nlohmann::ordered_json::array();
  for (const plan::InventoryRow& row : inventory.rows) {
    nlohmann::ordered_json j;
    j["service"] = row.service;
    j["repository"] = row.repository;
    j["relative"] = row.relative;
    j["application"] = row.relative;  // the identity across environments (docs/inventory.md)
    j["document"] = row.document;
    j["keyPath"] = row.key_path;
    nlohmann::ordered_json cells = nlohmann::ordered_json::object();
    for (size_t e = 0; e < row.cells.size(); ++e) {
      const plan::InventoryCell& cell = row.cells[e];
      nlohmann::ordered_json c;
      c["reference"] = cell.present ? nlohmann::ordered_json(cell.reference) : nullptr;
      c["repository"] = StringOrNull(cell.repository);
      c["digest"] = StringOrNull(cell.digest);
      c["tag"] = StringOrNull(cell.tag);
      c["marker"] = StringOrNull(plan::MarkerName(cell.marker));
      c["inherited"] = cell.inherited;
      c["from"] = StringOrNull(cell.from);
      c["application"] = StringOrNull(cell.application);
      c["required"] = cell.required;
      cells[inventory.environments[e].name] = std::move(c);
    }
    j["cells"] = std::move(cells);
    j["drift"] = row.drift;
    j["repositoryDiffers"] = row.repository_differs;
    out["rows"].push_back(std::move(j));
  }
  return out;
}

int RunInventory(const InventoryFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  if (config->environments.empty()) {
    PrintError(
        base::MakeError(base::ErrorCode::kConfig, "no environments are configured", config->path));
    return kExitUsage;
  }
  base::Result<plan::Inventory> inventory = plan::BuildInventory(flags.root, *config, flags.jobs);
  if (!inventory.ok()) {
    PrintError(inventory.error());
    return ExitCodeFor(inventory.error());
  }
  for (const plan::InventoryEnvironment& env : inventory->environments) {
    if (!env.exists) {
      fmt::print(stderr,
                 "imagepin: note: environment \"{}\": directory {} does not exist; its column "
                 "shows every image as missing\n",
                 env.name, env.dir);
    }
  }
  if (flags.only_drift) plan::KeepOnlyDrift(&*inventory);

  if (flags.format == "json") {
    std::cout << DumpJson(InventoryJson(*inventory)) << "\n";
  } else if (flags.format == "markdown") {
    std::cout << report::InventoryMarkdown(*inventory);
  } else if (inventory->rows.empty()) {
    std::cout << (flags.only_drift ? "no drift: every environment runs the same images\n"
                                   : "no image fields in the environment directories\n");
  } else {
    std::cout << report::InventoryTable(*inventory, UseColor(flags.color, STDOUT_FILENO));
  }
  return kExitOk;
}

}  // namespace

void RegisterInventory(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<InventoryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "inventory", "Show which image each environment runs, and which lanes wait for promotion");
  cmd->footer(
      "One row per application and image key (an application is matched across environments\n"
      "by its overlay's path below the environment directory, else its name), one column per\n"
      "configured environment, in the config's order. A cell is the effective value: the short\n"
      "digest and tag, or the reference when it has no digest; \"(inherited)\" when it comes\n"
      "from another layer than the environment's own overlay (_shared, a chart default).\n"
      "Fields of files no application reads are rows by relative path, document and key path.\n"
      "Markers compare an environment with the one before it:\n"
      "  missing  the image is on one side only (or the environment has no directory), or the\n"
      "           chart requires image.ref and nothing sets it\n"
      "  behind   different, and the earlier value is in no later environment: the earlier\n"
      "           lane moved on and this one waits for promotion\n"
      "  ahead    different, and the earlier value is in a later environment: the earlier lane\n"
      "           went back to an older image\n"
      "Exit codes: 0 shown, 2 config error, 3 a file that cannot be read or parsed.\n"
      "See docs/inventory.md.");
  AddFormatFlag(cmd, &flags->format, {"table", "json", "markdown"});
  cmd->add_flag("--only-drift", flags->only_drift,
                "Only rows whose image differs between environments");
  cmd->add_option("--color", flags->color, "Colour the table's markers")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  cmd->callback([flags, exit_code] { *exit_code = RunInventory(*flags); });
}

}  // namespace imagepin::cli
