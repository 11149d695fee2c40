// `imagepin rollback APP ENV --reason TEXT`: put an app's image back to the digest it had before
// (the previous one in its values file's git history, or --to DIGEST|REV), written as `set`
// writes (the registry check included), and hold it there (a bump.holds entry in .imagepin.yaml)
// so that the next bump does not move it forward again. The values edit and the config edit are
// one ApplyEdits call: both are written or neither.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/registry_flags.h"
#include "cli/set_output.h"
#include "cli/write_session.h"
#include "decide/rollback.h"
#include "decide/set.h"
#include "plan/history.h"
#include "plan/insert.h"
#include "plan/set.h"
#include "policy/exceptions.h"
#include "policy/holds.h"
#include "report/markdown.h"

namespace imagepin::cli {
namespace {

// How far back rollback reads a field's history: a file bumped hourly changes about 170 times a
// week; the previous digest is almost always one commit back.
constexpr size_t kMaxCommits = 500;

struct RollbackFlags {
  std::string app;
  std::string environment;
  std::string to;
  std::string reason;
  bool dry_run = false;
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

// The digest to go back to, from git.
base::Result<decide::RollbackChoice> Choose(const RollbackFlags& flags, const plan::RefTarget& t,
                                            const policy::Config& config) {
  if (!flags.to.empty() && !flags.to.starts_with("sha256:")) {
    base::Result<plan::FieldValue> at = plan::FieldAtRevision(flags.root, t, config, flags.to);
    if (!at.ok()) return at.error();
    return decide::ChooseRevision(*at, t, config);
  }
  std::string digest = flags.to;
  base::Result<std::vector<plan::FieldValue>> history =
      plan::FieldHistory(flags.root, t, config, kMaxCommits, [&](const plan::FieldValue& v) {
        return digest.empty() ? decide::IsEarlierDigest(v, t) : v.digest == digest;
      });
  if (!history.ok()) return history.error();
  return digest.empty() ? decide::ChoosePrevious(*history, t, config)
                        : decide::ChooseDigest(digest, *history, t, config);
}

int RunRollback(const RollbackFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  if (flags.reason.find_first_not_of(" \t") == std::string::npos) {
    PrintError(base::MakeError(base::ErrorCode::kInvalidArgument,
                               "--reason must say why (it goes into the hold, for the reviewer)"));
    return kExitUsage;
  }
  std::optional<WriteSession> session = BeginWriting(flags.root, "rollback", flags.dry_run);
  if (!session) return kExitRuntime;
  base::Result<std::vector<plan::EnvironmentImages>> lanes =
      plan::LoadLanes(flags.root, *config, {flags.environment}, flags.jobs);
  if (!lanes.ok()) {
    PrintError(lanes.error());
    return ExitCodeFor(lanes.error());
  }
  plan::SetTargets app_targets = plan::FindAppTargets(*lanes, *config, flags.app);
  base::Result<const plan::RefTarget*> field =
      decide::RollbackField(app_targets, flags.app, flags.environment);
  if (!field.ok()) {
    PrintError(field.error());
    return kExitUsage;
  }
  const plan::RefTarget& t = **field;
  base::Result<decide::RollbackChoice> choice = Choose(flags, t, *config);
  if (!choice.ok()) {
    PrintError(choice.error());
    return ExitCodeFor(choice.error());
  }
  const ref::Reference& reference = choice->reference;

  // Written as set writes: every field of that repository in the app's files, registry-checked.
  // A hold already on the app does not stop a rollback (a person asked for it); it is reported.
  plan::SetTargets found =
      plan::FindSetTargets(*lanes, *config, reference.Repository(), {flags.app});
  std::vector<const policy::Hold*> held =
      decide::SetHolds(found, config->bump.holds, policy::TodayUtc());
  std::optional<ref::Reference> ask = decide::DigestToCheck(found, reference, held, true);
  std::optional<registry::Result<registry::Manifest>> checked;
  if (ask) {
    checked = ResolveWithProgress(*config, flags.registry, {*ask}, /*want_platforms=*/true,
                                  "checking")[0];
  }
  decide::SetDecision d =
      decide::DecideSet(found, reference, held, true, checked, config->platforms, "rollback");

  // The hold, unless one already keeps the app there.
  const policy::Hold* existing = policy::FindHold(
      config->bump.holds, {flags.app, t.repository, flags.environment}, policy::TodayUtc());
  std::optional<rewrite::Edit> hold_edit;
  std::string hold_item = decide::HoldItem(flags.app, flags.environment, flags.reason);
  if (existing == nullptr) {
    base::Result<std::unique_ptr<plan::ConfigText>> text = plan::LoadConfigText(flags.root);
    if (!text.ok()) {
      PrintError(text.error());
      return kExitUsage;
    }
    const plan::ConfigText& c = **text;
    plan::ValuesFile file{c.path, c.display, c.exists, c.contents,
                          c.documents.empty() ? nullptr : &c.documents[0]};
    base::Result<rewrite::Edit> edit =
        plan::AppendListItem(file, {"bump", "holds"}, hold_item,
                             fmt::format("rollback {} {}: hold", flags.environment, flags.app));
    base::Status valid = edit.ok() ? decide::CheckHoldEdit(c, *edit, flags.app, flags.environment,
                                                           policy::TodayUtc())
                                   : base::Status(edit.error());
    if (!valid.ok()) {
      d.failed = true;
      d.edits.clear();
      d.diagnostics.push_back(base::Diagnostic::From(valid.error()));
    } else {
      hold_edit = std::move(*edit);
    }
  }
  PrintDiagnostics(d.diagnostics);
  if (d.failed) {
    fmt::print(stderr, "imagepin: rollback: nothing written\n");
    return kExitRuntime;
  }
  std::vector<rewrite::Edit> edits = d.edits;
  if (hold_edit) edits.push_back(*hold_edit);
  std::optional<int> written = ApplyAndSummarize(edits, *session, "", false, {});
  if (!written) return kExitRuntime;

  for (const decide::SetOutcome& o : d.outcomes) {
    const plan::RefTarget& ot = *o.target;
    fmt::print("{}:{}:{}: {} {}: {} → {}\n", ot.file.display_path, ot.ref.line, ot.ref.column,
               ot.environment, ot.service,
               ot.current_digest.empty() ? "(tag only)" : ot.current_digest, reference.digest);
  }
  if (choice->from) {
    const plan::FieldValue& from = *choice->from;
    fmt::print("  from commit {} ({}, \"{}\"), where {} was {} (line {})\n",
               from.revision.commit.substr(0, 12), from.revision.date, from.revision.subject,
               t.key_path, from.reference, from.line);
  } else {
    fmt::print("  {} is not in the history of {}; the registry has it\n", reference.digest,
               t.file.display_path);
  }
  std::string config_path = ConfigDisplayPath(*config);
  if (hold_edit) {
    // The lines added: the hold, after the keys it needed (bump:, holds:) when they were missing.
    // Lifting the hold is deleting them all: an empty `holds:` is not a list.
    std::string added = hold_edit->new_text;
    int first = hold_edit->line;
    if (added.starts_with("\r\n") || added.starts_with("\n")) {
      added.erase(0, added.find('\n') + 1);
      ++first;
    }
    int last = first + static_cast<int>(std::count(added.begin(), added.end(), '\n')) - 1;
    while (!added.empty() && (added.back() == '\n' || added.back() == '\r')) added.pop_back();
    fmt::print("  held: {}:{}: {}\n", hold_edit->DisplayPath(), last, hold_item);
    fmt::print("  to lift the hold (bump moves {} in {} again), delete {} {} of {}:\n{}\n",
               flags.app, flags.environment, first == last ? "line" : "lines",
               first == last ? std::to_string(first) : fmt::format("{}-{}", first, last),
               hold_edit->DisplayPath(), added);
  } else {
    fmt::print("  already held by {}:{} ({}): no hold added; to lift it, delete that entry\n",
               config_path, existing->line, existing->reason);
  }
  fmt::print("rollback {} {}: {} → {}; {}\n", flags.environment, flags.app,
             t.current_digest.empty() ? "(tag only)" : report::ShortDigest(t.current_digest),
             report::ShortDigest(reference.digest),
             flags.dry_run ? "dry run, nothing written" : FilesWritten(*written));
  return kExitOk;
}

}  // namespace

void RegisterRollback(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<RollbackFlags>();
  CLI::App* cmd = app.add_subcommand(
      "rollback", "Put an app back to its previous digest (from git) and hold it there");
  cmd->add_option("APP", flags->app, "The service (its values file's stem)")->required();
  cmd->add_option("ENV", flags->environment, "The environment")->required();
  cmd->add_option("--to", flags->to,
                  "A digest (sha256:…) or a git revision whose value to go back to (default: the "
                  "previous digest in the field's history)");
  cmd->add_option("--reason", flags->reason, "Why: recorded in the hold (bump.holds)")->required();
  cmd->add_flag("--dry-run", flags->dry_run, "Check and plan, write nothing");
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunRollback(*flags); });
}

}  // namespace imagepin::cli
