// Tests of the real-registry harness itself (testreg.py, fault_proxy.py, test_registry.h),
// checked with independent clients: skopeo for what was pushed, curl for auth, TLS and faults.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "test_registry.h"

namespace imagepin::testreg {
namespace {

const char kAcceptAll[] =
    "Accept: application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// skopeo inspect over plain HTTP (or TLS without verification) with optional credentials.
CommandResult Skopeo(const TestRegistry& reg, const std::string& image,
                     const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {"skopeo", "inspect", "--tls-verify=false"};
  if (!reg.user().empty()) argv.insert(argv.end(), {"--creds", reg.user() + ":" + reg.password()});
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back("docker://" + reg.host() + "/" + image);
  return RunCommand(argv);
}

std::string SkopeoDigest(const TestRegistry& reg, const std::string& image) {
  CommandResult r = Skopeo(reg, image, {"--format", "{{.Digest}}"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Trim(r.out);
}

struct CurlResult {
  int exit_code = -1;
  int status = 0;
  std::string headers;  // the last response's header block
  std::string body;
};

// curl ARGS URL, capturing the status, the headers and the body.
CurlResult Curl(std::vector<std::string> args, const std::string& url) {
  std::vector<std::string> argv = {"curl", "-s", "-D", "/dev/stderr", "--max-time", "20"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  CommandResult r = RunCommand(argv);
  CurlResult c;
  c.exit_code = r.exit_code;
  c.body = r.out;
  // With redirects or 100-continue there can be several header blocks: keep the last.
  size_t last = r.err.rfind("\nHTTP/");
  last = last == std::string::npos ? (r.err.rfind("HTTP/", 0) == 0 ? 0 : last) : last + 1;
  c.headers = last == std::string::npos ? "" : r.err.substr(last);
  if (!c.headers.empty()) c.status = std::atoi(c.headers.substr(c.headers.find(' ') + 1).c_str());
  return c;
}

// The value of header `name` (case-insensitive) in a header block, or "".
std::string Header(const std::string& headers, const std::string& name) {
  std::string lower_headers = headers, lower_name = name + ":";
  for (char& ch : lower_headers) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  for (char& ch : lower_name) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  size_t at = lower_headers.find("\n" + lower_name);
  if (at == std::string::npos) return "";
  size_t start = at + 1 + lower_name.size();
  while (start < headers.size() && headers[start] == ' ') ++start;
  return Trim(headers.substr(start, headers.find('\n', start) - start));
}

std::string Sha256Hex(const std::string& data) {
  // ctest runs tests as parallel processes: one file per process.
  std::string path = ::testing::TempDir() + "imagepin-harness-sha-" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary) << data;
  CommandResult r = RunCommand({"sha256sum", path});
  std::filesystem::remove(path);
  return r.out.substr(0, 64);
}

std::set<std::string> IndexPlatforms(const std::string& raw) {
  std::set<std::string> platforms;
  nlohmann::json index = nlohmann::json::parse(raw);
  for (const auto& m : index["manifests"]) {
    platforms.insert(m["platform"]["os"].get<std::string>() + "/" +
                     m["platform"]["architecture"].get<std::string>());
  }
  return platforms;
}

bool ProcessGone(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  if (text.empty()) return true;
  size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

bool WaitUntilGone(const std::vector<int>& pids, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all_gone = true;
    for (int pid : pids) all_gone = all_gone && ProcessGone(pid);
    if (all_gone) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(TestRegistryHarness, PushesEachKindWithTheDigestSkopeoSees) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  struct Case {
    ImageKind kind;
    const char* media_type;
    std::set<std::string> platforms;  // empty: not an index
  };
  const Case cases[] = {
      {ImageKind::kIndex,
       "application/vnd.oci.image.index.v1+json",
       {"linux/amd64", "linux/arm64", "unknown/unknown"}},
      {ImageKind::kIndexAmd64Only, "application/vnd.oci.image.index.v1+json", {"linux/amd64"}},
      {ImageKind::kManifestList,
       "application/vnd.docker.distribution.manifest.list.v2+json",
       {"linux/amd64", "linux/arm64"}},
      {ImageKind::kSingle, "application/vnd.oci.image.manifest.v1+json", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(KindName(c.kind));
    std::string repo = std::string("harness/kinds-") + KindName(c.kind);
    std::optional<PushedImage> pushed = reg->PushImage(repo, "v1", c.kind);
    ASSERT_TRUE(pushed.has_value());
    EXPECT_EQ(pushed->media_type, c.media_type);
    EXPECT_EQ(SkopeoDigest(*reg, repo + ":v1"), pushed->digest);

    CommandResult raw = Skopeo(*reg, repo + ":v1", {"--raw"});
    ASSERT_EQ(raw.exit_code, 0) << raw.err;
    EXPECT_EQ("sha256:" + Sha256Hex(raw.out), pushed->digest);
    nlohmann::json manifest = nlohmann::json::parse(raw.out);
    EXPECT_EQ(manifest["mediaType"], c.media_type);
    if (!c.platforms.empty()) {
      EXPECT_EQ(IndexPlatforms(raw.out), c.platforms);
    }
  }
}

TEST(TestRegistryHarness, SeedsGiveDistinctDigestsAndRepushMovesTheTag) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string first = reg->Push("harness/moved", "main", ImageKind::kIndex, 1);
  std::string again = reg->Push("harness/moved-same", "main", ImageKind::kIndex, 1);
  EXPECT_EQ(first, again) << "the same seed gives the same image";
  std::string second = reg->Push("harness/moved", "main", ImageKind::kIndex, 2);
  ASSERT_FALSE(second.empty());
  EXPECT_NE(first, second);
  EXPECT_EQ(SkopeoDigest(*reg, "harness/moved:main"), second);
  EXPECT_EQ(SkopeoDigest(*reg, "harness/moved@" + first), first) << "the old digest still exists";
}

TEST(TestRegistryHarness, ARevisionAnnotatesTheTopLevelManifest) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  const std::string revision = "3f2a9c1d0e5b6a7980f1e2d3c4b5a69788796a5b";
  std::string plain = reg->Push("harness/revision", "plain", ImageKind::kIndex, 1);
  std::string annotated = reg->Push("harness/revision", "main", ImageKind::kIndex, 1, revision);
  ASSERT_FALSE(annotated.empty());
  EXPECT_NE(plain, annotated) << "the annotation is part of the index's bytes";
  EXPECT_EQ(reg->Push("harness/revision", "3f2a9c1", ImageKind::kIndex, 1, revision), annotated)
      << "the same seed and revision give the same digest under another tag";
  EXPECT_EQ(SkopeoDigest(*reg, "harness/revision:3f2a9c1"), annotated);
  CommandResult raw = Skopeo(*reg, "harness/revision:main", {"--raw"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ("sha256:" + Sha256Hex(raw.out), annotated);
  nlohmann::json index = nlohmann::json::parse(raw.out);
  EXPECT_EQ(index["annotations"]["org.opencontainers.image.revision"], revision);
  EXPECT_EQ(IndexPlatforms(raw.out),
            (std::set<std::string>{"linux/amd64", "linux/arm64", "unknown/unknown"}));
}

TEST(TestRegistryHarness, PushedPlatformsNameTheChildManifests) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::optional<PushedImage> pushed =
      reg->PushImage("harness/children", "v1", ImageKind::kManifestList);
  ASSERT_TRUE(pushed.has_value());
  ASSERT_EQ(pushed->platforms.size(), 2u);
  // A client that accepts Docker v2 but not the list type gets the amd64 child: the silent
  // wrong answer the registry notes warn about, and a case the harness must let tests build.
  CurlResult child = Curl({"-H", "Accept: application/vnd.docker.distribution.manifest.v2+json"},
                          "http://" + reg->host() + "/v2/harness/children/manifests/v1");
  EXPECT_EQ(child.status, 200);
  EXPECT_EQ(Header(child.headers, "Docker-Content-Digest"), pushed->platforms["linux/amd64"]);
}

TEST(TestRegistryHarness, PushManyPushesEveryRepository) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(5, "harness/many-", "main");
  ASSERT_EQ(digests.size(), 5u);
  EXPECT_EQ(SkopeoDigest(*reg, "harness/many-0:main"), digests[0]);
  EXPECT_EQ(SkopeoDigest(*reg, "harness/many-4:main"), digests[4]);
}

TEST(TestRegistryHarness, BasicModeRefusesAnonymousAndAcceptsTheUser) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->user().empty());
  std::string url = "http://" + reg->host() + "/v2/";
  CurlResult anonymous = Curl({}, url);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Header(anonymous.headers, "WWW-Authenticate").rfind("Basic realm=", 0), 0u)
      << anonymous.headers;
  EXPECT_EQ(Curl({"-u", reg->user() + ":wrong"}, url).status, 401);
  EXPECT_EQ(Curl({"-u", reg->user() + ":" + reg->password()}, url).status, 200);

