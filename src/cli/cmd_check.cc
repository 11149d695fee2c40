// `imagepin check [PATH...]`: the policy gate.
#include <fmt/format.h>

#include <chrono>

#include "apps/check.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/report_output.h"
#include "cli/version.h"
#include "report/report.h"

namespace imagepin::cli {
namespace {

struct CheckFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string root = ".";
  std::string color = "auto";
  bool read_stdin = false;
  unsigned jobs = 0;
};

int RunCheckCommand(CheckFlags flags) {
  auto started = std::chrono::steady_clock::now();
  // `check -` reads a rendered stream, like `--stdin`.
  std::erase_if(flags.paths, [&](const std::string& p) {
    if (p != "-") return false;
    flags.read_stdin = true;
    return true;
  });
  if (flags.read_stdin && !flags.paths.empty()) {
    fmt::print(stderr, "imagepin: error: --stdin (or -) cannot be combined with paths\n");
    return kExitUsage;
  }
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  policy::CheckRequest request;
  request.root = flags.root;
  request.paths = flags.paths;
  request.read_stdin = flags.read_stdin;
  request.jobs = flags.jobs;
  base::Result<apps::AppCheckResult> result = apps::RunCheck(*config, request);
  if (!result.ok()) {
    PrintError(result.error());
    base::ErrorCode code = result.error().code;
    return code == base::ErrorCode::kNotFound || code == base::ErrorCode::kInvalidArgument
               ? kExitUsage
               : kExitRuntime;
  }
  report::RunSummary summary;
  summary.tool_version = kVersion;
  const policy::CheckResult& check = result->check;
  summary.files_scanned = check.stats.files_scanned;
  summary.templates_skipped = check.stats.templates_skipped;
  summary.image_fields = check.stats.image_fields;
  summary.applications = result->applications;
  summary.templates_analysed = check.stats.templates_analysed;
  summary.not_analysable = check.stats.not_analysable;
  summary.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Notes on applications discovery could not place go to stderr: they are not findings.
  PrintDiagnostics(result->notices);
  return WriteFindings(flags.format, flags.color, check.findings, summary);
}

}  // namespace

void RegisterCheck(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check that every image in scope is pinned by digest, with no floating tag and "
      "pull policy IfNotPresent");
  cmd->add_option("paths", flags->paths,
                  "Files or directories to check instead of the configured scope; - reads a "
                  "rendered stream from standard input");
  AddFormatFlag(cmd, &flags->format, {"text", "json", "sarif", "github"});
  cmd->add_flag("--stdin", flags->read_stdin,
                "Check a multi-document stream from standard input (helm template ... | imagepin "
                "check --stdin)");
  AddRootFlag(cmd, &flags->root);
  cmd->add_option("--color", flags->color, "Colour text output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  AddJobsFlag(cmd, &flags->jobs);
  cmd->callback([flags, exit_code] { *exit_code = RunCheckCommand(*flags); });
}

}  // namespace imagepin::cli
