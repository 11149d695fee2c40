#include "policy/evaluate.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy/check.h"
#include "policy/exceptions.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::policy {
namespace {

namespace fs = std::filesystem;

const std::string kDigest =
    "sha256:6c023c2784dd7af8416c28e8a150887aec51824525bd544d099f59d114c447d4";

// The tests' own images are under ghcr.io/acme/, as a config would say.
Config AcmeConfig() {
  Config config;
  config.first_party.include = {"ghcr.io/acme/"};
  return config;
}

std::vector<Finding> Evaluate(std::string_view text, const Config& config = AcmeConfig(),
                              const std::string& path = "values.yaml") {
  yaml::StreamParser parser;
  scan::FileScan scan = scan::ScanContents(text, path, false, &parser);
  std::vector<Finding> out;
  EvaluateFile(config, path, scan, &out);
  return out;
}

std::vector<std::string> RuleIds(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) ids.push_back(f.rule_id);
  return ids;
}

bool Mentions(const Finding& f, const std::string& text) {
  return f.message.find(text) != std::string::npos;
}

Config ConfigFrom(const std::string& text) {
  base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
  EXPECT_TRUE(config.ok()) << config.error().ToString();
  return config.ok() ? *config : Config{};
}

using Ids = std::vector<std::string>;

// ---- IP001 ----

TEST(EvaluateFile, TagWithoutDigestIsIP001AtTheString) {
  std::vector<Finding> findings = Evaluate("app:\n  image: nginx:1.27.0\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP001"});
  const Finding& f = findings[0];
  EXPECT_EQ(f.rule_name, "digest-required");
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.path, "values.yaml");
  EXPECT_EQ(f.line, 2);
  EXPECT_EQ(f.column, 10);
  EXPECT_EQ(f.source_line, "  image: nginx:1.27.0");
  EXPECT_EQ(f.key_path, "app.image");
  EXPECT_EQ(f.reference, "nginx:1.27.0");
  EXPECT_TRUE(Mentions(f, "not pinned by digest")) << f.message;
  EXPECT_TRUE(Mentions(f, "nginx:1.27.0@sha256:<digest>")) << f.message;
  EXPECT_FALSE(f.suppression.has_value());
}

TEST(EvaluateFile, UntaggedImageMeansLatest) {
  std::vector<Finding> findings = Evaluate("image: nginx\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP001"});
  EXPECT_TRUE(Mentions(findings[0], "no tag and no digest")) << findings[0].message;
  EXPECT_TRUE(Mentions(findings[0], ":latest")) << findings[0].message;
}

TEST(EvaluateFile, AnEmptySplitTagIsTheChartsAppVersionNotLatest) {
  for (const char* text : {"image:\n  repository: bitnami/redis\n  tag: \"\"\n",
                           "image:\n  repository: bitnami/redis\n"}) {
    std::vector<Finding> findings = Evaluate(text);
    ASSERT_EQ(RuleIds(findings), Ids{"IP001"}) << text;
    EXPECT_TRUE(Mentions(findings[0], "fills from its appVersion")) << findings[0].message;
    EXPECT_TRUE(Mentions(findings[0], "no digest")) << findings[0].message;
    EXPECT_FALSE(Mentions(findings[0], ":latest")) << findings[0].message;
    EXPECT_EQ(findings[0].line, 1);
  }
}

