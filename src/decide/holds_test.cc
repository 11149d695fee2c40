// Holds in bump and promote, on data only: scanned text, a config with bump.holds, registry
// answers made by hand and today's date passed in.
#include <gtest/gtest.h>

#include "decide/bump.h"
#include "decide/promote.h"
#include "plan/workspace.h"

namespace imagepin::decide {
namespace {

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

registry::Manifest Index(char digest) {
  registry::Manifest m;
  m.digest = Digest(digest);
  m.is_index = true;
  m.platforms = {{"linux", "amd64", ""}, {"linux", "arm64", ""}};
  return m;
}

const std::vector<std::string> kPlatforms{"linux/amd64", "linux/arm64"};
const std::string kToday = "2026-12-03";

policy::Config HoldConfig(const std::string& holds) {
  base::Result<policy::Config> config = policy::ParseConfig(
      "firstParty: [ghcr.io/acme/]\nbump:\n  holds:\n" + holds, ".imagepin.yaml");
  EXPECT_TRUE(config.ok()) << config.error().message;
  return config.ok() ? *config : policy::Config{};
}

plan::EnvironmentImages Env(const std::string& name, const policy::Config& config, char api,
                            char web) {
  std::string dir = "sources/values/env/" + name;
  std::vector<plan::ScannedFile> files;
  files.push_back(plan::ScanText({"", dir + "/api.yaml"},
                                 "image:\n  ref: ghcr.io/acme/api@" + Digest(api) + "\n", config));
  files.push_back(plan::ScanText({"", dir + "/web.yaml"},
                                 "image:\n  ref: ghcr.io/acme/web@" + Digest(web) + "\n", config));
  return plan::MakeEnvironment(name, dir, std::move(files));
}

TEST(BumpHolds, AHeldTargetIsNotResolvedNorEditedAndTheOthersAre) {
  policy::Config config = HoldConfig("    - {app: api, env: dev, reason: \"bisecting, INC-7\"}\n");
  std::vector<plan::EnvironmentImages> lanes;
  lanes.push_back(Env("dev", config, '1', '1'));
  plan::BumpTargets found = plan::FindBumpTargets(lanes, config);
  ASSERT_EQ(found.targets.size(), 2u);
  std::vector<const policy::Hold*> held = BumpHolds(found, config.bump.holds, kToday);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0], &config.bump.holds[0]);
  EXPECT_EQ(held[1], nullptr);
  std::vector<ref::Reference> asked = ChannelsToResolve(found, held);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].Normalized(), "ghcr.io/acme/web:main");

  BumpDecision d = DecideBump(found, held, {Index('2')}, kPlatforms, false);
  EXPECT_FALSE(d.failed);
  ASSERT_EQ(d.edits.size(), 1u);
  EXPECT_EQ(d.edits[0].DisplayPath(), "sources/values/env/dev/web.yaml");
  EXPECT_EQ(d.edits[0].new_text, "ghcr.io/acme/web@" + Digest('2'));
  EXPECT_EQ(d.outcomes[0].hold, &config.bump.holds[0]);
  EXPECT_FALSE(d.outcomes[0].changed);
  EXPECT_TRUE(d.outcomes[0].failure.empty());
  EXPECT_EQ(d.Held(), 1);
  EXPECT_EQ(d.Changed(), 1);
  EXPECT_EQ(d.Unchanged(), 0) << "held is not unchanged";
  EXPECT_EQ(d.Failures(), 0);
}

TEST(BumpHolds, ARepositoryHoldHoldsOnlyItsEnvironment) {
  policy::Config config = HoldConfig(
      "    - {repository: ghcr.io/acme/web, env: local, reason: r}\n"
      "    - {repository: ghcr.io/acme/api, env: dev, reason: r}\n");
  std::vector<plan::EnvironmentImages> lanes;
  lanes.push_back(Env("local", config, '1', '1'));
  lanes.push_back(Env("dev", config, '1', '1'));
  plan::BumpTargets found = plan::FindBumpTargets(lanes, config);
  ASSERT_EQ(found.targets.size(), 4u);  // local api, local web, dev api, dev web
  std::vector<const policy::Hold*> held = BumpHolds(found, config.bump.holds, kToday);
  EXPECT_EQ(held[0], nullptr);
  EXPECT_EQ(held[1], &config.bump.holds[0]);
  EXPECT_EQ(held[2], &config.bump.holds[1]);
  EXPECT_EQ(held[3], nullptr);
  BumpDecision d = DecideBump(found, held, {Index('2'), Index('3')}, kPlatforms, false);
  ASSERT_EQ(d.edits.size(), 2u);
  EXPECT_EQ(d.edits[0].DisplayPath(), "sources/values/env/local/api.yaml");
  EXPECT_EQ(d.edits[1].DisplayPath(), "sources/values/env/dev/web.yaml");
  EXPECT_EQ(d.edits[1].new_text, "ghcr.io/acme/web@" + Digest('3'));
}

