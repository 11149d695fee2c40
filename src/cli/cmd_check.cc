// `imagepin check [PATH...]`: the policy gate.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "apps/check.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/report_output.h"
#include "cli/version.h"
#include "policy/baseline.h"
#include "report/report.h"
#include "rewrite/atomic_file.h"
#include "scan/changed.h"

namespace imagepin::cli {
namespace {

struct CheckFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string root = ".";
  std::string color = "auto";
  bool read_stdin = false;
  unsigned jobs = 0;
  std::string baseline;        // --baseline FILE: fail only on findings not in it
  std::string write_baseline;  // --write-baseline FILE: record the current findings
  std::string changed_since;   // --changed-since REV: files changed since REV, and their stacks
};

// Writes the baseline file atomically, as every imagepin write: a temporary file beside it,
// fsync, rename over it, fsync of the directory. An existing file keeps its mode and owner.
bool WriteBaselineFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  std::string target = std::filesystem::absolute(path, ec).string();
  rewrite::FileIdentity like = rewrite::NewFileIdentity();
  if (!rewrite::PathAbsent(target)) {
    base::Result<rewrite::FileIdentity> existing = rewrite::StatRegularFile(target, path);
    if (!existing.ok()) {
      PrintError(existing.error());
      return false;
    }
    like = *existing;
  }
  base::Result<std::string> temp = rewrite::WriteTempFileBeside(target, text, like, path);
  base::Status done = temp.ok() ? rewrite::RenameOver(*temp, target, path) : temp.error();
  if (done.ok()) done = rewrite::SyncDirectoryOf(target, path);
  if (!done.ok()) {
    PrintError(done.error());
    return false;
  }
  return true;
}

// Marks each finding new or unchanged against the baseline and appends the absent ones (after
// the sorted findings, for SARIF). Says on stderr how many were fixed. Only a check of the whole
// scope can tell that a finding is gone: with explicit paths or a stream, the files not looked
// at would all count as fixed, so absent entries are not reported then.
void ApplyBaseline(const policy::Baseline& baseline, bool whole_scope,
                   std::vector<policy::Finding>* findings, report::RunSummary* summary) {
  policy::BaselineMatch match = policy::MatchBaseline(*findings, baseline);
  for (size_t i = 0; i < findings->size(); ++i) (*findings)[i].baseline = match.states[i];
  summary->baseline = true;
  if (!whole_scope) return;
  summary->fixed_since_baseline = match.absent_count;
  for (policy::Finding& absent : policy::AbsentFindings(match)) {
    findings->push_back(std::move(absent));
  }
  if (match.absent_count > 0) {
    fmt::print(stderr,
               "imagepin: note: {} fixed since the baseline: run --write-baseline to shrink it\n",
               match.absent_count);
  }
}

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
  if (!flags.changed_since.empty() && (flags.read_stdin || !flags.paths.empty())) {
    fmt::print(stderr,
               "imagepin: error: --changed-since chooses the files: it cannot be combined "
               "with paths or --stdin\n");
    return kExitUsage;
  }
  bool whole_scope = !flags.read_stdin && flags.paths.empty();
  if (!flags.write_baseline.empty() && !whole_scope) {
    // A baseline of some files would drop every other file's entries.
    fmt::print(stderr,
               "imagepin: error: --write-baseline records the whole scope: it cannot be combined "
               "with paths or --stdin\n");
    return kExitUsage;
  }
  // Read before the scan, so that a malformed baseline fails fast, with its position.
  std::optional<policy::Baseline> baseline;
  if (!flags.baseline.empty()) {
    base::Result<policy::Baseline> loaded = policy::LoadBaseline(flags.baseline);
    if (!loaded.ok()) {
      PrintError(loaded.error());
      return kExitUsage;  // the file a flag names is missing or wrong: a usage error
    }
    baseline = std::move(*loaded);
  }
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  if (!flags.changed_since.empty()) {
    base::Result<scan::ChangedFiles> changed =
        scan::ListChangedSince(flags.root, flags.changed_since);
    if (!changed.ok()) {
      PrintError(changed.error());
      return kExitUsage;
    }
    scan::ChangedSelection selection =
        scan::SelectChanged(flags.root, config->scope, *changed, config->max_file_size);
    if (!selection.whole_scope_because.empty()) {
      fmt::print(stderr, "imagepin: note: {}: checking the whole scope\n",
                 selection.whole_scope_because);
    } else if (selection.paths.empty()) {
      fmt::print(stderr, "imagepin: note: no file in scope changed since {}\n",
                 flags.changed_since);
      report::RunSummary summary;
      summary.tool_version = kVersion;
      return WriteFindings(flags.format, flags.color, {}, summary);
    } else {
      for (const std::string& p : selection.paths) flags.paths.push_back(flags.root + "/" + p);
      whole_scope = false;
    }
  }
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
  std::vector<policy::Finding> findings = std::move(result->check.findings);
  if (!flags.write_baseline.empty()) {
    // What was just recorded is the baseline this run is judged against: only what a baseline
    // cannot hold (IP000, IP007, suppressed findings) can still fail it.
    baseline = policy::BaselineOf(findings);
    if (!WriteBaselineFile(flags.write_baseline, policy::SerializeBaseline(*baseline))) {
      return kExitRuntime;
    }
    int entries = 0;
    for (const policy::BaselineEntry& entry : baseline->entries) entries += entry.count;
    fmt::print(stderr, "imagepin: {} finding{} recorded in {}\n", entries, entries == 1 ? "" : "s",
               flags.write_baseline);
  }
  if (baseline) ApplyBaseline(*baseline, whole_scope, &findings, &summary);
  return WriteFindings(flags.format, flags.color, findings, summary);
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
  CLI::Option* stdin_flag = cmd->add_flag(
      "--stdin", flags->read_stdin,
      "Check a multi-document stream from standard input (helm template ... | imagepin "
      "check --stdin)");
  AddRootFlag(cmd, &flags->root);
  cmd->add_option("--color", flags->color, "Colour text output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  AddJobsFlag(cmd, &flags->jobs);
  CLI::Option* baseline =
      cmd->add_option("--baseline", flags->baseline,
                      "Fail only on findings not recorded in this baseline file (JSON, written by "
                      "--write-baseline)");
  CLI::Option* write =
      cmd->add_option("--write-baseline", flags->write_baseline,
                      "Record the current findings in this baseline file (atomically), then report "
                      "against it")
          ->excludes(baseline);
  cmd->add_option("--changed-since", flags->changed_since,
                  "Check only the files changed since this git revision (committed, staged, "
                  "unstaged or untracked) and the application stacks they are part of")
      ->excludes(write)
      ->excludes(stdin_flag);
  cmd->callback([flags, exit_code] { *exit_code = RunCheckCommand(*flags); });
}

}  // namespace imagepin::cli