TEST(EvaluateFile, MentionsAreJudgedAsWarningsOrErrorsOrNotAtAll) {
  const std::string text =
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "spec:\n"
      "  template:\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: operator\n"
      "          image: quay.io/acme/operator@" +
      kDigest +
      "\n"
      "          imagePullPolicy: IfNotPresent\n"
      "          args: [\"--sidecar-image=quay.io/acme/sidecar:latest\"]\n"
      "          env:\n"
      "            - name: RELATED_IMAGE_DB\n"
      "              value: quay.io/acme/db:15.4\n";
  std::vector<Finding> findings = Evaluate(text, AcmeConfig(), "operator.yaml");
  EXPECT_EQ(RuleIds(findings), (Ids{"IP001", "IP002", "IP001"}));
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].line, 10);
  EXPECT_EQ(findings[0].column, 35) << "the reference after `--sidecar-image=`";
  EXPECT_EQ(findings[2].line, 13);
  for (const Finding& f : findings) EXPECT_EQ(f.severity, Severity::kWarning) << f.message;

  Config gate = AcmeConfig();
  gate.mentions = Config::Mentions::kError;
  std::vector<Finding> errors = Evaluate(text, gate, "operator.yaml");
  ASSERT_EQ(errors.size(), 3u);
  for (const Finding& f : errors) EXPECT_EQ(f.severity, Severity::kError) << f.message;

  Config off = AcmeConfig();
  off.mentions = Config::Mentions::kOff;
  EXPECT_TRUE(Evaluate(text, off, "operator.yaml").empty());
}

TEST(EvaluateFile, KoAndYttPlaceholdersAreNotJudged) {
  EXPECT_TRUE(Evaluate("image: ko://github.com/acme/cmd/controller\n").empty());
  EXPECT_TRUE(Evaluate("image: #@ data.values.image\n").empty());
}

TEST(EvaluateFile, PinnedImagesHaveNoFindings) {
  std::vector<Finding> findings = Evaluate(
      "a:\n  image: nginx:1.27.0@" + kDigest + "\n" + "b:\n  image: nginx@" + kDigest + "\n" +
      "c:\n  image:\n    ref: ghcr.io/acme/api:3f2a9c1@" + kDigest +
      "\n    pullPolicy: IfNotPresent\n" +
      "d:\n  image:\n    repository: bitnami/redis\n    tag: 7.2.4\n    digest: " + kDigest + "\n");
  EXPECT_TRUE(findings.empty()) << findings[0].rule_id << " " << findings[0].message;
}

TEST(EvaluateFile, SplitWithoutDigestIsIP001AtTheImageKey) {
  std::vector<Finding> findings =
      Evaluate("redis:\n  image:\n    repository: bitnami/redis\n    tag: 7.2.4\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP001"});
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 3);
  EXPECT_EQ(findings[0].key_path, "redis.image");
  EXPECT_EQ(findings[0].reference, "bitnami/redis:7.2.4");
}

// ---- IP002 ----

TEST(EvaluateFile, ChannelTagWithDigestIsIP002NamingTheChannel) {
  std::vector<Finding> findings =
      Evaluate("image:\n  ref: ghcr.io/acme/web:main@" + kDigest + "\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP002"});
  const Finding& f = findings[0];
  EXPECT_EQ(f.rule_name, "floating-tag");
  EXPECT_EQ(f.line, 2);
  EXPECT_EQ(f.column, 8);
  EXPECT_EQ(f.key_path, "image.ref");
  EXPECT_TRUE(Mentions(f, "\"main\"")) << f.message;
  EXPECT_TRUE(Mentions(f, "channel")) << f.message;
}

TEST(EvaluateFile, OtherFloatingTagMessageDoesNotCallItAChannel) {
  std::vector<Finding> findings = Evaluate("image: redis:7-alpine@" + kDigest + "\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP002"});
  EXPECT_TRUE(Mentions(findings[0], "\"7-alpine\"")) << findings[0].message;
  EXPECT_FALSE(Mentions(findings[0], "channel")) << findings[0].message;
}

TEST(EvaluateFile, FloatingTagWithoutDigestIsBothIP001AndIP002) {
  std::vector<Finding> findings = Evaluate("image: redis:latest\n");
  EXPECT_EQ(RuleIds(findings), (Ids{"IP001", "IP002"}));
}

TEST(EvaluateFile, SplitFloatingTagIsReportedAtTheTagValue) {
  std::vector<Finding> findings = Evaluate(
      "image:\n"
      "  repository: redis\n"
      "  tag: latest\n"
      "  digest: " +
      kDigest + "\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP002"});
  EXPECT_EQ(findings[0].line, 3);
  EXPECT_EQ(findings[0].column, 8);
  EXPECT_EQ(findings[0].key_path, "image.tag");
  EXPECT_EQ(findings[0].source_line, "  tag: latest");
}