TEST(BumpHolds, AnExpiredHoldHoldsNothingTheDayAfterItsUntil) {
  policy::Config config =
      HoldConfig("    - {app: api, env: dev, reason: r, until: \"2026-12-03\"}\n");
  std::vector<plan::EnvironmentImages> lanes;
  lanes.push_back(Env("dev", config, '1', '1'));
  plan::BumpTargets found = plan::FindBumpTargets(lanes, config);
  EXPECT_NE(BumpHolds(found, config.bump.holds, "2026-12-03")[0], nullptr);
  std::vector<const policy::Hold*> after = BumpHolds(found, config.bump.holds, "2026-12-04");
  EXPECT_EQ(after[0], nullptr);
  EXPECT_EQ(ChannelsToResolve(found, after).size(), 2u);
}

TEST(PromoteHolds, AHeldTargetIsLeftOutUnlessIgnored) {
  policy::Config config = HoldConfig(
      "    - {app: api, env: staging, reason: \"freeze, REL-9\"}\n"
      "    - {app: web, env: dev, reason: \"the source env is not what a hold names\"}\n");
  plan::EnvironmentImages dev = Env("dev", config, '2', '2');
  plan::EnvironmentImages staging = Env("staging", config, '1', '1');
  plan::PromotePlan planned = plan::PlanPromotion(dev, staging, config, {});
  ASSERT_EQ(planned.promotions.size(), 2u);

  plan::PromotePlan held = ApplyHolds(planned, config.bump.holds, "staging", kToday, false);
  ASSERT_EQ(held.promotions.size(), 1u);
  EXPECT_EQ(held.promotions[0].service, "web");
  EXPECT_EQ(held.promotions[0].hold, nullptr);
  ASSERT_EQ(held.held.size(), 1u);
  EXPECT_EQ(held.held[0].service, "api");
  EXPECT_EQ(held.held[0].hold, &config.bump.holds[0]);
  std::vector<rewrite::Edit> edits = plan::PromoteEdits(held);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].DisplayPath(), "sources/values/env/staging/web.yaml");

  plan::PromotePlan ignored = ApplyHolds(planned, config.bump.holds, "staging", kToday, true);
  ASSERT_EQ(ignored.promotions.size(), 2u);
  EXPECT_TRUE(ignored.held.empty());
  EXPECT_EQ(ignored.promotions[0].hold, &config.bump.holds[0]) << "written, and said so";
  EXPECT_EQ(plan::PromoteEdits(ignored).size(), 2u);
}

TEST(PromoteHolds, ARepositoryHoldMatchesThePromotionsNormalisedName) {
  policy::Config config = HoldConfig(
      "    - {repository: ghcr.io/acme/web, env: staging, reason: r, until: "
      "\"2026-12-03\"}\n");
  plan::EnvironmentImages dev = Env("dev", config, '2', '2');
  plan::EnvironmentImages staging = Env("staging", config, '1', '1');
  plan::PromotePlan planned = plan::PlanPromotion(dev, staging, config, {});
  plan::PromotePlan held = ApplyHolds(planned, config.bump.holds, "staging", kToday, false);
  ASSERT_EQ(held.held.size(), 1u);
  EXPECT_EQ(held.held[0].service, "web");
  plan::PromotePlan expired =
      ApplyHolds(planned, config.bump.holds, "staging", "2026-12-04", false);
  EXPECT_TRUE(expired.held.empty());
  EXPECT_EQ(expired.promotions.size(), 2u);
}

