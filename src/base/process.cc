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

constexpr size_t kMaxErrorOutput = 4096;

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, size_t max_output) {
  if (argv.empty()) return MakeError(ErrorCode::kInternal, "RunProcess: no program");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return MakeError(ErrorCode::kIo, "pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return MakeError(ErrorCode::kIo, "pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int spawn_error = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  int fds[2] = {out_pipe[0], err_pipe[0]};
  if (spawn_error != 0) {
    CloseIfOpen(fds[0]);
    CloseIfOpen(fds[1]);
    return MakeError(ErrorCode::kIo,
                     spawn_error == ENOENT
                         ? fmt::format("{} is not installed (not in PATH)", argv[0])
                         : fmt::format("cannot run {}: {}", argv[0], std::strerror(spawn_error)));
  }
  ProcessOutput result;
  std::string* sinks[2] = {&result.out, &result.err};
  const size_t caps[2] = {max_output, kMaxErrorOutput};
  bool too_much = false;
  while ((fds[0] >= 0 || fds[1] >= 0) && !too_much) {
    pollfd polled[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    if (poll(polled, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0 || polled[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = read(fds[i], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        CloseIfOpen(fds[i]);
        continue;
      }
      size_t room = caps[i] - std::min(caps[i], sinks[i]->size());
      sinks[i]->append(buf, std::min(room, static_cast<size_t>(n)));
      if (i == 0 && static_cast<size_t>(n) > room) too_much = true;
    }
  }
  CloseIfOpen(fds[0]);
  CloseIfOpen(fds[1]);
  if (too_much) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_much) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("{} printed more than {} bytes: stopped", argv[0], max_output));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace imagepin::base