TEST(EvaluateFile, PartialTagOnlyMappingIsCheckedForItsTagOnly) {
  std::vector<Finding> findings = Evaluate("image:\n  tag: latest\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP002"});
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 8);
  EXPECT_EQ(findings[0].key_path, "image.tag");
  EXPECT_TRUE(Evaluate("image:\n  tag: 1.2.3\n").empty());
}

TEST(EvaluateFile, PartialTagCarryingDigestChecksThePartBeforeTheDigest) {
  std::vector<Finding> findings = Evaluate("image:\n  tag: \"v1.15.3@" + kDigest + "\"\n");
  EXPECT_EQ(RuleIds(findings), Ids{"IP006"});
  findings = Evaluate("image:\n  tag: \"main@" + kDigest + "\"\n");
  EXPECT_EQ(RuleIds(findings), (Ids{"IP006", "IP002"}));
}

TEST(EvaluateFile, TagsAllowFromConfigAcceptsATag) {
  Config config = ConfigFrom("tags:\n  allow: ['r\\d+']\n");
  EXPECT_TRUE(Evaluate("image: app:r1432@" + kDigest + "\n", config).empty());
  EXPECT_EQ(RuleIds(Evaluate("image: app:r1432@" + kDigest + "\n")), Ids{"IP002"});
}

// ---- IP003 ----

TEST(EvaluateFile, InvalidReferencesAreIP003Only) {
  struct Case {
    const char* name;
    std::string yaml;
    int line, column;
    const char* mention;
  };
  const Case cases[] = {
      {"uppercase repository", "image:\n  ref: ghcr.io/acme/Worker:1.0.0\n", 2, 8, "lowercase"},
      // Too short for the digest grammar at all: the reference does not parse.
      {"short digest", "image: nginx@sha256:abc\n", 1, 8, "\"nginx@sha256:abc\""},
      {"digest one hex short", "image: nginx@" + kDigest.substr(0, kDigest.size() - 1) + "\n", 1, 8,
       "digest length"},
      {"empty", "image: \"\"\n", 1, 8, "empty image reference"},
      {"split with a bad digest",
       "image:\n  repository: redis\n  tag: 7.2.4\n  digest: sha256:abc\n", 1, 1,
       "\"redis:7.2.4@sha256:abc\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Finding> findings = Evaluate(c.yaml);
    ASSERT_EQ(RuleIds(findings), Ids{"IP003"});
    EXPECT_EQ(findings[0].rule_name, "invalid-reference");
    EXPECT_EQ(findings[0].line, c.line);
    EXPECT_EQ(findings[0].column, c.column);
    EXPECT_TRUE(Mentions(findings[0], c.mention)) << findings[0].message;
  }
}

// A huge value is quoted in part: the message stays small whatever the file holds.
TEST(EvaluateFile, QuotesOnlyTheStartOfAHugeValue) {
  const std::string huge(1 << 20, 'a');
  const std::string yamls[] = {
      "image: " + huge + "\n",          // IP003 (too long to be a name)
      "image:\n  tag: " + huge + "\n",  // IP002 on a partial mapping's tag
      "image:\n  ref: nginx@" + kDigest + "\n  pullPolicy: " + huge + "\n",  // IP005
  };
  for (const std::string& yaml : yamls) {
    std::vector<Finding> findings = Evaluate(yaml);
    ASSERT_EQ(findings.size(), 1u);
    SCOPED_TRACE(findings[0].rule_id);
    EXPECT_LT(findings[0].message.size(), 500u);
    EXPECT_TRUE(Mentions(findings[0], std::string(200, 'a') + "\u2026(1048376 more bytes)"))
        << findings[0].message;
  }
}

TEST(EvaluateFile, CutsAHugeValueAtACharacterBoundary) {
  std::string huge;
  for (int i = 0; i < 1000; ++i) huge += "\u00E9";  // two bytes each: byte 200 starts one
  huge = "x" + huge;                                // now it is a continuation byte
  std::vector<Finding> findings = Evaluate("image: " + huge + "\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP003"});
  EXPECT_TRUE(Mentions(findings[0], "\"" + huge.substr(0, 199) + "\u2026(1802 more bytes)\""))
      << findings[0].message;
}

