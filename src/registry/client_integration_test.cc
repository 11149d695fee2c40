// The client against a real registry (Debian's docker-registry on loopback, started by the
// harness in tests/registry/), in every mode, plus skopeo as an independent check and the
// fault proxy for retries and corruption.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "ref/reference.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::registry {
namespace {

using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;

ref::Reference Ref(const std::string& text) {
  base::Result<ref::Reference> parsed = ref::ParseReference(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed.value() : ref::Reference{};
}

// A store that finds nothing, so no test reads the developer's own docker config.
std::shared_ptr<const CredentialStore> NoCredentials() {
  return std::make_shared<CredentialStore>(CredentialSources{});
}

// A docker config.json in `dir` holding `auth_entry` for `host`.
std::shared_ptr<const CredentialStore> StoreFor(const testing::TempDir& dir,
                                                const std::string& host,
                                                const nlohmann::json& auth_entry) {
  nlohmann::json config = {{"auths", {{host, auth_entry}}}};
  dir.Write("docker/config.json", config.dump());
  CredentialSources sources;
  sources.docker_config_dir = dir.str() + "/docker";
  return std::make_shared<CredentialStore>(sources);
}

nlohmann::json PasswordEntry(const std::string& user, const std::string& password) {
  std::string basic = BasicAuthorization({user, password, ""});
  return {{"auth", basic.substr(std::string("Basic ").size())}};
}

ClientOptions PlainOptions() {
  ClientOptions options;
  options.credentials = NoCredentials();
  return options;
}

std::vector<std::string> PlatformStrings(const Manifest& manifest) {
  std::vector<std::string> out;
  for (const Platform& platform : manifest.platforms) out.push_back(platform.ToString());
  std::sort(out.begin(), out.end());
  return out;
}

std::string SkopeoDigest(const std::string& image) {
  testreg::CommandResult r = testreg::RunCommand(
      {"skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + image});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

// ---- plain HTTP ------------------------------------------------------------------------------

TEST(ClientIntegration, ResolvesOciIndexWithItsPlatforms) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/index", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/index:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(manifest->media_type, kOciIndex);
  EXPECT_TRUE(manifest->is_index);
  EXPECT_GT(manifest->size, 0);
  // The harness's index also holds an unknown/unknown attestation, which is left out.
  EXPECT_EQ(PlatformStrings(*manifest), (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  EXPECT_TRUE(MissingPlatforms(*manifest, {"linux/amd64", "linux/arm64"}).empty());
  EXPECT_EQ(client.stats().manifest_requests, 2) << "HEAD for the digest, GET for the platforms";
}

TEST(ClientIntegration, ResolvesDockerManifestList) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/list", "v1", ImageKind::kManifestList);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/list:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest) << "the list's digest, not the amd64 child's";
  EXPECT_EQ(manifest->media_type, kDockerManifestList);
  EXPECT_TRUE(manifest->is_index);
  EXPECT_EQ(PlatformStrings(*manifest), (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
}

TEST(ClientIntegration, SingleArchManifestLacksEveryPlatform) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/single", "v1", ImageKind::kSingle);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/single:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_FALSE(manifest->is_index);
  EXPECT_EQ(manifest->media_type, kOciManifest);
  EXPECT_EQ(MissingPlatforms(*manifest, {"linux/amd64", "linux/arm64"}),
            (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  EXPECT_EQ(client.stats().manifest_requests, 1) << "no GET for a manifest that is not an index";
}

TEST(ClientIntegration, IndexWithoutArm64MissesIt) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/amd64-only", "v1", ImageKind::kIndexAmd64Only).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/amd64-only:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(MissingPlatforms(*manifest, {"linux/amd64", "linux/arm64"}),
            (std::vector<std::string>{"linux/arm64"}));
}

TEST(ClientIntegration, MissingTagIsNotFoundWithTheSpecCode) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/missing", "v1", ImageKind::kSingle).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/missing:nope"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(manifest.error().http_status, 404);
  EXPECT_EQ(manifest.error().code, "MANIFEST_UNKNOWN");
  EXPECT_FALSE(manifest.error().temporary);
  EXPECT_EQ(manifest.error().reference, reg->host() + "/client/missing:nope");
  EXPECT_NE(manifest.error().ToString().find("MANIFEST_UNKNOWN"), std::string::npos);
}

TEST(ClientIntegration, HeadByDigestProvesTheManifestExists) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/by-digest", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest =
      client.Resolve(Ref(reg->host() + "/client/by-digest@" + digest), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_TRUE(manifest->is_index);
  EXPECT_EQ(client.stats().manifest_requests, 1);

  std::string absent = "sha256:" + std::string(64, 'a');
  Result<Manifest> missing =
      client.Resolve(Ref(reg->host() + "/client/by-digest@" + absent), false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST(ClientIntegration, MovedTagResolvesToTheNewDigestInANewClient) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string before = reg->Push("client/moving", "main", ImageKind::kIndex, /*seed=*/1);
  ASSERT_FALSE(before.empty());
  Client client(PlainOptions());
  ref::Reference reference = Ref(reg->host() + "/client/moving:main");
  ASSERT_EQ(client.Resolve(reference, false)->digest, before);

  std::string after = reg->Push("client/moving", "main", ImageKind::kIndex, /*seed=*/2);
  ASSERT_FALSE(after.empty());
  ASSERT_NE(before, after);
  // One Client resolves a reference once: the same answer, no new request.
  int requests = client.stats().manifest_requests;
  EXPECT_EQ(client.Resolve(reference, false)->digest, before);
  EXPECT_EQ(client.stats().manifest_requests, requests);

  Client fresh(PlainOptions());
  Result<Manifest> moved = fresh.Resolve(reference, false);
  ASSERT_TRUE(moved.ok()) << moved.error().ToString();
  EXPECT_EQ(moved->digest, after);
}

TEST(ClientIntegration, DigestsAgreeWithSkopeo) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  Client client(PlainOptions());
  for (ImageKind kind : {ImageKind::kIndex, ImageKind::kManifestList, ImageKind::kSingle,
                         ImageKind::kIndexAmd64Only}) {
    std::string tag = testreg::KindName(kind);
    SCOPED_TRACE(tag);
    ASSERT_FALSE(reg->Push("client/skopeo", tag, kind, /*seed=*/7).empty());
    std::string image = reg->host() + "/client/skopeo:" + tag;
    Result<Manifest> manifest = client.Resolve(Ref(image), false);
    ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
    EXPECT_EQ(manifest->digest, SkopeoDigest(image));
  }
}

TEST(ClientIntegration, ResolveAllAsksOncePerDistinctReferenceAndKeepsOrder) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(10, "client/many-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 10u);
  // 50 references: each of the 10 five times, shuffled.
  std::vector<ref::Reference> references;
  std::vector<std::string> expected;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 10; ++i) {
      std::string name = reg->host() + "/client/many-" + std::to_string(i);
      references.push_back(Ref(name + ":v1"));
      expected.push_back(digests[i]);
    }
  }
  std::vector<size_t> order(references.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  std::vector<ref::Reference> shuffled;
  std::vector<std::string> shuffled_expected;
  for (size_t i : order) {
    shuffled.push_back(references[i]);
    shuffled_expected.push_back(expected[i]);
  }

  Client client(PlainOptions());
  std::vector<std::pair<size_t, size_t>> progress;
  auto results = client.ResolveAll(
      shuffled, false, [&](size_t done, size_t total) { progress.emplace_back(done, total); });
  ASSERT_EQ(results.size(), 50u);
  for (size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(shuffled[i].Normalized());
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, shuffled_expected[i]);
  }
  EXPECT_EQ(client.stats().manifest_requests, 10);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(size_t{50}, size_t{50}));
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  // Kept-alive connections: at most one per worker, plus the TLS probe that found plain HTTP.
  EXPECT_LE(client.stats().connections, 8 + 1);
}

TEST(ClientIntegration, SequentialResolutionsReuseOneConnection) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(20, "client/reuse-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 20u);
  Client client(PlainOptions());
  for (int i = 0; i < 20; ++i) {
    Result<Manifest> manifest =
        client.Resolve(Ref(reg->host() + "/client/reuse-" + std::to_string(i) + ":v1"), false);
    ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  }
  EXPECT_EQ(client.stats().manifest_requests, 20);
  EXPECT_LE(client.stats().connections, 2) << "the https probe, then one kept-alive connection";
}

TEST(ClientIntegration, MirrorServesTheRegistryAndResultsKeepItsName) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("acme/mirrored", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  ClientOptions options = PlainOptions();
  options.mirrors = {{"ghcr.io", reg->host()}};
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref("ghcr.io/acme/mirrored:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  Result<Manifest> missing = client.Resolve(Ref("ghcr.io/acme/mirrored:nope"), false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reference, "ghcr.io/acme/mirrored:nope");
}

// ---- Basic auth ------------------------------------------------------------------------------

TEST(ClientIntegration, BasicAuthWithTheRightPassword) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/basic", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), PasswordEntry(reg->user(), reg->password()));
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/basic:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  // 401, then HEAD with Basic, then the GET sends Basic at once.
  EXPECT_EQ(client.stats().manifest_requests, 3);
  EXPECT_EQ(client.stats().token_requests, 0);
}

TEST(ClientIntegration, BasicAuthWithAWrongPasswordIsUnauthorizedAndSecret) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/basic-wrong", "v1", ImageKind::kSingle).empty());
  const std::string wrong = "Wr0ng-Pa55word-" + reg->password();
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), PasswordEntry(reg->user(), wrong));
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/basic-wrong:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(manifest.error().http_status, 401);
  std::string text = manifest.error().ToString();
  EXPECT_EQ(text.find(wrong), std::string::npos) << text;
  EXPECT_EQ(text.find(BasicAuthorization({reg->user(), wrong, ""}).substr(6)), std::string::npos);
}

