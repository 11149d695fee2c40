// The auth order (auth.h) over a fake transport: a scripted registry "reg.test" with its token
// server "auth.test", and a fake clock for token lifetimes. Each test asserts the requests the
// Client made, in order, with the Authorization each carried.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "registry/client.h"
#include "registry/client_test_util.h"
#include "registry/fake_clock_test_util.h"
#include "registry/fake_transport_test_util.h"
#include "registry/url.h"

namespace imagepin::registry {
namespace {

using std::chrono::seconds;

constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr char kRealm[] = "https://auth.test/token";

HttpResponse ManifestFound() {
  return Answer(200, {{"docker-content-digest", kDigest},
                      {"content-type", kOciManifest},
                      {"content-length", "0"}});
}

HttpResponse ChallengeWith(std::string www_authenticate) {
  return Answer(401, {{"www-authenticate", std::move(www_authenticate)}},
                R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
}

HttpResponse BearerChallenge() {
  return ChallengeWith(std::string("Bearer realm=\"") + kRealm + "\",service=\"reg.test\"");
}

bool IsTokenRequest(const HttpRequest& request) { return request.url.starts_with(kRealm); }

std::string TokenUrl(const std::string& repository) {
  return std::string(kRealm) + "?scope=" + EscapeQueryValue("repository:" + repository + ":pull") +
         "&service=reg.test";
}

// reg.test behind Bearer tokens: auth.test hands out t1, t2, ... (`expires_in` 60 s), and the
// registry accepts the tokens in `valid` (every token issued, unless a test revokes one).
class TokenRegistry {
 public:
  HttpResponse operator()(const HttpRequest& request) {
    std::lock_guard lock(mutex_);
    if (IsTokenRequest(request)) {
      std::string token = "t" + std::to_string(++issued_);
      if (!refuse_all_) valid_.insert(token);
      return Answer(200, {}, R"({"token":")" + token + R"(","expires_in":60})");
    }
    std::string authorization = HeaderOf(request, "authorization");
    if (authorization.starts_with("Bearer ") && valid_.count(authorization.substr(7))) {
      return ManifestFound();
    }
    return BearerChallenge();
  }

  void Revoke(const std::string& token) {
    std::lock_guard lock(mutex_);
    valid_.erase(token);
  }
  void RefuseEveryToken() {
    std::lock_guard lock(mutex_);
    refuse_all_ = true;
    valid_.clear();
  }

 private:
  std::mutex mutex_;
  int issued_ = 0;
  bool refuse_all_ = false;
  std::set<std::string> valid_;
};

class ClientAuthTest : public ::testing::Test {
 protected:
  // A client over `handler`, with no credentials unless a test sets options_.credentials.
  Client& ClientOver(FakeTransport::Handler handler) {
    transport_ = std::make_shared<FakeTransport>(std::move(handler));
    options_.transport = transport_;
    options_.clock = clock_;
    client_ = std::make_unique<Client>(options_);
    return *client_;
  }

  // "HEAD https://reg.test/v2/app/manifests/v1 [Bearer t1]" for each request made so far.
  std::vector<std::string> Sent() {
    std::vector<std::string> out;
    for (const HttpRequest& request : transport_->requests()) {
      std::string authorization = HeaderOf(request, "authorization");
      out.push_back(request.method + " " + request.url +
                    (authorization.empty() ? "" : " [" + authorization + "]"));
    }
    return out;
  }

  ClientOptions options_ = PlainOptions();
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeTransport> transport_;
  std::unique_ptr<Client> client_;
  testing::TempDir dir_;
};

TEST_F(ClientAuthTest, ABearerChallengeIsAnsweredWithATokenAndTheRequestSentAgain) {
  TokenRegistry registry;
  Client& client = ClientOver(std::ref(registry));
  Result<Manifest> manifest = client.Resolve(Ref("reg.test/app:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, kDigest);
  EXPECT_EQ(Sent(), (std::vector<std::string>{
                        "HEAD https://reg.test/v2/app/manifests/v1",
                        "GET " + TokenUrl("app"),
                        "HEAD https://reg.test/v2/app/manifests/v1 [Bearer t1]",
                    }));
  EXPECT_EQ(client.stats().manifest_requests, 2);
  EXPECT_EQ(client.stats().token_requests, 1);

  // The host is known to want tokens now: the cached one goes with the first request.
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v2"), false).ok());
  EXPECT_EQ(Sent().back(), "HEAD https://reg.test/v2/app/manifests/v2 [Bearer t1]");
  EXPECT_EQ(client.stats().manifest_requests, 3);
  EXPECT_EQ(client.stats().token_requests, 1);
}

TEST_F(ClientAuthTest, TheTokenRequestCarriesTheHostsBasicCredentialsAndNothingElseDoes) {
  options_.credentials = StoreFor(dir_, "reg.test", PasswordEntry("user", "pw"));
  TokenRegistry registry;
  Client& client = ClientOver(std::ref(registry));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v1"), false).ok());
  std::string basic = BasicAuthorization({"user", "pw", ""});
  EXPECT_EQ(Sent(), (std::vector<std::string>{
                        "HEAD https://reg.test/v2/app/manifests/v1",
                        "GET " + TokenUrl("app") + " [" + basic + "]",
                        "HEAD https://reg.test/v2/app/manifests/v1 [Bearer t1]",
                    }));
}

TEST_F(ClientAuthTest, AnIdentityTokenIsExchangedByAPost) {
  options_.credentials = StoreFor(dir_, "reg.test", {{"identitytoken", "refresh/me+"}});
  TokenRegistry registry;
  Client& client = ClientOver(std::ref(registry));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v1"), false).ok());
  std::vector<HttpRequest> sent = transport_->requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[1].method, "POST");
  EXPECT_EQ(sent[1].url, kRealm);
  EXPECT_EQ(sent[1].body, "scope=" + EscapeQueryValue("repository:app:pull") +
                              "&service=reg.test&grant_type=refresh_token&client_id=imagepin"
                              "&refresh_token=" +
                              EscapeQueryValue("refresh/me+"));
  EXPECT_EQ(HeaderOf(sent[1], "authorization"), "");
  EXPECT_EQ(HeaderOf(sent[2], "authorization"), "Bearer t1");
}

TEST_F(ClientAuthTest, ATokenServerWithoutOAuthIsAskedAgainByGet) {
  options_.credentials = StoreFor(dir_, "reg.test", {{"identitytoken", "refresh-me"}});
  TokenRegistry registry;
  Client& client = ClientOver([&](const HttpRequest& request) {
    if (request.method == "POST") return Answer(404);
    return registry(request);
  });
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v1"), false).ok());
  EXPECT_EQ(Sent(), (std::vector<std::string>{
                        "HEAD https://reg.test/v2/app/manifests/v1",
                        std::string("POST ") + kRealm,
                        "GET " + TokenUrl("app"),
                        "HEAD https://reg.test/v2/app/manifests/v1 [Bearer t1]",
                    }));
  EXPECT_EQ(client.stats().token_requests, 2);
}

TEST_F(ClientAuthTest, BearerIsPreferredWhenBasicIsOfferedToo) {
  options_.credentials = StoreFor(dir_, "reg.test", PasswordEntry("user", "pw"));
  TokenRegistry registry;
  Client& client = ClientOver([&](const HttpRequest& request) {
    HttpResponse response = registry(request);
    if (response.status == 401) {
      return ChallengeWith(std::string("Basic realm=\"reg\", Bearer realm=\"") + kRealm +
                           "\",service=\"reg.test\"");
    }
    return response;
  });
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v1"), false).ok());
  EXPECT_EQ(Sent().back(), "HEAD https://reg.test/v2/app/manifests/v1 [Bearer t1]");
  EXPECT_EQ(client.stats().token_requests, 1);
}

TEST_F(ClientAuthTest, ManyTagsOfTwoRepositoriesCostOneChallengeAndOneBulkToken) {
  TokenRegistry registry;
  Client& client = ClientOver(std::ref(registry));
  std::vector<ref::Reference> references;
  for (const char* repository : {"a", "b"}) {
    for (int tag = 0; tag < 4; ++tag) {
      references.push_back(Ref(std::string("reg.test/") + repository + ":t" + std::to_string(tag)));
    }
  }
  for (const Result<Manifest>& result : client.ResolveAll(references, false)) {
    ASSERT_TRUE(result.ok()) << result.error().ToString();
  }
  EXPECT_EQ(client.stats().token_requests, 1) << "both scopes in one request (auth.h)";
  // The first request meets the host's 401 while the other workers wait for its challenge.
  EXPECT_EQ(client.stats().manifest_requests, static_cast<int>(references.size()) + 1);
}

// ---- token lifetime --------------------------------------------------------------------------

TEST_F(ClientAuthTest, AnExpiredTokenIsRefreshedOnce) {
  TokenRegistry registry;
  Client& client = ClientOver(std::ref(registry));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:a"), false).ok());
  // expires_in 60 s: used for 90% of it, 54 s.
  clock_->Advance(seconds(53));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:b"), false).ok());
  EXPECT_EQ(client.stats().token_requests, 1) << "still fresh at 53 s";
  clock_->Advance(seconds(2));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:c"), false).ok());
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:d"), false).ok());
  EXPECT_EQ(client.stats().token_requests, 2);
  std::vector<std::string> sent = Sent();
  EXPECT_EQ(sent[sent.size() - 3], "GET " + TokenUrl("app")) << "fetched before sending c";
  EXPECT_EQ(sent[sent.size() - 2], "HEAD https://reg.test/v2/app/manifests/c [Bearer t2]");
  EXPECT_EQ(sent[sent.size() - 1], "HEAD https://reg.test/v2/app/manifests/d [Bearer t2]");
}

TEST_F(ClientAuthTest, ARevokedCachedTokenIsDroppedAndOneFreshTokenFetched) {
  TokenRegistry registry;
  Client& client = ClientOver(std::ref(registry));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:a"), false).ok());
  clock_->Advance(seconds(1));
  registry.Revoke("t1");
  Result<Manifest> later = client.Resolve(Ref("reg.test/app:b"), false);
  ASSERT_TRUE(later.ok()) << later.error().ToString();
  std::vector<std::string> sent = Sent();
  ASSERT_EQ(sent.size(), 6u);
  EXPECT_EQ(sent[3], "HEAD https://reg.test/v2/app/manifests/b [Bearer t1]");
  EXPECT_EQ(sent[4], "GET " + TokenUrl("app"));
  EXPECT_EQ(sent[5], "HEAD https://reg.test/v2/app/manifests/b [Bearer t2]");
}

TEST_F(ClientAuthTest, AFreshTokenThatIsRefusedIsNotFetchedAgain) {
  TokenRegistry registry;
  registry.RefuseEveryToken();
  Client& client = ClientOver(std::ref(registry));
  Result<Manifest> manifest = client.Resolve(Ref("reg.test/app:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(manifest.error().http_status, 401);
  EXPECT_EQ(manifest.error().code, "UNAUTHORIZED");
  EXPECT_EQ(manifest.error().message,
            "anonymous pull of app refused and no credentials for reg.test");
  EXPECT_EQ(client.stats().token_requests, 1);
  EXPECT_EQ(client.stats().manifest_requests, 2);
}

// ---- Basic -----------------------------------------------------------------------------------

// reg.test behind Basic: accepts `accepted` ("Basic ..."), challenges everything else.
FakeTransport::Handler BasicRegistry(std::string accepted) {
  return [accepted](const HttpRequest& request) {
    if (HeaderOf(request, "authorization") == accepted) return ManifestFound();
    return ChallengeWith("Basic realm=\"reg\"");
  };
}

TEST_F(ClientAuthTest, ABasicChallengeIsAnsweredWithTheHostsCredentialsThenSentFirst) {
  options_.credentials = StoreFor(dir_, "reg.test", PasswordEntry("user", "pw"));
  std::string basic = BasicAuthorization({"user", "pw", ""});
  Client& client = ClientOver(BasicRegistry(basic));
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v1"), false).ok());
  ASSERT_TRUE(client.Resolve(Ref("reg.test/app:v2"), false).ok());
  EXPECT_EQ(Sent(), (std::vector<std::string>{
                        "HEAD https://reg.test/v2/app/manifests/v1",
                        "HEAD https://reg.test/v2/app/manifests/v1 [" + basic + "]",
                        "HEAD https://reg.test/v2/app/manifests/v2 [" + basic + "]",
                    }));
  EXPECT_EQ(client.stats().token_requests, 0);
}

TEST_F(ClientAuthTest, RefusedBasicCredentialsAreUnauthorizedNamingTheHost) {
  options_.credentials = StoreFor(dir_, "reg.test", PasswordEntry("user", "wrong"));
  Client& client = ClientOver(BasicRegistry(BasicAuthorization({"user", "pw", ""})));
  Result<Manifest> manifest = client.Resolve(Ref("reg.test/app:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(manifest.error().message, "the credentials for reg.test were refused");
  EXPECT_EQ(client.stats().manifest_requests, 2) << "sent once without, once with";
}

TEST_F(ClientAuthTest, ABasicHostWithoutCredentialsIsUnauthorizedWithoutAResend) {
  Client& client = ClientOver(BasicRegistry("Basic never"));
  Result<Manifest> manifest = client.Resolve(Ref("reg.test/app:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(manifest.error().message, "authentication required and no credentials for reg.test");
  EXPECT_EQ(client.stats().manifest_requests, 1);
}

}  // namespace
}  // namespace imagepin::registry