  std::string digest = reg->Push("harness/basic", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  EXPECT_EQ(SkopeoDigest(*reg, "harness/basic:v1"), digest);
}

TEST(TestRegistryHarness, TokenModeIssuesScopedBearerTokens) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("harness/token", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  std::string manifest_url = "http://" + reg->host() + "/v2/harness/token/manifests/v1";

  CurlResult challenge = Curl({"-H", kAcceptAll}, manifest_url);
  EXPECT_EQ(challenge.status, 401);
  std::string www = Header(challenge.headers, "WWW-Authenticate");
  EXPECT_NE(www.find("Bearer realm=\"" + reg->token_realm() + "\""), std::string::npos) << www;
  EXPECT_NE(www.find("scope=\"repository:harness/token:pull\""), std::string::npos) << www;

  std::string token_url = reg->token_realm() +
                          "?service=" + reg->info()["service"].get<std::string>() +
                          "&scope=repository:harness/token:pull";
  EXPECT_EQ(Curl({"-u", reg->user() + ":wrong"}, token_url).status, 401);
  CurlResult issued = Curl({"-u", reg->user() + ":" + reg->password()}, token_url);
  ASSERT_EQ(issued.status, 200) << issued.body;
  std::string token = nlohmann::json::parse(issued.body)["token"];
  CurlResult authorized =
      Curl({"-H", kAcceptAll, "-H", "Authorization: Bearer " + token}, manifest_url);
  EXPECT_EQ(authorized.status, 200);
  EXPECT_EQ(Header(authorized.headers, "Docker-Content-Digest"), digest);

  // Without credentials the issuer still answers, but the token grants nothing.
  CurlResult anonymous_token = Curl({}, token_url);
  ASSERT_EQ(anonymous_token.status, 200);
  std::string empty_token = nlohmann::json::parse(anonymous_token.body)["token"];
  CurlResult refused =
      Curl({"-H", kAcceptAll, "-H", "Authorization: Bearer " + empty_token}, manifest_url);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(Header(refused.headers, "WWW-Authenticate").find("insufficient_scope"),
            std::string::npos);

  // The identity token works as an OAuth2 refresh token.
  CurlResult refreshed = Curl({"--data-urlencode", "grant_type=refresh_token", "--data-urlencode",
                               "refresh_token=" + reg->identity_token(), "--data-urlencode",
                               "service=" + reg->info()["service"].get<std::string>(),
                               "--data-urlencode", "scope=repository:harness/token:pull"},
                              reg->token_realm());
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string refreshed_token = nlohmann::json::parse(refreshed.body)["access_token"];
  EXPECT_EQ(Curl({"-H", kAcceptAll, "-H", "Authorization: Bearer " + refreshed_token}, manifest_url)
                .status,
            200);
  EXPECT_EQ(SkopeoDigest(*reg, "harness/token:v1"), digest);
}

TEST(TestRegistryHarness, TokenModeWithAnonymousPullGrantsPullOnly) {
  std::unique_ptr<TestRegistry> reg = TestRegistry::Start(Mode::kToken, {.anonymous_pull = true});
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("harness/public", "v1", ImageKind::kSingle);
  ASSERT_FALSE(digest.empty());
  std::string token_url = reg->token_realm() +
                          "?service=" + reg->info()["service"].get<std::string>() +
                          "&scope=repository:harness/public:pull,push";
  CurlResult issued = Curl({}, token_url);
  ASSERT_EQ(issued.status, 200);
  std::string token = nlohmann::json::parse(issued.body)["token"];
  CurlResult pulled = Curl({"-H", kAcceptAll, "-H", "Authorization: Bearer " + token},
                           "http://" + reg->host() + "/v2/harness/public/manifests/v1");
  EXPECT_EQ(pulled.status, 200);
  CurlResult upload = Curl({"-X", "POST", "-H", "Authorization: Bearer " + token},
                           "http://" + reg->host() + "/v2/harness/public/blobs/uploads/");
  EXPECT_EQ(upload.status, 401) << "an anonymous token must not allow push";
}

TEST(TestRegistryHarness, TlsModeServesACertificateTheCaVerifies) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kTls);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->ca_file().empty());
  std::string url = "https://" + reg->host() + "/v2/";
  EXPECT_EQ(Curl({"--cacert", reg->ca_file()}, url).status, 200);
  CurlResult unverified = Curl({}, url);
  EXPECT_EQ(unverified.exit_code, 60) << "curl: peer certificate cannot be authenticated";
  std::string localhost_url =
      "https://localhost:" + reg->host().substr(reg->host().find(':') + 1) + "/v2/";
  EXPECT_EQ(Curl({"--cacert", reg->ca_file()}, localhost_url).status, 200);

  std::string digest = reg->Push("harness/tls", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  CurlResult head = Curl({"-I", "--cacert", reg->ca_file(), "-H", kAcceptAll},
                         "https://" + reg->host() + "/v2/harness/tls/manifests/v1");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(Header(head.headers, "Docker-Content-Digest"), digest);
}

