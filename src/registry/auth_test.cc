#include "registry/auth.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "registry/token_cache.h"

namespace imagepin::registry {
namespace {

TEST(ParseTokenResponse, ReadsTokenOrAccessToken) {
  auto token = ParseTokenResponse(R"({"token":"abc","expires_in":300})");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->value, "abc");
  auto oauth = ParseTokenResponse(R"({"access_token":"xyz","token_type":"Bearer"})");
  ASSERT_TRUE(oauth.ok());
  EXPECT_EQ(oauth->value, "xyz");
  auto both = ParseTokenResponse(R"({"token":"","access_token":"second"})");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->value, "second");
}

TEST(ParseTokenResponse, UsesNinetyPercentOfTheLifetime) {
  auto now = std::chrono::steady_clock::now();
  auto token = ParseTokenResponse(R"({"token":"abc","expires_in":100})");
  ASSERT_TRUE(token.ok());
  EXPECT_GT(token->expires, now + std::chrono::seconds(89));
  EXPECT_LT(token->expires, now + std::chrono::seconds(91));
  auto fallback = ParseTokenResponse(R"({"token":"abc"})");  // the spec's 60 s default
  ASSERT_TRUE(fallback.ok());
  EXPECT_GT(fallback->expires, now + std::chrono::seconds(53));
  EXPECT_LT(fallback->expires, now + std::chrono::seconds(55));
}

TEST(ParseTokenResponse, RejectsResponsesWithoutTokenAndNeverEchoesThem) {
  for (const char* body : {"", "{}", R"({"token":5})", R"({"secret":"hunter2"})", "hunter2"}) {
    SCOPED_TRACE(body);
    auto token = ParseTokenResponse(body);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, ErrorKind::kBadResponse);
    EXPECT_EQ(token.error().ToString().find("hunter2"), std::string::npos);
  }
}

TEST(BasicAuthorization, EncodesUserColonPassword) {
  EXPECT_EQ(BasicAuthorization({"Aladdin", "open sesame", ""}),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(BasicAuthorization({"a", "", ""}), "Basic YTo=");
}

TEST(PullScope, NamesTheRepository) {
  EXPECT_EQ(PullScope("library/nginx"), "repository:library/nginx:pull");
}

Token MakeToken(std::string value, std::chrono::seconds ttl = std::chrono::seconds(60)) {
  Token token;
  token.value = std::move(value);
  token.expires = std::chrono::steady_clock::now() + ttl;
  return token;
}

TEST(TokenCache, FetchesOnceForManyConcurrentCallers) {
  TokenCache cache;
  std::atomic<int> fetches{0};
  std::vector<std::thread> threads;
  std::vector<std::string> got(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto token = cache.Get({"realm", "svc", "repository:a:pull"}, [&]() -> Result<Token> {
        ++fetches;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return MakeToken("t1");
      });
      got[i] = token.ok() ? token.value() : "error";
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(fetches.load(), 1);
  for (const std::string& value : got) EXPECT_EQ(value, "t1");
}

TEST(TokenCache, SharesAFailureWithTheCallersThatWaitedForIt) {
  TokenCache cache;
  std::atomic<int> fetches{0};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto token = cache.Get({"realm", "svc", "s"}, [&]() -> Result<Token> {
        ++fetches;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        RegistryError error;
        error.kind = ErrorKind::kUnauthorized;
        return error;
      });
      if (!token.ok()) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 8);
  EXPECT_LE(fetches.load(), 2);  // normally 1; a caller arriving after the failure tries again
}

TEST(TokenCache, KeepsTokensPerKeyAndRefetchesExpiredOnes) {
  TokenCache cache;
  int fetches = 0;
  auto fetch = [&](std::chrono::seconds ttl) {
    return [&fetches, ttl]() -> Result<Token> {
      return MakeToken(fmt::format("t{}", ++fetches), ttl);
    };
  };
  EXPECT_EQ(cache.Get({"r", "s", "a"}, fetch(std::chrono::seconds(60))).value(), "t1");
  EXPECT_EQ(cache.Get({"r", "s", "a"}, fetch(std::chrono::seconds(60))).value(), "t1");
  EXPECT_EQ(cache.Get({"r", "s", "b"}, fetch(std::chrono::seconds(-1))).value(), "t2");
  EXPECT_EQ(cache.Get({"r", "s", "b"}, fetch(std::chrono::seconds(60))).value(), "t3");
}

TEST(TokenCache, InvalidateDropsOnlyTheRejectedToken) {
  TokenCache cache;
  int fetches = 0;
  auto fetch = [&]() -> Result<Token> { return MakeToken(fmt::format("t{}", ++fetches)); };
  TokenKey key{"r", "s", "a"};
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  auto after_fetch = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  EXPECT_TRUE(cache.Invalidate(key, "not-the-cached-one", after_fetch));
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_TRUE(cache.Invalidate(key, "t1", after_fetch));
  EXPECT_EQ(cache.Get(key, fetch).value(), "t2");
}

TEST(TokenCache, KeepsATokenFetchedForTheRejectedRequestItself) {
  TokenCache cache;
  int fetches = 0;
  auto fetch = [&]() -> Result<Token> { return MakeToken(fmt::format("t{}", ++fetches)); };
  TokenKey key{"r", "s", "a"};
  auto request_started = std::chrono::steady_clock::now();
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_FALSE(cache.Invalidate(key, "t1", request_started)) << "a refetch would not help";
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_EQ(fetches, 1);
}

}  // namespace
}  // namespace imagepin::registry