TEST(PromoteHolds, AHeldValueAlreadyCurrentIsNotReportedHeld) {
  policy::Config config = HoldConfig("    - {app: api, env: staging, reason: r}\n");
  plan::EnvironmentImages dev = Env("dev", config, '2', '2');
  plan::EnvironmentImages staging = Env("staging", config, '2', '1');
  plan::PromotePlan held = ApplyHolds(plan::PlanPromotion(dev, staging, config, {}),
                                      config.bump.holds, "staging", kToday, false);
  EXPECT_TRUE(held.held.empty());
  ASSERT_EQ(held.promotions.size(), 2u);
  EXPECT_FALSE(held.promotions[0].Changes());
}

// A held field that is no reference (a template) fails no bump: bump would leave it anyway.
TEST(BumpHolds, AHeldTemplateIsANoteAnUnheldOneAProblem) {
  policy::Config config = HoldConfig("    - {app: api, env: dev, reason: r}\n");
  std::vector<plan::EnvironmentImages> lanes;
  for (const char* env : {"dev", "local"}) {
    std::string dir = std::string("sources/values/env/") + env;
    std::vector<plan::ScannedFile> files;
    files.push_back(plan::ScanText({"", dir + "/api.yaml"},
                                   "image:\n  ref: \"ghcr.io/acme/api:{{ .Values.tag }}\"\n",
                                   config));
    lanes.push_back(plan::MakeEnvironment(env, dir, std::move(files)));
  }
  plan::BumpTargets found = plan::FindBumpTargets(lanes, config, kToday);
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.held_problems.size(), 1u);
  EXPECT_EQ(found.held_problems[0].path, "sources/values/env/dev/api.yaml");
  EXPECT_EQ(found.held_problems[0].severity, base::Severity::kNote);
  EXPECT_NE(found.held_problems[0].message.find("held"), std::string::npos);
  ASSERT_EQ(found.problems.size(), 1u) << "local is not held";
  EXPECT_EQ(found.problems[0].path, "sources/values/env/local/api.yaml");
  // Without today's date holds are not asked: both are problems, as before.
  EXPECT_EQ(plan::FindBumpTargets(lanes, config).problems.size(), 2u);
}

// A source value promote cannot take (no digest) refuses the run, unless a hold keeps its
// target, whose field would not be written anyway; --ignore-holds refuses again.
TEST(PromoteHolds, ABrokenSourceOfAHeldTargetRefusesNothing) {
  policy::Config config = HoldConfig("    - {app: api, env: staging, reason: r}\n");
  std::vector<plan::ScannedFile> files;
  files.push_back(plan::ScanText({"", "sources/values/env/dev/api.yaml"},
                                 "image:\n  ref: ghcr.io/acme/api:3f2a9c1\n", config));
  files.push_back(plan::ScanText({"", "sources/values/env/dev/web.yaml"},
                                 "image:\n  ref: ghcr.io/acme/web@" + Digest('2') + "\n", config));
  plan::EnvironmentImages dev =
      plan::MakeEnvironment("dev", "sources/values/env/dev", std::move(files));
  plan::EnvironmentImages staging = Env("staging", config, '1', '1');
  plan::PromotePlan planned = plan::PlanPromotion(dev, staging, config, {});
  ASSERT_EQ(planned.refusals.size(), 1u);
  EXPECT_EQ(planned.refusals[0].service, "api");
  EXPECT_EQ(planned.refusals[0].repository, "ghcr.io/acme/api");

  plan::PromotePlan held = ApplyHolds(planned, config.bump.holds, "staging", kToday, false);
  EXPECT_TRUE(held.refusals.empty());
  ASSERT_EQ(held.held_refusals.size(), 1u);
  EXPECT_EQ(held.held_refusals[0].severity, base::Severity::kNote);
  EXPECT_NE(held.held_refusals[0].message.find("held in staging"), std::string::npos);
  ASSERT_EQ(plan::PromoteEdits(held).size(), 1u);
  EXPECT_EQ(plan::PromoteEdits(held)[0].DisplayPath(), "sources/values/env/staging/web.yaml");

  EXPECT_EQ(ApplyHolds(planned, config.bump.holds, "staging", kToday, true).refusals.size(), 1u);
  EXPECT_EQ(ApplyHolds(planned, config.bump.holds, "production", kToday, false).refusals.size(),
            1u);
}

}  // namespace
}  // namespace imagepin::decide
