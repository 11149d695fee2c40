#include "registry/auth.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "registry/token_cache.h"

namespace imagepin::registry {
namespace {

Clock::TimePoint Now() { return Clock::Real().Now(); }

TEST(ParseTokenResponse, ReadsTokenOrAccessToken) {
  auto token = ParseTokenResponse(R"({"token":"abc","expires_in":300})", Now());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->value, "abc");
  auto oauth = ParseTokenResponse(R"({"access_token":"xyz","token_type":"Bearer"})", Now());
  ASSERT_TRUE(oauth.ok());
  EXPECT_EQ(oauth->value, "xyz");
  auto both = ParseTokenResponse(R"({"token":"","access_token":"second"})", Now());
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->value, "second");
}

TEST(ParseTokenResponse, UsesNinetyPercentOfTheLifetime) {
  auto now = Now();
  auto token = ParseTokenResponse(R"({"token":"abc","expires_in":100})", now);
  ASSERT_TRUE(token.ok());
  EXPECT_GT(token->expires, now + std::chrono::seconds(89));
  EXPECT_LT(token->expires, now + std::chrono::seconds(91));
  auto fallback = ParseTokenResponse(R"({"token":"abc"})", now);  // the spec's 60 s default
  ASSERT_TRUE(fallback.ok());
  EXPECT_GT(fallback->expires, now + std::chrono::seconds(53));
  EXPECT_LT(fallback->expires, now + std::chrono::seconds(55));
}

TEST(ParseTokenResponse, RejectsResponsesWithoutTokenAndNeverEchoesThem) {
  for (const char* body : {"", "{}", R"({"token":5})", R"({"secret":"hunter2"})", "hunter2"}) {
    SCOPED_TRACE(body);
    auto token = ParseTokenResponse(body, Now());
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, ErrorKind::kBadResponse);
    EXPECT_EQ(token.error().ToString().find("hunter2"), std::string::npos);
  }
}

TEST(ParseTokenResponse, ClampsExpiresInToADayAndASecond) {
  auto now = Now();
  auto ninety_percent = [&](std::chrono::seconds lifetime) { return now + lifetime * 9 / 10; };
  for (const char* huge : {"9223372036854775807", "18446744073709551615", "86401"}) {
    SCOPED_TRACE(huge);
    auto token =
        ParseTokenResponse(std::string(R"({"token":"abc","expires_in":)") + huge + "}", now);
    ASSERT_TRUE(token.ok());
    EXPECT_GE(token->expires, ninety_percent(kMaxTokenLifetime));
    EXPECT_LT(token->expires, ninety_percent(kMaxTokenLifetime) + std::chrono::seconds(5));
  }
  for (const char* tiny : {"0", "-5", "-9223372036854775808"}) {
    SCOPED_TRACE(tiny);
    auto token =
        ParseTokenResponse(std::string(R"({"token":"abc","expires_in":)") + tiny + "}", now);
    ASSERT_TRUE(token.ok());
    EXPECT_GE(token->expires, ninety_percent(kMinTokenLifetime));
    EXPECT_LT(token->expires, ninety_percent(kMinTokenLifetime) + std::chrono::seconds(5));
  }
}

TEST(ParseTokenResponse, RefusesTokensThatAreNotBearerCredentialsAndNeverEchoesThem) {
  // JSON escapes: the token holds CR LF, a tab, a NUL, a non-ASCII letter, a quote.
  for (const char* token :
       {R"(abc\r\nX-Injected: yes)", R"(abc\nX-Injected: yes)", "a b", R"(a\tb)", R"(a\u0000b)",
        R"(caf\u00e9)", "a,b", "a;b", R"(a\"b)", "a=b", "==="}) {
    SCOPED_TRACE(token);
    auto parsed = ParseTokenResponse(std::string(R"({"token":")") + token + R"("})", Now());
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().kind, ErrorKind::kBadResponse);
    EXPECT_EQ(parsed.error().ToString().find("Injected"), std::string::npos);
  }
}

