// PlanPromotion with the applications of both environments: a target value inherited from
// `_shared` is a note and no edit, or, with write_inherited, one insertion into the target's
// own overlay.
#include <gtest/gtest.h>

#include "apps/check.h"
#include "plan/app_images.h"
#include "plan/promote.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::plan {
namespace {

const std::string kOld = "sha256:" + std::string(64, 'a');
const std::string kNew = "sha256:" + std::string(64, 'b');

struct Loaded {
  explicit Loaded(const std::string& root)
      : config(*policy::LoadConfig(root)),
        dev(LoadEnvironment(root, config, "dev", 1)),
        staging(LoadEnvironment(root, config, "staging", 1, true)) {
    std::vector<base::Diagnostic> notices;
    std::vector<apps::Application> found = apps::FindApplications(config, root, &notices);
    dev_apps = LoadAppEnvironment(root, config, "dev", found);
    staging_apps = LoadAppEnvironment(root, config, "staging", found);
  }
  policy::Config config;
  base::Result<EnvironmentImages> dev, staging;
  AppEnvironment dev_apps, staging_apps;
};

class PromoteAppsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".imagepin.yaml",
                "version: 1\nenvironments:\n"
                "  - {name: dev, path: env/dev}\n  - {name: staging, path: env/staging}\n"
                "shared: env/_shared\n");
    repo_.Write("env/_shared/api.yaml", "image:\n  ref: ghcr.io/acme/api@" + kOld + "\n");
    repo_.Write("env/dev/api.yaml", "image:\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\n");
    repo_.Write("env/staging/api.yaml", "replicas: 2\r\n");
  }
  imagepin::testing::TempDir repo_;
};

TEST_F(PromoteAppsTest, AnInheritedTargetIsANoteAndNoEdit) {
  Loaded l(repo_.str());
  PromotePlan plan = PlanPromotion(*l.dev, *l.staging, l.config, {}, &l.dev_apps, &l.staging_apps);
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_TRUE(plan.promotions.empty());
  EXPECT_TRUE(PromoteEdits(plan).empty());
  EXPECT_TRUE(plan.only_in_source.empty());
  ASSERT_EQ(plan.inherited.size(), 1u);
  EXPECT_EQ(plan.inherited[0].path, "env/_shared/api.yaml");
  EXPECT_NE(plan.inherited[0].message.find("api image.ref in staging is inherited from "
                                           "env/_shared/api.yaml"),
            std::string::npos)
      << plan.inherited[0].message;
}

TEST_F(PromoteAppsTest, WriteInheritedIsOneInsertionAppendedInTheFilesLineEndings) {
  Loaded l(repo_.str());
  PromoteOptions options;
  options.write_inherited = true;
  PromotePlan plan =
      PlanPromotion(*l.dev, *l.staging, l.config, options, &l.dev_apps, &l.staging_apps);
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_TRUE(plan.inherited.empty());
  std::vector<rewrite::Edit> edits = PromoteEdits(plan);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].display_path, "env/staging/api.yaml");
  EXPECT_EQ(edits[0].begin, 13u);
  EXPECT_EQ(edits[0].end, 13u);
  EXPECT_EQ(edits[0].old_text, "");
  EXPECT_EQ(edits[0].new_text, "image:\r\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\r\n");
  ASSERT_EQ(plan.promotions.size(), 1u);
  EXPECT_TRUE(plan.promotions[0].inherited);
  EXPECT_EQ(plan.promotions[0].old_digest, kOld);
}

TEST_F(PromoteAppsTest, WriteInheritedCreatesAMissingOverlay) {
  std::filesystem::remove(repo_.path() / "env/staging/api.yaml");
  repo_.Write("env/staging/other.yaml", "a: 1\n");
  Loaded l(repo_.str());
  PromoteOptions options;
  options.write_inherited = true;
  PromotePlan plan =
      PlanPromotion(*l.dev, *l.staging, l.config, options, &l.dev_apps, &l.staging_apps);
  std::vector<rewrite::Edit> edits = PromoteEdits(plan);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_TRUE(edits[0].CreatesFile());
  EXPECT_EQ(edits[0].new_text, "image:\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\n");
  EXPECT_TRUE(plan.promotions[0].creates_file);
}

}  // namespace
}  // namespace imagepin::plan
