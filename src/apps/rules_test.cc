#include "apps/rules.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "scan/scanner.h"

namespace imagepin::apps {
namespace {

// An application whose layers are given as (path, role, text); an empty text is a missing file.
struct LayerText {
  std::string path;
  LayerRole role;
  std::string text;
};

class AppStack {
 public:
  explicit AppStack(std::vector<LayerText> layers) {
    app_.name = "apps/api";
    app_.environment = "prod";
    yaml::StreamParser parser;
    std::vector<LayerDoc> docs;
    std::vector<yaml::SegmentPath> sites;
    for (LayerText& l : layers) {
      Layer layer;
      layer.path = l.path;
      layer.role = l.role;
      layer.exists = !l.text.empty();
      if (l.role == LayerRole::kChart) app_.chart = "charts/acme";
      app_.layers.push_back(layer);
      sources_.push_back(std::move(l.text));
      documents_.emplace_back();
      if (!layer.exists) {
        docs.push_back({});
        continue;
      }
      scan::FileScan scan =
          scan::ScanContents(sources_.back(), layer.path, false, &parser, &documents_.back());
      EXPECT_EQ(scan.status, scan::FileStatus::kScanned);
      AppendImageSites(scan.fields, &sites);
      docs.push_back({&documents_.back()[0], documents_.back()[0].root()});
    }
    values_ = std::make_unique<LayeredValues>(std::move(docs));
    images_ = FindEffectiveImages(*values_, sites);
  }

  // "path:line:col RULE message" for every finding.
  std::vector<std::string> Findings(const policy::Config& config = {},
                                    const ChartFacts* chart = nullptr) const {
    std::vector<policy::Finding> findings;
    EvaluateApplication(config, app_, *values_, images_, &findings, chart);
    std::vector<std::string> out;
    for (const policy::Finding& f : findings) {
      out.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
                    f.rule_id + " " + f.message);
    }
    return out;
  }

