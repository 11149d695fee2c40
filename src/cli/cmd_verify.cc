// `imagepin verify [PATH...]`: the pins are real. Every pinned digest in scope must exist in its
// registry (a HEAD by digest), first-party references and those `platformsRequired` names must be
// multi-arch indexes with their platforms, and a readable tag beside a digest must still name it.
// Findings (IP008, IP009, IP015) come out like check's, in the same formats.
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

struct Answers {
  std::vector<registry::Result<registry::Manifest>> pins;  // in `pinned` order
  std::vector<registry::Result<registry::Manifest>> tags;  // in decide::TagsToCheck order
};

// The registry's answer for each pinned reference, in `pinned` order: references with platforms
// to hold are asked for them, the rest only for existence; then each readable tag, and the
// index of a tag that names another digest, which may list the pin as one of its platforms.
Answers LookUp(const std::vector<decide::PinnedImage>& pinned, const policy::Config& config,
               const RegistryFlags& flags) {
  std::vector<ref::Reference> plain, with_platforms;
  for (const decide::PinnedImage& p : pinned)
    (p.platforms != nullptr ? with_platforms : plain).push_back(p.ref);
  std::vector<ref::Reference> tags = decide::TagsToCheck(pinned);
  registry::Client client(MakeClientOptions(config, flags));
  std::vector<registry::Result<registry::Manifest>> plain_results, platform_results;
  Answers answers;
  {
    Progress progress("verifying", !flags.quiet);
    size_t total = pinned.size() + tags.size();
    plain_results =
        client.ResolveAll(plain, false, [&](size_t done, size_t) { progress.Update(done, total); });
    platform_results = client.ResolveAll(with_platforms, true, [&](size_t done, size_t) {
      progress.Update(plain.size() + done, total);
    });
    answers.tags = client.ResolveAll(
        tags, false, [&](size_t done, size_t) { progress.Update(pinned.size() + done, total); });
  }
  std::vector<size_t> open = decide::TagsToOpen(pinned, answers.tags);
  std::vector<ref::Reference> to_open;
  for (size_t j : open) to_open.push_back(tags[j]);
  std::vector<registry::Result<registry::Manifest>> opened = client.ResolveAll(to_open, true);
  for (size_t k = 0; k < open.size(); ++k) answers.tags[open[k]] = std::move(opened[k]);
  answers.pins.reserve(pinned.size());
  size_t next_plain = 0, next_platforms = 0;
  for (const decide::PinnedImage& p : pinned) {
    answers.pins.push_back(p.platforms != nullptr ? std::move(platform_results[next_platforms++])
                                                  : std::move(plain_results[next_plain++]));
  }
  return answers;
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
  Answers answers = LookUp(pinned, ws->config, flags.registry);
  decide::VerifyDecision d =
      decide::DecideVerify(*ws, pinned, answers.pins, answers.tags, policy::TodayUtc());
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
