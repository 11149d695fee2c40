#include "registry/auth_challenge.h"

#include <gtest/gtest.h>

namespace imagepin::registry {
namespace {

TEST(ParseChallenges, ReadsRegistryBearerChallenge) {
  auto parsed =
      ParseChallenges(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",)"
                      R"(scope="repository:library/nginx:pull")");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const Challenge& c = parsed->front();
  EXPECT_TRUE(c.Is("bearer"));
  EXPECT_EQ(c.Param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c.Param("service"), "registry.docker.io");
  EXPECT_EQ(c.Param("scope"), "repository:library/nginx:pull");
}

TEST(ParseChallenges, KeepsCommasInsideQuotedValues) {
  auto parsed = ParseChallenges(
      R"(Bearer realm="https://a/token",scope="repository:a/b:pull,push",error="insufficient_scope")");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ(parsed->front().Param("scope"), "repository:a/b:pull,push");
  EXPECT_EQ(parsed->front().Param("error"), "insufficient_scope");
}

TEST(ParseChallenges, UnescapesQuotedPairs) {
  auto parsed = ParseChallenges(R"(Basic realm="say \"hi\" \\ there")");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->front().Param("realm"), R"(say "hi" \ there)");
}

TEST(ParseChallenges, SplitsSeveralChallenges) {
  auto parsed = ParseChallenges(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].scheme, "Newauth");
  EXPECT_EQ((*parsed)[0].Param("type"), "1");
  EXPECT_EQ((*parsed)[0].Param("title"), R"(Login to "apps")");
  EXPECT_TRUE((*parsed)[1].Is("Basic"));
  EXPECT_EQ((*parsed)[1].Param("realm"), "simple");
}

TEST(ParseChallenges, ParamNamesAreCaseInsensitiveAndSpacesAllowed) {
  auto parsed = ParseChallenges(R"(BASIC  Realm = "r" ,  Charset=UTF-8)");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_TRUE(parsed->front().Is("Basic"));
  EXPECT_EQ(parsed->front().Param("REALM"), "r");
  EXPECT_EQ(parsed->front().Param("charset"), "UTF-8");
}

TEST(ParseChallenges, ReadsBareSchemesAndToken68) {
  auto parsed = ParseChallenges("Negotiate, Other abc+/def==, Basic");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].scheme, "Negotiate");
  EXPECT_TRUE((*parsed)[0].params.empty());
  EXPECT_EQ((*parsed)[1].token68, "abc+/def==");
  EXPECT_EQ((*parsed)[2].scheme, "Basic");
}

TEST(ParseChallenges, RejectsMalformedHeaders) {
  for (const char* bad : {"", "  , ", R"(Bearer realm="unterminated)", R"(Bearer "x")",
                          R"(Bearer realm="a" service="b")"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseChallenges(bad).ok());
  }
}

TEST(ParseChallenges, ErrorDoesNotEchoTheHeader) {
  auto parsed = ParseChallenges(R"(Bearer realm="secret-token-abc)");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.find("secret-token-abc"), std::string::npos);
}

}  // namespace
}  // namespace imagepin::registry
