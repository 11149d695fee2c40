#include "cli/write_session.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/diagnostics.h"
#include "rewrite/atomic_file.h"
#include "rewrite/journal.h"

namespace imagepin::cli {

std::optional<WriteSession> BeginWriting(const std::string& root, std::string_view command,
                                         bool dry_run) {
  base::Result<rewrite::RepositoryLock> lock = rewrite::RepositoryLock::Acquire(root, command);
  if (!lock.ok()) {
    PrintError(lock.error());
    return std::nullopt;
  }
  if (!dry_run) {
    base::Result<std::vector<std::string>> recovered =
        rewrite::RecoverInterruptedWrite(lock->journal_path(), root);
    if (!recovered.ok()) {
      PrintError(recovered.error());
      return std::nullopt;
    }
    for (const std::string& line : *recovered) fmt::print(stderr, "imagepin: {}\n", line);
  }
  WriteSession session{std::move(*lock), {}};
  session.apply.dry_run = dry_run;
  session.apply.root = root;
  session.apply.journal = session.lock.journal_path();
  return session;
}

bool RemoveSummary(const std::string& path) {
  if (path.empty() || ::unlink(path.c_str()) == 0 || errno == ENOENT) return true;
  fmt::print(stderr, "imagepin: error: cannot remove the old {}: {}\n", path, std::strerror(errno));
  return false;
}

bool WriteSummary(const std::string& path, const std::string& text) {
  rewrite::FileIdentity like;
  like.mode = 0644;
  like.owner = ::geteuid();
  like.group = ::getegid();
  // The target need not exist: write beside it, then rename over it.
  std::error_code ec;
  std::string target = std::filesystem::absolute(path, ec).string();
  base::Result<std::string> temp = rewrite::WriteTempFileBeside(target, text, like, path);
  base::Status done = temp.ok() ? rewrite::RenameOver(*temp, target, path) : temp.error();
  if (done.ok()) return true;
  fmt::print(stderr, "imagepin: error: cannot write {}: {}\n", path, done.error().message);
  return false;
}

std::optional<int> ApplyAndSummarize(const std::vector<rewrite::Edit>& edits,
                                     const WriteSession& session, const std::string& summary_path,
                                     bool write_summary,
                                     const std::function<std::string()>& summary) {
  base::Result<std::vector<rewrite::FileChange>> applied =
      rewrite::ApplyEdits(edits, session.apply);
  if (!applied.ok()) {
    PrintError(applied.error());
    return std::nullopt;
  }
  // The PR body last, and only for a run that wrote what it planned: a failed run leaves none.
  if (write_summary && !summary_path.empty() && !WriteSummary(summary_path, summary())) {
    return std::nullopt;
  }
  int written = 0;
  for (const rewrite::FileChange& c : *applied) written += c.written ? 1 : 0;
  return written;
}

std::string FilesWritten(int files) {
  return fmt::format("{} file{} written", files, files == 1 ? "" : "s");
}

}  // namespace imagepin::cli
