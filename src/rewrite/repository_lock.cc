#include "rewrite/repository_lock.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "base/files.h"

namespace imagepin::rewrite {
namespace {

namespace fs = std::filesystem;

// The directory for imagepin's lock and journal: the git directory when there is one.
std::string StateDirectory(const std::string& root) {
  fs::path git = fs::path(root) / ".git";
  std::error_code ec;
  if (fs::is_directory(git, ec)) return git.string();
  if (fs::is_regular_file(git, ec)) {
    // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
    std::string text;
    if (base::ReadFileInto(git.string(), 4096, &text).ok() && text.rfind("gitdir: ", 0) == 0) {
      std::string dir = text.substr(8);
      while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
      fs::path p(dir);
      if (p.is_relative()) p = fs::path(root) / p;
      if (fs::is_directory(p, ec)) return p.string();
    }
  }
  return root;
}

}  // namespace

base::Result<RepositoryLock> RepositoryLock::Acquire(const std::string& root,
                                                     std::string_view command) {
  std::string dir = StateDirectory(root);
  bool in_git = dir != root;
  std::string lock_path = dir + (in_git ? "/imagepin.lock" : "/.imagepin.lock");
  std::string journal = dir + (in_git ? "/imagepin-journal" : "/.imagepin-journal");
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return base::MakeError(base::ErrorCode::kIo,
                           fmt::format("cannot open the repository lock: {}", std::strerror(errno)),
                           lock_path);
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder;
    // Who holds it, for the message only: a lock file that cannot be read names nobody.
    if (!base::ReadFileInto(lock_path, 1024, &holder).ok()) holder.clear();
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return base::MakeError(
          base::ErrorCode::kIo,
          fmt::format("another imagepin run is writing this repository ({}): wait for it to "
                      "finish, then run again; nothing was read or written",
                      holder.empty() ? "no details recorded" : holder),
          lock_path);
    }
    return base::MakeError(base::ErrorCode::kIo,
                           fmt::format("cannot lock the repository: {}", std::strerror(error)),
                           lock_path);
  }
  // Say who holds it, for the run that finds it taken. Best effort: the lock is the flock.
  std::string who =
      fmt::format("pid {}, imagepin {}, since {:%Y-%m-%dT%H:%M:%SZ}", ::getpid(), command,
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, who.data(), who.size(), 0);
  return RepositoryLock(fd, journal);
}

RepositoryLock::RepositoryLock(RepositoryLock&& other) noexcept
    : fd_(other.fd_), journal_path_(std::move(other.journal_path_)) {
  other.fd_ = -1;
}

RepositoryLock::~RepositoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace imagepin::rewrite
