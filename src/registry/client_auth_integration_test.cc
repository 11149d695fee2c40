// Auth and TLS against the real registry: Basic, Bearer tokens from the harness's issuer, and a
// self-signed TLS registry.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "registry/fake_clock_test_util.h"
#include "registry/integration_test_util.h"

namespace imagepin::registry {
namespace {

using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;

// ---- Basic auth ------------------------------------------------------------------------------

TEST(ClientAuthIntegration, BasicAuthWithTheRightPassword) {
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
  // 401, then the GET again with Basic: one GET gives both the digest and the platforms.
  EXPECT_EQ(client.stats().manifest_requests, 2);
  EXPECT_EQ(client.stats().token_requests, 0);
}

TEST(ClientAuthIntegration, BasicAuthWithAWrongPasswordIsUnauthorizedAndSecret) {
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
  EXPECT_NE(text.find("credentials for " + reg->host() + " were refused"), std::string::npos)
      << text;
  EXPECT_EQ(text.find(wrong), std::string::npos) << text;
  EXPECT_EQ(text.find(BasicAuthorization({reg->user(), wrong, ""}).substr(6)), std::string::npos);
}

TEST(ClientAuthIntegration, BasicAuthWithoutCredentialsIsUnauthorized) {
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

TEST(ClientAuthIntegration, BearerTokenOnceForManyTagsOfTwoRepositories) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  std::vector<ref::Reference> references;
  std::vector<std::string> expected;
  for (const char* repo : {"client/token-a", "client/token-b"}) {
    for (int i = 0; i < 4; ++i) {
      std::string tag = fmt::format("t{}", i);
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
  EXPECT_EQ(client.stats().token_requests, 1) << "one token for both repositories";
  // The first request meets the host's 401 while the other workers wait for its challenge.
  EXPECT_EQ(client.stats().manifest_requests, static_cast<int>(references.size()) + 1);
}

TEST(ClientAuthIntegration, BearerTokenFromAnIdentityToken) {
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

TEST(ClientAuthIntegration, BearerWithAWrongPasswordIsUnauthorizedAndSecret) {
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
  // The batch's request and its per-repository fallback; the refusal is then every worker's
  // answer. Never once per tag.
  EXPECT_LE(client.stats().token_requests, 2) << "a refused password is not asked again per tag";
}

TEST(ClientAuthIntegration, AnonymousTokenWithoutPullRightsIsUnauthorized) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/token-private", "v1", ImageKind::kSingle).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/token-private:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(manifest.error().http_status, 401);
  EXPECT_NE(manifest.error().message.find("no credentials"), std::string::npos)
      << manifest.error().ToString();
}

TEST(ClientAuthIntegration, AnonymousPullTokenWorks) {
  std::unique_ptr<TestRegistry> reg = TestRegistry::Start(Mode::kToken, {.anonymous_pull = true});
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/public", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/public:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().token_requests, 1);
  // 401, then the GET again with the token.
  EXPECT_EQ(client.stats().manifest_requests, 2);
}

TEST(ClientAuthIntegration, ExpiredTokenIsRefreshedOnce) {
  std::unique_ptr<TestRegistry> reg =
      TestRegistry::Start(Mode::kToken, {.anonymous_pull = true, .token_ttl_seconds = 1});
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/short-lived", "a", ImageKind::kSingle, 1).empty());
  ASSERT_FALSE(reg->Push("client/short-lived", "b", ImageKind::kSingle, 2).empty());
  // The issuer's expires_in, on the client's clock: the real issuer and registry, no real wait.
  ClientOptions options = PlainOptions();
  auto clock = std::make_shared<FakeClock>();
  options.clock = clock;
  Client client(options);
  ASSERT_TRUE(client.Resolve(Ref(reg->host() + "/client/short-lived:a"), false).ok());
  clock->Advance(std::chrono::milliseconds(2100));
  Result<Manifest> later = client.Resolve(Ref(reg->host() + "/client/short-lived:b"), false);
  ASSERT_TRUE(later.ok()) << later.error().ToString();
  EXPECT_EQ(client.stats().token_requests, 2);
}

TEST(ClientAuthIntegration, TokenWithAnInjectedHeaderIsRefusedBeforeItIsSent) {
  // A hostile issuer: every token ends in CR LF and a header of its choosing.
  std::unique_ptr<TestRegistry> reg = TestRegistry::Start(
      Mode::kToken, {.anonymous_pull = true, .token_suffix = "\r\nX-Injected: yes"});
  ASSERT_NE(reg, nullptr);
  // Nothing is pushed (the push client would refuse these tokens too): the manifest request
  // is counted whether or not the image exists.
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/injected:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kBadResponse) << manifest.error().ToString();
  EXPECT_EQ(manifest.error().ToString().find("Injected"), std::string::npos);
  EXPECT_EQ(client.stats().token_requests, 1) << "the issuer did answer";
  EXPECT_EQ(client.stats().manifest_requests, 1) << "only the first 401: the token never went out";
}

// ---- tokens in bulk -------------------------------------------------------------------------

// The issuer's log entries from `skip` on.
std::vector<nlohmann::json> TokenRequestsAfter(const TestRegistry& reg, size_t skip) {
  std::vector<nlohmann::json> all = reg.TokenRequests();
  return std::vector<nlohmann::json>(
      all.begin() + static_cast<ptrdiff_t>(std::min(skip, all.size())), all.end());
}

std::vector<ref::Reference> Numbered(const TestRegistry& reg, const std::string& prefix, int count,
                                     const std::string& tag) {
  std::vector<ref::Reference> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(Ref(reg.host() + "/" + prefix + std::to_string(i) + ":" + tag));
  }
  return out;
}

TEST(ClientAuthIntegration, SixtyRepositoriesCostThreeTokenRequests) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(60, "client/bulk-", "v1", ImageKind::kIndex);
  ASSERT_EQ(digests.size(), 60u);
  size_t skip = reg->TokenRequests().size();
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), PasswordEntry(reg->user(), reg->password()));
  Client client(options);
  auto results = client.ResolveAll(Numbered(*reg, "client/bulk-", 60, "v1"), true);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, digests[i]);
  }
  std::vector<nlohmann::json> asked = TokenRequestsAfter(*reg, skip);
  ASSERT_EQ(asked.size(), 3u) << "batches of 25: 25, 25, 10";
  EXPECT_EQ(asked[0]["scopes_asked"], 25);
  EXPECT_EQ(asked[1]["scopes_asked"], 25);
  EXPECT_EQ(asked[2]["scopes_asked"], 10);
  for (const nlohmann::json& entry : asked) {
    EXPECT_EQ(entry["granted"].size(), entry["scopes_asked"]) << entry.dump();
  }
  EXPECT_EQ(client.stats().token_requests, 3);
  // The registry took each bulk token for every repository it names: no 401 but the host's.
  EXPECT_EQ(client.stats().manifest_requests, 61);
}

