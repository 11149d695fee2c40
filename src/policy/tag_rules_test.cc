#include "policy/tag_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace imagepin::policy {
namespace {

const char* KindName(TagKind kind) {
  switch (kind) {
    case TagKind::kBuildSha:
      return "build-sha";
    case TagKind::kSemanticVersion:
      return "semver";
    case TagKind::kReleaseTimestamp:
      return "release-timestamp";
    case TagKind::kAllowed:
      return "allowed";
    case TagKind::kFloating:
      return "floating";
  }
  return "?";
}

struct TagCase {
  const char* tag;
  TagKind kind;
};

void ExpectKinds(const Config& config, std::initializer_list<TagCase> cases) {
  for (const TagCase& c : cases) {
    SCOPED_TRACE(c.tag);
    EXPECT_STREQ(KindName(ClassifyTag(c.tag, config)), KindName(c.kind));
  }
}

TEST(ClassifyTag, BuildShas) {
  ExpectKinds(Config{}, {
                            {"3f2a9c1", TagKind::kBuildSha},
                            {"3f2a9c1e6b0d4a7c8e9f1a2b3c4d5e6f7a8b9c0d", TagKind::kBuildSha},
                            {"e7a41d2b", TagKind::kBuildSha},
                            // Too short, too long, or not lowercase: not a commit id.
                            {"3f2a9c", TagKind::kFloating},
                            {"3f2a9c1e6b0d4a7c8e9f1a2b3c4d5e6f7a8b9c0d1", TagKind::kFloating},
                            {"3F2A9C1", TagKind::kFloating},
                            {"3f2a9cG", TagKind::kFloating},
                        });
}

TEST(ClassifyTag, SemanticVersions) {
  ExpectKinds(Config{},
              {
                  {"v1.2.3", TagKind::kSemanticVersion},
                  {"1.36", TagKind::kSemanticVersion},
                  {"2.8.2-alpine", TagKind::kSemanticVersion},
                  {"16.4.0-debian-12-r0", TagKind::kSemanticVersion},
                  {"v1.0.0-rc.1+build.5", TagKind::kSemanticVersion},
                  {"1.2.3.4", TagKind::kSemanticVersion},
                  {"1.27.0_1", TagKind::kSemanticVersion},
                  // A bare major counts only with a numbered suffix (a build or revision).
                  {"11-debian-11-r93", TagKind::kSemanticVersion},
                  {"v20231011-8b53cabe0", TagKind::kSemanticVersion},
              });
}

TEST(ClassifyTag, ReleaseTimestamp) {
  ExpectKinds(Config{}, {
                            {"RELEASE.2023-12-23T07-19-11Z", TagKind::kReleaseTimestamp},
                            {"RELEASE.2023-12-23", TagKind::kFloating},
                        });
}

TEST(ClassifyTag, FloatingTags) {
  ExpectKinds(Config{}, {
                            {"latest", TagKind::kFloating},
                            {"main", TagKind::kFloating},
                            {"dev", TagKind::kFloating},
                            {"stable", TagKind::kFloating},
                            {"7", TagKind::kFloating},
                            {"v1", TagKind::kFloating},
                            {"7-alpine", TagKind::kFloating},
                            {"1.2.", TagKind::kFloating},
                            {"release", TagKind::kFloating},
                            {"1.2.3.4.5", TagKind::kFloating},
                            {"v1.2.3-", TagKind::kFloating},
                            {"pr-1234", TagKind::kFloating},
                            {"", TagKind::kFloating},
                        });
}

TEST(ClassifyTag, TagsAllowPatternMatchesTheWholeTag) {
  base::Result<Config> config = ParseConfig("tags:\n  allow: ['release-\\d+']\n", ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  ExpectKinds(*config, {
                           {"release-42", TagKind::kAllowed},
                           {"xrelease-42", TagKind::kFloating},
                           {"release-42x", TagKind::kFloating},
                           {"release-", TagKind::kFloating},
                           // Built-in kinds still win over a pattern.
                           {"1.2.3", TagKind::kSemanticVersion},
                       });
  // Without the pattern the same tag floats.
  EXPECT_EQ(ClassifyTag("release-42", Config{}), TagKind::kFloating);
}

// `(a|a)*b` backtracks exponentially in std::regex (over 60 s on a 121-character tag); RE2
// matches in time linear in the tag, so both answers come back at once.
TEST(ClassifyTag, CatastrophicPatternStaysLinear) {
  base::Result<Config> config = ParseConfig("tags:\n  allow: ['(a|a)*b', '(a*)*c']\n", "c");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const std::string as(121, 'a');
  ExpectKinds(*config, {
                           {as.c_str(), TagKind::kFloating},
                           {(as + "b").c_str(), TagKind::kAllowed},
                           {(as + "c").c_str(), TagKind::kAllowed},
                           {(as + "x").c_str(), TagKind::kFloating},
                       });
}

TEST(ClassifyTag, CopiedConfigSharesCompiledPatterns) {
  base::Result<Config> config = ParseConfig("tags:\n  allow: ['r\\d+']\n", "c");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  Config copy = *config;
  ASSERT_EQ(copy.tag_allow_regex.size(), 1u);
  EXPECT_EQ(copy.tag_allow_regex[0].get(), config->tag_allow_regex[0].get());
  EXPECT_EQ(ClassifyTag("r1432", copy), TagKind::kAllowed);
}

TEST(IsWellKnownChannel, NamesTheChannels) {
  for (const char* tag :
       {"latest", "main", "master", "dev", "develop", "edge", "nightly", "stable"}) {
    SCOPED_TRACE(tag);
    EXPECT_TRUE(IsWellKnownChannel(tag));
  }
  for (const char* tag : {"canary", "beta", "Latest", "latest-1", "v1.2.3", "3f2a9c1", ""}) {
    SCOPED_TRACE(tag);
    EXPECT_FALSE(IsWellKnownChannel(tag));
  }
}

}  // namespace
}  // namespace imagepin::policy
