// Credentials from Docker's and Podman's files and from docker-credential-* helpers.
//
// The file formats: Docker's config.json (docs.docker.com/reference/cli/docker/#configuration-
// files) and containers-auth.json(5), which share `auths`, `credHelpers` and `credsStore`. The
// helper protocol (github.com/docker/docker-credential-helpers): run `docker-credential-NAME
// get`, write the server URL to its stdin, read {"ServerURL","Username","Secret"} from its
// stdout; Username "<token>" means Secret is an identity token.
#include "registry/credentials.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/files.h"
#include "base/strings.h"

extern char** environ;

namespace imagepin::registry {
namespace {

using base::ErrorCode;
using Found = base::Result<std::optional<Credential>, LookupError>;

// The errors of this file are LookupErrors: base::Errors that can also say the deadline passed.
LookupError Failure(ErrorCode code, std::string message, std::string path = {}) {
  return base::MakeError(code, std::move(message), std::move(path));
}

// A docker config is a few KiB; a file this large is not one.
constexpr size_t kMaxConfigBytes = size_t{1} << 20;
// A helper answers in milliseconds unless it waits for a human (a keychain prompt); a CI run
// must not hang on that.
constexpr std::chrono::seconds kHelperTimeout{30};
constexpr size_t kMaxHelperOutput = size_t{64} << 10;
// Docker Hub's credentials are stored under this key by `docker login`, for historical reasons.
constexpr char kDockerHubLegacyKey[] = "https://index.docker.io/v1/";

// The registry host a config key names: keys may be URLs ("https://ghcr.io",
// "https://index.docker.io/v1/") or carry a path ("ghcr.io/acme").
std::string KeyHost(std::string_view key) {
  if (size_t scheme = key.find("://"); scheme != std::string_view::npos) {
    key.remove_prefix(scheme + 3);
  }
  key = key.substr(0, key.find('/'));
  return base::AsciiLower(key);
}

bool IsDockerHub(std::string_view host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" ||
         host == "registry.hub.docker.com";
}

// The entry of `object` (keyed by registry) for `host`: the exact key first, then keys that
// name the same host as a URL or with a path; for Docker Hub, any of its names.
const nlohmann::json* FindEntry(const nlohmann::json& object, const std::string& host) {
  if (!object.is_object()) return nullptr;
  if (auto exact = object.find(host); exact != object.end()) return &*exact;
  std::string wanted = base::AsciiLower(host);
  for (auto it = object.begin(); it != object.end(); ++it) {
    std::string key_host = KeyHost(it.key());
    if (key_host == wanted || (IsDockerHub(wanted) && IsDockerHub(key_host))) return &*it;
  }
  return nullptr;
}

// Standard base64 (padding optional, surrounding whitespace ignored), or nullopt.
std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string input(base::TrimSpace(text));
  while (input.size() % 4 != 0) input += '=';
  if (input.empty()) return std::string();
  std::string out(input.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(input.data()),
                          static_cast<int>(input.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock decodes padding as zero bytes and counts them.
  size_t padding = 0;
  for (size_t i = input.size(); i > 0 && input[i - 1] == '='; --i) ++padding;
  if (padding > 2) return std::nullopt;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string StringField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsEmpty(const Credential& c) {
  return c.username.empty() && c.password.empty() && c.identity_token.empty();
}

// An `auths` entry: {"auth": base64("user:password")} and/or {"identitytoken": ...}, or
// {"username", "password"}. An empty entry ({}: `docker login` with a credsStore writes these)
// is no credential.
Found FromAuthEntry(const nlohmann::json& entry, const std::string& host, const std::string& path) {
  if (!entry.is_object()) return std::optional<Credential>();
  Credential credential;
  credential.username = StringField(entry, "username");
  credential.password = StringField(entry, "password");
  if (std::string auth = StringField(entry, "auth"); !auth.empty()) {
    std::optional<std::string> decoded = DecodeBase64(auth);
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return Failure(ErrorCode::kConfig,
                     fmt::format("the `auth` of {} is not base64 of \"user:password\"", host),
                     path);
    }
    credential.username = decoded->substr(0, colon);
    credential.password = decoded->substr(colon + 1);
  }
  credential.identity_token = StringField(entry, "identitytoken");
  if (IsEmpty(credential)) return std::optional<Credential>();
  return std::optional<Credential>(std::move(credential));
}

// ---- credential helpers ----------------------------------------------------------------------

// Why a helper run ended early.
enum class Stopped { kNo, kOwnBound, kDeadline };

struct HelperRun {
  int exit_code = -1;  // -1: killed or not started
  Stopped stopped = Stopped::kNo;
  std::string out;
  std::string err;
};

// Writes what `fd` (non-blocking) takes of `data` from `written` on, without letting SIGPIPE
// kill the process when the helper exits before reading: SIGPIPE is blocked for this thread
// and a pending one is consumed. False when the helper will read no more (EPIPE, an error).
bool WriteSomeIgnoringSigpipe(int fd, const std::string& data, size_t& written) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  bool open = true;
  while (written < data.size()) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // the pipe is full
    if (n <= 0) {
      open = false;
      break;
    }
    written += static_cast<size_t>(n);
  }
  timespec zero{};
  while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return open;
}

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

// Starts `program get` in a process group of its own (so that a timeout kills whatever it
// started too) with pipes for stdin, stdout and stderr: fds = {stdin, stdout, stderr}, ours.
base::Result<pid_t> SpawnHelper(const std::string& program, int (&fds)[3]) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Failure(ErrorCode::kIo, "pipe failed");
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    CloseAll({in_pipe[0], in_pipe[1]});
    return Failure(ErrorCode::kIo, "pipe failed");
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    CloseAll({in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]});
    return Failure(ErrorCode::kIo, "pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);  // a new group, led by the helper
  std::string verb = "get";
  char* argv[] = {const_cast<char*>(program.c_str()), verb.data(), nullptr};
  pid_t pid = -1;
  int spawn_error = posix_spawnp(&pid, program.c_str(), &actions, &attributes, argv, environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  CloseAll({in_pipe[0], out_pipe[1], err_pipe[1]});
  if (spawn_error != 0) {
    CloseAll({in_pipe[1], out_pipe[0], err_pipe[0]});
    return Failure(ErrorCode::kIo,
                   spawn_error == ENOENT
                       ? fmt::format("credential helper {} is not installed (not in PATH)", program)
                       : fmt::format("cannot run credential helper {}: {}", program,
                                     std::strerror(spawn_error)));
  }
  fcntl(in_pipe[1], F_SETFL, fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
  fds[0] = in_pipe[1];
  fds[1] = out_pipe[0];
  fds[2] = err_pipe[0];
  return pid;
}

// The wait status of `pid` once it exits, or nullopt if it is still running at `stop_at`.
std::optional<int> WaitForExit(pid_t pid, Clock::TimePoint stop_at, Clock& clock) {
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return 0;  // not our child any more: nothing to wait for
    if (clock.Now() >= stop_at) return std::nullopt;
    // Output closed means the helper is exiting; this only waits out its last milliseconds.
    clock.SleepFor(std::chrono::milliseconds(5));
  }
}

// Runs `program get` with `input` on stdin until it closes its output, kHelperTimeout passes
// or `deadline` comes, whichever is first; then kills its process group. Writing stdin is part
// of the same wait, so a helper that reads nothing cannot block us either. The bounds are on
// `clock`; poll() waits for the helper's output in real time, as a helper is a real process.
base::Result<HelperRun> RunHelperProcess(const std::string& program, const std::string& input,
                                         Clock::TimePoint deadline, Clock& clock) {
  int fds[3] = {-1, -1, -1};
  base::Result<pid_t> spawned = SpawnHelper(program, fds);
  if (!spawned.ok()) return spawned.error();
  pid_t pid = spawned.value();

  HelperRun run;
  Clock::TimePoint own_bound = clock.Now() + kHelperTimeout;
  Clock::TimePoint stop_at = std::min(own_bound, deadline);
  Stopped why_stopped = deadline < own_bound ? Stopped::kDeadline : Stopped::kOwnBound;
  size_t written = 0;
  std::string* sinks[2] = {&run.out, &run.err};
  if (input.empty()) CloseAll({std::exchange(fds[0], -1)});
  while (fds[1] >= 0 || fds[2] >= 0) {
    Clock::TimePoint now = clock.Now();
    if (now >= stop_at) {
      run.stopped = why_stopped;
      break;
    }
    // Rounded up, so that a wait never ends just before stop_at and spins.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(stop_at - now);
    pollfd polled[3] = {{fds[0], POLLOUT, 0}, {fds[1], POLLIN, 0}, {fds[2], POLLIN, 0}};
    int ready = poll(polled, 3, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      run.stopped = Stopped::kOwnBound;  // cannot watch it any more: stop it, do not wait
      break;
    }
    if (fds[0] >= 0 && polled[0].revents != 0) {
      bool open = WriteSomeIgnoringSigpipe(fds[0], input, written);
      if (!open || written == input.size()) CloseAll({std::exchange(fds[0], -1)});
    }
    for (int i = 1; i < 3; ++i) {
      if (fds[i] < 0 || polled[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0 && sinks[i - 1]->size() < kMaxHelperOutput) {
        sinks[i - 1]->append(buf, static_cast<size_t>(n));
      } else if (n <= 0) {
        CloseAll({std::exchange(fds[i], -1)});
      }
    }
  }
  CloseAll({fds[0], fds[1], fds[2]});
  // A helper may close its output and go on running: its exit is waited for within the same
  // bound.
  std::optional<int> status;
  if (run.stopped == Stopped::kNo) {
    status = WaitForExit(pid, stop_at, clock);
    if (!status) run.stopped = why_stopped;
  }
  if (!status) {
    kill(-pid, SIGKILL);  // the whole group: a script's `sleep` child goes too
    int ignored = 0;
    while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    return run;
  }
  run.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  return run;
}

// Asks helper NAME for `host`'s credential. A helper that does not know the host answers
// "credentials not found" (exit 1): that is no credential, not an error. What a failing helper
// printed is never quoted: a helper's output is the one place a secret is sure to be near, and
// no pattern can tell which part it is.
Found FromHelper(const std::string& name, const std::string& host, Clock::TimePoint deadline,
                 Clock& clock) {
  std::string program = "docker-credential-" + name;
  // What `docker login` stored: Docker Hub under its legacy URL, other registries by host.
  std::string server_url = IsDockerHub(base::AsciiLower(host)) ? kDockerHubLegacyKey : host;
  base::Result<HelperRun> run = RunHelperProcess(program, server_url, deadline, clock);
  if (!run.ok()) return LookupError(run.error());
  if (run->stopped == Stopped::kDeadline) {
    LookupError error =
        Failure(ErrorCode::kIo, fmt::format("credential helper {} was still running at the "
                                            "deadline and was stopped",
                                            program));
    error.deadline_passed = true;
    return error;
  }
  if (run->stopped == Stopped::kOwnBound) {
    return Failure(ErrorCode::kIo, fmt::format("credential helper {} did not answer within {}s",
                                               program, kHelperTimeout.count()));
  }
  if (run->exit_code != 0) {
    if (run->out.find("credentials not found") != std::string::npos) {
      return std::optional<Credential>();
    }
    return Failure(ErrorCode::kIo,
                   fmt::format("credential helper {} failed (exit {}); its output is not shown, "
                               "as it may hold a secret: run `{} get` by hand to see it",
                               program, run->exit_code, program));
  }
  nlohmann::json answer = nlohmann::json::parse(run->out, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) {
    return Failure(ErrorCode::kIo,
                   fmt::format("credential helper {} answered something other than a JSON "
                               "object",
                               program));
  }
  Credential credential;
  std::string username = StringField(answer, "Username");
  std::string secret = StringField(answer, "Secret");
  if (username == "<token>") {
    credential.identity_token = std::move(secret);
  } else {
    credential.username = std::move(username);
    credential.password = std::move(secret);
  }
  if (IsEmpty(credential)) return std::optional<Credential>();
  return std::optional<Credential>(std::move(credential));
}

// ---- files -----------------------------------------------------------------------------------

// 1-based line and column of byte `offset` in `text`.
std::pair<size_t, size_t> LineColumn(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// Looks `host` up in one config file (Docker's or containers-auth.json, same keys):
// credHelpers, then auths, then credsStore. A file that does not exist holds nothing.
// (Docker itself asks a credsStore instead of auths; the two orders differ only for a file
// with both inline credentials and a store, where the inline ones are the likelier intent.)
Found LookupInFile(const std::string& path, const std::string& host, Clock::TimePoint deadline,
                   Clock& clock) {
  struct stat info;
  if (path.empty() || stat(path.c_str(), &info) != 0) return std::optional<Credential>();
  std::string text;
  if (base::Status read = base::ReadFileInto(path, kMaxConfigBytes, &text); !read.ok()) {
    return Failure(ErrorCode::kConfig, "cannot read: " + read.error().message, path);
  }
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Never e.what(): it quotes the bytes around the error, which may be a secret.
    auto [line, column] = LineColumn(text, e.byte > 0 ? e.byte - 1 : 0);
    return Failure(ErrorCode::kConfig,
                   fmt::format("not valid JSON (line {}, column {})", line, column), path);
  }
  if (!config.is_object()) {
    return Failure(ErrorCode::kConfig, "not a JSON object", path);
  }
  if (auto helpers = config.find("credHelpers"); helpers != config.end()) {
    const nlohmann::json* helper = FindEntry(*helpers, host);
    if (helper && helper->is_string() && !helper->get<std::string>().empty()) {
      Found found = FromHelper(helper->get<std::string>(), host, deadline, clock);
      if (!found.ok() || found->has_value()) return found;
    }
  }
  if (auto auths = config.find("auths"); auths != config.end()) {
    if (const nlohmann::json* entry = FindEntry(*auths, host)) {
      Found found = FromAuthEntry(*entry, host, path);
      if (!found.ok() || found->has_value()) return found;
    }
  }
  if (std::string store = StringField(config, "credsStore"); !store.empty()) {
    return FromHelper(store, host, deadline, clock);
  }
  return std::optional<Credential>();
}

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

CredentialSources CredentialSources::FromEnvironment() {
  CredentialSources sources;
  sources.docker_config_dir = Getenv("DOCKER_CONFIG");
  if (sources.docker_config_dir.empty()) {
    std::string home = Getenv("HOME");
    if (!home.empty()) sources.docker_config_dir = home + "/.docker";
  }
  sources.registry_auth_file = Getenv("REGISTRY_AUTH_FILE");
  sources.xdg_runtime_dir = Getenv("XDG_RUNTIME_DIR");
  return sources;
}

CredentialStore::CredentialStore(CredentialSources sources, Clock& clock)
    : sources_(std::move(sources)), clock_(&clock) {}

base::Result<std::optional<Credential>, LookupError> CredentialStore::Lookup(
    std::string_view host, Clock::TimePoint deadline) const {
  std::string wanted(host);
  std::vector<std::string> files;
  if (!sources_.docker_config_dir.empty()) {
    files.push_back(sources_.docker_config_dir + "/config.json");
  }
  files.push_back(sources_.registry_auth_file);
  if (!sources_.xdg_runtime_dir.empty()) {
    files.push_back(sources_.xdg_runtime_dir + "/containers/auth.json");
  }
  for (const std::string& file : files) {
    Found found = LookupInFile(file, wanted, deadline, *clock_);
    if (!found.ok()) {
      LookupError error = found.error();
      if (error.path.empty()) error.path = file;  // which file named the failing helper
      return error;
    }
    if (found->has_value()) return found;
  }
  return std::optional<Credential>();
}

}  // namespace imagepin::registry