// ---- IP004 ----

TEST(EvaluateFile, FirstPartySplitIsIP004AtTheImageKey) {
  std::vector<Finding> findings = Evaluate(
      "billing:\n"
      "  image:\n"
      "    repository: ghcr.io/acme/billing\n"
      "    tag: 1a2b3c4\n"
      "    digest: " +
      kDigest + "\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP004"});
  EXPECT_EQ(findings[0].rule_name, "first-party-split");
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 3);
  EXPECT_EQ(findings[0].key_path, "billing.image");
  EXPECT_TRUE(Mentions(findings[0], "image.ref")) << findings[0].message;
  EXPECT_TRUE(Mentions(findings[0], "ghcr.io/acme/billing")) << findings[0].message;
}

TEST(EvaluateFile, FirstPartySplitWithRegistryFieldIsIP004) {
  std::vector<Finding> findings = Evaluate(
      "image:\n  registry: ghcr.io\n  repository: acme/billing\n  tag: 1a2b3c4\n  digest: " +
      kDigest + "\n");
  EXPECT_EQ(RuleIds(findings), Ids{"IP004"});
}

TEST(EvaluateFile, ThirdPartySplitIsNotIP004) {
  std::vector<Finding> findings = Evaluate(
      "image:\n  registry: ghcr.io\n  repository: acme-labs/tool\n  tag: 1.0.0\n  digest: " +
      kDigest + "\n");
  EXPECT_TRUE(findings.empty()) << findings[0].rule_id;
}

TEST(EvaluateFile, ConfigFirstPartyPrefixesDecideIP004) {
  std::string acme =
      "image:\n  repository: ghcr.io/acme/billing\n  tag: 1a2b3c4\n  digest: " + kDigest + "\n";
  std::string team =
      "image:\n  repository: registry.example.com/team/api\n  tag: 1.0.0\n  digest: " + kDigest +
      "\n";
  Config config = ConfigFrom("firstParty: [\"registry.example.com/team/\"]\n");
  EXPECT_TRUE(Evaluate(acme, config).empty());
  EXPECT_EQ(RuleIds(Evaluate(team, config)), Ids{"IP004"});
  EXPECT_TRUE(Evaluate(team).empty());
}

TEST(EvaluateFile, FirstPartyPrefixIsComparedWithTheQualifiedRepository) {
  // docs/config.md: `docker.io/acme/` matches the repository `acme/api` written without registry.
  Config config = ConfigFrom("firstParty: [\"docker.io/acme/\"]\n");
  std::string text = "image:\n  repository: acme/api\n  tag: 1.0.0\n  digest: " + kDigest + "\n";
  EXPECT_EQ(RuleIds(Evaluate(text, config)), Ids{"IP004"});
  EXPECT_TRUE(IsFirstParty(config, "docker.io/acme/api"));
  EXPECT_TRUE(IsFirstParty(config, "acme/api"));
  EXPECT_FALSE(IsFirstParty(config, "acme-labs/api"));
  EXPECT_FALSE(IsFirstParty(config, "quay.io/acme/api"));
}

// ---- IP005 ----

TEST(EvaluateFile, ValuesPullPolicyAlwaysIsIP005AtTheValue) {
  std::vector<Finding> findings =
      Evaluate("image:\n  ref: ghcr.io/acme/web:e7a41d2@" + kDigest + "\n  pullPolicy: Always\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP005"});
  const Finding& f = findings[0];
  EXPECT_EQ(f.rule_name, "pull-policy");
  EXPECT_EQ(f.line, 3);
  EXPECT_EQ(f.column, 15);
  EXPECT_EQ(f.key_path, "image.pullPolicy");
  EXPECT_TRUE(Mentions(f, "Always")) << f.message;
  EXPECT_TRUE(Mentions(f, "IfNotPresent")) << f.message;
}