TEST(ClientIntegration, BasicAuthWithoutCredentialsIsUnauthorized) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(reg, nullptr);
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/basic:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
  EXPECT_NE(manifest.error().message.find("no credentials"), std::string::npos)
      << manifest.error().ToString();
}

// ---- Bearer tokens ---------------------------------------------------------------------------

TEST(ClientIntegration, BearerTokenOncePerRepositoryForManyTags) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  std::vector<ref::Reference> references;
  std::vector<std::string> expected;
  for (const char* repo : {"client/token-a", "client/token-b"}) {
    for (int i = 0; i < 4; ++i) {
      std::string tag = "t" + std::to_string(i);
      std::string digest = reg->Push(repo, tag, ImageKind::kSingle, i);
      ASSERT_FALSE(digest.empty());
      references.push_back(Ref(reg->host() + "/" + repo + ":" + tag));
      expected.push_back(digest);
    }
  }
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), PasswordEntry(reg->user(), reg->password()));
  Client client(options);
  auto results = client.ResolveAll(references, false);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, expected[i]);
  }
  EXPECT_EQ(client.stats().token_requests, 2) << "one per repository";
}

TEST(ClientIntegration, BearerTokenFromAnIdentityToken) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->identity_token().empty());
  std::string digest = reg->Push("client/token-identity", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), {{"identitytoken", reg->identity_token()}});
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/token-identity:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().token_requests, 1);
}

