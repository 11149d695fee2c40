// `imagepin set ENV REFERENCE`: write one digest a producer just pushed into every first-party
// image.ref of its repository in one environment (the dispatch path of the bump workflow), once
// the registry says the digest exists and is a multi-arch index with the required platforms.
// Fail fast: any problem and nothing is written.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/registry_flags.h"
#include "cli/set_output.h"
#include "cli/write_session.h"
#include "decide/set.h"
#include "plan/set.h"
#include "policy/exceptions.h"

namespace imagepin::cli {
namespace {

struct SetFlags {
  std::string environment;
  std::string reference;
  std::vector<std::string> apps;
  bool dry_run = false;
  bool ignore_holds = false;
  std::string summary_md;
  std::string format = "text";
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

int RunSet(const SetFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  base::Result<ref::Reference> reference = decide::ParseSetReference(flags.reference, *config);
  if (!reference.ok()) {
    PrintError(reference.error());
    return kExitUsage;
  }
  std::optional<WriteSession> session = BeginWriting(flags.root, "set", flags.dry_run);
  if (!session || !RemoveSummary(flags.summary_md)) return kExitRuntime;
  base::Result<std::vector<plan::EnvironmentImages>> lanes =
      plan::LoadLanes(flags.root, *config, {flags.environment}, flags.jobs);
  if (!lanes.ok()) {
    PrintError(lanes.error());
    return ExitCodeFor(lanes.error());
  }
  plan::SetTargets found =
      plan::FindSetTargets(*lanes, *config, reference->Repository(), flags.apps);
  if (base::Status some = decide::RequireTargets(found, *reference, flags.environment, flags.apps);
      !some.ok()) {
    PrintError(some.error());
    return kExitUsage;
  }
  std::vector<const policy::Hold*> held =
      decide::SetHolds(found, config->bump.holds, policy::TodayUtc());
  std::optional<ref::Reference> ask =
      decide::DigestToCheck(found, *reference, held, flags.ignore_holds);
  std::optional<registry::Result<registry::Manifest>> checked;
  if (ask) {
    checked = ResolveWithProgress(*config, flags.registry, {*ask}, /*want_platforms=*/true,
                                  "checking")[0];
  }
  decide::SetDecision d = decide::DecideSet(found, *reference, held, flags.ignore_holds, checked,
                                            config->platforms, "set");
  PrintDiagnostics(d.diagnostics);
  if (d.failed) fmt::print(stderr, "imagepin: set: nothing written\n");
  std::optional<int> written =
      ApplyAndSummarize(d.edits, *session, flags.summary_md, !d.failed, [&] {
        return SetMarkdown(
            d, *reference, *config,
            fmt::format("imagepin set: {} → `{}`", flags.environment, reference->Normalized()));
      });
  if (!written) return kExitRuntime;
  if (flags.format == "json") {
    nlohmann::ordered_json out;
    out["environment"] = flags.environment;
    out["reference"] = reference->Normalized();
    out["digest"] = reference->digest;
    out["dryRun"] = flags.dry_run;
    out["changes"] = SetChangesJson(d);
    out["failed"] = d.failed;
    out["filesWritten"] = *written;
    std::cout << DumpJson(out) << "\n";
  } else {
    PrintSetLines(d, *config);
    std::string held_count = d.Held() > 0 ? fmt::format(", {} held", d.Held()) : "";
    if (d.failed) {
      fmt::print("set {} {}: nothing written: {} would have changed, {} unchanged{}\n",
                 flags.environment, reference->Normalized(), d.WouldChange(), d.Unchanged(),
                 held_count);
    } else {
      fmt::print("set {} {}: {} changed, {} unchanged{}; {}\n", flags.environment,
                 reference->Normalized(), d.Changed(), d.Unchanged(), held_count,
                 flags.dry_run ? "dry run, nothing written" : FilesWritten(*written));
    }
  }
  return d.failed ? kExitRuntime : kExitOk;
}

}  // namespace

void RegisterSet(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<SetFlags>();
  CLI::App* cmd = app.add_subcommand(
      "set",
      "Write one pushed digest into a repository's first-party image.ref in one environment");
  cmd->add_option("ENV", flags->environment, "The environment to write (a configured one)")
      ->required();
  cmd->add_option("REFERENCE", flags->reference,
                  "The image, pinned by digest: repo@sha256:… or repo:tag@sha256:…")
      ->required();
  cmd->add_option("--app", flags->apps,
                  "Only this service's fields (the values file's stem); repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", flags->dry_run, "Check and plan, write nothing");
  cmd->add_flag("--ignore-holds", flags->ignore_holds,
                "Write fields the config's bump.holds hold (still reported)");
  cmd->add_option("--summary-md", flags->summary_md, "Write a Markdown summary (the PR body)");
  AddFormatFlag(cmd, &flags->format, {"text", "json"});
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunSet(*flags); });
}

}  // namespace imagepin::cli
