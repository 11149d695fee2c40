#include "scan/changed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/process.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::scan {
namespace {

using ::testing::ElementsAre;

class ChangedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Git({"init", "-q", "-b", "main"});
    Git({"config", "user.email", "t@example.com"});
    Git({"config", "user.name", "t"});
  }
  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo_.str()});
    base::Result<base::ProcessResult> run = base::RunProcess(args);
    ASSERT_TRUE(run.ok());
    ASSERT_EQ(run->exit_code, 0) << run->err;
  }
  void Commit() {
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", "c"});
  }
  ChangedFiles Changed(const std::string& rev) {
    base::Result<ChangedFiles> changed = ListChangedSince(repo_.str(), rev);
    EXPECT_TRUE(changed.ok()) << changed.error().message;
    return changed.ok() ? *changed : ChangedFiles{};
  }

  testing::TempDir repo_;
  Scope scope_{{"sources/**"}, {"sources/vendor/**"}};
};

TEST_F(ChangedTest, ListsModifiedStagedUntrackedAndDeletedFiles) {
  repo_.Write("sources/a.yaml", "a: 1\n");
  repo_.Write("sources/b.yaml", "b: 1\n");
  repo_.Write("sources/c.yaml", "c: 1\n");
  repo_.Write(".gitignore", "ignored.yaml\n");
  Commit();
  repo_.Write("sources/a.yaml", "a: 2\n");    // unstaged
  repo_.Write("sources/new.yaml", "n: 1\n");  // untracked
  repo_.Write("ignored.yaml", "i: 1\n");      // ignored: not a change
  std::filesystem::remove(repo_.path() / "sources/c.yaml");
  repo_.Write("sources/b.yaml", "b: 2\n");
  Git({"add", "sources/b.yaml"});  // staged
  ChangedFiles changed = Changed("HEAD");
  EXPECT_THAT(changed.present, ElementsAre("sources/a.yaml", "sources/b.yaml", "sources/new.yaml"));
  EXPECT_THAT(changed.deleted, ElementsAre("sources/c.yaml"));
}

TEST_F(ChangedTest, CommittedChangesSinceAnOlderRevisionCount) {
  repo_.Write("sources/a.yaml", "a: 1\n");
  Commit();
  Git({"tag", "base"});
  repo_.Write("sources/b.yaml", "b: 1\n");
  Commit();
  EXPECT_THAT(Changed("base").present, ElementsAre("sources/b.yaml"));
  EXPECT_TRUE(Changed("HEAD").present.empty());
}

TEST_F(ChangedTest, PathsAreRelativeToARootBelowTheWorkTree) {
  repo_.Write("gitops/sources/a.yaml", "a: 1\n");
  repo_.Write("other/x.yaml", "x: 1\n");
  Commit();
  repo_.Write("gitops/sources/a.yaml", "a: 2\n");
  repo_.Write("other/x.yaml", "x: 2\n");
  base::Result<ChangedFiles> changed = ListChangedSince((repo_.path() / "gitops").string(), "HEAD");
  ASSERT_TRUE(changed.ok());
  EXPECT_THAT(changed->present, ElementsAre("sources/a.yaml"));
}

TEST_F(ChangedTest, ARevisionThatIsNoCommitIsAnErrorNamingIt) {
  repo_.Write("a.yaml", "a: 1\n");
  Commit();
  for (std::string rev : {"no-such-branch", "--output=/tmp/x", "HEAD~5"}) {
    base::Result<ChangedFiles> changed = ListChangedSince(repo_.str(), rev);
    ASSERT_FALSE(changed.ok()) << rev;
    EXPECT_EQ(changed.error().message,
              "--changed-since: " + rev + " is not a commit in this repository");
  }
}

TEST(ChangedOutsideGitTest, ADirectoryOutsideAWorkTreeIsAnError) {
  testing::TempDir dir;
  base::Result<ChangedFiles> changed = ListChangedSince(dir.str(), "HEAD");
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().message.find("needs a git work tree"), std::string::npos)
      << changed.error().message;
}

TEST_F(ChangedTest, SelectsChangedFilesInScopeOnly) {
  repo_.Write("sources/a.yaml", "a: 1\n");
  repo_.Write("sources/vendor/v.yaml", "v: 1\n");
  ChangedSelection s = SelectChanged(
      repo_.str(), scope_, {{"README.md", "sources/a.yaml", "sources/vendor/v.yaml"}, {}}, 1 << 20);
  EXPECT_EQ(s.whole_scope_because, "");
  EXPECT_THAT(s.paths, ElementsAre("sources/a.yaml"));
}

TEST_F(ChangedTest, AChangeInsideAChartBringsInItsValuesFile) {
  repo_.Write("sources/charts/api/Chart.yaml", "name: api\n");
  repo_.Write("sources/charts/api/values.yaml", "image: {}\n");
  repo_.Write("sources/charts/api/templates/_helpers.tpl", "{{/* x */}}\n");
  repo_.Write("sources/charts/api/charts/sub/Chart.yaml", "name: sub\n");
  repo_.Write("sources/charts/api/charts/sub/templates/d.yaml", "kind: Deployment\n");
  ChangedSelection s = SelectChanged(
      repo_.str(), scope_, {{"sources/charts/api/charts/sub/templates/d.yaml"}, {}}, 1 << 20);
  // The subchart has no values.yaml; its parent's brings in the apps that deploy it.
  EXPECT_THAT(s.paths, ElementsAre("sources/charts/api/charts/sub/templates/d.yaml",
                                   "sources/charts/api/values.yaml"));
  s = SelectChanged(repo_.str(), {{"sources/values/**"}, {}},
                    {{"sources/charts/api/templates/_helpers.tpl"}, {}}, 1 << 20);
  EXPECT_THAT(s.paths, ElementsAre("sources/charts/api/values.yaml"));
}

TEST_F(ChangedTest, TheConfigADeletionInScopeOrAnApplicationObjectMeanTheWholeScope) {
  repo_.Write("sources/app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\n");
  repo_.Write("sources/a.yaml", "a: 1\n");
  EXPECT_EQ(SelectChanged(repo_.str(), scope_, {{"sources/a.yaml", ".imagepin.yaml"}, {}}, 1 << 20)
                .whole_scope_because,
            ".imagepin.yaml changed");
  ChangedSelection s = SelectChanged(repo_.str(), scope_,
                                     {{"sources/a.yaml"}, {"sources/env/dev/api.yaml"}}, 1 << 20);
  EXPECT_EQ(s.whole_scope_because, "sources/env/dev/api.yaml was deleted");
  EXPECT_TRUE(s.paths.empty());
  EXPECT_EQ(
      SelectChanged(repo_.str(), scope_, {{"sources/app.yaml"}, {}}, 1 << 20).whole_scope_because,
      "sources/app.yaml may declare applications");
  // A deletion outside the scope and outside any chart changes nothing check reads.
  EXPECT_EQ(SelectChanged(repo_.str(), scope_, {{"sources/a.yaml"}, {"docs/x.yaml"}}, 1 << 20)
                .whole_scope_because,
            "");
}

}  // namespace
}  // namespace imagepin::scan