TEST(EvaluateFile, ImageMappingWithOnlyPullPolicyIsChecked) {
  std::vector<Finding> findings = Evaluate("image:\n  pullPolicy: Always\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP005"});
  EXPECT_EQ(findings[0].key_path, "image.pullPolicy");
  EXPECT_EQ(findings[0].line, 2);
}

TEST(EvaluateFile, ContainerWithoutImagePullPolicyIsIP005AtTheContainer) {
  std::vector<Finding> findings = Evaluate(
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "spec:\n"
      "  template:\n"
      "    spec:\n"
      "      initContainers:\n"
      "        - name: fix-permissions\n"
      "          image: busybox:1.36@" +
      kDigest +
      "\n"
      "      containers:\n"
      "        - name: api\n"
      "          image: ghcr.io/acme/api@" +
      kDigest + "\n");
  ASSERT_EQ(RuleIds(findings), (Ids{"IP005", "IP005"}));
  EXPECT_EQ(findings[0].line, 7);
  EXPECT_EQ(findings[0].column, 11);
  EXPECT_EQ(findings[0].key_path, "spec.template.spec.initContainers[0]");
  EXPECT_TRUE(Mentions(findings[0], "init container \"fix-permissions\"")) << findings[0].message;
  EXPECT_TRUE(Mentions(findings[0], "imagePullPolicy")) << findings[0].message;
  EXPECT_EQ(findings[1].line, 10);
  EXPECT_EQ(findings[1].column, 11);
  EXPECT_EQ(findings[1].key_path, "spec.template.spec.containers[0]");
  EXPECT_TRUE(Mentions(findings[1], "container \"api\"")) << findings[1].message;
}

TEST(EvaluateFile, ContainerWithAlwaysIsIP005AtThePolicy) {
  std::vector<Finding> findings = Evaluate(
      "apiVersion: v1\n"
      "kind: Pod\n"
      "spec:\n"
      "  containers:\n"
      "    - name: api\n"
      "      image: ghcr.io/acme/api@" +
      kDigest +
      "\n"
      "      imagePullPolicy: Always\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP005"});
  EXPECT_EQ(findings[0].line, 7);
  EXPECT_EQ(findings[0].column, 24);
  EXPECT_EQ(findings[0].key_path, "spec.containers[0].imagePullPolicy");
}

TEST(EvaluateFile, SharedPullPolicyIsReportedOnce) {
  std::vector<Finding> findings =
      Evaluate("image: nginx:1.27.0@" + kDigest + "\n" + "initImage: busybox:1.36@" + kDigest +
               "\n" + "pullPolicy: Always\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP005"});
  EXPECT_EQ(findings[0].line, 3);
  EXPECT_EQ(findings[0].column, 13);
  // The policy is a sibling of the image keys, not inside an image mapping.
  EXPECT_EQ(findings[0].key_path, "pullPolicy");
}

TEST(EvaluateFile, SiblingImagePullPolicyInValuesKeyPath) {
  std::vector<Finding> findings = Evaluate(
      "sidecars:\n"
      "  - name: proxy\n"
      "    image: nginx:1.27.0@" +
      kDigest + "\n" + "    imagePullPolicy: Never\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP005"});
  EXPECT_EQ(findings[0].key_path, "sidecars[0].imagePullPolicy");
  EXPECT_EQ(findings[0].line, 4);
  EXPECT_EQ(findings[0].column, 22);
}

TEST(EvaluateFile, ConfiguredPullPolicyIsTheRequiredOne) {
  Config config = ConfigFrom("pullPolicy: Always\n");
  std::string text = "a:\n  pullPolicy: Always\nb:\n  pullPolicy: IfNotPresent\n";
  std::vector<Finding> findings = Evaluate(text, config);
  ASSERT_EQ(RuleIds(findings), Ids{"IP005"});
  EXPECT_EQ(findings[0].key_path, "b.pullPolicy");
  EXPECT_EQ(RuleIds(Evaluate(text)), Ids{"IP005"});
  EXPECT_EQ(Evaluate(text)[0].key_path, "a.pullPolicy");
}

// ---- IP006 ----

