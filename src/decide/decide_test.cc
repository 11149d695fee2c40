// The decisions, on data only: scanned text, a config, and registry answers made by hand. No
// files, no registry (the command tests in tests/ run the same paths against a real one).
#include <gtest/gtest.h>

#include "decide/bump.h"
#include "decide/lookup.h"
#include "decide/pin.h"
#include "decide/platforms.h"
#include "decide/promote.h"
#include "decide/verify.h"
#include "plan/workspace.h"

namespace imagepin::decide {
namespace {

// The tests' repositories are under ghcr.io/acme/, written as a config would.
policy::Config AcmeConfig() {
  policy::Config config;
  config.first_party.include = {"ghcr.io/acme/"};
  return config;
}

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

registry::Manifest Index(char digest, std::vector<std::string> platforms) {
  registry::Manifest m;
  m.digest = Digest(digest);
  m.is_index = true;
  for (const std::string& p : platforms) {
    size_t slash = p.find('/');
    m.platforms.push_back({p.substr(0, slash), p.substr(slash + 1), ""});
  }
  return m;
}

registry::RegistryError Failure(registry::ErrorKind kind, int status, std::string reference) {
  registry::RegistryError e;
  e.kind = kind;
  e.http_status = status;
  e.reference = std::move(reference);
  e.message = "from the test";
  return e;
}

const std::vector<std::string> kPlatforms{"linux/amd64", "linux/arm64"};

TEST(MissingPlatforms, OneSentenceNamingTheImageAndWhatItLacks) {
  EXPECT_EQ(
      MissingPlatforms(Index('a', {"linux/amd64", "linux/arm64"}), "ghcr.io/acme/api", kPlatforms),
      "");
  EXPECT_EQ(MissingPlatforms(Index('a', {"linux/amd64"}), "ghcr.io/acme/api", kPlatforms),
            "ghcr.io/acme/api@" + Digest('a') + " is an index that lacks linux/arm64");
  registry::Manifest single;
  single.digest = Digest('b');
  EXPECT_EQ(MissingPlatforms(single, "ghcr.io/acme/api", kPlatforms),
            "ghcr.io/acme/api@" + Digest('b') +
                " is a single-platform image that lacks linux/amd64, linux/arm64");
}

TEST(RequirePlatforms, IsAPlatformsMissingErrorForTheReferenceAsked) {
  base::Result<ref::Reference> asked = ref::ParseReference("ghcr.io/acme/api:main");
  ASSERT_TRUE(asked.ok());
  EXPECT_FALSE(RequirePlatforms(Index('a', kPlatforms), *asked, kPlatforms).has_value());
  std::optional<registry::RegistryError> e =
      RequirePlatforms(Index('a', {"linux/amd64"}), *asked, kPlatforms);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, registry::ErrorKind::kPlatformsMissing);
  EXPECT_EQ(DescribeFailure(*e), "ghcr.io/acme/api:main: platforms-missing: ghcr.io/acme/api@" +
                                     Digest('a') + " is an index that lacks linux/arm64");
}

// Two first-party services in dev, scanned from memory.
class DecideBumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<plan::ScannedFile> files;
    files.push_back(plan::ScanText({"", "sources/values/env/dev/api.yaml"},
                                   "image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n",
                                   config_));
    files.push_back(plan::ScanText({"", "sources/values/env/dev/web.yaml"},
                                   "image:\n  ref: ghcr.io/acme/web:main\n", config_));
    lanes_.push_back(plan::MakeEnvironment("dev", "sources/values/env/dev", std::move(files)));
    found_ = plan::FindBumpTargets(lanes_, config_);
    ASSERT_EQ(found_.targets.size(), 2u);
  }

  policy::Config config_ = AcmeConfig();
  std::vector<plan::EnvironmentImages> lanes_;
  plan::BumpTargets found_;
};

TEST_F(DecideBumpTest, EveryResolvedIndexBecomesAnEdit) {
  BumpDecision d =
      DecideBump(found_, {Index('2', kPlatforms), Index('3', kPlatforms)}, kPlatforms, false);
  EXPECT_FALSE(d.failed);
  ASSERT_EQ(d.edits.size(), 2u);
  EXPECT_EQ(d.edits[1].new_text, "ghcr.io/acme/web@" + Digest('3'));
  EXPECT_EQ(d.Changed(), 2);
  EXPECT_EQ(d.Unchanged(), 0);
  EXPECT_TRUE(d.diagnostics.empty());
}

