#include "plan/bump.h"

#include <gtest/gtest.h>

#include "rewrite/apply.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::plan {
namespace {

// The tests' repositories are under ghcr.io/acme/, written as a config would.
policy::Config AcmeConfig() {
  policy::Config config;
  config.first_party.include = {"ghcr.io/acme/"};
  return config;
}

constexpr char kOld[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
constexpr char kNew[] = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

// A repository in the default layout with first- and third-party images in four lanes.
class BumpPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write("sources/values/env/dev/api.yaml",
                std::string("image:\n  ref: ghcr.io/acme/api@") + kOld + "  # bumped by CI\n");
    repo_.Write("sources/values/env/dev/web.yaml",
                "image:\r\n  ref: \"ghcr.io/acme/web:main\"\r\nreplicas: 2\r\n");
    repo_.Write("sources/values/env/dev/redis.yaml",
                "image:\n  ref: docker.io/library/redis:7.2@" + Digest('3') + "\n");
    repo_.Write("sources/values/env/local/api.yaml",
                std::string("image: {ref: 'ghcr.io/acme/api@") + kOld + "'}\n");
    repo_.Write("sources/values/env/staging/api.yaml",
                std::string("image:\n  ref: ghcr.io/acme/api@") + kOld + "\n");
  }

  BumpTargets Find(const std::vector<std::string>& envs) {
    base::Result<std::vector<EnvironmentImages>> lanes = LoadLanes(repo_.str(), config_, envs, 1);
    EXPECT_TRUE(lanes.ok()) << lanes.error().ToString();
    return lanes.ok() ? FindBumpTargets(*lanes, config_) : BumpTargets{};
  }

  testing::TempDir repo_;
  policy::Config config_ = AcmeConfig();
};

TEST_F(BumpPlanTest, FindsFirstPartyRefsOnlyInTheChosenLanes) {
  BumpTargets found = Find({"local", "dev"});
  EXPECT_TRUE(found.problems.empty());
  ASSERT_EQ(found.targets.size(), 3u);  // redis is third-party; staging is not asked for
  EXPECT_EQ(found.targets[0].environment, "local");
  EXPECT_EQ(found.targets[0].file.display_path, "sources/values/env/local/api.yaml");
  EXPECT_EQ(found.targets[1].service, "api");
  EXPECT_EQ(found.targets[1].key_path, "image.ref");
  EXPECT_EQ(found.targets[1].current_digest, kOld);
  EXPECT_EQ(found.targets[1].channel.Normalized(), "ghcr.io/acme/api:main");
  EXPECT_EQ(found.targets[2].service, "web");
  EXPECT_EQ(found.targets[2].repository, "ghcr.io/acme/web");
  EXPECT_EQ(found.targets[2].current_digest, "");
  EXPECT_EQ(found.targets[2].ref.raw, "\"ghcr.io/acme/web:main\"");
}

// The data loss that was: planning re-read files, so a file replaced between the scan and the
// write had bytes at the old offsets replaced ("# a comment soghcr.io/acme/api@…").
TEST_F(BumpPlanTest, AFileReplacedAfterTheScanIsRefusedWithNothingWritten) {
  BumpTargets found = Find({"dev"});
  ASSERT_EQ(found.targets.size(), 2u);
  const std::string api = "sources/values/env/dev/api.yaml";
  std::string replaced = "# a comment so the offsets move\nimage:\n  ref: ghcr.io/acme/api@" +
                         std::string(kOld) + "  # bumped by CI\n";
  repo_.Write(api, replaced);
  std::vector<rewrite::Edit> edits;
  for (const BumpTarget& t : found.targets) {
    base::Result<rewrite::Edit> edit = BumpEdit(t, kNew);
    ASSERT_TRUE(edit.ok());
    EXPECT_EQ(edit->old_text, t.ref.raw) << "the old text is the scan's, not a re-read";
    edits.push_back(*edit);
  }
  base::Result<std::vector<rewrite::FileChange>> applied = rewrite::ApplyEdits(edits, {});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().path, api);
  EXPECT_NE(applied.error().message.find("changed since imagepin read it"), std::string::npos);
  EXPECT_EQ(repo_.Read(api), replaced);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/web.yaml"),
            "image:\r\n  ref: \"ghcr.io/acme/web:main\"\r\nreplicas: 2\r\n")
      << "all or nothing: the unchanged file is not written either";
}

TEST_F(BumpPlanTest, ChannelComesFromTheConfig) {
  config_.bump.channel = "edge";
  BumpTargets found = Find({"dev"});
  ASSERT_FALSE(found.targets.empty());
  EXPECT_EQ(found.targets[0].channel.tag, "edge");
}

