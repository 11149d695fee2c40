#include "policy/tag_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace imagepin::policy {
namespace {

// The class names docs/rules.md#tag-classes uses in its table.
std::string KindName(TagKind kind) {
  switch (kind) {
    case TagKind::kBuildSha:
      return "build SHA";
    case TagKind::kSemanticVersion:
      return "version";
    case TagKind::kReleaseTimestamp:
      return "release timestamp";
    case TagKind::kAllowed:
      return "allowed";
    case TagKind::kFloating:
      return "floating";
  }
  return "?";
}

struct TagCase {
  std::string tag;
  std::string kind;
  bool operator==(const TagCase&) const = default;
};

// The grammar's examples, the same rows, in the same order, as the table in
// docs/rules.md#tag-classes (DocsTableIsThisTable keeps the two in step).
const std::vector<TagCase> kTagClasses = {
    {"3f2a9c1", "build SHA"},
    {"3f2a9c1e6b0d4a7c8e9f1a2b3c4d5e6f7a8b9c0d", "build SHA"},
    {"v1.2.3", "version"},
    {"1.36", "version"},
    {"1.2.3.4", "version"},
    {"2.8.2-alpine", "version"},
    {"1.6.0-alpine3.20", "version"},
    {"v2.53.0-ubi9", "version"},
    {"1.27.0_1", "version"},
    {"16.4.0-debian-12-r0", "version"},
    {"v1.0.0-rc.1+build.5", "version"},
    {"11-debian-11-r93", "version"},
    {"v20231011-8b53cabe0", "version"},
    {"distroless-v1.33.0", "version"},
    {"pg17-0.112.0", "version"},
    {"debug_v1.2.3-rc.1", "version"},
    {"RELEASE.2023-12-23T07-19-11Z", "release timestamp"},
    {"RELEASE.2023-12-23", "floating"},
    {"latest", "floating"},
    {"main", "floating"},
    {"stable", "floating"},
    {"edge", "floating"},
    {"lts", "floating"},
    {"nightly", "floating"},
    {"feature-login", "floating"},
    {"pr-1234", "floating"},
    {"stable-alpine", "floating"},
    {"node20-alpine", "floating"},
    {"7", "floating"},
    {"v2", "floating"},
    {"7-alpine", "floating"},
    {"release-v1", "floating"},
    {"1.2.", "floating"},
    {"1.2.3.4.5", "floating"},
    {"v1.2.3-", "floating"},
    {"1.2.3alpine", "floating"},
    {"-1.2.3", "floating"},
    {"3f2a9c", "floating"},
    {"3F2A9C1", "floating"},
};

TEST(ClassifyTag, TheGrammarsTable) {
  for (const TagCase& c : kTagClasses) {
    SCOPED_TRACE(c.tag);
    EXPECT_EQ(KindName(ClassifyTag(c.tag, Config{})), c.kind);
  }
}

// The rows `| `tag` | class |` of docs/rules.md's "### Tag classes" table.
std::vector<TagCase> ReadDocsTable() {
  std::ifstream in(std::string(IMAGEPIN_SOURCE_DIR) + "/docs/rules.md");
  std::vector<TagCase> rows;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) in_section = line == "### Tag classes";
    if (!in_section || !line.starts_with("| `")) continue;
    size_t close = line.find("` | ", 3);
    if (close == std::string::npos || !line.ends_with(" |")) continue;
    rows.push_back(
        {line.substr(3, close - 3), line.substr(close + 4, line.size() - 2 - (close + 4))});
  }
  return rows;
}

TEST(ClassifyTag, DocsTableIsThisTable) {
  std::vector<TagCase> docs = ReadDocsTable();
  ASSERT_FALSE(docs.empty()) << "no table under \"### Tag classes\" in docs/rules.md";
  EXPECT_EQ(docs.size(), kTagClasses.size());
  for (size_t i = 0; i < std::min(docs.size(), kTagClasses.size()); ++i) {
    EXPECT_EQ(docs[i].tag, kTagClasses[i].tag) << "row " << i + 1;
    EXPECT_EQ(docs[i].kind, kTagClasses[i].kind) << docs[i].tag;
  }
}

TEST(ClassifyTag, EmptyTagFloats) { EXPECT_EQ(ClassifyTag("", Config{}), TagKind::kFloating); }

// A tag of the grammar's alphabet that is almost a version everywhere: each `-` is a place a
// version could start after a prefix. Classified in time linear in its length.
TEST(ClassifyTag, NearMissesStayLinear) {
  std::string tag = "a";
  while (tag.size() < 200000) tag += "-1.2x";
  EXPECT_EQ(ClassifyTag(tag, Config{}), TagKind::kFloating);
  EXPECT_EQ(ClassifyTag(tag + "-1.2", Config{}), TagKind::kSemanticVersion);
}

void ExpectKinds(const Config& config,
                 std::initializer_list<std::pair<std::string, TagKind>> cases) {
  for (const auto& [tag, kind] : cases) {
    SCOPED_TRACE(tag);
    EXPECT_EQ(KindName(ClassifyTag(tag, config)), KindName(kind));
  }
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
                           {as, TagKind::kFloating},
                           {as + "b", TagKind::kAllowed},
                           {as + "c", TagKind::kAllowed},
                           {as + "x", TagKind::kFloating},
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
