// set's and rollback's decisions, on data only: scanned text, a config, registry answers and
// git history made by hand (tests/set_e2e_test.cc runs the commands against a real registry
// and a real git repository).
#include "decide/set.h"

#include <gtest/gtest.h>

#include "decide/rollback.h"
#include "plan/workspace.h"

namespace imagepin::decide {
namespace {

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

registry::Manifest Index(char digest, bool multi = true) {
  registry::Manifest m;
  m.digest = Digest(digest);
  m.is_index = multi;
  if (multi) m.platforms = {{"linux", "amd64", ""}, {"linux", "arm64", ""}};
  return m;
}

const std::vector<std::string> kPlatforms{"linux/amd64", "linux/arm64"};
const std::string kToday = "2026-12-03";

policy::Config Config(const std::string& holds = "") {
  base::Result<policy::Config> config = policy::ParseConfig(
      "firstParty: [ghcr.io/acme/]\n" + (holds.empty() ? "" : "bump:\n  holds:\n" + holds),
      ".imagepin.yaml");
  EXPECT_TRUE(config.ok()) << config.error().message;
  return config.ok() ? *config : policy::Config{};
}

ref::Reference Ref(const std::string& text) {
  base::Result<ref::Reference> r = ref::ParseReference(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : ref::Reference{};
}

// dev: api (image.ref and migrations.image.ref of another repository), worker with api's image
// as a sidecar, and a third-party image.
class SetDecisionTest : public ::testing::Test {
 protected:
  void Load(const policy::Config& config) {
    config_ = config;
    std::string dir = "sources/values/env/dev";
    std::vector<plan::ScannedFile> files;
    files.push_back(plan::ScanText({"", dir + "/api.yaml"},
                                   "image:\n  ref: \"ghcr.io/acme/api@" + Digest('1') +
                                       "\"\nmigrations:\n  image:\n    ref: ghcr.io/acme/api-db@" +
                                       Digest('1') + "\n",
                                   config_));
    files.push_back(plan::ScanText({"", dir + "/worker.yaml"},
                                   "image:\n  ref: ghcr.io/acme/worker@" + Digest('1') +
                                       "\nsidecar:\n  image:\n    ref: ghcr.io/acme/api:1.0.0@" +
                                       Digest('1') + "\n",
                                   config_));
    files.push_back(plan::ScanText({"", dir + "/redis.yaml"},
                                   "image:\n  ref: docker.io/library/redis@" + Digest('1') + "\n",
                                   config_));
    lanes_.clear();
    lanes_.push_back(plan::MakeEnvironment("dev", dir, std::move(files)));
  }
  void SetUp() override { Load(Config()); }

  policy::Config config_;
  std::vector<plan::EnvironmentImages> lanes_;
};

TEST(ParseSetReference, NeedsADigestNoFloatingTagAndAFirstPartyRepository) {
  policy::Config config = Config();
  EXPECT_TRUE(ParseSetReference("ghcr.io/acme/api@" + Digest('a'), config).ok());
  EXPECT_TRUE(ParseSetReference("ghcr.io/acme/api:1.4.2@" + Digest('a'), config).ok());
  base::Result<ref::Reference> tag_only = ParseSetReference("ghcr.io/acme/api:1.4.2", config);
  ASSERT_FALSE(tag_only.ok());
  EXPECT_EQ(tag_only.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_NE(tag_only.error().message.find("has no digest"), std::string::npos);
  base::Result<ref::Reference> floating =
      ParseSetReference("ghcr.io/acme/api:main@" + Digest('a'), config);
  ASSERT_FALSE(floating.ok());
  EXPECT_NE(floating.error().message.find("floating tag \"main\""), std::string::npos);
  base::Result<ref::Reference> third = ParseSetReference("redis@" + Digest('a'), config);
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.error().message.find("docker.io/library/redis is not first-party"),
            std::string::npos)
      << third.error().message;
  EXPECT_FALSE(ParseSetReference("ghcr.io/acme/API@" + Digest('a'), config).ok());
}

TEST_F(SetDecisionTest, FindsEveryFieldOfTheRepositoryAndOnlyThose) {
  plan::SetTargets found = plan::FindSetTargets(lanes_, config_, "ghcr.io/acme/api", {});
  ASSERT_EQ(found.targets.size(), 2u);
  EXPECT_EQ(found.targets[0].service, "api");
  EXPECT_EQ(found.targets[0].key_path, "image.ref");
  EXPECT_EQ(found.targets[1].service, "worker");
  EXPECT_EQ(found.targets[1].key_path, "sidecar.image.ref");
  plan::SetTargets only = plan::FindSetTargets(lanes_, config_, "ghcr.io/acme/api", {"worker"});
  ASSERT_EQ(only.targets.size(), 1u);
  EXPECT_EQ(only.targets[0].service, "worker");
}

TEST_F(SetDecisionTest, NoFieldOfTheRepositoryIsAnError) {
  ref::Reference r = Ref("ghcr.io/acme/billing@" + Digest('2'));
  plan::SetTargets found = plan::FindSetTargets(lanes_, config_, r.Repository(), {});
  base::Status s = RequireTargets(found, r, "dev", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "no field of ghcr.io/acme/billing in dev");
  ref::Reference api = Ref("ghcr.io/acme/api@" + Digest('2'));
  std::vector<std::string> apps = {"api", "web"};
  base::Status app = RequireTargets(plan::FindSetTargets(lanes_, config_, api.Repository(), apps),
                                    api, "dev", apps);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.error().message, "no field of ghcr.io/acme/api in dev for web");
}

TEST_F(SetDecisionTest, ACheckedIndexBecomesOneEditPerFieldInItsQuotingAndSpelling) {
  ref::Reference r = Ref("ghcr.io/acme/api:1.4.2@" + Digest('2'));
  plan::SetTargets found = plan::FindSetTargets(lanes_, config_, r.Repository(), {});
  std::vector<const policy::Hold*> held = SetHolds(found, config_.bump.holds, kToday);
  std::optional<ref::Reference> ask = DigestToCheck(found, r, held, false);
  ASSERT_TRUE(ask.has_value());
  EXPECT_EQ(ask->Normalized(), "ghcr.io/acme/api@" + Digest('2')) << "the digest, not the tag";
  SetDecision d = DecideSet(found, r, held, false, Index('2'), kPlatforms, "set");
  EXPECT_FALSE(d.failed);
  ASSERT_EQ(d.edits.size(), 2u);
  EXPECT_EQ(d.edits[0].new_text, "\"ghcr.io/acme/api:1.4.2@" + Digest('2') + "\"");
  EXPECT_EQ(d.edits[1].new_text, "ghcr.io/acme/api:1.4.2@" + Digest('2'));
  EXPECT_EQ(d.Changed(), 2);
  EXPECT_EQ(d.Unchanged(), 0);
}

TEST_F(SetDecisionTest, AMissingDigestOrASingleArchImageWritesNothing) {
  ref::Reference r = Ref("ghcr.io/acme/api@" + Digest('2'));
  plan::SetTargets found = plan::FindSetTargets(lanes_, config_, r.Repository(), {});
  std::vector<const policy::Hold*> held = SetHolds(found, config_.bump.holds, kToday);
  registry::RegistryError missing;
  missing.kind = registry::ErrorKind::kNotFound;
  missing.http_status = 404;
  missing.reference = r.Normalized();
  missing.message = "manifest unknown";
  SetDecision gone = DecideSet(found, r, held, false, missing, kPlatforms, "set");
  EXPECT_TRUE(gone.failed);
  EXPECT_TRUE(gone.edits.empty());
  EXPECT_EQ(gone.Changed(), 0);
  ASSERT_EQ(gone.diagnostics.size(), 1u);
  EXPECT_NE(gone.diagnostics[0].message.find("not-found"), std::string::npos);

  SetDecision single = DecideSet(found, r, held, false, Index('2', false), kPlatforms, "set");
  EXPECT_TRUE(single.failed);
  EXPECT_TRUE(single.edits.empty());
  ASSERT_EQ(single.diagnostics.size(), 1u);
  EXPECT_EQ(single.diagnostics[0].rule, "IP009");
  EXPECT_NE(single.diagnostics[0].message.find("single-platform image that lacks linux/amd64"),
            std::string::npos);
}

TEST_F(SetDecisionTest, AHeldFieldIsLeftUnlessIgnoreHolds) {
  Load(Config("    - {app: worker, env: dev, reason: \"INC-9\"}\n"));
  ref::Reference r = Ref("ghcr.io/acme/api@" + Digest('2'));
  plan::SetTargets found = plan::FindSetTargets(lanes_, config_, r.Repository(), {});
  std::vector<const policy::Hold*> held = SetHolds(found, config_.bump.holds, kToday);
  ASSERT_EQ(held[1], &config_.bump.holds[0]);
  SetDecision d = DecideSet(found, r, held, false, Index('2'), kPlatforms, "set");
  ASSERT_EQ(d.edits.size(), 1u);
  EXPECT_EQ(d.edits[0].DisplayPath(), "sources/values/env/dev/api.yaml");
  EXPECT_EQ(d.Held(), 1);
  SetDecision ignored = DecideSet(found, r, held, true, Index('2'), kPlatforms, "set");
  EXPECT_EQ(ignored.edits.size(), 2u);
  EXPECT_EQ(ignored.Held(), 0);
  EXPECT_TRUE(ignored.outcomes[1].written_held);

  // Every field held: the registry is not asked.
  plan::SetTargets worker = plan::FindSetTargets(lanes_, config_, r.Repository(), {"worker"});
  EXPECT_FALSE(
      DigestToCheck(worker, r, SetHolds(worker, config_.bump.holds, kToday), false).has_value());
}

plan::FieldValue Value(const std::string& commit, const std::string& reference) {
  plan::FieldValue v;
  v.revision.commit = commit;
  v.reference = reference;
  base::Result<ref::Reference> r = ref::ParseReference(reference);
  if (r.ok()) v.digest = r->digest;
  return v;
}

TEST_F(SetDecisionTest, RollbackTakesTheFirstEarlierDigestOfTheSameRepository) {
  plan::SetTargets app = plan::FindAppTargets(lanes_, config_, "api");
  base::Result<const plan::RefTarget*> field = RollbackField(app, "api", "dev");
  ASSERT_TRUE(field.ok());
  EXPECT_EQ((*field)->key_path, "image.ref") << "not migrations.image.ref";
  const plan::RefTarget& t = **field;
  std::vector<plan::FieldValue> history = {
      Value("c4", "ghcr.io/acme/api@" + Digest('1')),  // the current digest
      Value("c3", ""),                                 // the file had no such field
      Value("c2", "ghcr.io/acme/api:main@" + Digest('2')),
      Value("c1", "ghcr.io/acme/api@" + Digest('3'))};
  EXPECT_FALSE(IsEarlierDigest(history[0], t));
  EXPECT_FALSE(IsEarlierDigest(history[1], t));
  EXPECT_TRUE(IsEarlierDigest(history[2], t));
  base::Result<RollbackChoice> previous = ChoosePrevious(history, t, config_);
  ASSERT_TRUE(previous.ok()) << previous.error().message;
  EXPECT_EQ(previous->reference.digest, Digest('2'));
  EXPECT_EQ(previous->reference.tag, "") << "a floating tag is not written back";
  ASSERT_TRUE(previous->from.has_value());
  EXPECT_EQ(previous->from->revision.commit, "c2");

  base::Result<RollbackChoice> none = ChoosePrevious({history[0], history[1]}, t, config_);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no earlier digest"), std::string::npos);

  base::Result<RollbackChoice> to = ChooseDigest(Digest('3'), history, t, config_);
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->from->revision.commit, "c1");
  base::Result<RollbackChoice> elsewhere = ChooseDigest(Digest('9'), history, t, config_);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->from.has_value()) << "not in the history: the registry decides";
  EXPECT_FALSE(ChooseDigest(Digest('1'), history, t, config_).ok()) << "the current digest";
  EXPECT_FALSE(ChooseDigest("sha256:abc", history, t, config_).ok());
  EXPECT_FALSE(ChooseRevision(history[0], t, config_).ok()) << "the current digest";
  EXPECT_FALSE(ChooseRevision(Value("c0", "ghcr.io/acme/other@" + Digest('5')), t, config_).ok());
}

