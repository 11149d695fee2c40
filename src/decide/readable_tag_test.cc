// bump.readableTag and the trailing-comment check, on data only.
#include "decide/readable_tag.h"

#include <gtest/gtest.h>

#include "decide/bump.h"
#include "plan/workspace.h"

namespace imagepin::decide {
namespace {

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

registry::Manifest Index(char digest, std::string revision) {
  registry::Manifest m;
  m.digest = Digest(digest);
  m.is_index = true;
  m.platforms = {{"linux", "amd64", ""}, {"linux", "arm64", ""}};
  m.revision = std::move(revision);
  return m;
}

registry::RegistryError NotFound() {
  registry::RegistryError e;
  e.kind = registry::ErrorKind::kNotFound;
  e.http_status = 404;
  e.message = "manifest unknown";
  return e;
}

const std::vector<std::string> kPlatforms{"linux/amd64", "linux/arm64"};
const std::string kSha = "3f2a9c1d0e5b6a7980f1e2d3c4b5a69788796a5b";

TEST(TagForRevision, AGitShaGivesItsSevenCharacterShortForm) {
  EXPECT_EQ(TagForRevision(kSha).tag, "3f2a9c1");
  EXPECT_EQ(TagForRevision(std::string(64, 'a')).tag, "aaaaaaa") << "a sha256 repository";
  EXPECT_EQ(TagForRevision("3f2a9c1").tag, "3f2a9c1");
}

TEST(TagForRevision, AnotherValidTagIsUsedAsItIsAndAnythingElseIsNone) {
  EXPECT_EQ(TagForRevision("v1.4.2").tag, "v1.4.2");
  EXPECT_EQ(TagForRevision("3F2A9C1D").tag, "3F2A9C1D") << "not lowercase hex: a tag as written";
  RevisionTag bad = TagForRevision("refs/heads/main");
  EXPECT_EQ(bad.tag, "");
  EXPECT_NE(bad.why_none.find("\"refs/heads/main\", which is neither a git SHA nor a tag"),
            std::string::npos)
      << bad.why_none;
  EXPECT_EQ(TagForRevision("").tag, "");
  EXPECT_NE(TagForRevision("").why_none.find("no org.opencontainers.image.revision"),
            std::string::npos);
  EXPECT_EQ(TagForRevision(std::string(129, 'x')).tag, "") << "longer than a tag may be";
}

TEST(CommentNames, FindsAWordOrARevisionsShortForm) {
  EXPECT_TRUE(CommentNames("# main @ 3f2a9c1", "3f2a9c1"));
  EXPECT_TRUE(CommentNames("# main @ 3f2a9c1", kSha)) << "the short form of the full SHA";
  EXPECT_TRUE(CommentNames("# built from 3f2a9c1d.", kSha));
  EXPECT_FALSE(CommentNames("# main @ 3f2a9c", kSha)) << "six characters are not a revision";
  EXPECT_FALSE(CommentNames("# x3f2a9c1", "3f2a9c1")) << "part of another word";
  EXPECT_FALSE(CommentNames("# bumped by CI", "3f2a9c1"));
  EXPECT_FALSE(CommentNames("# v1.2.30", "v1.2.3"));
}

TEST(CommentAfter, IsTheCommentAfterTheScalarOnItsLine) {
  policy::Config config;
  plan::ScannedFile f = plan::ScanText(
      {"", "a.yaml"},
      "image:\n  ref: \"ghcr.io/acme/api@" + Digest('1') + "\"   # main @ 3f2a9c1\n", config);
  ASSERT_EQ(f.scan.fields.images.size(), 1u);
  TrailingComment c = CommentAfter(f.scan.fields.images[0].ref);
  EXPECT_EQ(c.text, "# main @ 3f2a9c1");
  EXPECT_EQ(c.column, 7 + (1 + 17 + 71 + 1) + 3 + 1);
  plan::ScannedFile none = plan::ScanText(
      {"", "b.yaml"}, "image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n", config);
  EXPECT_EQ(CommentAfter(none.scan.fields.images[0].ref).text, "");
}

// One dev field, written with a trailing comment naming its build.
class ReadableTagTest : public ::testing::Test {
 protected:
  void Scan(const std::string& text) {
    config_.first_party.include = {"ghcr.io/acme/"};
    std::vector<plan::ScannedFile> files;
    files.push_back(plan::ScanText({"", "sources/values/env/dev/api.yaml"}, text, config_));
    lanes_.clear();
    lanes_.push_back(plan::MakeEnvironment("dev", "sources/values/env/dev", std::move(files)));
    found_ = plan::FindBumpTargets(lanes_, config_);
    ASSERT_EQ(found_.targets.size(), 1u);
    held_ = {nullptr};
  }

