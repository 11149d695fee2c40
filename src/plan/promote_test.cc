#include "plan/promote.h"

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

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

class PromotePlanTest : public ::testing::Test {
 protected:
  PromotePlan Plan(const std::string& from, const std::string& to, PromoteOptions options = {}) {
    base::Result<EnvironmentImages> s = LoadEnvironment(repo_.str(), config_, from, 1);
    base::Result<EnvironmentImages> t =
        LoadEnvironment(repo_.str(), config_, to, 1, /*fingerprint=*/true);
    EXPECT_TRUE(s.ok() && t.ok());
    source_ = std::move(*s);
    target_ = std::move(*t);
    return PlanPromotion(source_, target_, config_, options);
  }

  void Apply(const PromotePlan& plan) {
    ASSERT_TRUE(rewrite::ApplyEdits(PromoteEdits(plan), {}).ok());
  }

  std::string Values(const std::string& ref) { return "image:\n  ref: " + ref + "  # keep\n"; }

  testing::TempDir repo_;
  policy::Config config_ = AcmeConfig();
  EnvironmentImages source_, target_;
};

TEST_F(PromotePlanTest, CopiesTheDigestAndItsBuildShaTagOnly) {
  repo_.Write("sources/values/env/dev/api.yaml",
              Values("ghcr.io/acme/api:0a1b2c3d@" + Digest('b')));
  repo_.Write("sources/values/env/staging/api.yaml", Values("ghcr.io/acme/api@" + Digest('a')));
  PromotePlan plan = Plan("dev", "staging");
  ASSERT_EQ(plan.promotions.size(), 1u);
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_EQ(plan.promotions[0].service, "api");
  EXPECT_EQ(plan.promotions[0].old_digest, Digest('a'));
  EXPECT_EQ(plan.promotions[0].tag, "0a1b2c3d");
  EXPECT_TRUE(plan.promotions[0].first_party);
  Apply(plan);
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"),
            Values("ghcr.io/acme/api:0a1b2c3d@" + Digest('b')));

  PromotePlan again = Plan("dev", "staging");
  ASSERT_EQ(again.promotions.size(), 1u);
  EXPECT_FALSE(again.promotions[0].Changes()) << "promoting twice changes nothing";
}

TEST_F(PromotePlanTest, ChainedPromotionsCarryDevDigestsToProduction) {
  repo_.Write("sources/values/env/dev/a/api.yaml", Values("ghcr.io/acme/api@" + Digest('c')));
  repo_.Write("sources/values/env/staging/a/api.yaml", Values("ghcr.io/acme/api@" + Digest('b')));
  repo_.Write("sources/values/env/production/a/api.yaml",
              Values("'ghcr.io/acme/api@" + Digest('a') + "'"));
  Apply(Plan("dev", "staging"));
  Apply(Plan("staging", "production"));
  EXPECT_EQ(repo_.Read("sources/values/env/production/a/api.yaml"),
            Values("'ghcr.io/acme/api@" + Digest('c') + "'"));
}

TEST_F(PromotePlanTest, SplitTargetGetsDigestAndTag) {
  repo_.Write("sources/values/env/dev/redis.yaml",
              "image:\n  repository: bitnami/redis\n  tag: 7.2.5\n  digest: " + Digest('e') + "\n");
  repo_.Write(
      "sources/values/env/staging/redis.yaml",
      "image:\n  repository: bitnami/redis\n  tag: 7.2.4\n  digest: \"" + Digest('d') + "\"\n");
  PromotePlan plan = Plan("dev", "staging");
  ASSERT_EQ(plan.promotions.size(), 1u) << (plan.refusals.empty() ? "" : plan.refusals[0].message);
  Apply(plan);
  EXPECT_EQ(
      repo_.Read("sources/values/env/staging/redis.yaml"),
      "image:\n  repository: bitnami/redis\n  tag: 7.2.5\n  digest: \"" + Digest('e') + "\"\n");
}