TEST(ClientAuthIntegration, AnIdentityTokenGetsOneTokenForManyRepositoriesByPost) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(4, "client/bulk-idt-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 4u);
  size_t skip = reg->TokenRequests().size();
  testing::TempDir dir;
  ClientOptions options;
  options.credentials = StoreFor(dir, reg->host(), {{"identitytoken", reg->identity_token()}});
  Client client(options);
  for (const auto& result : client.ResolveAll(Numbered(*reg, "client/bulk-idt-", 4, "v1"), false)) {
    ASSERT_TRUE(result.ok()) << result.error().ToString();
  }
  std::vector<nlohmann::json> asked = TokenRequestsAfter(*reg, skip);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0]["method"], "POST");
  EXPECT_EQ(asked[0]["scopes_asked"], 4);
  EXPECT_EQ(asked[0]["granted"].size(), 4u);
}

TEST(ClientAuthIntegration, AnIssuerThatRejectsManyScopesIsAskedForEachRepositoryAlone) {
  std::unique_ptr<TestRegistry> reg =
      TestRegistry::Start(Mode::kToken, {.anonymous_pull = true, .multi_scope = "reject"});
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(30, "client/one-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 30u);
  size_t skip = reg->TokenRequests().size();
  Client client(PlainOptions());
  auto results = client.ResolveAll(Numbered(*reg, "client/one-", 30, "v1"), false);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, digests[i]);
  }
  std::vector<nlohmann::json> asked = TokenRequestsAfter(*reg, skip);
  // One bulk request, refused; then each repository alone, and the second batch never tried.
  ASSERT_EQ(asked.size(), 31u);
  EXPECT_EQ(asked[0]["result"], "rejected-multi-scope");
  EXPECT_EQ(asked[0]["scopes_asked"], 25);
  std::set<std::string> alone;
  for (size_t i = 1; i < asked.size(); ++i) {
    EXPECT_EQ(asked[i]["scopes_asked"], 1) << asked[i].dump();
    alone.insert(asked[i]["scope"][0].get<std::string>());
  }
  EXPECT_EQ(alone.size(), 30u);
}

