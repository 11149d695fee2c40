// The whole lane end to end, as CI and a person run it, in a real git repository: a copy of
// examples/gitops, a real registry on loopback serving ghcr.io/acme/... through a mirror, then
// check → bump → promote dev staging → inventory → check. After each writing step `git diff`
// must show changes only in the expected files, and only in image references' digests.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

namespace fs = std::filesystem;
using testreg::CommandResult;
using testreg::ImageKind;
using testreg::Mode;
using testreg::RunCommand;

class LaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = testreg::TestRegistry::Shared(Mode::kPlain);
    ASSERT_NE(registry_, nullptr);
    fs::copy(fs::path(IMAGEPIN_SOURCE_DIR) / "examples/gitops", repo_.path() / "gitops",
             fs::copy_options::recursive);
    root_ = (repo_.path() / "gitops").string();
    std::string config = repo_.Read("gitops/.imagepin.yaml");
    repo_.Write("gitops/.imagepin.yaml",
                config + "\nregistries:\n  ghcr.io:\n    mirror: \"" + registry_->host() + "\"\n");
    for (const char* service : {"api", "web", "worker", "worker-migrations"}) {
      digests_[service] = registry_->Push(std::string("acme/") + service, "main", ImageKind::kIndex,
                                          ++seed_ + 1000);
    }
    Git({"init", "-q"});
    Commit("example repository");
  }

  CommandResult Git(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "git", "-C", root_, "-c", "user.name=test", "-c", "user.email=test@example.invalid"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
  void Commit(const std::string& message) {
    ASSERT_EQ(Git({"add", "-A"}).exit_code, 0);
    CommandResult r = Git({"commit", "-qm", message});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult Imagepin(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", root_});
    return RunCommand(args);
  }

  std::set<std::string> ChangedFiles() {
    CommandResult r = Git({"diff", "--name-only"});
    std::set<std::string> files;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) files.insert(line);
    return files;
  }

  // Every changed line differs from the line it replaces only in an image reference's
  // `[:tag]@sha256:<hex>` part, and the new digest is one of `allowed`.
  void ExpectOnlyDigestsChanged(const std::set<std::string>& allowed) {
    CommandResult diff = Git({"diff", "-U0", "--no-color"});
    std::regex pinned(R"((:[\w][\w.-]{0,127})?@(sha256:[0-9a-f]{64}))");
    std::vector<std::string> removed, added;
    std::istringstream lines(diff.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0) continue;
      if (line[0] == '-') removed.push_back(line.substr(1));
      if (line[0] == '+') added.push_back(line.substr(1));
    }
    ASSERT_EQ(removed.size(), added.size()) << diff.out;
    ASSERT_FALSE(added.empty());
    for (size_t i = 0; i < added.size(); ++i) {
      EXPECT_EQ(std::regex_replace(removed[i], pinned, "@DIGEST"),
                std::regex_replace(added[i], pinned, "@DIGEST"))
          << "more than a digest changed:\n-" << removed[i] << "\n+" << added[i];
      std::smatch m;
      ASSERT_TRUE(std::regex_search(added[i], m, pinned)) << added[i];
      EXPECT_TRUE(allowed.count(m[2].str())) << added[i];
    }
  }

  testreg::TestRegistry* registry_ = nullptr;
  testing::TempDir repo_;
  std::string root_;
  std::map<std::string, std::string> digests_;
  int seed_ = 0;
};

TEST_F(LaneTest, CheckBumpPromoteInventoryCheck) {
  std::set<std::string> pushed;
  for (const auto& [service, digest] : digests_) pushed.insert(digest);

  CommandResult check = Imagepin({"check"});
  ASSERT_EQ(check.exit_code, 0) << check.out;

  CommandResult bump = Imagepin({"bump", "--quiet"});
  ASSERT_EQ(bump.exit_code, 0) << bump.out << bump.err;
  EXPECT_EQ(ChangedFiles(), (std::set<std::string>{
                                "sources/values/env/dev/apps/api.yaml",
                                "sources/values/env/dev/apps/web.yaml",
                                "sources/values/env/dev/apps/worker.yaml",
                                "sources/values/env/local/apps/api.yaml",
                                "sources/values/env/local/apps/worker.yaml",
                            }));
  ExpectOnlyDigestsChanged(pushed);
  Commit("bump");

  CommandResult again = Imagepin({"bump", "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(ChangedFiles().empty()) << "bump is idempotent";

  CommandResult promote = Imagepin({"promote", "dev", "staging", "--verify", "--quiet"});
  ASSERT_EQ(promote.exit_code, 0) << promote.out << promote.err;
  EXPECT_EQ(ChangedFiles(), (std::set<std::string>{
                                "sources/values/env/staging/apps/api.yaml",
                                "sources/values/env/staging/apps/web.yaml",
                                "sources/values/env/staging/apps/worker.yaml",
                            }));
  ExpectOnlyDigestsChanged(pushed);
  Commit("promote dev staging");

  CommandResult inventory = Imagepin({"inventory", "--format", "json"});
  ASSERT_EQ(inventory.exit_code, 0) << inventory.err;
  nlohmann::json matrix = nlohmann::json::parse(inventory.out);
  int rows = 0;
  for (const nlohmann::json& row : matrix["rows"]) {
    if (row["repository"] != "ghcr.io/acme/api") continue;
    ++rows;
    EXPECT_EQ(row["cells"]["dev"]["digest"], digests_["api"]);
    EXPECT_EQ(row["cells"]["staging"]["digest"], digests_["api"]);
    EXPECT_NE(row["cells"]["production"]["digest"], digests_["api"]);
  }
  EXPECT_EQ(rows, 1);

  CommandResult final_check = Imagepin({"check"});
  EXPECT_EQ(final_check.exit_code, 0) << final_check.out;
  EXPECT_TRUE(ChangedFiles().empty()) << "check never writes";
}

TEST_F(LaneTest, PromotingAgainChangesNothingAndStagingToProductionMatchesDev) {
  ASSERT_EQ(Imagepin({"bump", "--quiet"}).exit_code, 0);
  ASSERT_EQ(Imagepin({"promote", "dev", "staging"}).exit_code, 0);
  Commit("bump and promote");
  ASSERT_EQ(Imagepin({"promote", "dev", "staging"}).exit_code, 0);
  EXPECT_TRUE(ChangedFiles().empty());
  ASSERT_EQ(Imagepin({"promote", "staging", "production"}).exit_code, 0);
  for (const char* service : {"api", "web"}) {
    std::string file =
        std::string("gitops/sources/values/env/production/apps/") + service + ".yaml";
    EXPECT_NE(repo_.Read(file).find(digests_[service]), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace imagepin
