// `imagepin pin [PATH...]`: the migration aid. Every reference with a tag but no digest gets the
// digest its tag points at now; floating tags are reported and left alone unless --channel-ok.
// Like bump, it writes all or nothing: one failed resolution and no file changes.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/registry_flags.h"
#include "cli/write_session.h"
#include "decide/pin.h"
#include "plan/pin.h"
#include "registry/client.h"
#include "report/markdown.h"
#include "rewrite/apply.h"

namespace imagepin::cli {
namespace {

struct PinFlags {
  std::vector<std::string> paths;
  bool dry_run = false;
  bool channel_ok = false;
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

// Plans, resolves and writes over the opened workspace.
int Pin(const plan::Workspace& ws, const PinFlags& flags, const WriteSession& session);

int RunPin(const PinFlags& flags) {
  std::optional<WriteSession> session = BeginWriting(flags.root, "pin", flags.dry_run);
  if (!session) return kExitRuntime;
  base::Result<plan::Workspace> ws =
      plan::OpenWorkspace(flags.root, flags.paths, flags.jobs, /*fingerprint=*/true);
  if (!ws.ok()) {
    PrintError(ws.error());
    return kExitUsage;
  }
  PrintConfigNotes(ws->config);
  for (const base::Error& p : ws->listing_problems) PrintError(p);
  if (!ws->listing_problems.empty()) {
    fmt::print(stderr, "imagepin: pin: nothing written: files in scope could not be listed\n");
    return kExitRuntime;
  }
  return Pin(*ws, flags, *session);
}

int Pin(const plan::Workspace& ws, const PinFlags& flags, const WriteSession& session) {
  // A split mapping with no digest value gets one beside its tag: its file's tree is needed.
  std::vector<std::unique_ptr<plan::ScannedSource>> sources(ws.files.size());
  for (size_t i = 0; i < ws.files.size(); ++i) {
    if (!plan::NeedsSource(ws.files[i])) continue;
    base::Result<std::unique_ptr<plan::ScannedSource>> source =
        plan::ReadSource(ws.files[i], ws.config);
    if (!source.ok()) {
      PrintError(source.error());
      fmt::print(stderr, "imagepin: pin: nothing written: a file could not be read again\n");
      return kExitRuntime;
    }
    sources[i] = std::move(*source);
  }
  base::Result<plan::PinTargets> found =
      plan::FindPinTargets(ws.files, ws.config, plan::PinOptions{flags.channel_ok}, sources);
  if (!found.ok()) {
    PrintError(found.error());
    return kExitRuntime;
  }
  for (const plan::PinSkip& s : found->skipped) PrintDiagnostic(s);
  std::vector<ref::Reference> refs;
  for (const plan::PinTarget& t : found->targets) refs.push_back(t.resolve);
  decide::PinDecision d = decide::DecidePin(
      *found,
      ResolveWithProgress(ws.config, flags.registry, refs, /*want_platforms=*/false, "resolving"));
  PrintDiagnostics(d.errors);
  if (d.failed()) {
    fmt::print(stderr, "imagepin: pin: nothing written: a reference could not be resolved\n");
    return kExitRuntime;
  }
  std::optional<int> written = ApplyAndSummarize(d.edits, session, "", false, {});
  if (!written) return kExitRuntime;
  for (size_t i = 0; i < d.edits.size(); ++i) {
    fmt::print("{}:{}:{}: {} → {}\n", d.edits[i].DisplayPath(), d.edits[i].line, d.edits[i].column,
               refs[i].Familiar(), report::ShortDigest(d.digests[i]));
  }
  int floating = decide::FloatingTags(*found);
  fmt::print("pin: {} pinned, {} left (floating tags: {}); {}\n", d.edits.size(),
             found->skipped.size(), floating,
             flags.dry_run ? "dry run, nothing written" : FilesWritten(*written));
  return floating > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void RegisterPin(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PinFlags>();
  CLI::App* cmd = app.add_subcommand(
      "pin", "Add the digest each tag points at now (migration aid); floating tags are reported");
  cmd->add_option("paths", flags->paths, "Files or directories instead of the configured scope");
  cmd->add_flag("--dry-run", flags->dry_run, "Resolve and plan, write nothing");
  cmd->add_flag("--channel-ok", flags->channel_ok,
                "Floating tags are channels: pin them as repo@digest (the tag is dropped)");
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunPin(*flags); });
}

}  // namespace imagepin::cli