TEST(ClientIntegration, BearerWithAWrongPasswordIsUnauthorizedAndSecret) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  const std::string wrong = "Wr0ng-Pa55word-" + reg->password();
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), PasswordEntry(reg->user(), wrong));
  Client client(options);
  std::vector<ref::Reference> references;
  for (int i = 0; i < 5; ++i) {
    references.push_back(Ref(reg->host() + "/client/token-wrong:t" + std::to_string(i)));
  }
  auto results = client.ResolveAll(references, false);
  for (const auto& result : results) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::kUnauthorized);
    EXPECT_EQ(result.error().ToString().find(wrong), std::string::npos);
  }
  EXPECT_LE(client.stats().token_requests, 2) << "a refused password is not asked again per tag";
}

TEST(ClientIntegration, AnonymousTokenWithoutPullRightsIsUnauthorized) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/token-private", "v1", ImageKind::kSingle).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/token-private:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
}

TEST(ClientIntegration, AnonymousPullTokenWorks) {
  std::unique_ptr<TestRegistry> reg = TestRegistry::Start(Mode::kToken, {.anonymous_pull = true});
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/public", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/public:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().token_requests, 1);
  // 401, HEAD with the token, GET with the same token.
  EXPECT_EQ(client.stats().manifest_requests, 3);
}

TEST(ClientIntegration, ExpiredTokenIsRefreshedOnce) {
  std::unique_ptr<TestRegistry> reg =
      TestRegistry::Start(Mode::kToken, {.anonymous_pull = true, .token_ttl_seconds = 1});
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/short-lived", "a", ImageKind::kSingle, 1).empty());
  ASSERT_FALSE(reg->Push("client/short-lived", "b", ImageKind::kSingle, 2).empty());
  Client client(PlainOptions());
  ASSERT_TRUE(client.Resolve(Ref(reg->host() + "/client/short-lived:a"), false).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  Result<Manifest> later = client.Resolve(Ref(reg->host() + "/client/short-lived:b"), false);
  ASSERT_TRUE(later.ok()) << later.error().ToString();
  EXPECT_EQ(client.stats().token_requests, 2);
}

// ---- TLS -------------------------------------------------------------------------------------

TEST(ClientIntegration, TlsWithTheCaFileVerifiesAndUsesHttp2) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kTls);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(12, "client/tls-", "v1", ImageKind::kIndex);
  ASSERT_EQ(digests.size(), 12u);
  ClientOptions options = PlainOptions();
  options.ca_file = reg->ca_file();
  Client client(options);
  std::vector<ref::Reference> references;
  for (int i = 0; i < 12; ++i) {
    references.push_back(Ref(reg->host() + "/client/tls-" + std::to_string(i) + ":v1"));
  }
  auto results = client.ResolveAll(references, true);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, digests[i]);
  }
  ClientStats stats = client.stats();
  EXPECT_EQ(stats.http2_responses, stats.manifest_requests) << "ALPN offers h2";
  EXPECT_LE(stats.connections, 2) << "requests multiplexed on one HTTP/2 connection";
}

