// CredentialStore against config files in a temp dir and fake docker-credential-* helpers: small
// shell scripts written by the test into a directory put first on PATH (the real protocol).
#include "registry/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace imagepin::registry {
namespace {

namespace fs = std::filesystem;

// Secrets the tests plant; no error message may contain them.
constexpr char kFileSecret[] = "file-secret-7f3a";
constexpr char kHelperSecret[] = "helper-secret-91c2";
// base64("alice:file-secret-7f3a")
constexpr char kAliceAuth[] = "YWxpY2U6ZmlsZS1zZWNyZXQtN2YzYQ==";

// Answers ghcr.io and Docker Hub, an identity token for token.example, and "not found" for the
// rest, as docker-credential-pass and friends do. Logs each server URL it was asked for.
constexpr char kFakeHelper[] = R"(#!/bin/sh
[ "$1" = get ] || exit 2
read -r url
echo "$url" >> "$(dirname "$0")/fake-calls"
case "$url" in
  ghcr.io) echo '{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-secret-91c2"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"hub-user","Secret":"helper-secret-91c2"}' ;;
  token.example) echo '{"Username":"<token>","Secret":"helper-secret-91c2"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
)";

constexpr char kBrokenHelper[] = R"(#!/bin/sh
cat >/dev/null
echo "error getting credentials - err: exit status 1, out: keychain is locked" >&2
exit 3
)";

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path();
    bin_ = root_ / "bin";
    fs::create_directories(bin_);
    WriteExecutable("docker-credential-fake", kFakeHelper);
    WriteExecutable("docker-credential-broken", kBrokenHelper);
    const char* path = getenv("PATH");
    saved_path_ = path ? path : "";
    setenv("PATH", (bin_.string() + ":" + saved_path_).c_str(), 1);
    sources_.docker_config_dir = (root_ / "docker").string();
  }

  void TearDown() override { setenv("PATH", saved_path_.c_str(), 1); }

  void WriteExecutable(const std::string& name, const std::string& text) {
    fs::path file = bin_ / name;
    std::ofstream(file) << text;
    fs::permissions(file, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  }

  static void WriteFile(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

  void WriteDockerConfig(const std::string& json) const {
    WriteFile(fs::path(sources_.docker_config_dir) / "config.json", json);
  }

  std::string HelperCalls() {
    std::ifstream in(bin_ / "fake-calls");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::optional<Credential> Find(const std::string& host) {
    auto found = CredentialStore(sources_).Lookup(host);
    EXPECT_TRUE(found.ok()) << found.error().ToString();
    return found.ok() ? found.value() : std::nullopt;
  }

  // The error a lookup must give; checks it never carries a planted secret.
  LookupError FindError(const std::string& host, std::chrono::steady_clock::time_point deadline =
                                                     std::chrono::steady_clock::time_point::max()) {
    auto found = CredentialStore(sources_).Lookup(host, deadline);
    EXPECT_FALSE(found.ok());
    if (found.ok()) return base::Error{};
    std::string text = found.error().ToString();
    EXPECT_EQ(text.find(kFileSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kHelperSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kAliceAuth), std::string::npos) << text;
    return found.error();
  }

  imagepin::testing::TempDir dir_;
  fs::path root_, bin_;
  std::string saved_path_;
  CredentialSources sources_;
};

TEST_F(CredentialsTest, NoFilesMeansAnonymous) { EXPECT_FALSE(Find("ghcr.io").has_value()); }

TEST_F(CredentialsTest, DecodesAuthsBase64UserAndPassword) {
  WriteDockerConfig(
      R"({"auths": {"registry.example:5000": {"auth": "YWxpY2U6ZmlsZS1zZWNyZXQtN2YzYQ=="}}})");
  std::optional<Credential> c = Find("registry.example:5000");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, kFileSecret);
  EXPECT_TRUE(c->identity_token.empty());
  EXPECT_FALSE(Find("registry.example").has_value()) << "the port is part of the host";
}

TEST_F(CredentialsTest, DecodesAuthWithoutPaddingAndWithAColonInThePassword) {
  // base64("bob:a:b") is "Ym9iOmE6Yg==": written here without its padding.
  WriteDockerConfig(R"({"auths": {"ghcr.io": {"auth": "Ym9iOmE6Yg"}}})");
  std::optional<Credential> c = Find("ghcr.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "bob");
  EXPECT_EQ(c->password, "a:b");
}

TEST_F(CredentialsTest, ReadsUsernameAndPasswordFields) {
  WriteDockerConfig(R"({"auths": {"quay.io": {"username": "carol", "password": "pw"}}})");
  std::optional<Credential> c = Find("quay.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "carol");
  EXPECT_EQ(c->password, "pw");
}

TEST_F(CredentialsTest, MatchesKeysWrittenAsUrls) {
  WriteDockerConfig(R"({"auths": {
      "https://ghcr.io": {"username": "url-key", "password": "p"},
      "http://registry.example:5000/v2/": {"username": "with-path", "password": "p"},
      "Quay.IO": {"username": "upper-case", "password": "p"}}})");
  struct Case {
    const char* host;
    const char* username;
  };
  for (const Case& c : {Case{"ghcr.io", "url-key"}, Case{"registry.example:5000", "with-path"},
                        Case{"quay.io", "upper-case"}}) {
    SCOPED_TRACE(c.host);
    std::optional<Credential> found = Find(c.host);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->username, c.username);
  }
  EXPECT_FALSE(Find("ghcr.io.evil.example").has_value());
}