TEST_F(DecideBumpTest, OneFailureMeansNothingIsWrittenUnlessKeepGoing) {
  std::vector<registry::Result<registry::Manifest>> answers = {
      Index('2', kPlatforms),
      Failure(registry::ErrorKind::kNotFound, 404, "ghcr.io/acme/web:main")};
  BumpDecision d = DecideBump(found_, answers, kPlatforms, false);
  EXPECT_TRUE(d.failed);
  EXPECT_TRUE(d.write_nothing);
  EXPECT_TRUE(d.edits.empty());
  EXPECT_EQ(d.Changed(), 0);
  EXPECT_EQ(d.WouldChange(), 1);
  EXPECT_EQ(d.Failures(), 1);
  ASSERT_EQ(d.diagnostics.size(), 1u);
  EXPECT_EQ(d.diagnostics[0].path, "sources/values/env/dev/web.yaml");
  EXPECT_EQ(d.diagnostics[0].pos.line, 2);
  EXPECT_NE(d.diagnostics[0].message.find("not-found"), std::string::npos);

  BumpDecision kept = DecideBump(found_, answers, kPlatforms, true);
  EXPECT_TRUE(kept.failed);
  EXPECT_FALSE(kept.write_nothing);
  ASSERT_EQ(kept.edits.size(), 1u);
  EXPECT_EQ(kept.Changed(), 1);
}

TEST_F(DecideBumpTest, AnIndexWithoutEveryPlatformIsAFailure) {
  BumpDecision d =
      DecideBump(found_, {Index('2', {"linux/amd64"}), Index('3', kPlatforms)}, kPlatforms, false);
  EXPECT_TRUE(d.write_nothing);
  EXPECT_EQ(d.outcomes[0].failure, "ghcr.io/acme/api:main: platforms-missing: ghcr.io/acme/api@" +
                                       Digest('2') + " is an index that lacks linux/arm64");
}

TEST_F(DecideBumpTest, TheFindersProblemsComeFirstAndFail) {
  found_.problems.push_back(base::Diagnostic::Error("x.yaml", {1, 1}, "a template"));
  BumpDecision d =
      DecideBump(found_, {Index('2', kPlatforms), Index('3', kPlatforms)}, kPlatforms, false);
  EXPECT_TRUE(d.write_nothing);
  ASSERT_EQ(d.diagnostics.size(), 1u);
  EXPECT_EQ(d.diagnostics[0].message, "a template");
}

class DecideVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.config = AcmeConfig();
    ws_.files.push_back(plan::ScanText({"", "values/api.yaml"},
                                       "image:\n  ref: ghcr.io/acme/api@" + Digest('1') + "\n",
                                       ws_.config));
    ws_.files.push_back(plan::ScanText({"", "values/redis.yaml"},
                                       "image: docker.io/library/redis:7.2@" + Digest('2') + "\n",
                                       ws_.config));
    pinned_ = CollectPinned(ws_);
    ASSERT_EQ(pinned_.size(), 2u);
  }
  plan::Workspace ws_;
  std::vector<PinnedImage> pinned_;
};

TEST_F(DecideVerifyTest, CollectsPinnedByDigestWithFirstPartyMarked) {
  EXPECT_TRUE(pinned_[0].first_party);
  EXPECT_EQ(pinned_[0].ref.Normalized(), "ghcr.io/acme/api@" + Digest('1'));
  EXPECT_FALSE(pinned_[1].first_party);
  EXPECT_EQ(pinned_[1].ref.tag, "") << "the digest is what is verified";
}

TEST_F(DecideVerifyTest, MissingDigestIsIP008AndMissingPlatformIsIP009) {
  VerifyDecision d = DecideVerify(
      ws_, pinned_,
      {Index('1', {"linux/amd64"}), Failure(registry::ErrorKind::kNotFound, 404, "redis")},
      "2026-01-01");
  EXPECT_TRUE(d.errors.empty());
  ASSERT_EQ(d.findings.size(), 2u);
  EXPECT_EQ(d.findings[0].rule_id, "IP009");
  EXPECT_EQ(d.findings[0].message, "first-party image ghcr.io/acme/api@" + Digest('1') +
                                       " is an index that lacks linux/arm64");
  EXPECT_EQ(d.findings[1].rule_id, "IP008");
  EXPECT_EQ(d.findings[1].path, "values/redis.yaml");
}

TEST_F(DecideVerifyTest, OtherFailuresAreRuntimeErrorsNotFindings) {
  VerifyDecision d = DecideVerify(
      ws_, pinned_,
      {Index('1', kPlatforms), Failure(registry::ErrorKind::kUnauthorized, 401, "redis")},
      "2026-01-01");
  EXPECT_TRUE(d.findings.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].path, "values/redis.yaml");
}

