#include "apps/layered.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "apps/effective.h"
#include "scan/scanner.h"

namespace imagepin::apps {
namespace {

// Layers parsed from text, lowest first, kept alive for the test.
class Stack {
 public:
  explicit Stack(std::vector<std::string> texts) {
    yaml::StreamParser parser;
    for (std::string& text : texts) {
      sources_.push_back(std::move(text));
      docs_.emplace_back();
      scans_.push_back(
          scan::ScanContents(sources_.back(), "values.yaml", false, &parser, &docs_.back()));
      EXPECT_EQ(scans_.back().status, scan::FileStatus::kScanned) << sources_.back();
    }
    std::vector<LayerDoc> layers;
    for (const auto& d : docs_) {
      layers.push_back(d.empty() ? LayerDoc{} : LayerDoc{&d[0], d[0].root()});
    }
    values_ = std::make_unique<LayeredValues>(std::move(layers));
  }

  const LayeredValues& values() const { return *values_; }

  // The effective scalar at a dotted path and the layer it came from: "value@layer", or
  // "absent" / "deleted@layer" / "mapping@layer" / "sequence@layer".
  std::string At(const std::string& dotted) const {
    yaml::SegmentPath path;
    for (size_t start = 0; start <= dotted.size();) {
      size_t dot = dotted.find('.', start);
      if (dot == std::string::npos) dot = dotted.size();
      std::string part = dotted.substr(start, dot - start);
      if (!part.empty() && part[0] == '#') {
        path.push_back({{}, std::stoll(part.substr(1))});
      } else {
        path.push_back({part, -1});
      }
      start = dot + 1;
    }
    LayeredValue v = values_->Find(path);
    switch (v.kind) {
      case LayeredValue::Kind::kAbsent:
        return v.deleted_by >= 0 ? "deleted@" + std::to_string(v.deleted_by) : "absent";
      case LayeredValue::Kind::kMapping:
        return "mapping@" + std::to_string(v.layer);
      case LayeredValue::Kind::kSequence:
        return "sequence@" + std::to_string(v.layer);
      case LayeredValue::Kind::kScalar:
        return std::string(values_->doc(v.layer)->Value(v.node)) + "@" + std::to_string(v.layer);
    }
    return "?";
  }

  std::vector<EffectiveImage> Images() const {
    std::vector<yaml::SegmentPath> sites;
    for (const scan::FileScan& s : scans_) AppendImageSites(s.fields, &sites);
    return FindEffectiveImages(*values_, sites);
  }

