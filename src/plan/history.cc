#include "plan/history.h"

#include <fmt/format.h>

#include "base/process.h"
#include "plan/workspace.h"

namespace imagepin::plan {
namespace {

base::Error GitError(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
}

// Runs `git -C root --no-pager ARGS…`; its standard output, or an error quoting the first line of
// what git said.
base::Result<std::string> Git(const std::string& root, std::vector<std::string> args,
                              size_t max_output = size_t{1} << 20) {
  std::vector<std::string> argv = {"git", "-C", root, "--no-pager"};
  argv.insert(argv.end(), args.begin(), args.end());
  base::Result<base::ProcessResult> run =
      base::RunProcess(argv, {max_output, std::chrono::seconds(30)});
  if (!run.ok()) {
    return base::MakeError(run.error().code,
                           "rollback reads the history with git: " + run.error().message);
  }
  if (run->timed_out) return base::MakeError(base::ErrorCode::kIo, "git did not answer in 30 s");
  if (run->truncated) {
    return base::MakeError(base::ErrorCode::kIo,
                           fmt::format("git printed more than {} bytes", max_output));
  }
  if (run->exit_code != 0) {
    std::string said = run->err.substr(0, run->err.find('\n'));
    return base::MakeError(base::ErrorCode::kIo,
                           fmt::format("git {} failed (exit {}): {}", args[0], run->exit_code,
                                       said.empty() ? "no message" : said));
  }
  return std::move(run->out);
}

// ROOT's path inside its work tree ("" at the top, "gitops/" below it), for REV:PATH.
base::Result<std::string> Prefix(const std::string& root) {
  base::Result<std::string> prefix = Git(root, {"rev-parse", "--show-prefix"});
  if (!prefix.ok()) {
    return GitError(
        fmt::format("{} is not in a git work tree ({}): rollback reads the values "
                    "file's history from git",
                    root, prefix.error().message));
  }
  std::string p = *prefix;
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

// "hash\tdate\tsubject" lines, as the --format below prints them.
std::vector<Revision> ParseLog(const std::string& out) {
  std::vector<Revision> revisions;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    size_t tab1 = line.find('\t');
    size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) continue;
    revisions.push_back(
        {line.substr(0, tab1), line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1)});
  }
  return revisions;
}

constexpr char kLogFormat[] = "--format=%H%x09%cI%x09%s";

// The field in `contents` (the file as it was in `revision`).
FieldValue ValueIn(const RefTarget& target, const policy::Config& config, Revision revision,
                   std::string_view contents) {
  FieldValue value{std::move(revision), {}, {}, 0};
  ScannedFile file = ScanText(target.file, contents, config);
  for (const scan::ImageField& field : file.scan.fields.images) {
    if (field.form != scan::FieldForm::kRef || field.document != target.document ||
        field.key_path != target.key_path || field.templated) {
      continue;
    }
    value.reference = field.reference;
    value.line = field.ref.line;
    base::Result<ref::Reference> parsed = ref::ParseReference(field.reference);
    if (parsed.ok()) value.digest = parsed->digest;
    break;
  }
  return value;
}

base::Result<std::string> Show(const std::string& root, const std::string& prefix,
                               const std::string& commit, const RefTarget& target,
                               const policy::Config& config) {
  return Git(root, {"show", commit + ":" + prefix + target.file.display_path},
             config.max_file_size + 1);
}

}  // namespace

base::Result<std::vector<FieldValue>> FieldHistory(
    const std::string& root, const RefTarget& target, const policy::Config& config,
    size_t max_commits, const std::function<bool(const FieldValue&)>& enough) {
  base::Result<std::string> prefix = Prefix(root);
  if (!prefix.ok()) return prefix.error();
  base::Result<std::string> log =
      Git(root, {"log", kLogFormat, fmt::format("--max-count={}", max_commits), "--",
                 target.file.display_path});
  if (!log.ok()) return log.error();
  std::vector<FieldValue> values;
  for (Revision& revision : ParseLog(*log)) {
    base::Result<std::string> contents = Show(root, *prefix, revision.commit, target, config);
    // A commit that deleted the file is in the log too: it had no such field.
    values.push_back(contents.ok() ? ValueIn(target, config, std::move(revision), *contents)
                                   : FieldValue{std::move(revision), {}, {}, 0});
    if (enough(values.back())) break;
  }
  return values;
}

base::Result<FieldValue> FieldAtRevision(const std::string& root, const RefTarget& target,
                                         const policy::Config& config, const std::string& rev) {
  if (rev.empty() || rev[0] == '-') {
    return GitError(fmt::format("\"{}\" is not a revision", rev));
  }
  base::Result<std::string> prefix = Prefix(root);
  if (!prefix.ok()) return prefix.error();
  base::Result<std::string> log =
      Git(root, {"log", kLogFormat, "--max-count=1", "--no-walk", rev + "^{commit}", "--"});
  std::vector<Revision> revisions = log.ok() ? ParseLog(*log) : std::vector<Revision>{};
  if (revisions.empty()) {
    return GitError(fmt::format("\"{}\" names no commit of the repository", rev));
  }
  base::Result<std::string> contents = Show(root, *prefix, revisions[0].commit, target, config);
  if (!contents.ok()) {
    return GitError(fmt::format("{} has no {} at {} ({})", target.file.display_path,
                                target.key_path, rev, contents.error().message));
  }
  FieldValue value = ValueIn(target, config, std::move(revisions[0]), *contents);
  if (value.digest.empty()) {
    return GitError(fmt::format("{} has no {} with a digest at {}", target.file.display_path,
                                target.key_path, rev));
  }
  return value;
}

}  // namespace imagepin::plan