TEST(EvaluateFile, TagCarryingDigestIsAWarningAtTheTag) {
  std::vector<Finding> findings = Evaluate(
      "image:\n"
      "  repository: quay.io/jetstack/cert-manager-controller\n"
      "  tag: \"v1.15.3@" +
      kDigest +
      "\"\n"
      "  pullPolicy: IfNotPresent\n");
  // Pinned (no IP001), and the part before `@` is a semantic version (no IP002).
  ASSERT_EQ(RuleIds(findings), Ids{"IP006"});
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_EQ(findings[0].rule_name, "tag-carries-digest");
  EXPECT_EQ(findings[0].line, 3);
  EXPECT_EQ(findings[0].column, 8);
  EXPECT_EQ(findings[0].key_path, "image.tag");
}

// ---- kustomize ----

TEST(EvaluateFile, KustomizeEntryFindingsPointAtTheEntryAndNewTag) {
  std::vector<Finding> findings = Evaluate(
      "images:\n"
      "  - name: nginx\n"
      "    newTag: latest\n",
      Config{}, "overlays/dev/kustomization.yaml");
  ASSERT_EQ(RuleIds(findings), (Ids{"IP001", "IP002"}));
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 5);
  EXPECT_EQ(findings[0].key_path, "images[0]");
  EXPECT_EQ(findings[1].line, 3);
  EXPECT_EQ(findings[1].column, 13);
  EXPECT_EQ(findings[1].key_path, "images[0].newTag");
}

// ---- templated, IP000 ----

TEST(EvaluateFile, TemplatedReferencesGiveNothing) {
  std::vector<Finding> findings = Evaluate(
      "image: \"{{ .Values.image }}\"\n"
      "worker:\n"
      "  image:\n"
      "    ref: \"{{ .Values.worker.ref }}:latest\"\n"
      "    pullPolicy: Always\n");
  EXPECT_TRUE(findings.empty()) << findings[0].rule_id;
}

TEST(EvaluateFile, ParseProblemIsIP000) {
  std::vector<Finding> findings = Evaluate("image: nginx\n  bad: x\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP000"});
  EXPECT_EQ(findings[0].rule_name, "parse-error");
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 6);
  EXPECT_EQ(findings[0].source_line, "  bad: x");
  EXPECT_TRUE(Mentions(findings[0], "YAML syntax error")) << findings[0].message;
}

TEST(EvaluateFile, BinaryFileIsIP000ForTheWholeFile) {
  std::vector<Finding> findings = Evaluate(std::string("image: a\0b\n", 11));
  ASSERT_EQ(RuleIds(findings), Ids{"IP000"});
  EXPECT_EQ(findings[0].line, 0);
  EXPECT_EQ(findings[0].column, 0);
}

TEST(EvaluateFile, MultiDocumentFindingsCarryTheDocumentIndex) {
  std::vector<Finding> findings = Evaluate("image: a:1.0.0@" + kDigest + "\n---\nimage: b:1.0.0\n");
  ASSERT_EQ(RuleIds(findings), Ids{"IP001"});
  EXPECT_EQ(findings[0].document, 1);
  EXPECT_EQ(findings[0].line, 3);
}

// ---- ApplyExceptions ----

const char kTwoImages[] =
    "web:\n"
    "  image: nginx:1.27.0\n"
    "worker:\n"
    "  image: redis:7.4.1\n";

