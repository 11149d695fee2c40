#include "plan/insert.h"

#include <gtest/gtest.h>

#include <string>

#include "base/sha256.h"
#include "rewrite/splice.h"
#include "yaml/parser.h"

namespace imagepin::plan {
namespace {

struct Parsed {
  std::string contents;
  std::vector<yaml::Document> documents;
  ValuesFile file;
};

Parsed Parse(std::string contents) {
  Parsed p;
  p.contents = std::move(contents);
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  EXPECT_TRUE(parser.Parse(
      p.contents, [](const yaml::Document&) {}, &error, &p.documents));
  p.file = {"/r/v.yaml", "v.yaml", true, p.contents,
            p.documents.empty() ? nullptr : &p.documents[0]};
  return p;
}

std::string Applied(const Parsed& p, const rewrite::Edit& e) {
  base::Result<std::string> out = rewrite::Splice(p.contents, {e});
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : "";
}

TEST(InsertKeys, UnderAnExistingImageMappingLf) {
  Parsed p = Parse("image:\n  pullPolicy: Always # keep\nreplicas: 2\n");
  base::Result<rewrite::Edit> e = InsertKeys(p.file, {"image"}, {{"ref", "a@sha256:1"}}, "r");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(e->begin, e->end);
  EXPECT_EQ(e->new_text, "  ref: a@sha256:1\n");
  EXPECT_EQ(e->file_sha256, base::Sha256Digest(p.contents));
  EXPECT_EQ(Applied(p, *e),
            "image:\n  pullPolicy: Always # keep\n  ref: a@sha256:1\nreplicas: 2\n");
}

TEST(InsertKeys, UnderAnExistingImageMappingCrlfWithItsIndentation) {
  Parsed p = Parse("image:\r\n    pullPolicy: Always\r\n");
  base::Result<rewrite::Edit> e = InsertKeys(p.file, {"image"}, {{"ref", "a@sha256:1"}}, "r");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(Applied(p, *e), "image:\r\n    pullPolicy: Always\r\n    ref: a@sha256:1\r\n");
}

TEST(InsertKeys, AppendedAsANewBlockInTheFilesIndentStep) {
  Parsed p = Parse("resources:\r\n    cpu: 1\r\n# end\r\n");
  base::Result<rewrite::Edit> e =
      InsertKeys(p.file, {"migrations", "image"}, {{"ref", "a@sha256:1"}}, "r");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(Applied(p, *e),
            "resources:\r\n    cpu: 1\r\n# end\r\nmigrations:\r\n    image:\r\n        ref: "
            "a@sha256:1\r\n");
}

TEST(InsertKeys, AppendedToAFileWithoutAFinalLineBreak) {
  Parsed p = Parse("replicas: 2");
  base::Result<rewrite::Edit> e = InsertKeys(p.file, {"image"}, {{"ref", "x"}}, "r");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Applied(p, *e), "replicas: 2\nimage:\n  ref: x\n");
}

TEST(InsertKeys, ANewFile) {
  ValuesFile file{"/r/new.yaml", "new.yaml", false, {}, nullptr};
  base::Result<rewrite::Edit> e = InsertKeys(file, {"image"}, {{"ref", "x"}}, "r");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->CreatesFile());
  EXPECT_EQ(e->begin, 0u);
  EXPECT_EQ(e->new_text, "image:\n  ref: x\n");
}

TEST(InsertKeys, RefusesAFlowMappingAnAliasAndAnExistingKey) {
  EXPECT_FALSE(
      InsertKeys(Parse("image: {pullPolicy: Always}\n").file, {"image"}, {{"ref", "x"}}, "r").ok());
  EXPECT_FALSE(
      InsertKeys(Parse("base: &b\n  a: 1\nimage: *b\n").file, {"image"}, {{"ref", "x"}}, "r").ok());
  EXPECT_FALSE(InsertKeys(Parse("image:\n  ref: y\n").file, {"image"}, {{"ref", "x"}}, "r").ok());
}

TEST(ScalarText, PlainWhenSafeElseDoubleQuoted) {
  EXPECT_EQ(ScalarText("ghcr.io/a:1@sha256:ab"), "ghcr.io/a:1@sha256:ab");
  EXPECT_EQ(ScalarText("1.10"), "\"1.10\"");
}

// AppendListItem: how rollback adds its hold to .imagepin.yaml.

TEST(AppendListItem, AfterTheLastItemIndentedLikeTheFirst) {
  Parsed p = Parse(
      "bump:\n  channel: main\n  holds:\n    - {app: web, env: dev, reason: x}  # INC-1\n"
      "    - app: api\n      env: dev\n      reason: y\nplatforms: [linux/amd64]\n");
  base::Result<rewrite::Edit> e =
      AppendListItem(p.file, {"bump", "holds"}, "{app: a, env: dev}", "r");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(e->begin, e->end);
  EXPECT_EQ(e->line, 8);
  EXPECT_EQ(Applied(p, *e),
            "bump:\n  channel: main\n  holds:\n    - {app: web, env: dev, reason: x}  # INC-1\n"
            "    - app: api\n      env: dev\n      reason: y\n    - {app: a, env: dev}\n"
            "platforms: [linux/amd64]\n");
}

TEST(AppendListItem, AnIndentlessListWithCrlf) {
  Parsed p = Parse("bump:\r\n  holds:\r\n  - {app: web, env: dev, reason: x}\r\n");
  base::Result<rewrite::Edit> e = AppendListItem(p.file, {"bump", "holds"}, "{app: a}", "r");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(Applied(p, *e),
            "bump:\r\n  holds:\r\n  - {app: web, env: dev, reason: x}\r\n  - {app: a}\r\n");
}

TEST(AppendListItem, CreatesTheMissingKeys) {
  Parsed bump = Parse("firstParty: [ghcr.io/acme/]\nbump:\n    channel: main\nplatforms: []\n");
  base::Result<rewrite::Edit> e = AppendListItem(bump.file, {"bump", "holds"}, "{app: a}", "r");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(Applied(bump, *e),
            "firstParty: [ghcr.io/acme/]\nbump:\n    channel: main\n    holds:\n        - "
            "{app: a}\nplatforms: []\n");
  Parsed none = Parse("firstParty: [ghcr.io/acme/]  # no newline at the end");
  base::Result<rewrite::Edit> n = AppendListItem(none.file, {"bump", "holds"}, "{app: a}", "r");
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(Applied(none, *n),
            "firstParty: [ghcr.io/acme/]  # no newline at the end\nbump:\n  holds:\n    - "
            "{app: a}\n");
  ValuesFile absent{"/r/.imagepin.yaml", ".imagepin.yaml", false, {}, nullptr};
  base::Result<rewrite::Edit> created = AppendListItem(absent, {"bump", "holds"}, "{app: a}", "r");
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->CreatesFile());
  EXPECT_EQ(created->new_text, "bump:\n  holds:\n    - {app: a}\n");
}

TEST(AppendListItem, RefusesAFlowOrEmptyList) {
  for (const char* text : {"bump:\n  holds: []\n", "bump:\n  holds: [{app: a, env: dev}]\n",
                           "bump:\n  holds:\n", "bump: {holds: []}\n"}) {
    SCOPED_TRACE(text);
    Parsed p = Parse(text);
    base::Result<rewrite::Edit> e = AppendListItem(p.file, {"bump", "holds"}, "{app: a}", "r");
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, base::ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace imagepin::plan