TEST_F(DecideVerifyTest, ExceptionsSuppressButAnExpiredOneIsLeftToCheck) {
  policy::Exception live;
  live.rule_id = "IP008";
  live.path_glob = "values/**";
  live.reason = "mirrored later";
  policy::Exception expired = live;
  expired.rule_id = "IP009";
  expired.expires = "2025-12-31";
  ws_.config.exceptions = {live, expired};
  VerifyDecision d = DecideVerify(
      ws_, pinned_,
      {Index('1', {"linux/amd64"}), Failure(registry::ErrorKind::kNotFound, 404, "redis")},
      "2026-01-01");
  ASSERT_EQ(d.findings.size(), 2u) << "no IP007 here: check reports expired exceptions";
  EXPECT_FALSE(d.findings[0].suppression.has_value()) << "an expired exception covers nothing";
  EXPECT_TRUE(d.findings[1].suppression.has_value());
}

// Readable tags beside digests: one first-party, one third-party.
class VerifyTagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.config = AcmeConfig();
    ws_.files.push_back(plan::ScanText(
        {"", "values/api.yaml"}, "image:\n  ref: ghcr.io/acme/api:3f2a9c1@" + Digest('1') + "\n",
        ws_.config));
    ws_.files.push_back(plan::ScanText({"", "values/redis.yaml"},
                                       "image: docker.io/library/redis:7.2@" + Digest('2') + "\n",
                                       ws_.config));
    pinned_ = CollectPinned(ws_);
    ASSERT_EQ(pinned_.size(), 2u);
  }
  std::vector<registry::Result<registry::Manifest>> Pins() {
    return {Index('1', kPlatforms), Index('2', {})};
  }
  plan::Workspace ws_;
  std::vector<PinnedImage> pinned_;
};

TEST_F(VerifyTagsTest, EveryTaggedPinHasItsTagAsked) {
  std::vector<ref::Reference> tags = TagsToCheck(pinned_);
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].Normalized(), "ghcr.io/acme/api:3f2a9c1");
  EXPECT_EQ(tags[1].Normalized(), "docker.io/library/redis:7.2");
  EXPECT_EQ(pinned_[0].ref.Normalized(), "ghcr.io/acme/api@" + Digest('1'));
}

TEST_F(VerifyTagsTest, TagsThatStillNameThePinAreFine) {
  VerifyDecision d =
      DecideVerify(ws_, pinned_, Pins(), {Index('1', {}), Index('2', {})}, "2026-01-01");
  EXPECT_TRUE(d.findings.empty());
  EXPECT_TRUE(d.errors.empty());
}

TEST_F(VerifyTagsTest, AMovedTagIsIP015AnErrorFirstPartyAWarningThirdParty) {
  VerifyDecision d =
      DecideVerify(ws_, pinned_, Pins(), {Index('8', {}), Index('9', {})}, "2026-01-01");
  ASSERT_EQ(d.findings.size(), 2u);
  EXPECT_EQ(d.findings[0].rule_id, "IP015");
  EXPECT_EQ(d.findings[0].rule_name, "tag-digest-mismatch");
  EXPECT_EQ(d.findings[0].severity, policy::Severity::kError);
  EXPECT_EQ(d.findings[0].path, "values/api.yaml");
  EXPECT_EQ(d.findings[0].line, 2);
  EXPECT_EQ(d.findings[0].message,
            "tag \"3f2a9c1\" of ghcr.io/acme/api now names " + Digest('8') + ", not the pinned " +
                Digest('1') + ": the readable tag says another build than the one that runs");
  EXPECT_EQ(d.findings[1].rule_id, "IP015");
  EXPECT_EQ(d.findings[1].severity, policy::Severity::kWarning);
  EXPECT_NE(d.findings[1].message.find("(a third-party tag: upstreams re-push them)"),
            std::string::npos)
      << d.findings[1].message;
}

TEST_F(VerifyTagsTest, AGoneTagIsIP015Too) {
  std::vector<registry::Result<registry::Manifest>> tags = {
      Failure(registry::ErrorKind::kNotFound, 404, "ghcr.io/acme/api:3f2a9c1"), Index('2', {})};
  VerifyDecision d = DecideVerify(ws_, pinned_, Pins(), tags, "2026-01-01");
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(d.findings[0].rule_id, "IP015");
  EXPECT_EQ(d.findings[0].message,
            "tag \"3f2a9c1\" of ghcr.io/acme/api is gone from the "
            "registry: the readable tag names no build, the pinned " +
                Digest('1') + " is unconfirmed by it");
}

TEST_F(VerifyTagsTest, APinThatIsOnePlatformOfTheTagsIndexIsFine) {
  // redis:7.2@<the amd64 manifest>: the tag names the index that lists it.
  registry::Manifest index = Index('7', {"linux/amd64"});
  index.children = {Digest('2')};
  std::vector<registry::Result<registry::Manifest>> tags = {Index('1', {}), index};
  EXPECT_EQ(TagsToOpen(pinned_, tags), (std::vector<size_t>{1}));
  VerifyDecision d = DecideVerify(ws_, pinned_, Pins(), tags, "2026-01-01");
  EXPECT_TRUE(d.findings.empty());
}