TEST(ParseTokenResponse, AcceptsJwtsAndBase64Tokens) {
  for (const char* token : {"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIifQ.c2ln-_",
                            "djE6YWNtZS9hcGk6MTc=", "ya29.a0Af~H+/x", "abc=="}) {
    SCOPED_TRACE(token);
    auto parsed = ParseTokenResponse(std::string(R"({"token":")") + token + R"("})", Now());
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(parsed->value, token);
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
  threads.reserve(16);
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
  threads.reserve(8);
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
  EXPECT_EQ(fetches.load(), 1);
}

TEST(TokenCache, ARefusalIsKeptATemporaryFailureIsAskedAgain) {
  TokenCache cache;
  int fetches = 0;
  auto failing = [&](bool temporary) {
    return [&fetches, temporary]() -> Result<Token> {
      ++fetches;
      RegistryError error;
      error.kind = temporary ? ErrorKind::kServer : ErrorKind::kUnauthorized;
      error.temporary = temporary;
      return error;
    };
  };
  EXPECT_FALSE(cache.Get({"realm", "svc", "refused"}, failing(false)).ok());
  Result<std::string> again = cache.Get({"realm", "svc", "refused"}, failing(false));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(fetches, 1) << "a caller after a refusal is told the refusal";
  EXPECT_FALSE(cache.Get({"realm", "svc", "busy"}, failing(true)).ok());
  Result<std::string> later = cache.Get({"realm", "svc", "busy"}, [] {
    return Result<Token>(Token{"t2", Clock::TimePoint::max(), {}, false});
  });
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, "t2");
  EXPECT_EQ(fetches, 2);
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
  EXPECT_EQ(cache.Invalidate(key, "not-the-cached-one", after_fetch), Rejection::kStale);
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_EQ(cache.Invalidate(key, "t1", after_fetch), Rejection::kStale);
  EXPECT_EQ(cache.Get(key, fetch).value(), "t2");
}

TEST(TokenCache, KeepsATokenFetchedForTheRejectedRequestItself) {
  TokenCache cache;
  int fetches = 0;
  auto fetch = [&]() -> Result<Token> { return MakeToken(fmt::format("t{}", ++fetches)); };
  TokenKey key{"r", "s", "a"};
  auto request_started = std::chrono::steady_clock::now();
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_EQ(cache.Invalidate(key, "t1", request_started), Rejection::kFresh)
      << "a refetch would not help";
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_EQ(fetches, 1);
}

TEST(TokenCache, PutStoresABulkTokenThatPeekSeesAndARefusalForgets) {
  TokenCache cache;
  TokenKey key{"r", "s", "a"};
  EXPECT_EQ(cache.Peek(key), std::nullopt);
  Token bulk = MakeToken("bulk");
  bulk.bulk = true;
  cache.Put(key, bulk);
  EXPECT_EQ(cache.Peek(key), "bulk");
  int fetches = 0;
  auto fetch = [&]() -> Result<Token> { return MakeToken(fmt::format("t{}", ++fetches)); };
  EXPECT_EQ(cache.Get(key, fetch).value(), "bulk");
  // Refused even though fetched for this very request: a bulk token is no final answer.
  auto request_started = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_EQ(cache.Invalidate(key, "bulk", request_started), Rejection::kBulk);
  EXPECT_EQ(cache.Peek(key), std::nullopt);
  EXPECT_EQ(cache.Get(key, fetch).value(), "t1");
  EXPECT_EQ(cache.Invalidate(key, "t1", request_started), Rejection::kFresh);
}

TEST(TokenCache, PutKeepsAnUnexpiredTokenAndReplacesAnExpiredOne) {
  TokenCache cache;
  TokenKey key{"r", "s", "a"};
  cache.Put(key, MakeToken("first"));
  cache.Put(key, MakeToken("second"));
  EXPECT_EQ(cache.Peek(key), "first");
  TokenKey other{"r", "s", "b"};
  cache.Put(other, MakeToken("old", std::chrono::seconds(-1)));
  EXPECT_EQ(cache.Peek(other), std::nullopt) << "expired";
  cache.Put(other, MakeToken("new"));
  EXPECT_EQ(cache.Peek(other), "new");
}

}  // namespace
}  // namespace imagepin::registry