TEST(ApplyExceptions, MatchingExceptionSuppressesButKeepsTheFinding) {
  Config config = ConfigFrom(
      "exceptions:\n"
      "  - path: \"sources/values/**\"\n"
      "    rule: digest-required\n"
      "    reason: \"registry migration (OPS-311)\"\n"
      "    expires: \"2027-03-31\"\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config, "sources/values/env/dev/app.yaml");
  ASSERT_EQ(findings.size(), 2u);
  ApplyExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(findings.size(), 2u);
  for (const Finding& f : findings) {
    SCOPED_TRACE(f.key_path);
    EXPECT_EQ(f.rule_id, "IP001");
    ASSERT_TRUE(f.suppression.has_value());
    EXPECT_EQ(f.suppression->reason, "registry migration (OPS-311)");
    EXPECT_EQ(f.suppression->expires, "2027-03-31");
    EXPECT_EQ(f.suppression->config_path, ".imagepin.yaml");
    EXPECT_EQ(f.suppression->config_line, 2);
  }
}

TEST(ApplyExceptions, KeyGlobNarrowsTheException) {
  Config config = ConfigFrom(
      "exceptions:\n"
      "  - path: \"**\"\n"
      "    rule: IP001\n"
      "    key: \"worker.*\"\n"
      "    reason: x\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config);
  ApplyExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].key_path, "web.image");
  EXPECT_FALSE(findings[0].suppression.has_value());
  EXPECT_EQ(findings[1].key_path, "worker.image");
  EXPECT_TRUE(findings[1].suppression.has_value());
}

TEST(ApplyExceptions, RefGlobNarrowsTheException) {
  Config config = ConfigFrom(
      "exceptions:\n"
      "  - path: values.yaml\n"
      "    rule: IP001\n"
      "    ref: \"nginx:*\"\n"
      "    reason: x\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config);
  ApplyExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].reference, "nginx:1.27.0");
  EXPECT_TRUE(findings[0].suppression.has_value());
  EXPECT_EQ(findings[1].reference, "redis:7.4.1");
  EXPECT_FALSE(findings[1].suppression.has_value());
}

