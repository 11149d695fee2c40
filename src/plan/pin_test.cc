#include "plan/pin.h"

#include <gtest/gtest.h>

#include "rewrite/apply.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::plan {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'd');

class PinPlanTest : public ::testing::Test {
 protected:
  PinTargets Find(const std::string& relative, const std::string& contents,
                  PinOptions options = {}) {
    std::string path = dir_.Write(relative, contents);
    std::vector<ScannedFile> files = ScanEntries({{path, relative, false}}, config_, 1,
                                                 /*fingerprint=*/true);
    // As `imagepin pin` does: the files with a split mapping and no digest value read again.
    std::vector<std::unique_ptr<ScannedSource>> sources(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      if (!NeedsSource(files[i])) continue;
      base::Result<std::unique_ptr<ScannedSource>> source = ReadSource(files[i], config_);
      EXPECT_TRUE(source.ok()) << source.error().ToString();
      if (source.ok()) sources[i] = std::move(*source);
    }
    base::Result<PinTargets> found = FindPinTargets(files, config_, options, sources);
    EXPECT_TRUE(found.ok()) << found.error().ToString();
    return found.ok() ? *found : PinTargets{};
  }

  // Pins every target with kDigest and returns the file's new contents.
  std::string PinAll(const std::string& relative, const PinTargets& found) {
    std::vector<rewrite::Edit> edits;
    for (const PinTarget& t : found.targets) {
      base::Result<rewrite::Edit> edit = PinEdit(t, kDigest);
      EXPECT_TRUE(edit.ok()) << edit.error().ToString();
      if (edit.ok()) edits.push_back(*edit);
    }
    EXPECT_TRUE(rewrite::ApplyEdits(edits, {}).ok());
    return dir_.Read(relative);
  }

  testing::TempDir dir_;
  policy::Config config_;
};

TEST_F(PinPlanTest, VersionTagKeepsItsTagBeforeTheDigest) {
  PinTargets found = Find("v.yaml", "image: \"nginx:1.25.3\"  # web\n");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(found.targets[0].resolve.Normalized(), "docker.io/library/nginx:1.25.3");
  EXPECT_EQ(PinAll("v.yaml", found), "image: \"nginx:1.25.3@" + kDigest + "\"  # web\n");
}

TEST_F(PinPlanTest, ImageRefAndContainerFormsArePinned) {
  PinTargets found = Find("m.yaml",
                          "image:\n  ref: ghcr.io/acme/api:0a1b2c3d\n---\n"
                          "kind: Pod\nspec:\n  containers:\n  - name: c\n"
                          "    image: quay.io/org/tool:v2.1.0\n"
                          "    imagePullPolicy: IfNotPresent\n");
  ASSERT_EQ(found.targets.size(), 2u);
  EXPECT_EQ(PinAll("m.yaml", found), "image:\n  ref: ghcr.io/acme/api:0a1b2c3d@" + kDigest +
                                         "\n---\nkind: Pod\nspec:\n  containers:\n  - name: c\n"
                                         "    image: quay.io/org/tool:v2.1.0@" +
                                         kDigest + "\n    imagePullPolicy: IfNotPresent\n");
}

TEST_F(PinPlanTest, AManifestInALiteralBlockIsPinnedInPlace) {
  const std::string before =
      "kind: ConfigMap\n"
      "data:\n"
      "  pod.yaml: |\n"
      "    apiVersion: v1\n"
      "    kind: Pod\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: a\n"
      "          image: nginx:1.27.0\n"
      "          imagePullPolicy: IfNotPresent\n";
  PinTargets found = Find("cm.yaml", before);
  ASSERT_EQ(found.targets.size(), 1u);
  std::string after = before;
  after.replace(after.find("nginx:1.27.0"), 12, "nginx:1.27.0@" + kDigest);
  EXPECT_EQ(PinAll("cm.yaml", found), after);
}

TEST_F(PinPlanTest, AManifestInAQuotedScalarIsReportedNotPinned) {
  // The text's bytes are not the file's (`\n` escapes): no span to replace.
  PinTargets found = Find("cm.yaml",
                          "kind: ConfigMap\n"
                          "data:\n"
                          "  pod.yaml: \"apiVersion: v1\\nkind: Pod\\nspec:\\n  containers:\\n"
                          "  - name: a\\n    image: nginx:1.27.0\\n\"\n");
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.skipped.size(), 1u);
  EXPECT_NE(found.skipped[0].message.find("pin it by hand"), std::string::npos)
      << found.skipped[0].message;
  EXPECT_EQ(found.skipped[0].pos.line, 3);
}