TEST(TestRegistryHarness, FaultProxyAnswers429OnceThenPassesThrough) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("harness/proxied", "v1", ImageKind::kIndex);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 429,
           "headers": {"Retry-After": "1"}, "times": 1}])");
  ASSERT_FALSE(proxy.empty());
  std::string url = "http://" + proxy + "/v2/harness/proxied/manifests/v1";
  CurlResult limited = Curl({"-H", kAcceptAll}, url);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Header(limited.headers, "Retry-After"), "1");
  EXPECT_NE(limited.body.find("TOOMANYREQUESTS"), std::string::npos) << limited.body;
  CurlResult passed = Curl({"-H", kAcceptAll}, url);
  EXPECT_EQ(passed.status, 200);
  EXPECT_EQ(Header(passed.headers, "Docker-Content-Digest"), digest);

  nlohmann::json log = reg->ProxyLog(proxy);
  ASSERT_EQ(log["requests"].size(), 2u) << log.dump();
  EXPECT_EQ(log["requests"][0]["status"], 429);
  EXPECT_EQ(log["requests"][0]["fault"], "status");
  EXPECT_EQ(log["requests"][1]["status"], 200);
}

TEST(TestRegistryHarness, FaultProxyResetsAndCorrupts) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("harness/faulty", "v1", ImageKind::kIndex);
  std::string proxy = reg->StartFaultProxy();
  ASSERT_FALSE(proxy.empty());
  ASSERT_TRUE(reg->SetFaults(proxy, R"([{"path": "/manifests/", "kind": "reset"},
      {"path": "/manifests/", "method": "GET", "kind": "corrupt"}])"));
  std::string url = "http://" + proxy + "/v2/harness/faulty/manifests/v1";
  CurlResult reset = Curl({"-H", kAcceptAll}, url);
  EXPECT_EQ(reset.exit_code, 56) << "curl: failure receiving data (connection reset)";

  CurlResult corrupted = Curl({"-H", kAcceptAll}, url);
  ASSERT_EQ(corrupted.status, 200);
  EXPECT_EQ(Header(corrupted.headers, "Docker-Content-Digest"), digest) << "headers are kept";
  EXPECT_NE("sha256:" + Sha256Hex(corrupted.body), digest) << "the body is not";
  EXPECT_FALSE(nlohmann::json::parse(corrupted.body, nullptr, false).is_discarded())
      << "still JSON: only a digest check catches it";

  CurlResult clean = Curl({"-H", kAcceptAll}, url);
  EXPECT_EQ("sha256:" + Sha256Hex(clean.body), digest) << "each fault fires once";
}