 private:
  Application app_;
  std::deque<std::string> sources_;
  std::deque<std::vector<yaml::Document>> documents_;
  std::unique_ptr<LayeredValues> values_;
  std::vector<EffectiveImage> images_;
};

constexpr char kChart[] = "image:\n  ref: \"\"\n  pullPolicy: IfNotPresent\n";
constexpr char kDigest[] =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";

TEST(ImageRefMissing, AnOverlayWithoutImageRefIsIP010AtItsImageKey) {
  AppStack stack({{"charts/acme/values.yaml", LayerRole::kChart, kChart},
                  {"s/apps/api.yaml", LayerRole::kShared, "replicas: 2\n"},
                  {"e/prod/apps/api.yaml", LayerRole::kEnvironment,
                   "replicas: 3\nimage:\n  pullPolicy: IfNotPresent\n"}});
  EXPECT_EQ(stack.Findings(),
            (std::vector<std::string>{
                "e/prod/apps/api.yaml:2:1 IP010 apps/api has no image.ref in prod: the chart "
                "charts/acme requires it; set image.ref here"}));
}

TEST(ImageRefMissing, AMissingOverlayIsNamedAtTheSharedLayer) {
  AppStack stack({{"charts/acme/values.yaml", LayerRole::kChart, kChart},
                  {"s/apps/api.yaml", LayerRole::kShared, "replicas: 2\n"},
                  {"e/prod/apps/api.yaml", LayerRole::kEnvironment, ""}});
  EXPECT_EQ(stack.Findings(),
            (std::vector<std::string>{
                "s/apps/api.yaml:0:0 IP010 apps/api has no image.ref in prod: the chart "
                "charts/acme requires it; e/prod/apps/api.yaml does not exist, create it with "
                "image.ref"}));
}

TEST(ImageRefMissing, AnInheritedOrOwnRefPassesAndAnEmptyOneDoesNot) {
  std::string ref = std::string("image:\n  ref: ghcr.io/acme/api@") + kDigest + "\n";
  EXPECT_TRUE(AppStack({{"charts/acme/values.yaml", LayerRole::kChart, kChart},
                        {"s/apps/api.yaml", LayerRole::kShared, ref},
                        {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "replicas: 1\n"}})
                  .Findings()
                  .empty());
  EXPECT_EQ(AppStack({{"charts/acme/values.yaml", LayerRole::kChart, kChart},
                      {"s/apps/api.yaml", LayerRole::kShared, ref},
                      {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "image:\n  ref: \"\"\n"}})
                .Findings()
                .size(),
            1u);
}

TEST(ImageRefMissing, NoChartOrAChartWithoutImageRefRequiresNothing) {
  EXPECT_TRUE(AppStack({{"e/prod/apps/api.yaml", LayerRole::kEnvironment, "replicas: 1\n"}})
                  .Findings()
                  .empty());
  EXPECT_TRUE(AppStack({{"charts/acme/values.yaml", LayerRole::kChart,
                         "image:\n  repository: nginx\n  pullPolicy: IfNotPresent\n"},
                        {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "replicas: 1\n"}})
                  .Findings()
                  .empty());
}

std::string Kubectl(const std::string& tag) {
  return "image:\n  registry: docker.io\n  repository: bitnami/kubectl\n  tag: " + tag +
         "\n  digest: " + kDigest + "\n  pullPolicy: IfNotPresent\n";
}

TEST(MixedLayers, ATagOverAnInheritedDigestIsIP011AtTheTagNamingTheDigestsLine) {
  AppStack stack({{"s/kubectl.yaml", LayerRole::kShared, Kubectl("1.30.1")},
                  {"e/prod/kubectl.yaml", LayerRole::kEnvironment, "image:\n  tag: 1.30.2\n"}});
  EXPECT_EQ(stack.Findings(),
            (std::vector<std::string>{
                std::string("e/prod/kubectl.yaml:2:8 IP011 tag set here to \"1.30.2\", but the "
                            "digest is inherited from s/kubectl.yaml:5, which was for "
                            "docker.io/bitnami/kubectl:1.30.1@") +
                kDigest + ": the digest pins another image; set the digest in this layer too"}));
}

TEST(MixedLayers, ARepositoryChangeIsIP011AndADigestBesideItIsNot) {
  EXPECT_EQ(
      AppStack({{"s/k.yaml", LayerRole::kShared, Kubectl("1.30.1")},
                {"e/prod/k.yaml", LayerRole::kEnvironment, "image:\n  repository: acme/kubectl\n"}})
          .Findings()
          .size(),
      1u);
  EXPECT_TRUE(AppStack({{"s/k.yaml", LayerRole::kShared, Kubectl("1.30.1")},
                        {"e/prod/k.yaml", LayerRole::kEnvironment,
                         std::string("image:\n  tag: 1.30.2\n  digest: ") + kDigest + "\n"}})
                  .Findings()
                  .empty());
  // A new digest under an inherited tag is a bump, not a mix-up the layers can show.
  EXPECT_TRUE(AppStack({{"s/k.yaml", LayerRole::kShared, Kubectl("1.30.1")},
                        {"e/prod/k.yaml", LayerRole::kEnvironment,
                         std::string("image:\n  digest: ") + kDigest + "\n"}})
                  .Findings()
                  .empty());
}

TEST(MixedLayers, ARefNamingAnotherRepositoryWithTheDigestBelowIsIP011ButAMirrorIsNot) {
  std::string shared = std::string("image:\n  ref: ghcr.io/acme/api@") + kDigest + "\n";
  AppStack copied({{"s/api.yaml", LayerRole::kShared, shared},
                   {"e/prod/api.yaml", LayerRole::kEnvironment,
                    std::string("image:\n  ref: ghcr.io/acme/worker@") + kDigest + "\n"}});
  EXPECT_EQ(copied.Findings(),
            (std::vector<std::string>{
                "e/prod/api.yaml:2:8 IP011 image.ref names ghcr.io/acme/worker with the digest "
                "s/api.yaml:2 pins for ghcr.io/acme/api: a digest belongs to one image; resolve "
                "this repository's own"}));
  EXPECT_TRUE(AppStack({{"s/api.yaml", LayerRole::kShared, shared},
                        {"e/prod/api.yaml", LayerRole::kEnvironment,
                         std::string("image:\n  ref: mirror.acme.io/acme/api@") + kDigest + "\n"}})
                  .Findings()
                  .empty());
}

TEST(EffectiveSplit, AFirstPartyRepositoryFromTheChartUnderALayersTagIsIP004) {
  policy::Config config;
  config.first_party.include = {"ghcr.io/acme/"};
  AppStack stack(
      {{"charts/acme/values.yaml", LayerRole::kChart,
        "image:\n  repository: ghcr.io/acme/api\n  tag: ''\n  pullPolicy: IfNotPresent\n"},
       {"e/prod/api.yaml", LayerRole::kEnvironment,
        std::string("image:\n  tag: 1a2b3c4\n  digest: ") + kDigest + "\n"}});
  EXPECT_EQ(stack.Findings(config),
            (std::vector<std::string>{
                "e/prod/api.yaml:1:1 IP004 first-party image ghcr.io/acme/api is set with "
                "repository/tag fields (the repository from charts/acme/values.yaml:2); use one "
                "image.ref: ghcr.io/acme/api@sha256:<digest>"}));
}

TEST(ImageRefMissing, RequireRefInConfigAppliesWithoutAChart) {
  policy::Config config;
  config.applications.require_ref = {"apps/*"};
  EXPECT_EQ(
      AppStack({{"e/prod/apps/api.yaml", LayerRole::kEnvironment, "replicas: 1\n"}})
          .Findings(config),
      (std::vector<std::string>{"e/prod/apps/api.yaml:0:0 IP010 apps/api has no image.ref in prod: "
                                "applications.requireRef requires it; set image.ref here"}));
}

TEST(EffectivePullPolicy, AChartDefaultAlwaysNoLayerOverridesIsIP005AtTheTopLayer) {
  AppStack stack(
      {{"charts/alloy/values.yaml", LayerRole::kChart,
        "image:\n  repository: grafana/alloy\n  tag: v1.4.0\n  pullPolicy: Always\n"},
       {"s/alloy.yaml", LayerRole::kShared, std::string("image:\n  digest: ") + kDigest + "\n"}});
  EXPECT_EQ(stack.Findings(),
            (std::vector<std::string>{
                "s/alloy.yaml:1:1 IP005 set image.pullPolicy: IfNotPresent here; the chart "
                "default is Always at charts/alloy/values.yaml:4"}));
}

TEST(EffectivePullPolicy, AnOverrideInAnyLayerPassesAndALayersOwnPolicyIsLeftToThePerFileRule) {
  std::string chart = "image:\n  repository: grafana/alloy\n  tag: v1.4.0\n  pullPolicy: Always\n";
  EXPECT_TRUE(
      AppStack({{"charts/alloy/values.yaml", LayerRole::kChart, chart},
                {"s/alloy.yaml", LayerRole::kShared, "image:\n  pullPolicy: IfNotPresent\n"},
                {"e/prod/alloy.yaml", LayerRole::kEnvironment, "replicas: 1\n"}})
          .Findings()
          .empty());
  // `pullPolicy: Always` written in a layer is the per-file IP005's, reported there once.
  EXPECT_TRUE(AppStack({{"charts/alloy/values.yaml", LayerRole::kChart, chart},
                        {"s/alloy.yaml", LayerRole::kShared, "image:\n  pullPolicy: Always\n"}})
                  .Findings()
                  .empty());
}

TEST(EffectivePin, ATagOverARepositoryFromBelowWithNoDigestAnywhereIsIP001) {
  AppStack stack({{"s/web.yaml", LayerRole::kShared,
                   "image:\n  repository: nginx\n  tag: 1.27.0\n  pullPolicy: IfNotPresent\n"},
                  {"e/prod/web.yaml", LayerRole::kEnvironment, "image:\n  tag: 1.27.1\n"}});
  EXPECT_EQ(stack.Findings(),
            (std::vector<std::string>{
                "e/prod/web.yaml:1:1 IP001 image nginx:1.27.1 is not pinned by digest: its "
                "repository comes from s/web.yaml:2 and no layer sets a digest; set digest "
                "here"}));
}

// ---- What a chart's templates read (ChartFacts): IP013 on a pull policy value, IP014 on a tag.

ChartValueUse Use(yaml::SegmentPath path, std::string at, bool defaults_to_policy = false) {
  ChartValueUse use;
  use.printed = yaml::PrintKeyPath(path);
  use.path = std::move(path);
  use.at = std::move(at);
  use.defaults_to_policy = defaults_to_policy;
  return use;
}

TEST(ChartTagInLabels, ADigestInATagTheChartPutsIntoLabelsIsIP014AtTheTag) {
  AppStack stack({{"charts/alloy/values.yaml", LayerRole::kChart,
                   "image:\n  repository: grafana/alloy\n  tag: v1.4.0\n"},
                  {"s/alloy.yaml", LayerRole::kShared,
                   std::string("image:\n  tag: v1.4.1@") + kDigest + "\n"}});
  ChartFacts chart;
  chart.label_tags.push_back(
      Use({{"image", -1}, {"tag", -1}}, "charts/alloy/templates/_helpers.tpl:4"));
  std::vector<std::string> findings = stack.Findings({}, &chart);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(findings);
  EXPECT_EQ(findings[0].rfind("s/alloy.yaml:2:8 IP014 tag \"v1.4.1@sha256:", 0), 0u) << findings[0];
  EXPECT_NE(findings[0].find("charts/alloy/templates/_helpers.tpl:4"), std::string::npos);
  EXPECT_NE(findings[0].find("image.digest"), std::string::npos);
  // Without the template's use, nothing here says the tag is a label.
  EXPECT_TRUE(stack.Findings().empty()) << ::testing::PrintToString(stack.Findings());
}

TEST(ChartTagInLabels, ATagWithoutADigestPasses) {
  AppStack stack({{"charts/alloy/values.yaml", LayerRole::kChart, "image:\n  tag: v1.4.0\n"},
                  {"s/alloy.yaml", LayerRole::kShared, "image:\n  tag: v1.4.1\n"}});
  ChartFacts chart;
  chart.label_tags.push_back(Use({{"image", -1}, {"tag", -1}}, "t.yaml:4"));
  EXPECT_TRUE(stack.Findings({}, &chart).empty());
}

TEST(ChartPullPolicyValue, AValueNoLayerSetsIsIP013AtTheTopLayerUnlessItDefaults) {
  AppStack stack({{"charts/acme/values.yaml", LayerRole::kChart, "replicas: 1\n"},
                  {"s/apps/api.yaml", LayerRole::kShared, "replicas: 2\n"},
                  {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "replicas: 3\n"}});
  ChartFacts chart;
  chart.pull_policies.push_back(
      Use({{"image", -1}, {"pullPolicy", -1}}, "charts/acme/templates/deploy.yaml:20"));
  std::vector<std::string> findings = stack.Findings({}, &chart);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(findings);
  EXPECT_EQ(findings[0].rfind("e/prod/apps/api.yaml:0:0 IP013 no layer sets image.pullPolicy", 0),
            0u)
      << findings[0];
  EXPECT_NE(findings[0].find("charts/acme/templates/deploy.yaml:20"), std::string::npos);

  chart.pull_policies[0].defaults_to_policy = true;  // `| default "IfNotPresent"`
  EXPECT_TRUE(stack.Findings({}, &chart).empty());
  chart.pull_policies[0].defaults_to_policy = false;
  chart.pull_policies[0].subchart = true;  // the subchart's own values.yaml may set it
  EXPECT_TRUE(stack.Findings({}, &chart).empty());
}

TEST(ChartPullPolicyValue, ALayerSettingTheValueDecides) {
  ChartFacts chart;
  chart.pull_policies.push_back(Use({{"policy", -1}}, "charts/acme/templates/deploy.yaml:20"));
  // A key IP005 does not know: IP013 at the value.
  AppStack always({{"charts/acme/values.yaml", LayerRole::kChart, "policy: IfNotPresent\n"},
                   {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "policy: Always\n"}});
  std::vector<std::string> findings = always.Findings({}, &chart);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(findings);
  EXPECT_EQ(findings[0].rfind("e/prod/apps/api.yaml:1:9 IP013 policy is Always", 0), 0u)
      << findings[0];
  AppStack fine({{"charts/acme/values.yaml", LayerRole::kChart, "policy: Always\n"},
                 {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "policy: IfNotPresent\n"}});
  EXPECT_TRUE(fine.Findings({}, &chart).empty());
  // A chart default nobody overrides: at the top layer, naming the default.
  AppStack inherited({{"charts/acme/values.yaml", LayerRole::kChart, "policy: Always\n"},
                      {"e/prod/apps/api.yaml", LayerRole::kEnvironment, "replicas: 1\n"}});
  findings = inherited.Findings({}, &chart);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(findings);
  EXPECT_EQ(findings[0].rfind("e/prod/apps/api.yaml:0:0 IP013 set policy: IfNotPresent here", 0),
            0u)
      << findings[0];
  EXPECT_NE(findings[0].find("charts/acme/values.yaml:1"), std::string::npos);
}

TEST(ChartPullPolicyValue, APolicyKeyIsReportedOnceAsIP005) {
  ChartFacts chart;
  chart.pull_policies.push_back(Use({{"image", -1}, {"pullPolicy", -1}}, "t.yaml:20"));
  // In a layer: the per-file IP005 reports `pullPolicy: Always` there, so no IP013.
  AppStack layer(
      {{"charts/acme/values.yaml", LayerRole::kChart, kChart},
       {"e/prod/apps/api.yaml", LayerRole::kEnvironment,
        std::string("image:\n  ref: ghcr.io/acme/api@") + kDigest + "\n  pullPolicy: Always\n"}});
  EXPECT_TRUE(layer.Findings({}, &chart).empty())
      << ::testing::PrintToString(layer.Findings({}, &chart));
  // A chart default under an image: the effective IP005, once.
  AppStack vendored({{"charts/alloy/values.yaml", LayerRole::kChart,
                      "image:\n  repository: grafana/alloy\n  pullPolicy: Always\n"},
                     {"s/alloy.yaml", LayerRole::kShared,
                      std::string("image:\n  tag: v1.4.0\n  digest: ") + kDigest + "\n"}});
  std::vector<std::string> findings = vendored.Findings({}, &chart);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(findings);
  EXPECT_NE(findings[0].find(" IP005 "), std::string::npos) << findings[0];
}

}  // namespace
}  // namespace imagepin::apps
