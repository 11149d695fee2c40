#include "apps/load.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "tests/testing/temp_dir.h"

namespace imagepin::apps {
namespace {

const std::string kDigest =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Layer MakeLayer(std::string path, LayerRole role, bool exists = true) {
  Layer layer;
  layer.path = std::move(path);
  layer.role = role;
  layer.exists = exists;
  return layer;
}

// A chart with image.ref and pullPolicy Always, a shared layer with a tag, the dev overlay
// pinning it, and a layer that is not there.
class LoadApplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("sources/charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n");
    dir_.Write("sources/charts/api/values.yaml", "image:\n  ref: \"\"\n  pullPolicy: Always\n");
    dir_.Write("sources/values/_shared/apps/api.yaml", "image:\n  ref: ghcr.io/acme/api:1.0\n");
    dir_.Write("sources/values/env/dev/apps/api.yaml",
               "replicas: 2\nimage:\n  ref: ghcr.io/acme/api:1.0@" + kDigest + "\n");
    app_.name = "apps/api";
    app_.environment = "dev";
    app_.chart = "sources/charts/api";
    app_.origin = "convention";
    app_.layers = {MakeLayer("sources/charts/api/values.yaml", LayerRole::kChart),
                   MakeLayer("sources/values/_shared/apps/api.yaml", LayerRole::kShared),
                   MakeLayer("sources/values/env/dev/apps/api.yaml", LayerRole::kEnvironment),
                   MakeLayer("sources/values/env/dev/apps/gone.yaml", LayerRole::kEnvironment,
                             /*exists=*/false)};
  }

  testing::TempDir dir_;
  policy::Config config_;
  Application app_;
};

TEST_F(LoadApplicationTest, EffectiveImageNamesTheLayerLineAndColumnOfEachPart) {
  LoadedApplication loaded = LoadApplication(config_, dir_.str(), app_);
  EXPECT_TRUE(loaded.problems.empty());
  ASSERT_EQ(loaded.layers.size(), 4u);
  EXPECT_NE(loaded.layers[0].doc, nullptr);
  EXPECT_EQ(loaded.layers[3].doc, nullptr) << "a missing layer is empty";
  ASSERT_EQ(loaded.images.size(), 1u);
  const EffectiveImage& image = loaded.images[0];
  EXPECT_EQ(image.key_path, "image");
  EXPECT_EQ(image.form, SiteForm::kRef);
  EXPECT_EQ(image.reference, "ghcr.io/acme/api:1.0@" + kDigest);
  EXPECT_EQ(image.ref.layer, 2);
  EXPECT_EQ(image.ref.value.line, 3);
  EXPECT_EQ(image.ref.value.column, 8);
  EXPECT_EQ(image.pull_policy.layer, 0);
  EXPECT_EQ(image.pull_policy.value.value, "Always");
  EXPECT_EQ(image.pull_policy.value.line, 3);
}

TEST_F(LoadApplicationTest, FindingsAreTheWholeStackRulesOfTheApp) {
  LoadedApplication loaded = LoadApplication(config_, dir_.str(), app_);
  // The chart's Always is overridden by no layer: IP005, at the top layer that exists.
  ASSERT_EQ(loaded.findings.size(), 1u);
  EXPECT_EQ(loaded.findings[0].rule_id, "IP005");
  EXPECT_EQ(loaded.findings[0].path, "sources/values/env/dev/apps/api.yaml");
  EXPECT_EQ(loaded.findings[0].line, 2);
}

TEST_F(LoadApplicationTest, AnUnparsableLayerIsAProblemAndTheAppIsNotJudged) {
  dir_.Write("sources/values/env/dev/apps/api.yaml", "replicas: 2\nimage: [unclosed\n");
  LoadedApplication loaded = LoadApplication(config_, dir_.str(), app_);
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.problems[0].path, "sources/values/env/dev/apps/api.yaml");
  EXPECT_GT(loaded.problems[0].pos.line, 0);
  EXPECT_FALSE(loaded.problems[0].message.empty());
  EXPECT_EQ(loaded.layers[2].doc, nullptr);
  EXPECT_TRUE(loaded.findings.empty());
  ASSERT_EQ(loaded.images.size(), 1u);  // what the other layers say is still shown
  EXPECT_EQ(loaded.images[0].ref.layer, 1);
  EXPECT_EQ(loaded.images[0].reference, "ghcr.io/acme/api:1.0");
}

