// A real registry on loopback for tests: Debian's docker-registry (distribution 2.8.2) started
// by tests/registry/testreg.py in a fresh temp dir, in one of four modes (plain HTTP, Basic
// auth, Bearer tokens from a small issuer, TLS with a self-signed CA), plus a fault-injecting
// proxy (tests/registry/fault_proxy.py) to put in front of it. See tests/registry/README.md.
//
//   #include "tests/registry/test_registry.h"
//   TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
//   ASSERT_NE(reg, nullptr);  // a failure was already recorded, with the reason
//   std::string digest = reg->Push("acme/api", "main", ImageKind::kIndex);
//
// Failures (docker-registry missing, a push that fails) are recorded with ADD_FAILURE and
// reported as nullptr / empty results: a test never passes by silently skipping the registry.
// Everything here runs python3 and needs no library beyond gtest and nlohmann-json.
//
// Thread safety: use from the test's main thread only.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"

namespace imagepin::testreg {

enum class Mode { kPlain, kBasic, kToken, kTls };

enum class ImageKind {
  kIndex,           // OCI index: linux/amd64, linux/arm64 and an unknown/unknown attestation
  kIndexAmd64Only,  // OCI index listing linux/amd64 only
  kManifestList,    // Docker manifest list: linux/amd64, linux/arm64
  kSingle,          // one OCI image manifest (linux/amd64), no index
};

inline const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kPlain:
      return "plain";
    case Mode::kBasic:
      return "basic";
    case Mode::kToken:
      return "token";
    case Mode::kTls:
      return "tls";
  }
  return "plain";
}

inline const char* KindName(ImageKind kind) {
  switch (kind) {
    case ImageKind::kIndex:
      return "index";
    case ImageKind::kIndexAmd64Only:
      return "index-amd64-only";
    case ImageKind::kManifestList:
      return "manifest-list";
    case ImageKind::kSingle:
      return "single";
  }
  return "index";
}

// Where the harness scripts live.
inline std::string ScriptPath(const char* name) {
  return std::string(IMAGEPIN_SOURCE_DIR) + "/tests/registry/" + name;
}

using imagepin::testing::CommandResult;
using imagepin::testing::RunCommand;

// The last line of a command's output that parses as a JSON object, or nullopt.
inline std::optional<nlohmann::json> LastJsonLine(const std::string& out) {
  std::optional<nlohmann::json> found;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    nlohmann::json j = nlohmann::json::parse(out.substr(start, end - start), nullptr, false);
    if (!j.is_discarded() && j.is_object()) found = std::move(j);
    start = end + 1;
  }
  return found;
}

struct PushedImage {
  std::string digest;      // "sha256:..." of the top-level manifest (the index for an index)
  std::string media_type;  // its media type
  // "linux/amd64" -> digest of that platform's manifest (for kSingle: the manifest itself).
  std::map<std::string, std::string> platforms;
};

struct StartOptions {
  bool anonymous_pull = false;    // token mode: token requests without credentials get pull
  int token_ttl_seconds = 300;    // token mode: expires_in and the JWT's exp
  std::string token_suffix = "";  // token mode: appended to every token (a hostile issuer)
  // Token mode: what the issuer does with a request naming many scopes: "grant" them all,
  // "reject" it (400 UNSUPPORTED), or grant the "first-only" (a subset, still a 200).
  std::string multi_scope = "grant";
};