TEST(TestRegistryHarness, FaultProxyDelays) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string proxy =
      reg->StartFaultProxy(R"([{"path": "^/v2/$", "kind": "delay", "seconds": 1}])");
  ASSERT_FALSE(proxy.empty());
  auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(Curl({}, "http://" + proxy + "/v2/").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(900));
}

TEST(TestRegistryHarness, FaultProxyServesTlsInTlsMode) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kTls);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("harness/tls-proxied", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": 1}])");
  ASSERT_FALSE(proxy.empty());
  std::string url = "https://" + proxy + "/v2/harness/tls-proxied/manifests/v1";
  EXPECT_EQ(Curl({"--cacert", reg->ca_file(), "-H", kAcceptAll}, url).status, 503);
  CurlResult passed = Curl({"--cacert", reg->ca_file(), "-H", kAcceptAll}, url);
  EXPECT_EQ(passed.status, 200);
  EXPECT_EQ(Header(passed.headers, "Docker-Content-Digest"), digest);
}

TEST(TestRegistryHarness, DestructorStopsProcessesAndRemovesTheDirectory) {
  std::unique_ptr<TestRegistry> reg = TestRegistry::Start(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->StartFaultProxy().empty());
  std::string dir = reg->dir();
  std::vector<int> pids = reg->info()["pids"].get<std::vector<int>>();
  ASSERT_GE(pids.size(), 3u) << "issuer, registry, watchdog";
  reg.reset();
  EXPECT_TRUE(WaitUntilGone(pids, std::chrono::seconds(1)));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(TestRegistryHarness, WatchdogStopsTheRegistryWhenTheTestProcessDies) {
  // Stand in for a crashed test binary: a process the harness watches, then killed.
  pid_t stand_in = -1;
  std::vector<std::string> sleep_argv = {"sleep", "60"};
  char* args[] = {sleep_argv[0].data(), sleep_argv[1].data(), nullptr};
  ASSERT_EQ(posix_spawnp(&stand_in, "sleep", nullptr, nullptr, args, environ), 0);
  std::string dir = ::testing::TempDir() + "imagepin-reg-watchdog-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  CommandResult started = RunCommand({"python3", ScriptPath("testreg.py"), "start", "--dir", dir,
                                      "--mode", "plain", "--watch-pid", std::to_string(stand_in)});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::vector<int> pids = LastJsonLine(started.out).value()["pids"].get<std::vector<int>>();
  kill(stand_in, SIGKILL);
  waitpid(stand_in, nullptr, 0);
  EXPECT_TRUE(WaitUntilGone(pids, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(dir));
  if (HasFailure()) {  // leave nothing running behind a failed test
    RunCommand({"python3", ScriptPath("testreg.py"), "stop", "--dir", dir, "--remove"});
  }
}

TEST(TestRegistryHarness, MissingDockerRegistryFailsWithTheFix) {
  std::string saved = getenv("PATH") ? getenv("PATH") : "";
  setenv("PATH", "/nonexistent-imagepin-test", 1);
  EXPECT_NONFATAL_FAILURE(TestRegistry::Start(Mode::kPlain), "scripts/install-deps.sh");
  setenv("PATH", saved.c_str(), 1);
}

}  // namespace
}  // namespace imagepin::testreg
