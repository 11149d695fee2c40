#include "registry/token_scopes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registry/url.h"

namespace imagepin::registry {
namespace {

std::vector<std::string> Scopes(int count, size_t name_length = 8) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string name = "r" + std::to_string(i);
    name.resize(std::max(name.size(), name_length), 'x');
    out.push_back("repository:" + name + ":pull");
  }
  return out;
}

TEST(BatchScopes, CutsInOrderByCount) {
  std::vector<std::string> scopes = Scopes(7);
  std::vector<std::vector<std::string>> batches = BatchScopes(scopes, 3);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0], (std::vector<std::string>{scopes[0], scopes[1], scopes[2]}));
  EXPECT_EQ(batches[2], (std::vector<std::string>{scopes[6]}));
  EXPECT_EQ(BatchScopes({}, 3).size(), 0u);
  EXPECT_EQ(BatchScopes(scopes, 0).size(), 7u) << "a count under one is one";
}

TEST(BatchScopes, KeepsEachBatchsScopeParametersUnderTheByteCap) {
  // 100-character names: about 130 bytes a parameter, so 15 fit in 2,000 bytes, not 25.
  std::vector<std::string> scopes = Scopes(40, 100);
  std::vector<std::vector<std::string>> batches = BatchScopes(scopes, 25);
  ASSERT_GT(batches.size(), 2u);
  size_t total = 0;
  for (const std::vector<std::string>& batch : batches) {
    EXPECT_LE(ScopeQuery(batch).size(), kMaxTokenScopeBytes);
    EXPECT_LT(batch.size(), 25u);
    total += batch.size();
  }
  EXPECT_EQ(total, 40u);
  // A scope longer than the cap is a batch of its own, never dropped.
  std::vector<std::string> huge = {"repository:" + std::string(3000, 'a') + ":pull", scopes[0]};
  EXPECT_EQ(BatchScopes(huge, 25).size(), 2u);
}

TEST(ScopeQuery, RepeatsTheParameterAndTheFormJoinsWithSpaces) {
  std::vector<std::string> scopes = {"repository:a/b:pull", "repository:c:pull"};
  EXPECT_EQ(ScopeQuery(scopes),
            "scope=" + EscapeQueryValue(scopes[0]) + "&scope=" + EscapeQueryValue(scopes[1]));
  EXPECT_EQ(ScopeForm(scopes),
            "scope=" + EscapeQueryValue("repository:a/b:pull repository:c:pull"));
  EXPECT_EQ(ScopeQuery({scopes[0]}), ScopeForm({scopes[0]})) << "one scope: as before";
}

std::string Base64Url(const std::string& bytes) {
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

std::string Jwt(const nlohmann::json& claims) {
  return Base64Url(R"({"alg":"RS256","typ":"JWT"})") + "." + Base64Url(claims.dump()) + ".c2ln";
}

TEST(GrantedAccess, ReadsTheAccessClaimOfAJwt) {
  nlohmann::json access = nlohmann::json::array(
      {{{"type", "repository"}, {"name", "acme/api"}, {"actions", {"pull"}}},
       {{"type", "repository"}, {"name", "acme/web"}, {"actions", {"pull", "push"}}},
       {{"type", "repository"}, {"name", "acme/all"}, {"actions", {"*"}}},
       {{"type", "registry"}, {"name", "catalog"}, {"actions", {"*"}}}});
  std::optional<std::set<std::string>> granted =
      GrantedAccess(Jwt({{"iss", "x"}, {"access", access}}));
  ASSERT_TRUE(granted.has_value());
  EXPECT_TRUE(CoversScope(*granted, "repository:acme/api:pull"));
  EXPECT_FALSE(CoversScope(*granted, "repository:acme/api:pull,push"));
  EXPECT_TRUE(CoversScope(*granted, "repository:acme/web:pull,push"));
  EXPECT_TRUE(CoversScope(*granted, "repository:acme/all:pull"));
  EXPECT_FALSE(CoversScope(*granted, "repository:acme/other:pull"));
  EXPECT_FALSE(CoversScope(*granted, "repository:acme:api:pull")) << "no other name's grant";
  EXPECT_FALSE(CoversScope(*granted, "registry:catalog"));
  EXPECT_FALSE(CoversScope(*granted, "repository:acme/api:"));
}

TEST(GrantedAccess, AnEmptyAccessClaimGrantsNothing) {
  std::optional<std::set<std::string>> granted =
      GrantedAccess(Jwt({{"access", nlohmann::json::array()}}));
  ASSERT_TRUE(granted.has_value());
  EXPECT_FALSE(CoversScope(*granted, "repository:a:pull"));
}

TEST(GrantedAccess, CannotTellForOpaqueOrUnreadableTokens) {
  EXPECT_FALSE(GrantedAccess("djE6YWNtZS9hcGk6MTcwMDAwMDAwMA==").has_value()) << "GHCR-style";
  EXPECT_FALSE(GrantedAccess("a.b").has_value());
  EXPECT_FALSE(GrantedAccess("a.b.c.d").has_value());
  EXPECT_FALSE(GrantedAccess("x." + Base64Url("not json") + ".s").has_value());
  EXPECT_FALSE(GrantedAccess("x.*!.s").has_value());
  EXPECT_FALSE(GrantedAccess(Jwt({{"sub", "me"}})).has_value()) << "no access claim";
  EXPECT_FALSE(GrantedAccess(Jwt({{"access", "all"}})).has_value());
  // Malformed entries grant nothing, and do not hide the good ones.
  std::optional<std::set<std::string>> granted =
      GrantedAccess(Jwt({{"access",
                          {1,
                           {{"type", "repository"}},
                           {{"type", "repository"}, {"name", "a"}, {"actions", {"pull", 3}}}}}}));
  ASSERT_TRUE(granted.has_value());
  EXPECT_EQ(*granted, (std::set<std::string>{"repository:a:pull"}));
}

}  // namespace
}  // namespace imagepin::registry