TEST(HoldItem, IsOneFlowMappingLineWithTheReasonQuoted) {
  EXPECT_EQ(HoldItem("api", "dev", "INC-7: bad build"),
            "{app: api, env: dev, reason: \"INC-7: bad build\"}");
  EXPECT_EQ(HoldItem("a,b", "dev", "say \"no\""),
            "{app: \"a,b\", env: dev, reason: \"say \\\"no\\\"\"}");
}

TEST(CheckHoldEdit, TheConfigAfterTheEditMustLoadAndHoldTheApp) {
  plan::ConfigText text;
  text.display = ".imagepin.yaml";
  text.exists = true;
  text.contents = "firstParty: [ghcr.io/acme/]\n";
  rewrite::Edit good;
  good.begin = good.end = static_cast<uint32_t>(text.contents.size());
  good.new_text = "bump:\n  holds:\n    - " + HoldItem("api", "dev", "INC-7") + "\n";
  EXPECT_TRUE(CheckHoldEdit(text, good, "api", "dev", kToday).ok());
  EXPECT_FALSE(CheckHoldEdit(text, good, "web", "dev", kToday).ok());
  rewrite::Edit bad = good;
  bad.new_text = "bump:\n  holds:\n    - {app: api, env: nowhere, reason: x}\n";
  EXPECT_FALSE(CheckHoldEdit(text, bad, "api", "nowhere", kToday).ok());
}

}  // namespace
}  // namespace imagepin::decide