 private:
  std::deque<std::string> sources_;  // deque: the documents view these strings
  std::deque<std::vector<yaml::Document>> docs_;
  std::vector<scan::FileScan> scans_;
  std::unique_ptr<LayeredValues> values_;
};

// Helm's merge semantics, one row each: layers (lowest first), a path, the effective value.
struct MergeCase {
  const char* name;
  std::vector<std::string> layers;
  const char* path;
  const char* want;
};

class MergeTable : public ::testing::TestWithParam<MergeCase> {};

TEST_P(MergeTable, EffectiveValueIsHelms) {
  const MergeCase& c = GetParam();
  EXPECT_EQ(Stack(c.layers).At(c.path), c.want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Helm, MergeTable,
    ::testing::Values(
        MergeCase{"last layer wins", {"a: 1\n", "a: 2\n"}, "a", "2@1"},
        MergeCase{"lower layer shows through", {"a: 1\nb: 1\n", "a: 2\n"}, "b", "1@0"},
        MergeCase{"maps merge recursively",
                  {"image:\n  repository: r\n  tag: '1'\n", "image:\n  tag: '2'\n"},
                  "image.repository",
                  "r@0"},
        MergeCase{"nested override",
                  {"image:\n  repository: r\n  tag: '1'\n", "image:\n  tag: '2'\n"},
                  "image.tag",
                  "2@1"},
        MergeCase{"null deletes a lower value", {"a: 1\n", "a: null\n"}, "a", "deleted@1"},
        MergeCase{
            "null deletes a chart default map", {"a:\n  b: 1\n", "a: ~\n"}, "a.b", "deleted@1"},
        MergeCase{"null in a lower layer under a map", {"a: null\n", "a:\n  b: 1\n"}, "a.b", "1@1"},
        MergeCase{"lists replace, never merge", {"l: [1, 2, 3]\n", "l: [9]\n"}, "l.#1", "absent"},
        MergeCase{"list item from the replacing layer", {"l: [1, 2]\n", "l: [9]\n"}, "l.#0", "9@1"},
        MergeCase{"a scalar replaces a map",
                  {"image:\n  tag: '1'\n", "image: x:2\n"},
                  "image.tag",
                  "absent"},
        MergeCase{"a map replaces a scalar",
                  {"image: x:1\n", "image:\n  tag: '2'\n"},
                  "image",
                  "mapping@1"},
        MergeCase{"a missing layer contributes nothing", {"a: 1\n", ""}, "a", "1@0"},
        MergeCase{"aliases resolve within a file",
                  {"base: &b\n  tag: '7'\nimage: *b\n"},
                  "image.tag",
                  "7@0"},
        MergeCase{"merge keys resolve within a file",
                  {"base: &b\n  tag: '7'\n  repository: r\nimage:\n  <<: *b\n  tag: '8'\n"},
                  "image.repository",
                  "r@0"},
        MergeCase{"keys written beside a merge key win",
                  {"base: &b\n  tag: '7'\nimage:\n  <<: *b\n  tag: '8'\n"},
                  "image.tag",
                  "8@0"},
        MergeCase{
            "merged over a lower layer",
            {"image:\n  repository: r\n  tag: '1'\n  digest: sha256:a\n", "image:\n  tag: '2'\n"},
            "image.digest",
            "sha256:a@0"}),
    [](const ::testing::TestParamInfo<MergeCase>& info) {
      std::string name;
      for (const char* p = info.param.name; *p; ++p) name += std::isalnum(*p) ? *p : '_';
      return name;
    });

TEST(EffectiveImages, PartsRememberTheLayerLineAndColumnTheyCameFrom) {
  Stack stack(
      {"image:\n  registry: docker.io\n  repository: bitnami/kubectl\n  tag: 1.30.1\n"
       "  digest: sha256:aa\n  pullPolicy: Always\n",
       "replicas: 1\nimage:\n  tag: 1.30.2\n  pullPolicy: IfNotPresent\n"});
  std::vector<EffectiveImage> images = stack.Images();
  ASSERT_EQ(images.size(), 1u);
  const EffectiveImage& e = images[0];
  EXPECT_EQ(e.form, SiteForm::kSplit);
  EXPECT_EQ(e.reference, "docker.io/bitnami/kubectl:1.30.2@sha256:aa");
  EXPECT_EQ(e.repository.layer, 0);
  EXPECT_EQ(e.repository.value.line, 3);
  EXPECT_EQ(e.tag.layer, 1);
  EXPECT_EQ(e.tag.value.line, 3);
  EXPECT_EQ(e.tag.value.column, 8);
  EXPECT_EQ(e.digest.layer, 0);
  EXPECT_EQ(e.pull_policy.layer, 1);
  EXPECT_EQ(e.pull_policy.value.value, "IfNotPresent");
  EXPECT_EQ(e.TopLayer(), 1);
}

TEST(EffectiveImages, APolicyOnlyOverrideIsASiteOfTheImageBelow) {
  Stack stack({"image:\n  repository: grafana/alloy\n  tag: v1.4.0\n  pullPolicy: Always\n",
               "image:\n  pullPolicy: IfNotPresent\n"});
  std::vector<EffectiveImage> images = stack.Images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].pull_policy.layer, 1);
  EXPECT_EQ(images[0].repository.value.value, "grafana/alloy");
}

TEST(EffectiveImages, AStringImageReplacesTheMappingBelowAndTakesItsSiblingPolicy) {
  Stack stack({"image:\n  repository: r\n  tag: '1'\n",
               "image: ghcr.io/x/y@sha256:bb\n"
               "imagePullPolicy: IfNotPresent\n"});
  std::vector<EffectiveImage> images = stack.Images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].form, SiteForm::kString);
  EXPECT_EQ(images[0].reference, "ghcr.io/x/y@sha256:bb");
  EXPECT_EQ(images[0].pull_policy.key, "imagePullPolicy");
}

TEST(EffectiveImages, ARefWinsOverSplitPartsAndADeletedImageIsNoSite) {
  Stack ref({"image:\n  ref: ''\n  pullPolicy: IfNotPresent\n",
             "image:\n  ref: ghcr.io/acme/api@sha256:cc\n"});
  ASSERT_EQ(ref.Images().size(), 1u);
  EXPECT_EQ(ref.Images()[0].form, SiteForm::kRef);
  EXPECT_EQ(ref.Images()[0].ref.layer, 1);
  EXPECT_EQ(ref.Images()[0].pull_policy.layer, 0);

  Stack deleted({"image:\n  repository: r\n  tag: '1'\n", "image: null\n"});
  EXPECT_TRUE(deleted.Images().empty());
}

}  // namespace
}  // namespace imagepin::apps