TEST_F(CredentialsTest, ExactKeyWinsOverUrlKey) {
  WriteDockerConfig(R"({"auths": {
      "https://ghcr.io/": {"username": "url-key", "password": "p"},
      "ghcr.io": {"username": "exact", "password": "p"}}})");
  std::optional<Credential> c = Find("ghcr.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "exact");
}

TEST_F(CredentialsTest, DockerHubMatchesTheLegacyKey) {
  WriteDockerConfig(
      R"({"auths": {"https://index.docker.io/v1/": {"auth": "YWxpY2U6ZmlsZS1zZWNyZXQtN2YzYQ=="}}})");
  std::optional<Credential> c = Find("docker.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, kFileSecret);
}

TEST_F(CredentialsTest, ReadsIdentityToken) {
  // What `docker login` writes for a registry that hands out refresh tokens.
  WriteDockerConfig(R"({"auths": {"registry.example": {"auth": "PHRva2VuPjo=",
                                                        "identitytoken": "refresh-123"}}})");
  std::optional<Credential> c = Find("registry.example");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->identity_token, "refresh-123");
  EXPECT_EQ(c->username, "<token>");
}

TEST_F(CredentialsTest, EmptyAuthsEntryIsNoCredential) {
  WriteDockerConfig(R"({"auths": {"ghcr.io": {}}})");
  EXPECT_FALSE(Find("ghcr.io").has_value());
}

TEST_F(CredentialsTest, CredHelperWinsOverAuthsAndGetsTheHostOnStdin) {
  WriteDockerConfig(R"({"credHelpers": {"ghcr.io": "fake"},
                        "auths": {"ghcr.io": {"username": "from-auths", "password": "p"}}})");
  std::optional<Credential> c = Find("ghcr.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "helper-user");
  EXPECT_EQ(c->password, kHelperSecret);
  EXPECT_EQ(HelperCalls(), "ghcr.io\n");
}

TEST_F(CredentialsTest, CredHelperThatKnowsNothingFallsBackToAuths) {
  WriteDockerConfig(R"({"credHelpers": {"quay.io": "fake"},
                        "auths": {"quay.io": {"username": "from-auths", "password": "p"}}})");
  std::optional<Credential> c = Find("quay.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "from-auths");
  EXPECT_EQ(HelperCalls(), "quay.io\n") << "the helper was asked first";
}

TEST_F(CredentialsTest, CredsStoreAnswersWhenAuthsHasOnlyAMarker) {
  WriteDockerConfig(R"({"credsStore": "fake", "auths": {"https://index.docker.io/v1/": {}}})");
  std::optional<Credential> c = Find("docker.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "hub-user");
  EXPECT_EQ(HelperCalls(), "https://index.docker.io/v1/\n") << "Docker Hub's legacy server URL";
}

TEST_F(CredentialsTest, AuthsWinOverCredsStore) {
  WriteDockerConfig(R"({"credsStore": "fake",
                        "auths": {"ghcr.io": {"username": "from-auths", "password": "p"}}})");
  std::optional<Credential> c = Find("ghcr.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "from-auths");
  EXPECT_EQ(HelperCalls(), "") << "the store is not asked";
}

TEST_F(CredentialsTest, HelperTokenUsernameMeansIdentityToken) {
  WriteDockerConfig(R"({"credHelpers": {"token.example": "fake"}})");
  std::optional<Credential> c = Find("token.example");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->identity_token, kHelperSecret);
  EXPECT_TRUE(c->username.empty());
  EXPECT_TRUE(c->password.empty());
}

TEST_F(CredentialsTest, CredHelpersKeyedByUrlMatch) {
  WriteDockerConfig(R"({"credHelpers": {"https://ghcr.io": "fake"}})");
  std::optional<Credential> c = Find("ghcr.io");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "helper-user");
}

TEST_F(CredentialsTest, SourcesAreTriedInOrder) {
  sources_.registry_auth_file = (root_ / "podman-auth.json").string();
  sources_.xdg_runtime_dir = (root_ / "run").string();
  WriteFile(sources_.registry_auth_file,
            R"({"auths": {"ghcr.io": {"username": "registry-auth-file", "password": "p"},
                          "quay.io": {"username": "registry-auth-file", "password": "p"}}})");
  WriteFile(root_ / "run/containers/auth.json",
            R"({"auths": {"ghcr.io": {"username": "xdg", "password": "p"},
                          "quay.io": {"username": "xdg", "password": "p"},
                          "gcr.io": {"username": "xdg", "password": "p"}}})");
  WriteDockerConfig(R"({"auths": {"ghcr.io": {"username": "docker", "password": "p"}}})");
  EXPECT_EQ(Find("ghcr.io")->username, "docker");
  EXPECT_EQ(Find("quay.io")->username, "registry-auth-file");
  EXPECT_EQ(Find("gcr.io")->username, "xdg");
  EXPECT_FALSE(Find("docker.io").has_value());
}