TEST_F(PromotePlanTest, UnpinnedOrFloatingSourcesAreRefusedWithTheirRule) {
  repo_.Write("sources/values/env/dev/a.yaml", Values("ghcr.io/acme/a:main"));
  repo_.Write("sources/values/env/dev/b.yaml", Values("ghcr.io/acme/b:main@" + Digest('1')));
  repo_.Write("sources/values/env/dev/c.yaml", Values("\"ghcr.io/acme/{{ .Values.c }}\""));
  for (const char* name : {"a", "b", "c"}) {
    repo_.Write(std::string("sources/values/env/staging/") + name + ".yaml",
                Values(std::string("ghcr.io/acme/") + name + "@" + Digest('0')));
  }
  PromotePlan plan = Plan("dev", "staging");
  EXPECT_TRUE(plan.promotions.empty());
  ASSERT_EQ(plan.refusals.size(), 3u);
  EXPECT_EQ(plan.refusals[0].rule, "IP001");
  EXPECT_EQ(plan.refusals[0].path, "sources/values/env/dev/a.yaml");
  EXPECT_EQ(plan.refusals[0].pos.line, 2);
  EXPECT_EQ(plan.refusals[1].rule, "IP002");
  EXPECT_NE(plan.refusals[2].message.find("template"), std::string::npos);
}

TEST_F(PromotePlanTest, RepositoryMismatchIsRefused) {
  repo_.Write("sources/values/env/dev/api.yaml", Values("ghcr.io/acme/api@" + Digest('1')));
  repo_.Write("sources/values/env/staging/api.yaml", Values("ghcr.io/acme/web@" + Digest('0')));
  PromotePlan plan = Plan("dev", "staging");
  ASSERT_EQ(plan.refusals.size(), 1u);
  EXPECT_EQ(plan.refusals[0].path, "sources/values/env/staging/api.yaml");
  EXPECT_NE(plan.refusals[0].message.find("repository mismatch"), std::string::npos);
}

TEST_F(PromotePlanTest, UnmatchedServicesAreListedBothWays) {
  repo_.Write("sources/values/env/dev/new.yaml", Values("ghcr.io/acme/new@" + Digest('1')));
  repo_.Write("sources/values/env/dev/api.yaml", Values("ghcr.io/acme/api@" + Digest('1')));
  repo_.Write("sources/values/env/staging/api.yaml", "replicas: 2\n");
  repo_.Write("sources/values/env/staging/old.yaml", Values("ghcr.io/acme/old@" + Digest('0')));
  PromotePlan plan = Plan("dev", "staging");
  EXPECT_TRUE(plan.promotions.empty());
  ASSERT_EQ(plan.only_in_source.size(), 2u);
  EXPECT_EQ(plan.only_in_source[0].path, "sources/values/env/dev/api.yaml");
  EXPECT_EQ(plan.only_in_source[0].key_path, "image.ref");
  EXPECT_EQ(plan.only_in_source[1].path, "sources/values/env/dev/new.yaml");
  ASSERT_EQ(plan.only_in_target.size(), 1u);
  EXPECT_EQ(plan.only_in_target[0].path, "sources/values/env/staging/old.yaml");
}

TEST_F(PromotePlanTest, OnlySelectsByServiceOrRepository) {
  for (const char* name : {"api", "web", "worker"}) {
    repo_.Write(std::string("sources/values/env/dev/") + name + ".yaml",
                Values(std::string("ghcr.io/acme/") + name + "@" + Digest('1')));
    repo_.Write(std::string("sources/values/env/staging/") + name + ".yaml",
                Values(std::string("ghcr.io/acme/") + name + "@" + Digest('0')));
  }
  PromoteOptions options;
  options.only = {"api", "ghcr.io/acme/worker"};
  PromotePlan plan = Plan("dev", "staging", options);
  ASSERT_EQ(plan.promotions.size(), 2u);
  EXPECT_EQ(plan.promotions[0].service, "api");
  EXPECT_EQ(plan.promotions[1].service, "worker");
}

}  // namespace
}  // namespace imagepin::plan
