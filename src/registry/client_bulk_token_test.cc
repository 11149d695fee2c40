// Tokens in bulk (auth.h, token_batches.h) over a fake transport: a scripted registry
// "reg.test" whose token server "auth.test" takes many `scope` parameters, or refuses them, or
// grants only part of them. Each test counts the token requests and the scopes each asked for.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

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

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

// The values of `name` in "a=1&b=2&a=3", decoded.
std::vector<std::string> ParamValues(std::string_view query, std::string_view name) {
  std::vector<std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      out.push_back(PercentDecode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

// "repository:acme/api:pull" → "acme/api".
std::string RepositoryOf(const std::string& scope) {
  return scope.substr(11, scope.rfind(':') - 11);
}

// reg.test behind Bearer tokens from auth.test. The issuer grants pull of every repository
// asked for except those in `withheld`; its tokens are JWTs whose `access` claim lists what they
// grant, or, with `opaque`, strings that say nothing (the registry still knows). The registry
// answers a manifest request when the token grants its repository, 401 otherwise.
class BulkRegistry {
 public:
  bool opaque = false;
  bool reject_multi_scope = false;  // the issuer answers 400 to more than one scope
  std::set<std::string> withheld;   // repositories the issuer never grants
  // Repositories the issuer grants only when asked for alone (as a server that reads one
  // scope of many would).
  std::set<std::string> withheld_in_bulk;
  // The registry answers 403 DENIED, not 401, to a token that does not grant the repository.
  bool forbid = false;

  HttpResponse operator()(const HttpRequest& request) {
    std::lock_guard lock(mutex_);
    if (request.url.starts_with(kRealm)) return Issue(request);
    // https://reg.test/v2/<name>/manifests/<tag>
    std::string path = request.url.substr(std::string("https://reg.test/v2/").size());
    std::string repository = path.substr(0, path.find("/manifests/"));
    std::string authorization = HeaderOf(request, "authorization");
    auto granted = grants_.find(authorization.starts_with("Bearer ") ? authorization.substr(7)
                                                                     : std::string());
    if (granted != grants_.end() && granted->second.contains(repository)) {
      return Answer(200, {{"docker-content-digest", kDigest},
                          {"content-type", kOciManifest},
                          {"content-length", "0"}});
    }
    if (forbid && granted != grants_.end()) {
      return Answer(
          403, {},
          R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})");
    }
    return Answer(401,
                  {{"www-authenticate",
                    std::string("Bearer realm=\"") + kRealm +
                        "\",service=\"reg.test\",scope=\"repository:" + repository + ":pull\""}},
                  R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
  }

  // The scopes of each token request, in order.
  std::vector<std::vector<std::string>> token_requests() {
    std::lock_guard lock(mutex_);
    return token_requests_;
  }
  std::vector<std::string> issued() {
    std::lock_guard lock(mutex_);
    return issued_;
  }

 private:
  HttpResponse Issue(const HttpRequest& request) {
    std::vector<std::string> scopes;
    if (request.method == "POST") {
      for (const std::string& list : ParamValues(request.body, "scope")) {
        for (size_t start = 0; start <= list.size();) {
          size_t space = list.find(' ', start);
          if (space == std::string::npos) space = list.size();
          if (space > start) scopes.push_back(list.substr(start, space - start));
          start = space + 1;
        }
      }
    } else {
      scopes = ParamValues(request.url.substr(request.url.find('?') + 1), "scope");
    }
    token_requests_.push_back(scopes);
    if (reject_multi_scope && scopes.size() > 1) {
      return Answer(400, {}, R"({"errors":[{"code":"UNSUPPORTED","message":"one scope"}]})");
    }
    std::set<std::string> repositories;
    nlohmann::json access = nlohmann::json::array();
    for (const std::string& scope : scopes) {
      std::string repository = RepositoryOf(scope);
      if (withheld.contains(repository)) continue;
      if (scopes.size() > 1 && withheld_in_bulk.contains(repository)) continue;
      repositories.insert(repository);
      access.push_back({{"type", "repository"}, {"name", repository}, {"actions", {"pull"}}});
    }
    std::string number = std::to_string(issued_.size() + 1);
    std::string token =
        opaque
            ? "opaque" + number
            : Base64Url(R"({"alg":"none"})") + "." +
                  Base64Url(nlohmann::json({{"access", access}, {"jti", number}}).dump()) + ".sig";
    issued_.push_back(token);
    grants_[token] = repositories;
    return Answer(200, {}, R"({"token":")" + token + R"(","expires_in":60})");
  }

  std::mutex mutex_;
  std::vector<std::vector<std::string>> token_requests_;
  std::vector<std::string> issued_;
  std::map<std::string, std::set<std::string>> grants_;
};

std::vector<ref::Reference> References(int count, const std::string& prefix = "svc-") {
  std::vector<ref::Reference> out;
  for (int i = 0; i < count; ++i) out.push_back(Ref("reg.test/" + prefix + std::to_string(i)));
  return out;
}

std::string Scope(int i) { return "repository:svc-" + std::to_string(i) + ":pull"; }

class ClientBulkTokenTest : public ::testing::Test {
 protected:
  Client& ClientOver(BulkRegistry& registry) {
    transport_ = std::make_shared<FakeTransport>(std::ref(registry));
    options_.transport = transport_;
    options_.clock = clock_;
    client_ = std::make_unique<Client>(options_);
    return *client_;
  }

  // How many manifest requests went to `repository`.
  int ManifestRequestsFor(const std::string& repository) {
    int count = 0;
    for (const HttpRequest& request : transport_->requests()) {
      if (request.url.starts_with("https://reg.test/v2/" + repository + "/manifests/")) ++count;
    }
    return count;
  }

  static void ExpectAllOk(const std::vector<Result<Manifest>>& results) {
    for (const Result<Manifest>& result : results) {
      EXPECT_TRUE(result.ok()) << result.error().ToString();
    }
  }

  ClientOptions options_ = PlainOptions();
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeTransport> transport_;
  std::unique_ptr<Client> client_;
  testing::TempDir dir_;
};

TEST_F(ClientBulkTokenTest, SixtyRepositoriesCostThreeTokenRequestsInBatchesOfTwentyFive) {
  BulkRegistry registry;
  Client& client = ClientOver(registry);
  ExpectAllOk(client.ResolveAll(References(60), false));
  std::vector<std::vector<std::string>> asked = registry.token_requests();
  ASSERT_EQ(asked.size(), 3u);
  // In the order the workers take the references.
  ASSERT_EQ(asked[0].size(), 25u);
  ASSERT_EQ(asked[1].size(), 25u);
  ASSERT_EQ(asked[2].size(), 10u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(asked[i / 25][i % 25], Scope(i));
  EXPECT_EQ(client.stats().token_requests, 3);
  // The host's one 401, then one request per reference: no repository met a 401 of its own.
  EXPECT_EQ(client.stats().manifest_requests, 61);
}

TEST_F(ClientBulkTokenTest, TheBatchSizeIsAnOptionAndOneAsksForEachRepositoryAlone) {
  BulkRegistry registry;
  options_.max_scopes_per_token_request = 1;
  Client& client = ClientOver(registry);
  ExpectAllOk(client.ResolveAll(References(5), false));
  std::vector<std::vector<std::string>> asked = registry.token_requests();
  ASSERT_EQ(asked.size(), 5u);
  for (const std::vector<std::string>& scopes : asked) EXPECT_EQ(scopes.size(), 1u);
}

TEST_F(ClientBulkTokenTest, ABulkTokenIsCachedForEveryScopeAndRefetchedInBatchesWhenItExpires) {
  BulkRegistry registry;
  Client& client = ClientOver(registry);
  std::vector<ref::Reference> first = References(30);
  ExpectAllOk(client.ResolveAll(first, false));
  EXPECT_EQ(registry.token_requests().size(), 2u);
  // Other tags of the same repositories, on the same Client: the cached tokens serve.
  std::vector<ref::Reference> again;
  for (int i = 0; i < 30; ++i) again.push_back(Ref("reg.test/svc-" + std::to_string(i) + ":v2"));
  ExpectAllOk(client.ResolveAll(again, false));
  EXPECT_EQ(registry.token_requests().size(), 2u);
  EXPECT_TRUE(client.Resolve(Ref("reg.test/svc-7:v3"), false).ok());
  EXPECT_EQ(registry.token_requests().size(), 2u) << "one Resolve uses the batch's token too";
  // expires_in 60 s, used for 54: past it, a missing token is fetched for its batch again.
  clock_->Advance(seconds(55));
  std::vector<ref::Reference> later;
  for (int i = 0; i < 30; ++i) later.push_back(Ref("reg.test/svc-" + std::to_string(i) + ":v4"));
  ExpectAllOk(client.ResolveAll(later, false));
  std::vector<std::vector<std::string>> asked = registry.token_requests();
  ASSERT_EQ(asked.size(), 4u);
  EXPECT_EQ(asked[2].size(), 25u);
  EXPECT_EQ(asked[3].size(), 5u);
}

TEST_F(ClientBulkTokenTest, ManyTagsOfOneRepositoryAreOneScopeInTheBatch) {
  BulkRegistry registry;
  Client& client = ClientOver(registry);
  std::vector<ref::Reference> references;
  for (const char* repository : {"a", "b"}) {
    for (int tag = 0; tag < 4; ++tag) {
      references.push_back(Ref(std::string("reg.test/") + repository + ":t" + std::to_string(tag)));
    }
  }
  ExpectAllOk(client.ResolveAll(references, false));
  EXPECT_EQ(registry.token_requests(),
            (std::vector<std::vector<std::string>>{{"repository:a:pull", "repository:b:pull"}}));
}

TEST_F(ClientBulkTokenTest, OneResolveAsksForItsOwnScopeOnly) {
  BulkRegistry registry;
  Client& client = ClientOver(registry);
  ASSERT_TRUE(client.Resolve(Ref("reg.test/svc-0"), false).ok());
  EXPECT_EQ(registry.token_requests(), (std::vector<std::vector<std::string>>{{Scope(0)}}));
}

TEST_F(ClientBulkTokenTest, ScopesTheAccessClaimLeavesOutAreAskedForAloneBeforeAnyRequest) {
  BulkRegistry registry;
  registry.withheld = {"svc-3", "svc-8"};  // the bulk token grants the other eight
  Client& client = ClientOver(registry);
  std::vector<Result<Manifest>> results = client.ResolveAll(References(10), false);
  std::vector<std::vector<std::string>> asked = registry.token_requests();
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0].size(), 10u);
  std::set<std::vector<std::string>> alone(asked.begin() + 1, asked.end());
  EXPECT_EQ(alone, (std::set<std::vector<std::string>>{{Scope(3)}, {Scope(8)}}));
  // The issuer withholds them alone too: the registry's 401 is the answer, with one token each.
  for (int i = 0; i < 10; ++i) {
    bool withheld = i == 3 || i == 8;
    EXPECT_EQ(results[i].ok(), !withheld) << i;
    if (withheld) {
      EXPECT_EQ(results[i].error().kind, ErrorKind::kUnauthorized);
      EXPECT_EQ(results[i].error().message, "anonymous pull of svc-" + std::to_string(i) +
                                                " refused and no credentials for "
                                                "reg.test");
    }
  }
  // The claim told before anything was sent: no request carried the bulk token for svc-3, only
  // its own token (and nothing, if it was the host's first request).
  EXPECT_LE(ManifestRequestsFor("svc-3"), 2);
  for (const HttpRequest& request : transport_->requests()) {
    if (request.url.find("/svc-3/") != std::string::npos) {
      EXPECT_NE(HeaderOf(request, "authorization"), "Bearer " + registry.issued()[0]);
    }
  }
}

TEST_F(ClientBulkTokenTest, AnOpaqueBulkTokenRefusedOnARepositoryMakesItAskAloneOnce) {
  BulkRegistry registry;
  registry.opaque = true;  // the token says nothing; only the registry's 401 tells
  registry.withheld = {"svc-2"};
  Client& client = ClientOver(registry);
  std::vector<Result<Manifest>> results = client.ResolveAll(References(4), false);
  for (int i : {0, 1, 3}) EXPECT_TRUE(results[i].ok()) << results[i].error().ToString();
  ASSERT_FALSE(results[2].ok());
  EXPECT_EQ(results[2].error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(registry.token_requests(), (std::vector<std::vector<std::string>>{
                                           {Scope(0), Scope(1), Scope(2), Scope(3)}, {Scope(2)}}))
      << "the bulk request, then svc-2 alone, and no more: never a loop";
  // svc-2: with the bulk token (401), with its own token (401), and that is the answer. (Its
  // first request may have been the host's first, sent with nothing: one more.)
  EXPECT_GE(ManifestRequestsFor("svc-2"), 2);
  EXPECT_LE(ManifestRequestsFor("svc-2"), 3);
  for (const std::string& token : registry.issued()) {
    EXPECT_EQ(results[2].error().ToString().find(token), std::string::npos);
  }
}

TEST_F(ClientBulkTokenTest, AnOpaqueBulkTokenRefusedThenTheRepositorysOwnTokenResolves) {
  BulkRegistry registry;
  registry.opaque = true;
  registry.withheld_in_bulk = {"svc-1"};
  Client& client = ClientOver(registry);
  ExpectAllOk(client.ResolveAll(References(3), false));
  EXPECT_EQ(registry.token_requests(),
            (std::vector<std::vector<std::string>>{{Scope(0), Scope(1), Scope(2)}, {Scope(1)}}));
  // Its first request may have been the host's first, sent with nothing: one more.
  EXPECT_GE(ManifestRequestsFor("svc-1"), 2) << "with the bulk token (401), then its own";
  EXPECT_LE(ManifestRequestsFor("svc-1"), 3);
}

TEST_F(ClientBulkTokenTest, AnOpaqueBulkTokenForbiddenOnARepositoryMakesItAskAlone) {
  BulkRegistry registry;
  registry.opaque = true;
  registry.forbid = true;  // 403, as some registries answer a token without the repository
  registry.withheld_in_bulk = {"svc-1"};
  Client& client = ClientOver(registry);
  ExpectAllOk(client.ResolveAll(References(3), false));
  EXPECT_EQ(registry.token_requests(),
            (std::vector<std::vector<std::string>>{{Scope(0), Scope(1), Scope(2)}, {Scope(1)}}));
}

TEST_F(ClientBulkTokenTest, AForbiddenRepositorysOwnTokenIsDeniedWithoutALoop) {
  BulkRegistry registry;
  registry.opaque = true;
  registry.forbid = true;
  registry.withheld = {"svc-2"};
  Client& client = ClientOver(registry);
  std::vector<Result<Manifest>> results = client.ResolveAll(References(4), false);
  for (int i : {0, 1, 3}) EXPECT_TRUE(results[i].ok()) << results[i].error().ToString();
  ASSERT_FALSE(results[2].ok());
  EXPECT_EQ(results[2].error().kind, ErrorKind::kDenied) << results[2].error().ToString();
  EXPECT_EQ(registry.token_requests(), (std::vector<std::vector<std::string>>{
                                           {Scope(0), Scope(1), Scope(2), Scope(3)}, {Scope(2)}}));
  // The HEAD with the bulk token (403), with its own token (403: the answer), then the GET for
  // the error body with its own token (the resolver reads the spec's code from it); one more
  // when svc-2's was the host's first request, sent with nothing.
  EXPECT_GE(ManifestRequestsFor("svc-2"), 3);
  EXPECT_LE(ManifestRequestsFor("svc-2"), 4);
}

TEST_F(ClientBulkTokenTest, AnIssuerThatRejectsManyScopesIsAskedForEachAloneAndNeverInBulkAgain) {
  BulkRegistry registry;
  registry.reject_multi_scope = true;
  Client& client = ClientOver(registry);
  ExpectAllOk(client.ResolveAll(References(60), false));
  std::vector<std::vector<std::string>> asked = registry.token_requests();
  // One bulk request (400), then each of the 60 alone: the other two batches are never tried.
  ASSERT_EQ(asked.size(), 61u);
  EXPECT_EQ(asked[0].size(), 25u);
  std::set<std::string> alone;
  for (size_t i = 1; i < asked.size(); ++i) {
    ASSERT_EQ(asked[i].size(), 1u);
    alone.insert(asked[i][0]);
  }
  EXPECT_EQ(alone.size(), 60u);
  // A later ResolveAll on the same Client does not try again either.
  std::vector<ref::Reference> more = References(30, "more-");
  ExpectAllOk(client.ResolveAll(more, false));
  EXPECT_EQ(registry.token_requests().size(), 91u);
}

TEST_F(ClientBulkTokenTest, AFailedBulkRequestFailsOnlyItsBatch) {
  // A token server that drops the first batch's connection every time (retried, then given
  // up): that batch's scopes are asked alone; the next batch still goes in bulk.
  BulkRegistry registry;
  FakeTransport::Handler handler = [&](const HttpRequest& request) {
    std::vector<std::string> scopes =
        ParamValues(request.url.substr(request.url.find('?') + 1), "scope");
    if (request.url.starts_with(kRealm) && scopes.size() > 1 && scopes[0] == Scope(0)) {
      return Failed(TransportFailure::kConnect);
    }
    return registry(request);
  };
  transport_ = std::make_shared<FakeTransport>(handler);
  options_.transport = transport_;
  options_.clock = clock_;
  options_.max_concurrency = 1;  // batch 0 fails before batch 1 is asked
  client_ = std::make_unique<Client>(options_);
  ExpectAllOk(client_->ResolveAll(References(30), false));
  std::vector<std::vector<std::string>> asked = registry.token_requests();
  // The issuer never saw the reset batch: 25 alone, then batch 1 (5 scopes) in bulk.
  ASSERT_EQ(asked.size(), 26u);
  EXPECT_EQ(asked.back().size(), 5u);
}

TEST_F(ClientBulkTokenTest, BatchesAskedAheadDoNotHoldBackTheOtherWorkers) {
  // The second batch's token request is held until other workers have sent manifest requests
  // with the first batch's token. Were it asked inside the host's first request, which the
  // other workers wait for, they could send none: the wait would time out.
  BulkRegistry registry;
  std::mutex mutex;
  std::condition_variable sent;
  int manifest_requests = 0;
  bool timed_out = false;
  FakeTransport::Handler handler = [&](const HttpRequest& request) {
    if (!request.url.starts_with(kRealm)) {
      std::unique_lock lock(mutex);
      if (++manifest_requests == 1) {
        // The host's first request: the other workers start meanwhile and wait for it (on the
        // first-request lock, which this test is about); give them the time to get there.
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        lock.lock();
      }
      sent.notify_all();
    } else if (request.url.find(EscapeQueryValue(Scope(25))) != std::string::npos) {
      std::unique_lock lock(mutex);
      // The host's first request (a 401, then with the token) and at least two others.
      if (!sent.wait_for(lock, seconds(10), [&] { return manifest_requests >= 4; })) {
        timed_out = true;
      }
    }
    return registry(request);
  };
  transport_ = std::make_shared<FakeTransport>(handler);
  options_.transport = transport_;
  options_.clock = clock_;
  client_ = std::make_unique<Client>(options_);
  ExpectAllOk(client_->ResolveAll(References(60), false));
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(registry.token_requests().size(), 3u);
}

TEST_F(ClientBulkTokenTest, AnIdentityTokenPostsTheScopesSpaceSeparatedInOneField) {
  options_.credentials = StoreFor(dir_, "reg.test", {{"identitytoken", "refresh-me"}});
  BulkRegistry registry;
  Client& client = ClientOver(registry);
  ExpectAllOk(client.ResolveAll(References(3), false));
  std::vector<HttpRequest> posts;
  for (const HttpRequest& request : transport_->requests()) {
    if (request.method == "POST") posts.push_back(request);
  }
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(ParamValues(posts[0].body, "scope"),
            (std::vector<std::string>{Scope(0) + " " + Scope(1) + " " + Scope(2)}));
  EXPECT_EQ(registry.token_requests().size(), 1u);
}

}  // namespace
}  // namespace imagepin::registry