TEST_F(LoadApplicationTest, AnUnreadableLayerIsAProblem) {
  app_.layers[1].path = "sources/values/_shared/apps";  // a directory
  LoadedApplication loaded = LoadApplication(config_, dir_.str(), app_);
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.problems[0].path, "sources/values/_shared/apps");
  EXPECT_EQ(loaded.problems[0].pos.line, 0);
}

TEST_F(LoadApplicationTest, MovingTheResultKeepsTheDocumentsItPointsInto) {
  LoadedApplication moved = LoadApplication(config_, dir_.str(), app_);
  LoadedApplication loaded = std::move(moved);
  LayeredValue v = loaded.values.Find({{"replicas", -1}});
  ASSERT_EQ(v.kind, LayeredValue::Kind::kScalar);
  EXPECT_EQ(loaded.values.doc(v.layer)->Value(v.node), "2");
  const Part& ref = loaded.images[0].ref;
  EXPECT_EQ(loaded.values.doc(ref.layer)->LineAt(ref.value.begin),
            "  ref: ghcr.io/acme/api:1.0@" + kDigest);
}

TEST(LoadApplication, InlineLayersWalkTheirRootAndParseHelmValuesText) {
  testing::TempDir dir;
  dir.Write("argo/api.yaml",
            "apiVersion: argoproj.io/v1alpha1\n"
            "kind: Application\n"
            "metadata:\n"
            "  name: api\n"
            "spec:\n"
            "  sources:\n"
            "    - repoURL: https://example.com/charts\n"
            "      helm:\n"
            "        valuesObject:\n"
            "          image:\n"
            "            ref: ghcr.io/acme/api@" +
                kDigest +
                "\n"
                "        values: |\n"
                "          worker:\n"
                "            image: ghcr.io/acme/worker:2.0\n");
  Application app;
  app.name = "api";
  app.environment = "dev";
  app.origin = "Application";
  Layer object = MakeLayer("argo/api.yaml", LayerRole::kInline);
  object.root = {"spec", "sources", "0", "helm", "valuesObject"};
  Layer text = MakeLayer("argo/api.yaml", LayerRole::kInline);
  text.root = {"spec", "sources", "0", "helm", "values"};
  text.root_is_text = true;
  app.layers = {object, text};
  LoadedApplication loaded = LoadApplication(policy::Config{}, dir.str(), app);
  EXPECT_TRUE(loaded.problems.empty());
  ASSERT_EQ(loaded.images.size(), 2u);
  auto by_key = [&](const std::string& key) {
    auto it = std::find_if(loaded.images.begin(), loaded.images.end(),
                           [&](const EffectiveImage& e) { return e.key_path == key; });
    EXPECT_NE(it, loaded.images.end()) << key;
    return it == loaded.images.end() ? EffectiveImage{} : *it;
  };
  EffectiveImage api = by_key("image");
  EXPECT_EQ(api.form, SiteForm::kRef);
  EXPECT_EQ(api.ref.layer, 0);
  EXPECT_EQ(api.ref.value.line, 11);  // in the manifest
  EXPECT_EQ(api.reference, "ghcr.io/acme/api@" + kDigest);
  EffectiveImage worker = by_key("worker.image");
  EXPECT_EQ(worker.form, SiteForm::kString);
  EXPECT_EQ(worker.ref.layer, 1);
  EXPECT_EQ(worker.ref.value.line, 2);  // in the text
  EXPECT_EQ(worker.reference, "ghcr.io/acme/worker:2.0");
}

TEST(LoadApplication, AnInlineRootThatIsNotThereIsAnEmptyLayer) {
  testing::TempDir dir;
  dir.Write("argo/api.yaml", "spec:\n  source:\n    helm: {}\n");
  Application app;
  app.name = "api";
  Layer layer = MakeLayer("argo/api.yaml", LayerRole::kInline);
  layer.root = {"spec", "source", "helm", "valuesObject"};
  app.layers = {layer};
  LoadedApplication loaded = LoadApplication(policy::Config{}, dir.str(), app);
  EXPECT_TRUE(loaded.problems.empty());
  EXPECT_EQ(loaded.layers[0].doc, nullptr);
  EXPECT_TRUE(loaded.images.empty());
}

}  // namespace
}  // namespace imagepin::apps
