// Git history loading (plan/history.h) against a real git repository
// in a temp dir.
#include "plan/history.h"

#include <gtest/gtest.h>

#include "plan/workspace.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::plan {
namespace {

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

class HistoryTest : public ::testing::Test {
 protected:
  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo_.str(), "-c", "user.name=t", "-c",
                               "user.email=t@example.com", "-c", "commit.gpgsign=false"});
    testing::CommandResult r = testing::RunCommand(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void Commit(const std::string& contents, const std::string& message) {
    repo_.Write("gitops/sources/values/env/dev/api.yaml", contents);
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", message});
  }
  // The target, as the scan of the working tree finds it (the root is a subdirectory).
  RefTarget Target() {
    std::string root = repo_.str() + "/gitops";
    scan::FileEntry entry{root + "/sources/values/env/dev/api.yaml",
                          "sources/values/env/dev/api.yaml"};
    std::vector<ScannedFile> files;
    files.push_back(ScanText(entry, repo_.Read("gitops/sources/values/env/dev/api.yaml"), config_));
    std::vector<EnvironmentImages> lanes;
    lanes.push_back(MakeEnvironment("dev", "sources/values/env/dev", std::move(files)));
    RefTarget found;
    ForEachRefTarget(
        lanes, config_, "test", [&](RefTarget t) { found = std::move(t); }, &problems_);
    return found;
  }
  testing::TempDir repo_;
  policy::Config config_ = [] {
    policy::Config c;
    c.first_party.include = {"ghcr.io/acme/"};
    return c;
  }();
  std::vector<base::Diagnostic> problems_;
};

TEST_F(HistoryTest, ReadsTheFieldInEachCommitNewestFirstUntilEnough) {
  Git({"init", "-q"});
  Commit("image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n", "one");
  Commit("# moved down\n\nimage:\n  ref: ghcr.io/acme/api:1.2.0@" + Digest('2') + "\n", "two");
  Commit("image: {}\n", "no ref");
  Commit("image:\n  ref: ghcr.io/acme/api@" + Digest('3') + "\n", "three");
  RefTarget t = Target();
  ASSERT_EQ(t.key_path, "image.ref");
  std::string root = repo_.str() + "/gitops";
  base::Result<std::vector<FieldValue>> all =
      FieldHistory(root, t, config_, 100, [](const FieldValue&) { return false; });
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].digest, Digest('3'));
  EXPECT_EQ((*all)[0].revision.subject, "three");
  EXPECT_EQ((*all)[0].revision.commit.size(), 40u);
  EXPECT_EQ((*all)[1].reference, "") << "no such field in that commit";
  EXPECT_EQ((*all)[2].reference, "ghcr.io/acme/api:1.2.0@" + Digest('2'));
  EXPECT_EQ((*all)[2].line, 4);
  EXPECT_EQ((*all)[3].digest, Digest('1'));

  base::Result<std::vector<FieldValue>> two = FieldHistory(
      root, t, config_, 100, [](const FieldValue& v) { return v.digest == Digest('2'); });
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 3u) << "stops at the first that is enough";
  base::Result<std::vector<FieldValue>> bounded =
      FieldHistory(root, t, config_, 2, [](const FieldValue&) { return false; });
  ASSERT_TRUE(bounded.ok());
  EXPECT_EQ(bounded->size(), 2u);

  base::Result<FieldValue> at = FieldAtRevision(root, t, config_, "HEAD~3");
  ASSERT_TRUE(at.ok()) << at.error().message;
  EXPECT_EQ(at->digest, Digest('1'));
  EXPECT_EQ(at->revision.subject, "one");
  base::Result<FieldValue> no_ref = FieldAtRevision(root, t, config_, "HEAD~1");
  ASSERT_FALSE(no_ref.ok());
  EXPECT_NE(no_ref.error().message.find("has no image.ref with a digest at HEAD~1"),
            std::string::npos)
      << no_ref.error().message;
  EXPECT_FALSE(FieldAtRevision(root, t, config_, "nope").ok());
  base::Result<FieldValue> option = FieldAtRevision(root, t, config_, "--output=/tmp/x");
  ASSERT_FALSE(option.ok());
  EXPECT_NE(option.error().message.find("is not a revision"), std::string::npos);
}

TEST_F(HistoryTest, OutsideAGitWorkTreeIsAnError) {
  repo_.Write("gitops/sources/values/env/dev/api.yaml",
              "image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n");
  base::Result<std::vector<FieldValue>> r = FieldHistory(
      repo_.str() + "/gitops", Target(), config_, 10, [](const FieldValue&) { return false; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("is not in a git work tree"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace imagepin::plan
