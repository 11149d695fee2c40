#include "base/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace imagepin::base {
namespace {

void Close(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const ProcessOptions& options) {
  if (argv.empty()) return MakeError(ErrorCode::kInternal, "no program to run");
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    Close(out_pipe[0]), Close(out_pipe[1]), Close(err_pipe[0]), Close(err_pipe[1]);
    return MakeError(ErrorCode::kIo, fmt::format("pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);  // its own group: a timeout stops its children too
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int spawn_error = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  Close(out_pipe[1]);
  Close(err_pipe[1]);
  if (spawn_error != 0) {
    Close(out_pipe[0]);
    Close(err_pipe[0]);
    if (spawn_error == ENOENT) {
      return MakeError(ErrorCode::kNotFound,
                       fmt::format("{} is not installed (not in PATH)", argv[0]));
    }
    return MakeError(ErrorCode::kIo,
                     fmt::format("cannot run {}: {}", argv[0], std::strerror(spawn_error)));
  }

  ProcessResult result;
  auto stop_at = std::chrono::steady_clock::now() + options.timeout;
  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.out, &result.err};
  bool stop = false;
  while ((fds[0] >= 0 || fds[1] >= 0) && !stop) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        stop_at - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = stop = true;
      break;
    }
    pollfd polled[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    int ready = ::poll(polled, 2, static_cast<int>(std::min<int64_t>(left.count() + 1, 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      stop = true;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0 || polled[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        Close(fds[i]);
        continue;
      }
      size_t room = options.max_output - std::min(options.max_output, sinks[i]->size());
      sinks[i]->append(buf, std::min(room, static_cast<size_t>(n)));
      if (static_cast<size_t>(n) > room) result.truncated = stop = true;
    }
  }
  Close(fds[0]);
  Close(fds[1]);
  // A program may close its output and go on running: its exit is waited for within the bound.
  int status = 0;
  while (!stop) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= stop_at) {
      result.timed_out = stop = true;
      break;
    }
    ::usleep(2000);
  }
  if (stop) {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.exit_code = !stop && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace imagepin::base
