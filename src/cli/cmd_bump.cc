// `imagepin bump`: the fast lanes (local, dev) follow the producer's channel tag. Every
// first-party image.ref there is pointed at the digest `<repository>:<channel>` resolves to,
// once that digest is a multi-arch index with the required platforms. Fail fast: one failed
// resolution and nothing is written (unless --keep-going).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <span>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/registry_flags.h"
#include "cli/write_session.h"
#include "decide/bump.h"
#include "plan/bump.h"
#include "policy/exceptions.h"
#include "registry/client.h"
#include "report/markdown.h"
#include "rewrite/apply.h"

namespace imagepin::cli {
namespace {

struct BumpFlags {
  std::vector<std::string> environments;
  bool dry_run = false;
  bool keep_going = false;
  std::string summary_md;
  std::string format = "text";
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

// "until 2027-01-31" or "no end".
std::string Until(const policy::Hold& h) { return h.until.empty() ? "no end" : "until " + h.until; }

// The held outcomes as a Markdown list for the PR body: a reviewer sees what did not move.
std::string HeldMarkdown(const std::vector<decide::BumpOutcome>& outcomes,
                         const std::string& config_path) {
  std::vector<std::vector<std::string>> rows;
  for (const decide::BumpOutcome& o : outcomes) {
    if (o.hold == nullptr) continue;
    const plan::BumpTarget& t = *o.target;
    rows.push_back({t.service, t.environment, "`" + t.repository + "`", o.hold->reason,
                    o.hold->until.empty() ? "-" : o.hold->until});
  }
  if (rows.empty()) return "";
  return fmt::format("\n**Held** (not bumped; `bump.holds` in `{}`):\n\n", config_path) +
         report::MarkdownTable({"Service", "Environment", "Repository", "Reason", "Until"}, rows);
}

std::string SummaryMarkdown(const std::vector<decide::BumpOutcome>& outcomes,
                            const std::string& channel,
                            const std::vector<std::string>& environments,
                            const std::string& config_path) {
  std::vector<std::vector<std::string>> rows;
  int changed = 0;
  for (const decide::BumpOutcome& o : outcomes) {
    if (!o.changed) continue;
    ++changed;
    const plan::BumpTarget& t = *o.target;
    std::string old =
        t.current_digest.empty() ? "(tag only)" : "`" + report::ShortDigest(t.current_digest) + "`";
    rows.push_back({t.service, t.environment, "`" + t.repository + "`", old,
                    "`" + report::ShortDigest(o.new_digest) + "`"});
  }
  std::string md =
      fmt::format("## imagepin bump: {} → `{}`\n\n", fmt::join(environments, ", "), channel);
  if (rows.empty()) {
    bool held = std::any_of(outcomes.begin(), outcomes.end(),
                            [](const decide::BumpOutcome& o) { return o.hold != nullptr; });
    md += held ? "Every image not held is already at its channel's digest.\n"
               : "Every image is already at its channel's digest.\n";
  } else {
    md += report::MarkdownTable(
        {"Service", "Environment", "Repository", "Old digest", "New digest"}, rows);
    md += fmt::format(
        "\n{} reference{} moved to the digest `:{}` points at, resolved over the OCI "
        "distribution API and checked to be a multi-arch index.\n",
        changed, changed == 1 ? "" : "s", channel);
  }
  return md + HeldMarkdown(outcomes, config_path);
}

nlohmann::ordered_json OutcomeJson(const decide::BumpOutcome& o) {
  const plan::BumpTarget& t = *o.target;
  nlohmann::ordered_json j = RefTargetJson(t);
  j["channel"] = t.channel.Normalized();
  j["old"] = StringOrNull(t.current_digest);
  j["new"] = StringOrNull(o.new_digest);
  j["tag"] = StringOrNull(o.readable_tag);
  j["changed"] = o.changed;
  j["error"] = StringOrNull(o.failure);
  j["notes"] = o.notes;
  if (o.hold != nullptr) {
    j["held"] = {
        {"reason", o.hold->reason}, {"until", StringOrNull(o.hold->until)}, {"line", o.hold->line}};
  } else {
    j["held"] = nullptr;
  }
  return j;
}

void PrintJson(const decide::BumpDecision& d, const std::vector<std::string>& environments,
               const std::string& channel, bool dry_run, int files_written, const std::string&) {
  nlohmann::ordered_json out;
  out["environments"] = environments;
  out["channel"] = channel;
  out["dryRun"] = dry_run;
  out["changes"] = nlohmann::ordered_json::array();
  for (const decide::BumpOutcome& o : d.outcomes) out["changes"].push_back(OutcomeJson(o));
  out["filesWritten"] = files_written;
  std::cout << DumpJson(out) << "\n";
}

void PrintText(const decide::BumpDecision& d, const std::vector<std::string>& environments,
               const std::string& channel, bool dry_run, int files_written,
               const std::string& config_path) {
  for (const decide::BumpOutcome& o : d.outcomes) {
    const plan::BumpTarget& t = *o.target;
    if (o.hold != nullptr) {
      fmt::print("{}:{}:{}: {} {}: held ({}), {} [{}:{}]\n", t.file.display_path, t.ref.line,
                 t.ref.column, t.environment, t.service, o.hold->reason, Until(*o.hold),
                 config_path, o.hold->line);
      continue;
    }
    if (!o.changed) continue;
    fmt::print("{}:{}:{}: {} {}: {} → {}{}\n", t.file.display_path, t.ref.line, t.ref.column,
               t.environment, t.service,
               t.current_digest.empty() ? "(tag only)" : report::ShortDigest(t.current_digest),
               report::ShortDigest(o.new_digest),
               o.readable_tag.empty() ? "" : " (tag " + o.readable_tag + ")");
  }
  // Held only when something is: the line stays as it was for a config without holds.
  std::string held = d.Held() > 0 ? fmt::format(", {} held", d.Held()) : "";
  if (d.write_nothing) {
    fmt::print("bump {} → :{}: nothing written: {} would have changed, {} unchanged{}, {} failed\n",
               fmt::join(environments, ","), channel, d.WouldChange(), d.Unchanged(), held,
               d.Failures());
    return;
  }
  fmt::print("bump {} → :{}: {} changed, {} unchanged{}, {} failed; {}\n",
             fmt::join(environments, ","), channel, d.Changed(), d.Unchanged(), held, d.Failures(),
             dry_run ? "dry run, nothing written" : FilesWritten(files_written));
}

// Where holds come from, as messages name it (a hold is always in a file).
std::string ConfigPath(const policy::Config& config) {
  return config.path.empty() ? std::string(policy::kConfigFileName) : config.path;
}

// bump.readableTag and the trailing-comment check: the revision's tag confirmed (a HEAD each),
// and the revision of each commented field's current digest.
decide::BumpTagging Tagging(const policy::Config& config, const RegistryFlags& registry,
                            const plan::BumpTargets& found,
                            const std::vector<const policy::Hold*>& held,
                            const std::vector<registry::Result<registry::Manifest>>& resolved) {
  decide::BumpTagging tagging;
  if (config.bump.readable_tag == policy::BumpSettings::ReadableTag::kRevision) {
    tagging.tags = decide::ReadableTagCandidates(found, held, resolved);
    decide::ConfirmReadableTags(
        ResolveWithProgress(config, registry, decide::ReadableTagsToConfirm(found, tagging.tags),
                            /*want_platforms=*/false, "confirming tags"),
        &tagging.tags);
  }
  std::vector<size_t> which;
  std::vector<ref::Reference> old = decide::OldDigestsToLookUp(found, held, resolved, &which);
  std::vector<registry::Result<registry::Manifest>> answers =
      ResolveWithProgress(config, registry, old, /*want_platforms=*/true, "reading old revisions");
  tagging.old_revisions.assign(found.targets.size(), "");
  for (size_t k = 0; k < which.size(); ++k) {
    if (answers[k].ok()) tagging.old_revisions[which[k]] = answers[k]->revision;
  }
  return tagging;
}

int RunBump(const BumpFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  std::vector<std::string> environments =
      flags.environments.empty() ? config->bump.environments : flags.environments;
  std::optional<WriteSession> session = BeginWriting(flags.root, "bump", flags.dry_run);
  if (!session || !RemoveSummary(flags.summary_md)) return kExitRuntime;
  base::Result<std::vector<plan::EnvironmentImages>> lanes =
      plan::LoadLanes(flags.root, *config, environments, flags.jobs);
  if (!lanes.ok()) {
    PrintError(lanes.error());
    return ExitCodeFor(lanes.error());
  }
  plan::BumpTargets found = plan::FindBumpTargets(*lanes, *config, policy::TodayUtc());
  PrintDiagnostics(found.held_problems);
  PrintDiagnostics(found.problems);  // before the (slow) resolution
  // Held targets are not asked for: a hold keeps a field as it is whatever its channel says.
  std::vector<const policy::Hold*> held =
      decide::BumpHolds(found, config->bump.holds, policy::TodayUtc());
  std::vector<registry::Result<registry::Manifest>> resolved =
      ResolveWithProgress(*config, flags.registry, decide::ChannelsToResolve(found, held),
                          /*want_platforms=*/true, "resolving");
  decide::BumpTagging tagging = Tagging(*config, flags.registry, found, held, resolved);
  decide::BumpDecision d =
      decide::DecideBump(found, held, resolved, config->platforms, flags.keep_going, tagging);
  // The finder's problems are printed already; the rest are the resolutions' failures.
  PrintDiagnostics(std::span(d.diagnostics).subspan(found.problems.size()));
  if (d.write_nothing) {
    fmt::print(stderr,
               "imagepin: bump: nothing written: a reference could not be bumped (use "
               "--keep-going to write what resolved)\n");
  }
  std::optional<int> written =
      ApplyAndSummarize(d.edits, *session, flags.summary_md, !d.write_nothing, [&] {
        return SummaryMarkdown(d.outcomes, config->bump.channel, environments, ConfigPath(*config));
      });
  if (!written) return kExitRuntime;
  (flags.format == "json" ? PrintJson : PrintText)(d, environments, config->bump.channel,
                                                   flags.dry_run, *written, ConfigPath(*config));
  return d.failed ? kExitRuntime : kExitOk;
}

}  // namespace

void RegisterBump(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<BumpFlags>();
  CLI::App* cmd = app.add_subcommand(
      "bump", "Point the fast lanes' first-party image.ref at their channel tag's digest");
  cmd->add_option("--env", flags->environments,
                  "Environments to bump (default: the config's bump.environments: local,dev)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", flags->dry_run, "Resolve and plan, write nothing");
  cmd->add_flag("--keep-going", flags->keep_going,
                "Write what resolved even if some did not (still exits 3)");
  cmd->add_option("--summary-md", flags->summary_md, "Write a Markdown summary (the PR body)");
  AddFormatFlag(cmd, &flags->format, {"text", "json"});
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunBump(*flags); });
}

}  // namespace imagepin::cli