  policy::Config config_;
  std::vector<plan::EnvironmentImages> lanes_;
  plan::BumpTargets found_;
  std::vector<const policy::Hold*> held_;
};

TEST_F(ReadableTagTest, AConfirmedTagIsWrittenBesideTheDigest) {
  Scan("image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n");
  std::vector<registry::Result<registry::Manifest>> resolved = {Index('2', kSha)};
  BumpTagging tagging;
  tagging.tags = ReadableTagCandidates(found_, held_, resolved);
  std::vector<ref::Reference> ask = ReadableTagsToConfirm(found_, tagging.tags);
  ASSERT_EQ(ask.size(), 1u);
  EXPECT_EQ(ask[0].Normalized(), "ghcr.io/acme/api:3f2a9c1");
  ConfirmReadableTags({Index('2', "")}, &tagging.tags);
  BumpDecision d = DecideBump(found_, held_, resolved, kPlatforms, false, tagging);
  ASSERT_EQ(d.edits.size(), 1u);
  EXPECT_EQ(d.edits[0].new_text, "ghcr.io/acme/api:3f2a9c1@" + Digest('2'));
  EXPECT_EQ(d.outcomes[0].readable_tag, "3f2a9c1");
  EXPECT_TRUE(d.outcomes[0].notes.empty());
  EXPECT_TRUE(d.diagnostics.empty());
}

TEST_F(ReadableTagTest, AMissingOrMovedTagFallsBackToTheDigestWithANote) {
  Scan("image:\n  ref: ghcr.io/acme/api:0000000@" + Digest('1') + "\n");
  std::vector<registry::Result<registry::Manifest>> resolved = {Index('2', kSha)};
  for (bool missing : {true, false}) {
    SCOPED_TRACE(missing ? "missing" : "elsewhere");
    BumpTagging tagging;
    tagging.tags = ReadableTagCandidates(found_, held_, resolved);
    ConfirmReadableTags(
        {missing ? registry::Result<registry::Manifest>(NotFound()) : Index('9', "")},
        &tagging.tags);
    BumpDecision d = DecideBump(found_, held_, resolved, kPlatforms, false, tagging);
    EXPECT_FALSE(d.failed) << "a tag that cannot be confirmed is no failure";
    ASSERT_EQ(d.edits.size(), 1u);
    EXPECT_EQ(d.edits[0].new_text, "ghcr.io/acme/api@" + Digest('2'));
    ASSERT_EQ(d.diagnostics.size(), 1u);
    EXPECT_EQ(d.diagnostics[0].severity, base::Severity::kNote);
    EXPECT_EQ(d.diagnostics[0].pos.line, 2);
    EXPECT_EQ(d.diagnostics[0].message,
              missing ? "no readable tag: tag \"3f2a9c1\" (the image's revision) is not in the "
                        "registry; writing the digest alone"
                      : "no readable tag: tag \"3f2a9c1\" (the image's revision) names " +
                            Digest('9') + ", not " + Digest('2') + "; writing the digest alone");
  }
}

TEST_F(ReadableTagTest, WithoutARevisionTheNoteSaysSo) {
  Scan("image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n");
  std::vector<registry::Result<registry::Manifest>> resolved = {Index('2', "")};
  BumpTagging tagging;
  tagging.tags = ReadableTagCandidates(found_, held_, resolved);
  EXPECT_TRUE(ReadableTagsToConfirm(found_, tagging.tags).empty());
  BumpDecision d = DecideBump(found_, held_, resolved, kPlatforms, false, tagging);
  EXPECT_EQ(d.edits[0].new_text, "ghcr.io/acme/api@" + Digest('2'));
  ASSERT_EQ(d.outcomes[0].notes.size(), 1u);
  EXPECT_NE(d.outcomes[0].notes[0].find("carries no org.opencontainers.image.revision"),
            std::string::npos);
}

TEST_F(ReadableTagTest, NoneKeepsTodaysBumpAndDropsAWrittenTag) {
  Scan("image:\n  ref: ghcr.io/acme/api:3f2a9c1@" + Digest('1') + "\n");
  BumpDecision d = DecideBump(found_, held_, {Index('2', kSha)}, kPlatforms, false);
  EXPECT_EQ(d.edits[0].new_text, "ghcr.io/acme/api@" + Digest('2'));
  EXPECT_EQ(d.outcomes[0].readable_tag, "");
}

TEST_F(ReadableTagTest, AStaleCommentIsANoteAndIsNotRewritten) {
  std::string text = "image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "  # main @ 3f2a9c1\n";
  Scan(text);
  std::vector<registry::Result<registry::Manifest>> resolved = {
      Index('2', "b7e41d09a8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3")};
  std::vector<size_t> which;
  std::vector<ref::Reference> old = OldDigestsToLookUp(found_, held_, resolved, &which);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].Normalized(), "ghcr.io/acme/api@" + Digest('1'));
  BumpTagging tagging;
  tagging.old_revisions = {kSha};
  BumpDecision d = DecideBump(found_, held_, resolved, kPlatforms, false, tagging);
  ASSERT_EQ(d.edits.size(), 1u);
  EXPECT_EQ(d.edits[0].new_text, "ghcr.io/acme/api@" + Digest('2')) << "only the scalar";
  ASSERT_EQ(d.diagnostics.size(), 1u);
  EXPECT_EQ(d.diagnostics[0].severity, base::Severity::kNote);
  EXPECT_EQ(d.diagnostics[0].pos.line, 2);
  EXPECT_EQ(d.diagnostics[0].pos.column, 7 + 17 + 71 + 2 + 1);
  EXPECT_EQ(d.diagnostics[0].message,
            "comment names 3f2a9c1, the field now points at b7e41d0 (the comment is left as it "
            "is)");
}