TEST(ClientAuthIntegration, ScopesABulkTokenDoesNotGrantAreAskedForAlone) {
  // The issuer grants only the first of many scopes, and says so in the JWT's access claim.
  std::unique_ptr<TestRegistry> reg =
      TestRegistry::Start(Mode::kToken, {.anonymous_pull = true, .multi_scope = "first-only"});
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(10, "client/subset-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 10u);
  size_t skip = reg->TokenRequests().size();
  Client client(PlainOptions());
  auto results = client.ResolveAll(Numbered(*reg, "client/subset-", 10, "v1"), false);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, digests[i]);
  }
  std::vector<nlohmann::json> asked = TokenRequestsAfter(*reg, skip);
  ASSERT_EQ(asked.size(), 10u) << "one bulk request (granting one), nine alone";
  EXPECT_EQ(asked[0]["scopes_asked"], 10);
  EXPECT_EQ(asked[0]["granted"].size(), 1u);
  // The claim told before any request: the registry met no 401 but the host's first.
  EXPECT_EQ(client.stats().manifest_requests, 11);
}

TEST(ClientAuthIntegration, ManyRepositoriesWithoutPullRightsFailOnceEachWithoutALoop) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kToken);
  ASSERT_NE(reg, nullptr);
  ASSERT_EQ(reg->PushMany(5, "client/private-", "v1", ImageKind::kSingle).size(), 5u);
  size_t skip = reg->TokenRequests().size();
  Client client(PlainOptions());  // anonymous: the issuer grants nothing
  for (const auto& result : client.ResolveAll(Numbered(*reg, "client/private-", 5, "v1"), false)) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::kUnauthorized);
    EXPECT_NE(result.error().message.find("no credentials"), std::string::npos)
        << result.error().ToString();
  }
  std::vector<nlohmann::json> asked = TokenRequestsAfter(*reg, skip);
  EXPECT_EQ(asked.size(), 6u) << "the bulk request (nothing granted), then each alone, once";
  EXPECT_LE(client.stats().manifest_requests, 11) << "at most the host's 401 and two per image";
}

// ---- TLS -------------------------------------------------------------------------------------

TEST(ClientAuthIntegration, TlsWithTheCaFileVerifiesAndUsesHttp2) {
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

TEST(ClientAuthIntegration, TlsWithoutTheCaFileFailsVerification) {
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

TEST(ClientAuthIntegration, UnreadableCaFileFailsEveryRequest) {
  ClientOptions options = PlainOptions();
  options.ca_file = "/nonexistent/imagepin-ca.pem";
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref("127.0.0.1:1/x:y"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kTls);
  EXPECT_NE(manifest.error().message.find("/nonexistent/imagepin-ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace imagepin::registry