TEST(ApplyExceptions, OtherPathOrRuleDoesNotSuppress) {
  Config config = ConfigFrom(
      "exceptions:\n"
      "  - path: other.yaml\n"
      "    rule: IP001\n"
      "    reason: x\n"
      "  - path: values.yaml\n"
      "    rule: IP002\n"
      "    reason: x\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config);
  ApplyExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_FALSE(findings[0].suppression.has_value());
  EXPECT_FALSE(findings[1].suppression.has_value());
}

TEST(ApplyExceptions, ExpiredExceptionDoesNotSuppressAndIsIP007) {
  Config config = ConfigFrom(
      "version: 1\n"
      "exceptions:\n"
      "  - path: values.yaml\n"
      "    rule: IP001\n"
      "    reason: x\n"
      "    expires: \"2025-12-31\"\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config);
  ApplyExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(RuleIds(findings), (Ids{"IP001", "IP001", "IP007"}));
  EXPECT_FALSE(findings[0].suppression.has_value());
  EXPECT_FALSE(findings[1].suppression.has_value());
  const Finding& expired = findings[2];
  EXPECT_EQ(expired.rule_name, "exception-expired");
  EXPECT_EQ(expired.severity, Severity::kError);
  EXPECT_EQ(expired.path, ".imagepin.yaml");
  EXPECT_EQ(expired.line, 6);
  EXPECT_EQ(expired.column, 14);
  EXPECT_EQ(expired.source_line, "    expires: \"2025-12-31\"");
  EXPECT_TRUE(Mentions(expired, "2025-12-31")) << expired.message;
  EXPECT_FALSE(expired.suppression.has_value());
}

TEST(SuppressExcepted, SuppressesWithoutReportingExpiredExceptions) {
  Config config = ConfigFrom(
      "exceptions:\n"
      "  - path: values.yaml\n"
      "    rule: IP001\n"
      "    reason: x\n"
      "  - path: values.yaml\n"
      "    rule: IP002\n"
      "    reason: y\n"
      "    expires: \"2025-12-31\"\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config);
  SuppressExcepted(config, "2026-01-01", &findings);
  ASSERT_EQ(RuleIds(findings), (Ids{"IP001", "IP001"})) << "IP007 is check's, not appended here";
  EXPECT_TRUE(findings[0].suppression.has_value());
  AppendExpiredExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(RuleIds(findings), (Ids{"IP001", "IP001", "IP007"}));
}

TEST(ApplyExceptions, ExceptionExpiringTodayIsStillLive) {
  Config config = ConfigFrom(
      "exceptions:\n"
      "  - path: values.yaml\n"
      "    rule: IP001\n"
      "    reason: x\n"
      "    expires: \"2026-01-01\"\n");
  std::vector<Finding> findings = Evaluate(kTwoImages, config);
  ApplyExceptions(config, "2026-01-01", &findings);
  ASSERT_EQ(RuleIds(findings), (Ids{"IP001", "IP001"}));
  EXPECT_TRUE(findings[0].suppression.has_value());
  EXPECT_TRUE(findings[1].suppression.has_value());
}

// ---- RunCheck ----

using RepoDir = imagepin::testing::TempDir;

TEST(RunCheck, FindingsSortedAndStatsCounted) {
  RepoDir repo;
  repo.Write(".imagepin.yaml",
             "version: 1\n"
             "exceptions:\n"
             "  - path: sources/values/env/dev/b.yaml\n"
             "    rule: IP001\n"
             "    reason: \"migrating (OPS-1)\"\n");
  repo.Write("sources/values/env/dev/b.yaml",
             "replicas: 1\n"
             "image: redis:7.4.1\n"    // IP001, suppressed
             "pullPolicy: Always\n");  // IP005
  repo.Write("sources/values/env/dev/a.yaml",
             "web:\n"
             "  image: nginx:1.27.0\n"  // IP001
             "worker:\n"
             "  image: nginx:1.27.0@" +
                 kDigest + "\n");
  repo.Write("sources/manifests/app/deploy.yaml",
             "apiVersion: apps/v1\n"
             "kind: Deployment\n"
             "spec:\n"
             "  template:\n"
             "    spec:\n"
             "      containers:\n"
             "        - name: api\n"  // IP005 (no imagePullPolicy)
             "          image: ghcr.io/acme/api@" +
                 kDigest + "\n");
  repo.Write("sources/values/chart/Chart.yaml", "name: chart\n");
  repo.Write("sources/values/chart/templates/deploy.yaml", "image: {{ .Values.image }}\n");
  repo.Write("sources/values/env/dev/generated.yaml",
             "{{- if .Values.x }}\nimage: a\n{{- end }}\n");
  repo.Write("sources/values/env/dev/notes.txt", "image: nginx:latest\n");
  repo.Write("sources/charts/app/values.yaml", "image: nginx:latest\n");  // out of scope

  base::Result<Config> config = LoadConfig(repo.str());
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  CheckRequest request;
  request.root = repo.str();
  request.jobs = 2;
  request.today = "2026-01-01";
  base::Result<CheckResult> result = RunCheck(*config, request);
  ASSERT_TRUE(result.ok()) << result.error().ToString();

  struct Want {
    const char* path;
    int line;
    const char* rule;
    bool suppressed;
  };
  const Want want[] = {
      {"sources/manifests/app/deploy.yaml", 7, "IP005", false},
      {"sources/values/env/dev/a.yaml", 2, "IP001", false},
      {"sources/values/env/dev/b.yaml", 2, "IP001", true},
      {"sources/values/env/dev/b.yaml", 3, "IP005", false},
      // A template outside a chart: its literal `image: a` is still an image.
      {"sources/values/env/dev/generated.yaml", 2, "IP001", false},
  };
  ASSERT_EQ(result->findings.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    SCOPED_TRACE(i);
    const Finding& f = result->findings[i];
    EXPECT_EQ(f.path, want[i].path);
    EXPECT_EQ(f.line, want[i].line);
    EXPECT_EQ(f.rule_id, want[i].rule);
    EXPECT_EQ(f.suppression.has_value(), want[i].suppressed);
  }
  // deploy.yaml, Chart.yaml, a.yaml, b.yaml parse; the chart template and generated.yaml are
  // templates; notes.txt is not YAML and sources/charts is out of scope.
  EXPECT_EQ(result->stats.files_scanned, 4);
  EXPECT_EQ(result->stats.templates_skipped, 2);
  // a.yaml: 2, b.yaml: 1, deploy.yaml: 1, generated.yaml: 1.
  EXPECT_EQ(result->stats.image_fields, 5);
}

}  // namespace
}  // namespace imagepin::policy
