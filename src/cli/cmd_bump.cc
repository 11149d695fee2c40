// `imagepin bump`: the fast lanes (local, dev) follow the producer's channel tag. Every
// first-party image.ref there is pointed at the digest `<repository>:<channel>` resolves to,
// once that digest is a multi-arch index with the required platforms. Fail fast: one failed
// resolution and nothing is written (unless --keep-going).
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/registry_flags.h"
#include "cli/write_session.h"
#include "plan/bump.h"
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

// One target's outcome.
struct BumpOutcome {
  const plan::BumpTarget* target = nullptr;
  std::string new_digest;  // empty when resolution failed
  std::string failure;     // one line, when it failed
  bool changed = false;
};

std::string SummaryMarkdown(const std::vector<BumpOutcome>& outcomes, const std::string& channel,
                            const std::vector<std::string>& environments) {
  std::vector<std::vector<std::string>> rows;
  int changed = 0;
  for (const BumpOutcome& o : outcomes) {
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
  if (rows.empty()) return md + "Every image is already at its channel's digest.\n";
  md += report::MarkdownTable({"Service", "Environment", "Repository", "Old digest", "New digest"},
                              rows);
  md += fmt::format(
      "\n{} reference{} moved to the digest `:{}` points at, resolved over the OCI "
      "distribution API and checked to be a multi-arch index.\n",
      changed, changed == 1 ? "" : "s", channel);
  return md;
}

nlohmann::ordered_json OutcomeJson(const BumpOutcome& o) {
  const plan::BumpTarget& t = *o.target;
  nlohmann::ordered_json j;
  j["environment"] = t.environment;
  j["service"] = t.service;
  j["path"] = t.file.display_path;
  j["line"] = t.ref.line;
  j["column"] = t.ref.column;
  j["keyPath"] = t.key_path;
  j["repository"] = t.repository;
  j["channel"] = t.channel.Normalized();
  j["old"] = StringOrNull(t.current_digest);
  j["new"] = StringOrNull(o.new_digest);
  j["changed"] = o.changed;
  j["error"] = StringOrNull(o.failure);
  return j;
}

// Resolves each distinct channel reference once; fills new_digest or failure per target.
void Resolve(const plan::BumpTargets& found, const policy::Config& config, const BumpFlags& flags,
             std::vector<BumpOutcome>* outcomes) {
  std::vector<ref::Reference> refs;
  for (const plan::BumpTarget& t : found.targets) refs.push_back(t.channel);
  std::vector<registry::Result<registry::Manifest>> results =
      ResolveWithProgress(config, flags.registry, refs, /*want_platforms=*/true, "resolving");
  for (size_t i = 0; i < found.targets.size(); ++i) {
    BumpOutcome& o = (*outcomes)[i];
    const registry::Result<registry::Manifest>& r = results[i];
    if (!r.ok()) {
      o.failure = DescribeFailure(r.error());
      continue;
    }
    std::vector<std::string> missing = registry::MissingPlatforms(*r, config.platforms);
    if (!missing.empty()) {
      o.failure =
          fmt::format("{}: platforms-missing: {} {} lacks {}", refs[i].Normalized(), r->digest,
                      r->is_index ? "index" : "(single-platform image)", fmt::join(missing, ", "));
      continue;
    }
    o.new_digest = r->digest;
  }
}

int RunBump(const BumpFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  std::vector<std::string> environments =
      flags.environments.empty() ? config->bump.environments : flags.environments;
  std::optional<WriteSession> session = BeginWriting(flags.root, "bump", flags.dry_run);
  if (!session || !RemoveSummary(flags.summary_md)) return kExitRuntime;
  base::Result<plan::BumpTargets> found =
      plan::FindBumpTargets(flags.root, *config, environments, flags.jobs);
  if (!found.ok()) {
    PrintError(found.error());
    return ExitCodeFor(found.error());
  }
  for (const plan::BumpProblem& p : found->problems) {
    PrintError(base::MakeError(base::ErrorCode::kInvalidArgument, p.message, p.display_path,
                               {p.line, p.column}));
  }

  std::vector<BumpOutcome> outcomes(found->targets.size());
  for (size_t i = 0; i < outcomes.size(); ++i) outcomes[i].target = &found->targets[i];
  if (!outcomes.empty()) Resolve(*found, *config, flags, &outcomes);

  bool failed = !found->problems.empty();
  std::vector<rewrite::Edit> edits;
  for (BumpOutcome& o : outcomes) {
    if (!o.failure.empty()) {
      failed = true;
      fmt::print(stderr, "{}:{}:{}: error: {}\n", o.target->file.display_path, o.target->ref.line,
                 o.target->ref.column, o.failure);
      continue;
    }
    base::Result<rewrite::Edit> edit = plan::BumpEdit(*o.target, o.new_digest);
    if (!edit.ok()) {
      failed = true;
      o.failure = edit.error().message;
      PrintError(edit.error());
      continue;
    }
    o.changed = !edit->IsNoOp();
    edits.push_back(std::move(*edit));
  }
  bool write_nothing = failed && !flags.keep_going;
  int would_change = 0;
  if (write_nothing) {
    fmt::print(stderr,
               "imagepin: bump: nothing written: a reference could not be bumped (use "
               "--keep-going to write what resolved)\n");
    for (BumpOutcome& o : outcomes) would_change += o.changed ? 1 : 0, o.changed = false;
    edits.clear();
  }
  base::Result<std::vector<rewrite::FileChange>> applied =
      rewrite::ApplyEdits(edits, session->apply);
  if (!applied.ok()) {
    PrintError(applied.error());
    return kExitRuntime;
  }
  // The PR body last, and only for a run that wrote what it planned: a failed run leaves none.
  if (!write_nothing && !flags.summary_md.empty() &&
      !WriteSummary(flags.summary_md,
                    SummaryMarkdown(outcomes, config->bump.channel, environments))) {
    return kExitRuntime;
  }
  int files_written = 0;
  for (const rewrite::FileChange& c : *applied) files_written += c.written ? 1 : 0;

  int changed = 0, unchanged = 0, failures = 0;
  for (const BumpOutcome& o : outcomes) {
    if (!o.failure.empty()) {
      ++failures;
    } else if (o.changed) {
      ++changed;
    } else if (!o.new_digest.empty()) {
      ++unchanged;
    }
  }
  if (flags.format == "json") {
    nlohmann::ordered_json out;
    out["environments"] = environments;
    out["channel"] = config->bump.channel;
    out["dryRun"] = flags.dry_run;
    out["changes"] = nlohmann::ordered_json::array();
    for (const BumpOutcome& o : outcomes) out["changes"].push_back(OutcomeJson(o));
    out["filesWritten"] = files_written;
    std::cout << DumpJson(out) << "\n";
  } else {
    for (const BumpOutcome& o : outcomes) {
      if (!o.changed) continue;
      const plan::BumpTarget& t = *o.target;
      fmt::print("{}:{}:{}: {} {}: {} → {}\n", t.file.display_path, t.ref.line, t.ref.column,
                 t.environment, t.service,
                 t.current_digest.empty() ? "(tag only)" : report::ShortDigest(t.current_digest),
                 report::ShortDigest(o.new_digest));
    }
    if (write_nothing) {
      fmt::print("bump {} → :{}: nothing written: {} would have changed, {} unchanged, {} failed\n",
                 fmt::join(environments, ","), config->bump.channel, would_change,
                 unchanged - would_change, failures);
    } else {
      fmt::print("bump {} → :{}: {} changed, {} unchanged, {} failed; {}\n",
                 fmt::join(environments, ","), config->bump.channel, changed, unchanged, failures,
                 flags.dry_run ? "dry run, nothing written"
                               : fmt::format("{} file{} written", files_written,
                                             files_written == 1 ? "" : "s"));
    }
  }
  return failed ? kExitRuntime : kExitOk;
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
