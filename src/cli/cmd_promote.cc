// `imagepin promote SOURCE TARGET`: staging and production move only by promotion. The exact
// digests that run in SOURCE are copied into TARGET as a Git change a person approves; nothing
// is rebuilt or re-tagged. Refuses (exit 1, nothing written) when a promoted ref fails check.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/check.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/registry_flags.h"
#include "cli/write_session.h"
#include "decide/promote.h"
#include "plan/app_images.h"
#include "plan/promote.h"
#include "policy/exceptions.h"
#include "policy/tag_rules.h"
#include "registry/client.h"
#include "report/markdown.h"
#include "rewrite/apply.h"

namespace imagepin::cli {
namespace {

struct PromoteFlags {
  std::string source, target;
  std::vector<std::string> only;
  bool dry_run = false;
  bool verify = false;
  bool write_inherited = false;
  bool ignore_holds = false;
  std::string summary_md;
  std::string format = "text";
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

std::string ConfigPath(const policy::Config& config) {
  return config.path.empty() ? std::string(policy::kConfigFileName) : config.path;
}

// "held (freeze, REL-9), until 2027-01-31 [.imagepin.yaml:12]"
std::string HeldText(const policy::Hold& h, const policy::Config& config) {
  return fmt::format("held ({}), {} [{}:{}]", h.reason,
                     h.until.empty() ? "no end" : "until " + h.until, ConfigPath(config), h.line);
}

// Held values of the target: those left out and, with --ignore-holds, those written anyway.
std::string HeldMarkdown(const plan::PromotePlan& plan, const PromoteFlags& flags,
                         const policy::Config& config) {
  std::vector<std::vector<std::string>> rows;
  auto row = [&](const plan::Promotion& p, const char* outcome) {
    rows.push_back({p.service, "`" + p.repository + "`", p.hold->reason,
                    p.hold->until.empty() ? "-" : p.hold->until, outcome});
  };
  for (const plan::Promotion& p : plan.held) row(p, "not promoted");
  for (const plan::Promotion& p : plan.promotions) {
    if (p.hold != nullptr) row(p, "promoted (--ignore-holds)");
  }
  if (rows.empty()) return "";
  return fmt::format("\n**Held in {}** (`bump.holds` in `{}`):\n\n", flags.target,
                     ConfigPath(config)) +
         report::MarkdownTable({"Service", "Repository", "Reason", "Until", "Outcome"}, rows);
}

std::string SummaryMarkdown(const plan::PromotePlan& plan, const PromoteFlags& flags,
                            const policy::Config& config) {
  // The Build SHA column only when some promoted digest carries a readable tag.
  bool tags = std::any_of(plan.promotions.begin(), plan.promotions.end(),
                          [](const plan::Promotion& p) { return p.Changes() && !p.tag.empty(); });
  std::vector<std::vector<std::string>> rows;
  for (const plan::Promotion& p : plan.promotions) {
    if (!p.Changes()) continue;
    bool build_sha =
        !p.tag.empty() && policy::ClassifyTag(p.tag, config) == policy::TagKind::kBuildSha;
    std::vector<std::string> row = {
        p.service, "`" + p.repository + "`",
        p.old_digest.empty() ? "(none)" : "`" + report::ShortDigest(p.old_digest) + "`",
        "`" + report::ShortDigest(p.digest) + "`"};
    if (tags) row.push_back(build_sha ? "`" + p.tag + "`" : p.tag);
    rows.push_back(std::move(row));
  }
  std::string md = fmt::format("## imagepin promote: {} → {}\n\n", flags.source, flags.target);
  if (rows.empty() && !plan.held.empty()) {
    md += fmt::format("Nothing promoted: what {} runs differently from {} is held.\n", flags.target,
                      flags.source);
  } else if (rows.empty()) {
    md += fmt::format("{} already runs what {} runs.\n", flags.target, flags.source);
  } else {
    std::vector<std::string> headers = {"Service", "Repository", "From", "To"};
    if (tags) headers.push_back("Build SHA");
    md += report::MarkdownTable(headers, rows);
    md += fmt::format(
        "\nThe digests above run in `{}` today; they are copied as they are (no "
        "rebuild, no new tag). Review and approve to roll them out to `{}`.\n",
        flags.source, flags.target);
  }
  auto list = [&](const char* title, const std::vector<plan::Unmatched>& items) {
    if (items.empty()) return;
    md += fmt::format("\n**{}** (not promoted; decide by hand):\n\n", title);
    for (const plan::Unmatched& u : items) {
      md += fmt::format("- `{}` `{}`: `{}`\n", u.path, u.key_path, u.reference);
    }
  };
  list(fmt::format("Only in {}", flags.source).c_str(), plan.only_in_source);
  list(fmt::format("Only in {}", flags.target).c_str(), plan.only_in_target);
  md += HeldMarkdown(plan, flags, config);
  return md;
}

nlohmann::ordered_json UnmatchedJson(const std::vector<plan::Unmatched>& items) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const plan::Unmatched& u : items) {
    list.push_back({{"path", u.path},
                    {"line", u.pos.line},
                    {"column", u.pos.column},
                    {"keyPath", u.key_path},
                    {"reference", u.reference}});
  }
  return list;
}

nlohmann::ordered_json HoldJson(const policy::Hold* h) {
  if (h == nullptr) return nullptr;
  return {{"reason", h->reason}, {"until", StringOrNull(h->until)}, {"line", h->line}};
}

nlohmann::ordered_json PromotionJson(const plan::Promotion& p, bool changed) {
  return {{"service", p.service},
          {"repository", p.repository},
          {"path", p.target_path},
          {"line", p.target_line},
          {"keyPath", p.key_path},
          {"from", StringOrNull(p.old_digest)},
          {"to", p.digest},
          {"tag", StringOrNull(p.tag)},
          {"changed", changed},
          {"inherited", p.inherited},
          {"createsFile", p.creates_file},
          {"held", HoldJson(p.hold)}};
}

void PrintJson(const plan::PromotePlan& plan, const PromoteFlags& flags, int files_written) {
  nlohmann::ordered_json out;
  out["source"] = flags.source;
  out["target"] = flags.target;
  out["dryRun"] = flags.dry_run;
  out["promotions"] = nlohmann::ordered_json::array();
  for (const plan::Promotion& p : plan.promotions) {
    out["promotions"].push_back(PromotionJson(p, p.Changes()));
  }
  // Left out by a hold: nothing of them is written.
  out["held"] = nlohmann::ordered_json::array();
  for (const plan::Promotion& p : plan.held) out["held"].push_back(PromotionJson(p, false));
  out["inherited"] = nlohmann::ordered_json::array();
  for (const base::Diagnostic& d : plan.inherited) {
    out["inherited"].push_back(
        {{"path", d.path}, {"line", d.pos.line}, {"column", d.pos.column}, {"message", d.message}});
  }
  out["onlyInSource"] = UnmatchedJson(plan.only_in_source);
  out["onlyInTarget"] = UnmatchedJson(plan.only_in_target);
  out["filesWritten"] = files_written;
  std::cout << DumpJson(out) << "\n";
}

void PrintText(const plan::PromotePlan& plan, const PromoteFlags& flags,
               const policy::Config& config, int written) {
  for (const plan::Promotion& p : plan.held) {
    const rewrite::Edit& e = p.edits.front();
    fmt::print("{}:{}:{}: {} {}: {}, not promoted (--ignore-holds writes it)\n", e.DisplayPath(),
               e.line, e.column, flags.target, p.service, HeldText(*p.hold, config));
  }
  int changed = 0;
  for (const plan::Promotion& p : plan.promotions) {
    if (!p.Changes()) continue;
    ++changed;
    const rewrite::Edit& e = p.edits.front();
    fmt::print("{}:{}:{}: {} {}: {} → {}{}{}\n", e.DisplayPath(), e.line, e.column, flags.target,
               p.service, p.old_digest.empty() ? "(none)" : report::ShortDigest(p.old_digest),
               report::ShortDigest(p.digest), p.tag.empty() ? "" : " (" + p.tag + ")",
               !p.inherited ? ""
               : p.creates_file
                   ? fmt::format(" (override of an inherited {}, new file)", p.key_path)
                   : fmt::format(" (override of an inherited {})", p.key_path));
    if (p.hold != nullptr) {
      fmt::print("  {} (written: --ignore-holds)\n", HeldText(*p.hold, config));
    }
  }
  std::string inherited = plan.inherited.empty()
                              ? ""
                              : fmt::format(", {} inherited (not written)", plan.inherited.size());
  // Held only when something is: the line stays as it was for a config without holds.
  if (!plan.held.empty()) inherited += fmt::format(", {} held (not written)", plan.held.size());
  fmt::print(
      "promote {} → {}: {} changed, {} already current, {} only in {}, {} only in {}{}; {}\n",
      flags.source, flags.target, changed, plan.promotions.size() - changed,
      plan.only_in_source.size(), flags.source, plan.only_in_target.size(), flags.target, inherited,
      flags.dry_run ? "dry run, nothing written" : FilesWritten(written));
}

// --verify: every promoted digest exists, and first-party ones are multi-arch indexes.
bool VerifyDigests(const plan::PromotePlan& plan, const policy::Config& config,
                   const PromoteFlags& flags) {
  std::vector<base::Diagnostic> errors = decide::CheckPromotedDigests(
      plan,
      ResolveWithProgress(config, flags.registry, decide::PromotedDigests(plan),
                          /*want_platforms=*/true, "verifying"),
      config.platforms);
  PrintDiagnostics(errors);
  return errors.empty();
}

int Promote(const plan::PromotePlan& plan, const policy::Config& config, const PromoteFlags& flags,
            const WriteSession& session);

int RunPromote(const PromoteFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  if (flags.source == flags.target) {
    fmt::print(stderr, "imagepin: error: source and target are both \"{}\"\n", flags.source);
    return kExitUsage;
  }
  std::optional<WriteSession> session = BeginWriting(flags.root, "promote", flags.dry_run);
  if (!session || !RemoveSummary(flags.summary_md)) return kExitRuntime;
  base::Result<plan::EnvironmentImages> source =
      plan::LoadEnvironment(flags.root, *config, flags.source, flags.jobs);
  base::Result<plan::EnvironmentImages> target =
      source.ok() ? plan::LoadEnvironment(flags.root, *config, flags.target, flags.jobs,
                                          /*fingerprint=*/true)  // only the target is written
                  : base::Result<plan::EnvironmentImages>(source.error());
  if (!target.ok()) {
    PrintError(target.error());
    return ExitCodeFor(target.error());
  }
  // The applications of both environments: what each inherits, and from which layer.
  std::vector<base::Diagnostic> notices;
  std::vector<apps::Application> found = apps::FindApplications(*config, flags.root, &notices);
  plan::AppEnvironment source_apps =
      plan::LoadAppEnvironment(flags.root, *config, flags.source, found);
  plan::AppEnvironment target_apps =
      plan::LoadAppEnvironment(flags.root, *config, flags.target, found);
  for (const plan::AppEnvironment* env : {&source_apps, &target_apps}) {
    if (!env->problems.empty()) {
      PrintDiagnostics(env->problems);
      return kExitRuntime;
    }
  }
  // Holds on the target: what they keep is reported and left out (unless --ignore-holds).
  plan::PromotePlan plan = decide::ApplyHolds(
      plan::PlanPromotion(*source, *target, *config,
                          plan::PromoteOptions{flags.only, flags.write_inherited}, &source_apps,
                          &target_apps),
      config->bump.holds, flags.target, policy::TodayUtc(), flags.ignore_holds);
  return Promote(plan, *config, flags, *session);
}

// The plan's notes, refusals, --verify, the write and the report.
int Promote(const plan::PromotePlan& plan, const policy::Config& config, const PromoteFlags& flags,
            const WriteSession& session) {
  for (const plan::Unmatched& u : plan.only_in_source) PrintDiagnostic(u);
  for (const plan::Unmatched& u : plan.only_in_target) PrintDiagnostic(u);
  PrintDiagnostics(plan.inherited);
  PrintDiagnostics(plan.held_refusals);
  if (!plan.refusals.empty()) {
    for (const plan::Refusal& r : plan.refusals) PrintDiagnostic(r);
    fmt::print(stderr, "imagepin: promote {} → {}: refused, nothing written\n", flags.source,
               flags.target);
    return kExitFindings;
  }
  if (flags.verify && !plan.promotions.empty() && !VerifyDigests(plan, config, flags)) {
    fmt::print(stderr, "imagepin: promote: --verify failed, nothing written\n");
    return kExitRuntime;
  }
  std::optional<int> written =
      ApplyAndSummarize(plan::PromoteEdits(plan), session, flags.summary_md, true,
                        [&] { return SummaryMarkdown(plan, flags, config); });
  if (!written) return kExitRuntime;
  if (flags.format == "json") {
    PrintJson(plan, flags, *written);
  } else {
    PrintText(plan, flags, config, *written);
  }
  return kExitOk;
}

}  // namespace

void RegisterPromote(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PromoteFlags>();
  CLI::App* cmd =
      app.add_subcommand("promote",
                         "Copy the exact digests of one environment into the next (dev → staging → "
                         "production), for a person to approve");
  cmd->add_option("source", flags->source, "Environment to promote from (e.g. dev)")->required();
  cmd->add_option("target", flags->target, "Environment to promote to (e.g. staging)")->required();
  cmd->add_option("--only", flags->only, "Promote only these services (file stem) or repositories")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", flags->dry_run, "Plan and print, write nothing");
  cmd->add_flag("--verify", flags->verify,
                "Before writing, check in the registry that each promoted digest exists (and is "
                "multi-arch for first-party images)");
  cmd->add_flag("--write-inherited", flags->write_inherited,
                "Where the target inherits the value (from _shared, a chart default), add the "
                "override to the target's own overlay (creating the file if needed)");
  cmd->add_flag("--ignore-holds", flags->ignore_holds,
                "Write values the config's bump.holds hold in the target (still reported)");
  cmd->add_option("--summary-md", flags->summary_md, "Write a Markdown summary (the PR body)");
  AddFormatFlag(cmd, &flags->format, {"text", "json"});
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunPromote(*flags); });
}

}  // namespace imagepin::cli