TEST_F(ReadableTagTest, ACommentNamingTheOldTagIsStaleButTheChannelIsNot) {
  Scan("image:\n  ref: ghcr.io/acme/api:3f2a9c1@" + Digest('1') + "  # 3f2a9c1 from main\n");
  BumpDecision d = DecideBump(found_, held_, {Index('2', "")}, kPlatforms, false, BumpTagging{});
  ASSERT_EQ(d.diagnostics.size(), 1u);
  EXPECT_EQ(d.diagnostics[0].message,
            "comment names 3f2a9c1, the field now points at sha256:222222222222 (the comment is "
            "left as it is)");
  Scan("image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "  # follows main\n");
  EXPECT_TRUE(DecideBump(found_, held_, {Index('2', "")}, kPlatforms, false, BumpTagging{})
                  .diagnostics.empty());
}

TEST_F(ReadableTagTest, AnUnchangedFieldSaysNothing) {
  Scan("image:\n  ref: ghcr.io/acme/api@" + Digest('2') + "  # main @ 3f2a9c1\n");
  std::vector<registry::Result<registry::Manifest>> resolved = {Index('2', "")};
  std::vector<size_t> which;
  EXPECT_TRUE(OldDigestsToLookUp(found_, held_, resolved, &which).empty());
  BumpTagging tagging;
  tagging.tags = ReadableTagCandidates(found_, held_, resolved);
  tagging.old_revisions = {kSha};
  BumpDecision d = DecideBump(found_, held_, resolved, kPlatforms, false, tagging);
  EXPECT_TRUE(d.diagnostics.empty());
  EXPECT_EQ(d.WouldChange(), 0);
}

}  // namespace
}  // namespace imagepin::decide
