// One writing run at a time per repository: an advisory lock (flock) that bump, pin and promote
// hold from before they scan until they exit, so two runs never interleave their reads and
// writes. The lock file is `.git/imagepin.lock` (in the git directory, so it is never a change
// to commit; a worktree's `.git` file is followed), or `.imagepin.lock` at the root of a
// directory that is not a git checkout. The kernel drops the lock when the process dies, so a
// killed run never leaves it held.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace imagepin::rewrite {

class RepositoryLock {
 public:
  // Takes the lock for `root` without waiting. If another run holds it, fails (kIo) naming that
  // run (pid, command, when it started), as the lock file records it.
  static base::Result<RepositoryLock> Acquire(const std::string& root, std::string_view command);

  RepositoryLock(RepositoryLock&& other) noexcept;
  RepositoryLock& operator=(RepositoryLock&&) = delete;
  RepositoryLock(const RepositoryLock&) = delete;
  ~RepositoryLock();

  // Where this repository's write journal lives (journal.h), beside the lock file.
  const std::string& journal_path() const { return journal_path_; }

 private:
  RepositoryLock(int fd, std::string journal_path)
      : fd_(fd), journal_path_(std::move(journal_path)) {}
  int fd_ = -1;
  std::string journal_path_;
};

}  // namespace imagepin::rewrite