TEST_F(CredentialsTest, InvalidJsonNamesTheFileAndNotTheSecret) {
  // Cut off mid-way, right after a secret: a parser's message would quote it.
  WriteDockerConfig(R"({"auths": {"ghcr.io": {"auth": "YWxpY2U6ZmlsZS1zZWNyZXQtN2YzYQ==",
                                  "password": "file-secret-7f3a" )");
  base::Error error = FindError("ghcr.io");
  EXPECT_EQ(error.path, sources_.docker_config_dir + "/config.json");
  EXPECT_NE(error.message.find("not valid JSON"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("line 2"), std::string::npos) << error.message;
}

TEST_F(CredentialsTest, InvalidJsonInALaterFileIsReachedOnlyWhenNeeded) {
  sources_.registry_auth_file = (root_ / "podman-auth.json").string();
  WriteFile(sources_.registry_auth_file, "not json");
  WriteDockerConfig(R"({"auths": {"ghcr.io": {"username": "docker", "password": "p"}}})");
  EXPECT_EQ(Find("ghcr.io")->username, "docker");
  EXPECT_EQ(FindError("quay.io").path, sources_.registry_auth_file);
}

TEST_F(CredentialsTest, AuthThatIsNotBase64IsAnError) {
  WriteDockerConfig(R"({"auths": {"ghcr.io": {"auth": "file-secret-7f3a!!"}}})");
  base::Error error = FindError("ghcr.io");
  EXPECT_NE(error.message.find("ghcr.io"), std::string::npos) << error.message;
}

TEST_F(CredentialsTest, FailingHelperIsAnErrorNamingIt) {
  WriteDockerConfig(R"({"credHelpers": {"ghcr.io": "broken"},
                        "auths": {"ghcr.io": {"auth": "YWxpY2U6ZmlsZS1zZWNyZXQtN2YzYQ=="}}})");
  base::Error error = FindError("ghcr.io");
  RecordProperty("message", error.ToString());
  EXPECT_NE(error.message.find("docker-credential-broken"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("exit 3"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("run `docker-credential-broken get` by hand"), std::string::npos)
      << error.message;
  EXPECT_EQ(error.path, sources_.docker_config_dir + "/config.json");
}

TEST_F(CredentialsTest, WhatAFailingHelperPrintedIsNeverQuoted) {
  // A helper that fails after printing its secret: no pattern could tell the secret from a
  // complaint, so neither output is shown.
  WriteExecutable("docker-credential-leaky",
                  "#!/bin/sh\ncat >/dev/null\necho SECRETPASS-helper-stderr >&2\n"
                  "echo SECRETPASS-helper-stdout\nexit 1\n");
  WriteDockerConfig(R"({"credHelpers": {"ghcr.io": "leaky"}})");
  base::Error error = FindError("ghcr.io");
  EXPECT_NE(error.message.find("docker-credential-leaky failed (exit 1)"), std::string::npos)
      << error.message;
  EXPECT_EQ(error.ToString().find("SECRETPASS"), std::string::npos) << error.ToString();
}

// A helper that prints, starts a child that holds its output open, records the child's pid
// and waits: only killing the whole process group ends it.
constexpr char kHangingHelper[] = R"(#!/bin/sh
echo hanging-helper-output >&2
sleep 30 &
echo $! > "$(dirname "$0")/child-pid"
wait
)";

// Whether process `pid` is gone (or a zombie nobody reaps yet: it runs no more).
bool ProcessEnded(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

TEST_F(CredentialsTest, HangingHelperIsStoppedWithItsChildrenAtTheDeadline) {
  WriteExecutable("docker-credential-hang", kHangingHelper);
  WriteDockerConfig(R"({"credHelpers": {"ghcr.io": "hang"}})");
  auto started = std::chrono::steady_clock::now();
  LookupError error = FindError("ghcr.io", started + std::chrono::seconds(1));
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::seconds(5)) << "the helper's own 30 s bound, not the deadline";
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_TRUE(error.deadline_passed);
  EXPECT_NE(error.message.find("docker-credential-hang"), std::string::npos) << error.message;
  EXPECT_EQ(error.ToString().find("hanging-helper-output"), std::string::npos) << error.message;
  std::ifstream pid_file(bin_ / "child-pid");
  std::string child;
  ASSERT_TRUE(std::getline(pid_file, child));
  // SIGKILL is delivered at once, but the orphan is reaped by init: allow it a moment.
  for (int i = 0; i < 200 && !ProcessEnded(child); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(ProcessEnded(child)) << "the helper's child " << child << " still runs";
}

TEST_F(CredentialsTest, HelperThatNeverReadsItsInputIsStoppedAtTheDeadlineToo) {
  // A server URL longer than the pipe's buffer: writing it blocks until the helper reads.
  WriteExecutable("docker-credential-deaf", "#!/bin/sh\nexec sleep 30\n");
  WriteDockerConfig(R"({"credsStore": "deaf"})");
  auto started = std::chrono::steady_clock::now();
  LookupError error =
      FindError(std::string(256 * 1024, 'a') + ".example", started + std::chrono::seconds(1));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(error.deadline_passed);
}

TEST_F(CredentialsTest, HelperThatClosesItsOutputButRunsOnIsStopped) {
  WriteExecutable("docker-credential-quiet", "#!/bin/sh\nexec >&- 2>&-\nexec sleep 30\n");
  WriteDockerConfig(R"({"credsStore": "quiet"})");
  auto started = std::chrono::steady_clock::now();
  LookupError error = FindError("ghcr.io", started + std::chrono::seconds(1));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(error.deadline_passed);
}

TEST_F(CredentialsTest, MissingHelperIsAnErrorNamingIt) {
  WriteDockerConfig(R"({"credsStore": "desktop"})");
  base::Error error = FindError("ghcr.io");
  EXPECT_NE(error.message.find("docker-credential-desktop"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("not installed"), std::string::npos) << error.message;
}

TEST_F(CredentialsTest, HelperAnsweringGarbageIsAnError) {
  WriteExecutable("docker-credential-garbage", "#!/bin/sh\necho 'Secret: helper-secret-91c2'\n");
  WriteDockerConfig(R"({"credHelpers": {"ghcr.io": "garbage"}})");
  base::Error error = FindError("ghcr.io");
  EXPECT_NE(error.message.find("docker-credential-garbage"), std::string::npos) << error.message;
}

TEST_F(CredentialsTest, HelperThatClosesStdinUnreadDoesNotKillTheCaller) {
  // The server URL is written to the helper's stdin. A name longer than the pipe's buffer
  // (64 KiB) makes that write block until the helper closes stdin, so it surely fails with
  // EPIPE and raises SIGPIPE, which must not kill this process.
  WriteExecutable("docker-credential-rude",
                  "#!/bin/sh\nexec 0<&-\necho '{\"Username\":\"u\",\"Secret\":\"s\"}'\n");
  WriteDockerConfig(R"({"credsStore": "rude"})");
  std::optional<Credential> c = Find(std::string(256 * 1024, 'a') + ".example");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "u");
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = getenv(name);
    if (old) saved_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { saved_ ? setenv(name_, saved_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(CredentialSources, FromEnvironmentReadsTheVariables) {
  ScopedEnv docker("DOCKER_CONFIG", "/cfg/docker");
  ScopedEnv home("HOME", "/home/u");
  ScopedEnv auth("REGISTRY_AUTH_FILE", "/cfg/auth.json");
  ScopedEnv xdg("XDG_RUNTIME_DIR", "/run/user/1000");
  CredentialSources s = CredentialSources::FromEnvironment();
  EXPECT_EQ(s.docker_config_dir, "/cfg/docker");
  EXPECT_EQ(s.registry_auth_file, "/cfg/auth.json");
  EXPECT_EQ(s.xdg_runtime_dir, "/run/user/1000");
}

TEST(CredentialSources, DockerConfigDefaultsToHomeDotDocker) {
  ScopedEnv docker("DOCKER_CONFIG", nullptr);
  ScopedEnv home("HOME", "/home/u");
  EXPECT_EQ(CredentialSources::FromEnvironment().docker_config_dir, "/home/u/.docker");
}

}  // namespace
}  // namespace imagepin::registry