TEST_F(BumpPlanTest, EditsChangeOnlyTheReferenceAndKeepQuotesCommentsAndCrlf) {
  BumpTargets found = Find({"local", "dev"});
  std::vector<rewrite::Edit> edits;
  for (const BumpTarget& t : found.targets) {
    base::Result<rewrite::Edit> edit = BumpEdit(t, kNew);
    ASSERT_TRUE(edit.ok()) << edit.error().ToString();
    edits.push_back(*edit);
  }
  ASSERT_TRUE(rewrite::ApplyEdits(edits, {}).ok());
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            std::string("image:\n  ref: ghcr.io/acme/api@") + kNew + "  # bumped by CI\n");
  EXPECT_EQ(repo_.Read("sources/values/env/dev/web.yaml"),
            std::string("image:\r\n  ref: \"ghcr.io/acme/web@") + kNew + "\"\r\nreplicas: 2\r\n");
  EXPECT_EQ(repo_.Read("sources/values/env/local/api.yaml"),
            std::string("image: {ref: 'ghcr.io/acme/api@") + kNew + "'}\n");
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"),
            std::string("image:\n  ref: ghcr.io/acme/api@") + kOld + "\n");
}

TEST_F(BumpPlanTest, SameDigestIsANoOp) {
  BumpTargets found = Find({"dev"});
  base::Result<rewrite::Edit> edit = BumpEdit(found.targets[0], kOld);
  ASSERT_TRUE(edit.ok());
  EXPECT_TRUE(edit->IsNoOp());
  EXPECT_EQ(edit->line, 2);
  EXPECT_EQ(edit->column, 8);
}

TEST_F(BumpPlanTest, TemplatesAndInvalidRefsAreProblemsWithPositions) {
  repo_.Write("sources/values/env/dev/tpl.yaml",
              "image:\n  ref: \"ghcr.io/acme/{{ .Values.name }}:main\"\n");
  repo_.Write("sources/values/env/dev/bad.yaml", "image:\n  ref: ghcr.io/acme/Bad:main\n");
  BumpTargets found = Find({"dev"});
  ASSERT_EQ(found.problems.size(), 2u);
  EXPECT_EQ(found.problems[0].path, "sources/values/env/dev/bad.yaml");
  EXPECT_EQ(found.problems[0].pos.line, 2);
  EXPECT_EQ(found.problems[0].pos.column, 8);
  EXPECT_NE(found.problems[0].message.find("invalid reference"), std::string::npos);
  EXPECT_NE(found.problems[1].message.find("template"), std::string::npos);
}

TEST_F(BumpPlanTest, UnknownEnvironmentAndMissingDirectoryAreErrors) {
  base::Result<std::vector<EnvironmentImages>> unknown = LoadLanes(repo_.str(), config_, {"qa"}, 1);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown environment \"qa\""), std::string::npos);
  base::Result<std::vector<EnvironmentImages>> missing =
      LoadLanes(repo_.str(), config_, {"production"}, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("sources/values/env/production does not exist"),
            std::string::npos);
}

TEST_F(BumpPlanTest, AFileThatDoesNotParseStopsThePlan) {
  repo_.Write("sources/values/env/dev/broken.yaml", "image:\n  ref: [unclosed\n");
  base::Result<std::vector<EnvironmentImages>> found = LoadLanes(repo_.str(), config_, {"dev"}, 1);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().path, "sources/values/env/dev/broken.yaml");
  EXPECT_GT(found.error().pos.line, 0);
}

// The finder is pure: lanes scanned from memory, no files at all.
TEST(FindBumpTargets, WorksOnFilesScannedFromMemory) {
  policy::Config config = AcmeConfig();
  std::vector<ScannedFile> files;
  files.push_back(ScanText({"", "sources/values/env/dev/api.yaml"},
                           std::string("image:\n  ref: ghcr.io/acme/api@") + kOld + "\n", config));
  files.push_back(ScanText({"", "sources/values/env/dev/nginx.yaml"},
                           "image:\n  ref: docker.io/library/nginx:1.27\n", config));
  std::vector<EnvironmentImages> lanes;
  lanes.push_back(MakeEnvironment("dev", "sources/values/env/dev", std::move(files)));
  BumpTargets found = FindBumpTargets(lanes, config);
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(found.targets[0].service, "api");
  EXPECT_EQ(found.targets[0].file_sha256, lanes[0].files->at(0).scan.sha256);
  base::Result<rewrite::Edit> edit = BumpEdit(found.targets[0], kNew);
  ASSERT_TRUE(edit.ok()) << edit.error().ToString();
  EXPECT_EQ(edit->old_text, std::string("ghcr.io/acme/api@") + kOld);
  EXPECT_EQ(edit->new_text, std::string("ghcr.io/acme/api@") + kNew);
}

TEST(WrittenRepository, DropsTagAndDigestButKeepsPortsAndSpelling) {
  EXPECT_EQ(WrittenRepository("ghcr.io/acme/api:main@" + Digest('a')), "ghcr.io/acme/api");
  EXPECT_EQ(WrittenRepository("localhost:5000/app"), "localhost:5000/app");
  EXPECT_EQ(WrittenRepository("localhost:5000/app:v1"), "localhost:5000/app");
  EXPECT_EQ(WrittenRepository("nginx:1.25"), "nginx");
  EXPECT_EQ(WrittenRepository("nginx@" + Digest('b')), "nginx");
}

}  // namespace
}  // namespace imagepin::plan