TEST(ClientIntegration, TlsWithoutTheCaFileFailsVerification) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kTls);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/tls-untrusted", "v1", ImageKind::kSingle).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/tls-untrusted:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kTls) << manifest.error().ToString();
  EXPECT_FALSE(manifest.error().temporary);
  EXPECT_EQ(client.stats().retries, 0);
}

TEST(ClientIntegration, UnreadableCaFileFailsEveryRequest) {
  ClientOptions options = PlainOptions();
  options.ca_file = "/nonexistent/imagepin-ca.pem";
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref("127.0.0.1:1/x:y"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kTls);
  EXPECT_NE(manifest.error().message.find("/nonexistent/imagepin-ca.pem"), std::string::npos);
}

// ---- faults ----------------------------------------------------------------------------------

ClientOptions FastRetries() {
  ClientOptions options = PlainOptions();
  options.retry.initial_backoff = std::chrono::milliseconds(20);
  options.retry.max_backoff = std::chrono::milliseconds(100);
  return options;
}

TEST(ClientIntegration, RetriesAfterTooManyRequestsHonouringRetryAfter) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/limited", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 429,
           "headers": {"Retry-After": "1"}, "times": 1}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  auto began = std::chrono::steady_clock::now();
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/limited:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(950))
      << "waited for Retry-After, not the 20 ms backoff";
}

TEST(ClientIntegration, RetryAfterPastTheLimitFailsAtOnce) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 429,
           "headers": {"Retry-After": "3600"}, "times": -1}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/limited:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kTooManyRequests);
  EXPECT_EQ(manifest.error().http_status, 429);  // a HEAD: no body, so no spec code
  EXPECT_TRUE(manifest.error().temporary);
  EXPECT_EQ(client.stats().retries, 0);
}

TEST(ClientIntegration, RetriesServiceUnavailableTwiceThenSucceeds) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/unavailable", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": 2}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/unavailable:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 2);
  EXPECT_EQ(client.stats().manifest_requests, 3);
}

TEST(ClientIntegration, GivesUpAfterMaxAttempts) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 502, "times": -1}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/down:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kServer);
  EXPECT_EQ(manifest.error().http_status, 502);
  EXPECT_EQ(client.stats().manifest_requests, 4);
  EXPECT_EQ(client.stats().retries, 3);
}

TEST(ClientIntegration, RetriesAConnectionReset) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/reset", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(R"([{"path": "/manifests/", "kind": "reset"}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/reset:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 1);
}

TEST(ClientIntegration, SlowResponsePastTheDeadlineFailsQuickly) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/slow", "v1", ImageKind::kSingle).empty());
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "delay", "seconds": 10, "times": -1}])");
  ASSERT_FALSE(proxy.empty());
  ClientOptions options = FastRetries();
  options.retry.deadline = std::chrono::seconds(1);
  Client client(options);
  auto began = std::chrono::steady_clock::now();
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/slow:v1"), false);
  auto took = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kDeadline) << manifest.error().ToString();
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST(ClientIntegration, CorruptedIndexBodyIsADigestMismatch) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/corrupt", "v1", ImageKind::kIndex).empty());
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "method": "GET", "kind": "corrupt", "times": -1}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/corrupt:v1"), true);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kDigestMismatch) << manifest.error().ToString();
  EXPECT_FALSE(manifest.error().temporary);
}

TEST(ClientIntegration, RetriesThroughATlsFaultProxy) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kTls);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/tls-proxied", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": 1}])");
  ASSERT_FALSE(proxy.empty());
  ClientOptions options = FastRetries();
  options.ca_file = reg->ca_file();
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/tls-proxied:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 1);
}

TEST(ClientIntegration, ConnectionRefusedIsATemporaryNetworkError) {
  ClientOptions options = FastRetries();
  options.retry.max_attempts = 2;
  Client client(options);
  // Port 1 on loopback: nothing listens there.
  Result<Manifest> manifest = client.Resolve(Ref("127.0.0.1:1/nothing/here:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kNetwork);
  EXPECT_TRUE(manifest.error().temporary);
  EXPECT_EQ(client.stats().retries, 1);
}

}  // namespace
}  // namespace imagepin::registry
