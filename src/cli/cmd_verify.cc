// `imagepin verify [PATH...]`: the pins are real. Every pinned digest in scope must exist in its
// registry (a HEAD by digest), and first-party references must be multi-arch indexes with the
// required platforms. Findings (IP008, IP009) come out like check's, in the same formats.
#include <fmt/format.h>

#include <chrono>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "cli/report_output.h"
#include "cli/version.h"
#include "decide/verify.h"
#include "plan/workspace.h"
#include "policy/exceptions.h"
#include "registry/client.h"

namespace imagepin::cli {
namespace {

struct VerifyFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string color = "auto";
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

// The registry's answer for each pinned reference, in `pinned` order: first-party references
// are asked for their platforms, the rest only for existence.
std::vector<registry::Result<registry::Manifest>> LookUp(
    const std::vector<decide::PinnedImage>& pinned, const policy::Config& config,
    const RegistryFlags& flags) {
  std::vector<ref::Reference> plain, first_party;
  for (const decide::PinnedImage& p : pinned)
    (p.first_party ? first_party : plain).push_back(p.ref);
  registry::Client client(MakeClientOptions(config, flags));
  std::vector<registry::Result<registry::Manifest>> plain_results, first_party_results;
  {
    Progress progress("verifying", !flags.quiet);
    size_t total = pinned.size();
    plain_results =
        client.ResolveAll(plain, false, [&](size_t done, size_t) { progress.Update(done, total); });
    first_party_results = client.ResolveAll(first_party, true, [&](size_t done, size_t) {
      progress.Update(plain.size() + done, total);
    });
  }
  std::vector<registry::Result<registry::Manifest>> results;
  results.reserve(pinned.size());
  size_t next_plain = 0, next_first = 0;
  for (const decide::PinnedImage& p : pinned) {
    results.push_back(p.first_party ? std::move(first_party_results[next_first++])
                                    : std::move(plain_results[next_plain++]));
  }
  return results;
}

int RunVerify(const VerifyFlags& flags) {
  auto started = std::chrono::steady_clock::now();
  base::Result<plan::Workspace> ws = plan::OpenWorkspace(flags.root, flags.paths, flags.jobs);
  if (!ws.ok()) {
    PrintError(ws.error());
    return kExitUsage;
  }
  PrintConfigNotes(ws->config);
  std::vector<decide::PinnedImage> pinned = decide::CollectPinned(*ws);
  decide::VerifyDecision d = decide::DecideVerify(
      *ws, pinned, LookUp(pinned, ws->config, flags.registry), policy::TodayUtc());
  PrintDiagnostics(d.errors);
  report::RunSummary summary;
  summary.tool_version = kVersion;
  summary.files_scanned = static_cast<int>(ws->files.size());
  summary.image_fields = static_cast<int>(pinned.size());
  summary.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int code = WriteFindings(flags.format, flags.color, d.findings, summary);
  return d.errors.empty() ? code : kExitRuntime;
}

}  // namespace

void RegisterVerify(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check that every pinned digest exists and first-party images are multi-arch");
  cmd->add_option("paths", flags->paths, "Files or directories instead of the configured scope");
  AddFormatFlag(cmd, &flags->format, {"text", "json", "sarif", "github"});
  cmd->add_option("--color", flags->color, "Colour text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });
}

}  // namespace imagepin::cli