TEST(ReplaceScalar, RefusesTextWhoseBytesAreNotItsValue) {
  scan::Scalar scalar;
  scalar.present = true;
  scalar.value = scalar.raw = "nginx:1.27.0";
  scalar.line = 3;
  scalar.column = 13;
  scalar.rewritable = false;  // inside a folded or quoted scalar (scan/embedded.h)
  base::Result<rewrite::Edit> edit =
      ReplaceScalar({"/r/cm.yaml", "cm.yaml", false}, "sha", scalar, "nginx@" + kDigest, "pin");
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.error().ToString().rfind("cm.yaml:3:13: ", 0), 0u) << edit.error().ToString();
  scalar.rewritable = true;
  EXPECT_TRUE(
      ReplaceScalar({"/r/cm.yaml", "cm.yaml", false}, "sha", scalar, "nginx@" + kDigest, "pin")
          .ok());
}

TEST_F(PinPlanTest, FloatingTagIsReportedNotPinned) {
  PinTargets found = Find("f.yaml", "image: nginx:latest\nsidecar:\n  image: busybox\n");
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.skipped.size(), 2u);
  EXPECT_EQ(found.skipped[0].rule, "IP002");
  EXPECT_EQ(found.skipped[0].pos.line, 1);
  EXPECT_EQ(found.skipped[0].pos.column, 8);
  EXPECT_NE(found.skipped[0].message.find("\"latest\""), std::string::npos);
  EXPECT_NE(found.skipped[1].message.find("\"latest\""), std::string::npos)
      << "no tag means latest";
}

TEST_F(PinPlanTest, ChannelOkPinsAFloatingTagAsRepoAtDigest) {
  PinOptions options;
  options.channel_ok = true;
  PinTargets found = Find("c.yaml", "image:\n  ref: 'ghcr.io/acme/api:main'\n", options);
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(found.targets[0].resolve.tag, "main");
  EXPECT_EQ(PinAll("c.yaml", found), "image:\n  ref: 'ghcr.io/acme/api@" + kDigest + "'\n");
}

TEST_F(PinPlanTest, SplitMappingFillsAnEmptyDigestField) {
  PinTargets found = Find("s.yaml",
                          "image:\n  registry: docker.io\n  repository: bitnami/redis\n"
                          "  tag: 7.2.4-debian-12-r9\n  digest: \"\"\n");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_TRUE(found.targets[0].digest_only);
  EXPECT_EQ(found.targets[0].resolve.Normalized(), "docker.io/bitnami/redis:7.2.4-debian-12-r9");
  EXPECT_EQ(PinAll("s.yaml", found),
            "image:\n  registry: docker.io\n  repository: bitnami/redis\n"
            "  tag: 7.2.4-debian-12-r9\n  digest: \"" +
                kDigest + "\"\n");
}

TEST_F(PinPlanTest, SplitMappingWithoutDigestFieldGetsOneBesideTheTag) {
  PinTargets found = Find("s.yaml",
                          "image:\n  repository: bitnami/redis\n  tag: 7.2.4 # pinned\n"
                          "  pullPolicy: IfNotPresent\n");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_TRUE(found.skipped.empty());
  EXPECT_EQ(PinAll("s.yaml", found),
            "image:\n  repository: bitnami/redis\n  tag: 7.2.4 # pinned\n"
            "  digest: " +
                kDigest + "\n  pullPolicy: IfNotPresent\n");
}

TEST_F(PinPlanTest, AddedDigestKeepsTheTagsQuotingIndentationAndLineEnding) {
  PinTargets found = Find("q.yaml",
                          "redis:\r\n    image:\r\n        repository: bitnami/redis\r\n"
                          "        tag: \"7.2.4\"\r\n");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(PinAll("q.yaml", found),
            "redis:\r\n    image:\r\n        repository: bitnami/redis\r\n"
            "        tag: \"7.2.4\"\r\n        digest: \"" +
                kDigest + "\"\r\n");
  found = Find("s.yaml", "image:\n  tag: '7.2.4'\n  repository: bitnami/redis");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(PinAll("s.yaml", found),
            "image:\n  tag: '7.2.4'\n  digest: '" + kDigest + "'\n  repository: bitnami/redis");
}

