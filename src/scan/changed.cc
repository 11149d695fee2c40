#include "scan/changed.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <string_view>

#include "base/files.h"
#include "base/process.h"

namespace imagepin::scan {
namespace fs = std::filesystem;
namespace {

// Path lists are a few bytes a file: 64 MiB is far more than any repository's.
constexpr size_t kMaxGitOutput = 64u << 20;

// Runs `git --no-optional-locks -C root ARGS...` (no optional locks: a check never takes the
// index lock another git command may hold).
base::Result<std::string> Git(const std::string& root, std::vector<std::string> args) {
  std::vector<std::string> argv = {"git", "--no-optional-locks", "-C", root};
  argv.insert(argv.end(), args.begin(), args.end());
  base::Result<base::ProcessResult> run =
      base::RunProcess(argv, {kMaxGitOutput, std::chrono::seconds(60)});
  if (!run.ok()) return run.error();
  if (run->truncated || run->timed_out) {
    return base::MakeError(
        base::ErrorCode::kIo,
        fmt::format("git {} {}: stopped", args[0],
                    run->truncated ? "printed more than 64 MiB" : "ran for 60 s"));
  }
  if (run->exit_code != 0) {
    std::string message = run->err.substr(0, run->err.find('\n'));
    if (message.starts_with("fatal: ")) message.erase(0, 7);
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           message.empty() ? fmt::format("git {} failed", args[0]) : message);
  }
  return std::move(run->out);
}

std::vector<std::string> SplitNul(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.emplace_back(text, start, end - start);
    start = end + 1;
  }
  return out;
}

// The directories above `rel` that hold a Chart.yaml (a subchart's parents too), nearest first.
std::vector<std::string> ChartsAbove(const fs::path& root, const std::string& rel) {
  std::vector<std::string> charts;
  for (fs::path dir = fs::path(rel).parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (HasChartFile(root / dir)) charts.push_back(dir.generic_string());
  }
  return charts;
}

// Whether the file names an Argo CD or Flux API group (read up to the size cap; a file that
// cannot be read is left to check, which reports it).
bool MayDeclareApplications(const fs::path& file, size_t max_file_size) {
  std::string text;
  if (!base::ReadFileInto(file.string(), max_file_size, &text).ok()) return false;
  return text.find("argoproj.io/") != std::string::npos ||
         text.find("helm.toolkit.fluxcd.io/") != std::string::npos;
}

}  // namespace

base::Result<ChangedFiles> ListChangedSince(const std::string& root, const std::string& rev) {
  // The revision is resolved first, with --end-of-options, so that nothing in it is read as an
  // option; diff then gets the commit's hash.
  base::Result<std::string> commit =
      Git(root, {"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"});
  if (!commit.ok()) {
    if (commit.error().message.find("not a git repository") != std::string::npos) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "--changed-since needs a git work tree: " + commit.error().message,
                             root);
    }
    return base::MakeError(
        base::ErrorCode::kInvalidArgument,
        fmt::format("--changed-since: {} is not a commit in this repository", rev));
  }
  std::string hash = commit->substr(0, commit->find('\n'));
  base::Result<std::string> diff =
      Git(root, {"diff", "--name-only", "-z", "--no-renames", "--relative", hash, "--"});
  if (!diff.ok()) return diff.error();
  base::Result<std::string> untracked =
      Git(root, {"ls-files", "-z", "--others", "--exclude-standard"});
  if (!untracked.ok()) return untracked.error();

  std::set<std::string> paths;
  for (std::string& p : SplitNul(*diff)) paths.insert(std::move(p));
  for (std::string& p : SplitNul(*untracked)) paths.insert(std::move(p));
  ChangedFiles changed;
  for (const std::string& p : paths) {
    std::error_code ec;
    bool there = fs::symlink_status(fs::path(root) / p, ec).type() != fs::file_type::not_found;
    (there ? changed.present : changed.deleted).push_back(p);
  }
  return changed;
}

ChangedSelection SelectChanged(const std::string& root, const Scope& scope,
                               const ChangedFiles& changed, size_t max_file_size) {
  ChangedSelection selection;
  const fs::path root_path(root);
  auto whole = [&](std::string why) {
    selection.whole_scope_because = std::move(why);
    selection.paths.clear();
    return selection;
  };
  for (const std::vector<std::string>* list : {&changed.present, &changed.deleted}) {
    if (std::find(list->begin(), list->end(), ".imagepin.yaml") != list->end()) {
      return whole(".imagepin.yaml changed");
    }
  }
  for (const std::string& p : changed.deleted) {
    if (InScope(scope, p) || !ChartsAbove(root_path, p).empty()) {
      return whole(p + " was deleted");
    }
  }
  std::set<std::string> paths;
  for (const std::string& p : changed.present) {
    std::error_code ec;
    if (!fs::is_regular_file(root_path / p, ec) && !fs::is_symlink(root_path / p, ec)) continue;
    if (InScope(scope, p)) {
      if (MayDeclareApplications(root_path / p, max_file_size)) {
        return whole(p + " may declare applications");
      }
      paths.insert(p);
    }
    for (const std::string& chart : ChartsAbove(root_path, p)) {
      for (const char* name : {"values.yaml", "values.yml"}) {
        std::string values = chart + "/" + name;
        if (fs::is_regular_file(root_path / values, ec)) paths.insert(values);
      }
    }
  }
  selection.paths.assign(paths.begin(), paths.end());
  return selection;
}

}  // namespace imagepin::scan