// Whether `program` is an executable file in one of $PATH's directories.
inline bool FoundInPath(const std::string& program) {
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

class TestRegistry {
 public:
  // Starts a registry in a fresh temp dir. On failure records it (with the reason and, when
  // docker-registry is missing, the fix: scripts/install-deps.sh) and returns nullptr.
  static std::unique_ptr<TestRegistry> Start(Mode mode, const StartOptions& options = {}) {
    if (!FoundInPath("docker-registry")) {
      ADD_FAILURE() << "docker-registry is not installed; the registry tests need it. Run "
                       "scripts/install-deps.sh (it installs docker-registry, skopeo, "
                       "apache2-utils).";
      return nullptr;
    }
    std::string dir_template =
        (std::filesystem::path(::testing::TempDir()) / "imagepin-reg-XXXXXX").string();
    if (mkdtemp(dir_template.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << dir_template << ": " << strerror(errno);
      return nullptr;
    }
    std::unique_ptr<TestRegistry> reg(new TestRegistry(mode, dir_template));
    // --watch-pid: if this test process dies without running destructors, a watchdog stops
    // the registry, so crashed or timed-out tests leave nothing running.
    std::vector<std::string> argv = {"python3",
                                     ScriptPath("testreg.py"),
                                     "start",
                                     "--dir",
                                     reg->dir_,
                                     "--mode",
                                     ModeName(mode),
                                     "--watch-pid",
                                     std::to_string(getpid()),
                                     "--token-ttl",
                                     std::to_string(options.token_ttl_seconds)};
    if (options.anonymous_pull) argv.push_back("--anonymous-pull");
    if (!options.token_suffix.empty())
      argv.insert(argv.end(), {"--token-suffix", options.token_suffix});
    if (mode == Mode::kToken) argv.insert(argv.end(), {"--multi-scope", options.multi_scope});
    CommandResult r = RunCommand(argv);
    std::optional<nlohmann::json> line = LastJsonLine(r.out);
    if (r.exit_code != 0 || !line) {
      ADD_FAILURE() << "testreg.py start --mode " << ModeName(mode) << " failed (exit "
                    << r.exit_code << "):\n"
                    << r.err << r.out;
      return nullptr;
    }
    reg->info_ = *line;
    reg->host_ = line->value("host", "");
    reg->user_ = line->value("user", "");
    reg->password_ = line->value("password", "");
    reg->ca_file_ = line->value("ca_file", "");
    reg->token_realm_ = line->value("token_realm", "");
    reg->identity_token_ = line->value("identity_token", "");
    return reg;
  }

  // One registry per mode for the whole test process, started on first use and stopped at
  // exit. Tests sharing it should push to repositories named after the test.
  static TestRegistry* Shared(Mode mode) {
    static std::map<Mode, std::unique_ptr<TestRegistry>> registries;
    std::unique_ptr<TestRegistry>& slot = registries[mode];
    if (!slot) slot = Start(mode);
    return slot.get();
  }

  ~TestRegistry() {
    RunCommand({"python3", ScriptPath("testreg.py"), "stop", "--dir", dir_});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  Mode mode() const { return mode_; }
  const std::string& host() const { return host_; }                // "127.0.0.1:PORT"
  const std::string& user() const { return user_; }                // empty in plain and tls modes
  const std::string& password() const { return password_; }        // empty in plain and tls modes
  const std::string& ca_file() const { return ca_file_; }          // PEM; tls mode only
  const std::string& token_realm() const { return token_realm_; }  // token mode only
  // Token mode: a refresh token the issuer accepts (grant_type=refresh_token), as a docker
  // config's `identitytoken` would hold.
  const std::string& identity_token() const { return identity_token_; }
  const std::string& dir() const { return dir_; }       // logs: registry.log, tokens.log, ...
  const nlohmann::json& info() const { return info_; }  // the whole JSON line of `start`

  // Token mode: the issuer's log since the start, one object per token request (method, auth,
  // scope as sent, scopes_asked, result, granted; never a secret). Empty before any request.
  std::vector<nlohmann::json> TokenRequests() const {
    std::vector<nlohmann::json> out;
    std::ifstream log(dir_ + "/tokens.log");
    std::string line;
    while (std::getline(log, line)) {
      nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
      if (entry.is_object()) out.push_back(std::move(entry));
    }
    return out;
  }

  // Pushes a small synthetic image as repo:tag; a different seed gives different digests. A
  // `revision` annotates the top-level manifest (the index) with
  // org.opencontainers.image.revision (another digest again). Returns the top-level digest, or ""
  // after recording a failure.
  std::string Push(const std::string& repo, const std::string& tag, ImageKind kind, int seed = 0,
                   const std::string& revision = "") const {
    std::optional<PushedImage> pushed = PushImage(repo, tag, kind, seed, revision);
    return pushed ? pushed->digest : std::string();
  }

  std::optional<PushedImage> PushImage(const std::string& repo, const std::string& tag,
                                       ImageKind kind, int seed = 0,
                                       const std::string& revision = "") const {
    std::vector<std::string> argv = ScriptArgs("push");
    argv.insert(argv.end(), {"--repo", repo, "--tag", tag, "--kind", KindName(kind), "--seed",
                             std::to_string(seed)});
    if (!revision.empty()) argv.insert(argv.end(), {"--revision", revision});
    std::optional<nlohmann::json> line = RunScript(argv);
    if (!line) return std::nullopt;
    PushedImage pushed{line->value("digest", ""), line->value("media_type", ""), {}};
    nlohmann::json platforms = line->value("platforms", nlohmann::json::object());
    for (const auto& [platform, digest] : platforms.items()) {
      pushed.platforms[platform] = digest.get<std::string>();
    }
    return pushed;
  }

  // Pushes `count` repositories prefix0 .. prefix<count-1>, each with `tag`, over one
  // connection with shared blobs (fast enough for benchmarks of thousands). Returns their
  // digests in order, or an empty vector after recording a failure.
  std::vector<std::string> PushMany(int count, const std::string& prefix, const std::string& tag,
                                    ImageKind kind = ImageKind::kIndex, int seed = 0) const {
    std::vector<std::string> argv = ScriptArgs("push-many");
    argv.insert(argv.end(), {"--count", std::to_string(count), "--prefix", prefix, "--tag", tag,
                             "--kind", KindName(kind), "--seed", std::to_string(seed)});
    std::optional<nlohmann::json> line = RunScript(argv);
    std::vector<std::string> digests;
    if (line && line->contains("digests")) {
      for (const auto& d : (*line)["digests"]) digests.push_back(d.get<std::string>());
    }
    return digests;
  }

  // Starts a fault proxy in front of this registry (TLS on both sides in tls mode, with the
  // same CA) and returns its host "127.0.0.1:PORT", or "" after recording a failure. It stops
  // with the registry. `faults_json` is a JSON array of faults (see README.md), e.g.
  //   [{"path": "/manifests/", "kind": "status", "status": 429,
  //     "headers": {"Retry-After": "1"}, "times": 1}]
  std::string StartFaultProxy(const std::string& faults_json = "[]") const {
    std::optional<nlohmann::json> line = RunScript(
        {"python3", ScriptPath("testreg.py"), "proxy", "--dir", dir_, "--faults", faults_json});
    return line ? line->value("host", "") : std::string();
  }

  // Replaces a running proxy's faults (their counters restart). False after recording a
  // failure.
  bool SetFaults(const std::string& proxy_host, const std::string& faults_json) const {
    return RunScript({"python3", ScriptPath("fault_proxy.py"), "control", "--proxy", proxy_host,
                      "--ca-file", ca_file_, "--set-faults", faults_json})
        .has_value();
  }

  // What a proxy has seen: {"requests": [{"method","path","status","fault"}...]}; the log is
  // cleared when `clear` is set.
  nlohmann::json ProxyLog(const std::string& proxy_host, bool clear = false) const {
    std::vector<std::string> argv = {"python3",  ScriptPath("fault_proxy.py"),
                                     "control",  "--proxy",
                                     proxy_host, "--ca-file",
                                     ca_file_,   "--log"};
    if (clear) argv.push_back("--clear");
    std::optional<nlohmann::json> line = RunScript(argv);
    return line ? *line : nlohmann::json::object();
  }

 private:
  TestRegistry(Mode mode, std::string dir) : mode_(mode), dir_(std::move(dir)) {}

  // testreg.py SUBCOMMAND with this registry's host, TLS and credentials.
  std::vector<std::string> ScriptArgs(const char* subcommand) const {
    std::vector<std::string> argv = {"python3", ScriptPath("testreg.py"), subcommand, "--host",
                                     host_};
    if (!ca_file_.empty()) argv.insert(argv.end(), {"--ca-file", ca_file_});
    if (!user_.empty()) argv.insert(argv.end(), {"--user", user_, "--password", password_});
    return argv;
  }

  static std::optional<nlohmann::json> RunScript(const std::vector<std::string>& argv) {
    CommandResult r = RunCommand(argv);
    std::optional<nlohmann::json> line = LastJsonLine(r.out);
    if (r.exit_code != 0 || !line) {
      std::string command;
      for (size_t i = 1; i < argv.size() && i < 4; ++i) command += argv[i] + " ";
      ADD_FAILURE() << command << "failed (exit " << r.exit_code << "):\n" << r.err << r.out;
      return std::nullopt;
    }
    return line;
  }

  Mode mode_;
  std::string dir_;
  nlohmann::json info_;
  std::string host_, user_, password_, ca_file_, token_realm_, identity_token_;
};

}  // namespace imagepin::testreg