TEST_F(PinPlanTest, AddedDigestInAFlowMappingAndAListItem) {
  PinTargets found = Find("f.yaml", "image: {repository: bitnami/redis, tag: 7.2.4}\n");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(PinAll("f.yaml", found),
            "image: {repository: bitnami/redis, tag: 7.2.4, digest: \"" + kDigest + "\"}\n");
  found = Find("l.yaml", "images:\n- image:\n    repository: bitnami/redis\n    tag: 7.2.4\n");
  ASSERT_EQ(found.targets.size(), 1u);
  EXPECT_EQ(PinAll("l.yaml", found),
            "images:\n- image:\n    repository: bitnami/redis\n"
            "    tag: 7.2.4\n    digest: " +
                kDigest + "\n");
}

TEST_F(PinPlanTest, NullDigestIsFilledInPlace) {
  for (std::string null : {"", " ~", " null", " ~  # later"}) {
    std::string before = "image:\n  repository: bitnami/redis\n  tag: \"7.2.4\"\n  digest:" + null +
                         "\n  pullPolicy: IfNotPresent\n";
    PinTargets found = Find("n.yaml", before);
    ASSERT_EQ(found.targets.size(), 1u) << null;
    std::string rest = null.find('#') != std::string::npos ? "  # later" : "";
    EXPECT_EQ(PinAll("n.yaml", found),
              "image:\n  repository: bitnami/redis\n  tag: \"7.2.4\"\n"
              "  digest: \"" +
                  kDigest + "\"" + rest + "\n  pullPolicy: IfNotPresent\n")
        << null;
  }
}

TEST_F(PinPlanTest, ASiblingTagKeyGetsNoDigestKey) {
  // `image: repo` + `imageTag:`: the chart composes them; a `digest:` beside would mean nothing.
  PinTargets found = Find("t.yaml", "app:\n  image: bitnami/redis\n  imageTag: 7.2.4\n");
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.skipped.size(), 1u);
  EXPECT_NE(found.skipped[0].message.find("not `tag:`"), std::string::npos)
      << found.skipped[0].message;
}

TEST_F(PinPlanTest, IstiosHubAndTagGetNoDigestKey) {
  PinTargets found = Find("i.yaml",
                          "global:\n  hub: docker.io/istio\n  tag: 1.22.1\n"
                          "pilot:\n  image: pilot\n");
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.skipped.size(), 1u);
  EXPECT_NE(found.skipped[0].message.find("not beside its repository"), std::string::npos)
      << found.skipped[0].message;
  EXPECT_EQ(dir_.Read("i.yaml"),
            "global:\n  hub: docker.io/istio\n  tag: 1.22.1\npilot:\n  image: pilot\n");
}

TEST_F(PinPlanTest, AFirstPartySplitMappingIsSentToMigrateNotGivenADigestKey) {
  config_.first_party.include = {"ghcr.io/acme/"};
  const std::string text = "image:\n  repository: ghcr.io/acme/api\n  tag: 3f2a9c1\n  digest: ~\n";
  PinTargets found = Find("a.yaml", text);
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.skipped.size(), 1u);
  EXPECT_NE(found.skipped[0].message.find("`imagepin migrate` makes it one image.ref"),
            std::string::npos)
      << found.skipped[0].message;
  // An empty `digest: ""` is filled as before.
  found =
      Find("b.yaml", "image:\n  repository: ghcr.io/acme/api\n  tag: 3f2a9c1\n  digest: \"\"\n");
  EXPECT_EQ(found.targets.size(), 1u);
}

TEST_F(PinPlanTest, SplitMappingWithoutItsTreeIsReported) {
  std::string path = dir_.Write("s.yaml", "image:\n  repository: bitnami/redis\n  tag: 7.2.4\n");
  std::vector<ScannedFile> files = ScanEntries({{path, "s.yaml", false}}, config_, 1, true);
  base::Result<PinTargets> found = FindPinTargets(files, config_, {});
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->targets.empty());
  ASSERT_EQ(found->skipped.size(), 1u);
  EXPECT_NE(found->skipped[0].message.find("no digest field"), std::string::npos);
}

TEST_F(PinPlanTest, PinnedTemplatedAndInvalidReferencesAreNotTargets) {
  PinTargets found = Find("x.yaml", "a:\n  image: nginx:1.25@" + kDigest +
                                        "\nb:\n  image: \"{{ .Values.img }}\"\n"
                                        "c:\n  image: Nginx/Bad:1\n");
  EXPECT_TRUE(found.targets.empty());
  ASSERT_EQ(found.skipped.size(), 2u);
  EXPECT_NE(found.skipped[0].message.find("template"), std::string::npos);
  EXPECT_EQ(found.skipped[1].rule, "IP003");
}

}  // namespace
}  // namespace imagepin::plan
