// `imagepin migrate [PATH...]`: first-party split mappings (`repository`/`tag`/`digest`, optional
// `registry`) become one `image.ref`, offline, where the values file's chart reads `image.ref`
// (plan/migrate.h). Writes all or nothing; --dry-run plans and writes nothing.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/write_session.h"
#include "plan/migrate.h"
#include "plan/values_charts.h"

namespace imagepin::cli {
namespace {

struct MigrateFlags {
  std::vector<std::string> paths;
  bool dry_run = false;
  bool json = false;
  bool force = false;
  std::string root = ".";
  unsigned jobs = 0;
};

nlohmann::ordered_json DiagnosticJson(const base::Diagnostic& d) {
  nlohmann::ordered_json j;
  j["path"] = d.path;
  j["line"] = d.pos.line;
  j["column"] = d.pos.column;
  j["message"] = d.message;
  return j;
}

void PrintJson(const plan::MigrationPlan& plan, bool dry_run, int written) {
  nlohmann::ordered_json j;
  j["migrated"] = nlohmann::ordered_json::array();
  for (const plan::Migration& m : plan.migrations) {
    nlohmann::ordered_json e;
    e["path"] = m.path;
    e["line"] = m.line;
    e["keyPath"] = m.key_path;
    e["from"] = m.from;
    e["ref"] = m.reference;
    e["charts"] = m.charts;
    j["migrated"].push_back(std::move(e));
  }
  j["skipped"] = nlohmann::ordered_json::array();
  for (const base::Diagnostic& d : plan.skipped) j["skipped"].push_back(DiagnosticJson(d));
  j["notes"] = nlohmann::ordered_json::array();
  for (const base::Diagnostic& d : plan.notes) j["notes"].push_back(DiagnosticJson(d));
  j["files"] = plan.Files();
  j["dryRun"] = dry_run;
  j["filesWritten"] = written;
  std::cout << DumpJson(j) << "\n";
}

int RunMigrate(const MigrateFlags& flags) {
  std::optional<WriteSession> session = BeginWriting(flags.root, "migrate", flags.dry_run);
  if (!session) return kExitRuntime;
  base::Result<plan::Workspace> ws =
      plan::OpenWorkspace(flags.root, flags.paths, flags.jobs, /*fingerprint=*/true);
  if (!ws.ok()) {
    PrintError(ws.error());
    return ExitCodeFor(ws.error());
  }
  PrintConfigNotes(ws->config);
  for (const base::Error& p : ws->listing_problems) PrintError(p);
  if (!ws->listing_problems.empty()) {
    fmt::print(stderr, "imagepin: migrate: nothing written: files in scope could not be listed\n");
    return kExitRuntime;
  }
  std::vector<std::unique_ptr<plan::ScannedSource>> sources(ws->files.size());
  bool any = false;
  for (size_t i = 0; i < ws->files.size(); ++i) {
    if (!plan::HasFirstPartySplit(ws->files[i], ws->config)) continue;
    base::Result<std::unique_ptr<plan::ScannedSource>> source =
        plan::ReadSource(ws->files[i], ws->config);
    if (!source.ok()) {
      PrintError(source.error());
      fmt::print(stderr, "imagepin: migrate: nothing written: a file could not be read again\n");
      return kExitRuntime;
    }
    sources[i] = std::move(*source);
    any = true;
  }
  std::vector<base::Diagnostic> notices;
  plan::ValuesCharts charts;
  if (any) charts = plan::LoadValuesCharts(ws->config, flags.root, flags.jobs, &notices);
  if (!flags.json) PrintDiagnostics(notices);
  base::Result<plan::MigrationPlan> planned = plan::PlanMigration(
      ws->files, sources, ws->config, charts, plan::MigrateOptions{flags.force});
  if (!planned.ok()) {
    PrintError(planned.error());
    fmt::print(stderr, "imagepin: migrate: nothing written: a file in scope could not be read\n");
    return kExitRuntime;
  }
  if (!flags.json) {
    PrintDiagnostics(planned->skipped);
    PrintDiagnostics(planned->notes);
  }
  std::optional<int> written = ApplyAndSummarize(planned->Edits(), *session, "", false, {});
  if (!written) return kExitRuntime;
  if (flags.json) {
    PrintJson(*planned, flags.dry_run, *written);
  } else {
    for (const plan::Migration& m : planned->migrations) {
      fmt::print("{}:{}:{}: {} → {}.ref: {}\n", m.path, m.line, m.column, m.from, m.key_path,
                 m.reference);
    }
    fmt::print("migrate: {} mapping{} in {} file{} migrated, {} skipped; {}\n",
               planned->migrations.size(), planned->migrations.size() == 1 ? "" : "s",
               planned->Files(), planned->Files() == 1 ? "" : "s", planned->skipped.size(),
               flags.dry_run ? "dry run, nothing written" : FilesWritten(*written));
  }
  return planned->skipped.empty() ? kExitOk : kExitFindings;
}

}  // namespace

void RegisterMigrate(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<MigrateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "migrate",
      "Rewrite first-party split image mappings (repository/tag/digest) as one image.ref, offline");
  cmd->add_option("paths", flags->paths, "Files or directories instead of the configured scope");
  cmd->add_flag("--dry-run", flags->dry_run, "Plan and print, write nothing");
  cmd->add_flag("--json", flags->json, "Print the plan as one JSON object");
  cmd->add_flag("--force", flags->force,
                "Migrate values files whose chart could not be found (not checked for image.ref)");
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  cmd->callback([flags, exit_code] { *exit_code = RunMigrate(*flags); });
}

}  // namespace imagepin::cli