TEST_F(VerifyTagsTest, ATagLookupThatFailsOtherwiseIsARuntimeError) {
  std::vector<registry::Result<registry::Manifest>> tags = {
      Index('1', {}), Failure(registry::ErrorKind::kUnauthorized, 401, "redis:7.2")};
  VerifyDecision d = DecideVerify(ws_, pinned_, Pins(), tags, "2026-01-01");
  EXPECT_TRUE(d.findings.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].path, "values/redis.yaml");
}

TEST(VerifyPlatformsRequired, AMatchingEntryDecidesThePlatformsFirstPartyOrNot) {
  plan::Workspace ws;
  ws.config = AcmeConfig();
  ws.config.first_party.exclude = {"ghcr.io/acme/mirror/"};
  ws.config.platforms_required = {{"ghcr.io/acme/mirror/**", {"linux/amd64", "linux/arm64"}, 1}};
  ws.files.push_back(plan::ScanText({"", "values/mirror.yaml"},
                                    "image: ghcr.io/acme/mirror/library/nginx@" + Digest('1') +
                                        "\nother: {image: ghcr.io/acme/mirror/redis@" +
                                        Digest('2') + "}\nthird: {image: quay.io/x/y@" +
                                        Digest('3') + "}\n",
                                    ws.config));
  std::vector<PinnedImage> pinned = CollectPinned(ws);
  ASSERT_EQ(pinned.size(), 3u);
  EXPECT_FALSE(pinned[0].first_party);
  ASSERT_NE(pinned[0].platforms, nullptr);
  EXPECT_EQ(*pinned[0].platforms, kPlatforms);
  EXPECT_EQ(pinned[2].platforms, nullptr) << "third-party and matching no entry";
  registry::Manifest single;
  single.digest = Digest('1');
  VerifyDecision d =
      DecideVerify(ws, pinned, {single, Index('2', kPlatforms), Index('3', {})}, "2026-01-01");
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(d.findings[0].rule_id, "IP009");
  EXPECT_EQ(d.findings[0].message,
            "third-party image ghcr.io/acme/mirror/library/nginx@" + Digest('1') +
                " is a single-platform image that lacks linux/amd64, linux/arm64");
}

TEST(DecidePin, OneFailedResolutionMeansNoEdits) {
  policy::Config config;
  std::vector<plan::ScannedFile> files;
  files.push_back(plan::ScanText({"", "a.yaml"}, "image: ghcr.io/acme/api:v1.2.3\n", config));
  files.push_back(plan::ScanText({"", "b.yaml"}, "image: nginx:1.27\n", config));
  base::Result<plan::PinTargets> found = plan::FindPinTargets(files, config, {});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->targets.size(), 2u);
  PinDecision ok = DecidePin(*found, {Index('1', {}), Index('2', {})});
  ASSERT_EQ(ok.edits.size(), 2u);
  EXPECT_EQ(ok.edits[0].new_text, "ghcr.io/acme/api:v1.2.3@" + Digest('1'));
  EXPECT_EQ(ok.digests[1], Digest('2'));
  PinDecision failed =
      DecidePin(*found, {Index('1', {}), Failure(registry::ErrorKind::kNotFound, 404, "nginx")});
  EXPECT_TRUE(failed.failed());
  EXPECT_TRUE(failed.edits.empty());
  ASSERT_EQ(failed.errors.size(), 1u);
  EXPECT_EQ(failed.errors[0].path, "b.yaml");
}

TEST(CheckPromotedDigests, FirstPartyDigestsNeedEveryPlatform) {
  policy::Config config = AcmeConfig();
  auto env = [&](const char* name, char digest) {
    std::string dir = std::string("sources/values/env/") + name;
    std::vector<plan::ScannedFile> files;
    files.push_back(plan::ScanText({"", dir + "/api.yaml"},
                                   "image:\n  ref: ghcr.io/acme/api@" + Digest(digest) + "\n",
                                   config));
    return plan::MakeEnvironment(name, dir, std::move(files));
  };
  plan::EnvironmentImages dev = env("dev", '1'), staging = env("staging", '0');
  plan::PromotePlan plan = plan::PlanPromotion(dev, staging, config, {});
  ASSERT_EQ(plan.promotions.size(), 1u);
  std::vector<ref::Reference> asked = PromotedDigests(plan);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].Normalized(), "ghcr.io/acme/api@" + Digest('1'));
  EXPECT_TRUE(CheckPromotedDigests(plan, {Index('1', kPlatforms)}, kPlatforms).empty());
  std::vector<base::Diagnostic> errors =
      CheckPromotedDigests(plan, {Index('1', {"linux/amd64"})}, kPlatforms);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rule, "IP009");
  EXPECT_EQ(errors[0].path, "sources/values/env/dev/api.yaml");
}

}  // namespace
}  // namespace imagepin::decide
