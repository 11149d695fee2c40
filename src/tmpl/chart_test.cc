#include "tmpl/chart.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tmpl/test_charts.h"

namespace imagepin::tmpl {
namespace {

namespace fs = std::filesystem;

const fs::path kTestdata = fs::path(IMAGEPIN_SOURCE_DIR) / "src/tmpl/testdata";
const fs::path kSharedCharts = fs::path(IMAGEPIN_SOURCE_DIR) / "../shared/charts";

using testing::ListChart;
using testing::ReadAll;

std::string Errors(const ChartTemplates& chart) {
  std::string out;
  for (const base::Error& error : chart.errors()) out += error.ToString() + "\n";
  return out;
}

// The names used but not defined, each once.
std::set<std::string> Unresolved(const ChartTemplates& chart) {
  std::set<std::string> names;
  for (const TemplateUse& use : chart.Uses()) {
    if (!chart.Find(use.name)) names.insert(use.name);
  }
  return names;
}

TEST(IsTemplatePath, ChartAndSubchartTemplates) {
  EXPECT_TRUE(IsTemplatePath("templates/deployment.yaml"));
  EXPECT_TRUE(IsTemplatePath("templates/tests/test.yaml"));
  EXPECT_TRUE(IsTemplatePath("charts/common/templates/_images.tpl"));
  EXPECT_TRUE(IsTemplatePath("charts/a/charts/b/templates/x.yaml"));
  EXPECT_FALSE(IsTemplatePath("values.yaml"));
  EXPECT_FALSE(IsTemplatePath("templates/"));
  EXPECT_FALSE(IsTemplatePath("charts/common/values.yaml"));
  EXPECT_FALSE(IsTemplatePath("charts/templates/x.yaml"));
  EXPECT_FALSE(IsTemplatePath("ci/templates/x.yaml"));
}

TEST(ChartTemplates, ParentDefinitionWinsOverSubchart) {
  ChartTemplates chart = ChartTemplates::Parse({
      {"templates/_a.tpl", R"({{ define "x" }}parent{{ end }})"},
      {"charts/sub/templates/_a.tpl", R"({{ define "x" }}sub{{ end }}{{ define "y" }}y{{ end }})"},
      {"templates/_b.tpl", R"({{ define "z" }}b{{ end }})"},
      {"templates/_c.tpl", R"({{ define "z" }}c{{ end }}{{ define "y" }} {{ end }})"},
      {"Chart.yaml", "name: x"},
      {"templates/use.yaml", R"({{ include "x" . }}{{ template "y" }}{{ include (print "n") . }})"},
  });
  ASSERT_TRUE(chart.errors().empty()) << Errors(chart);
  EXPECT_EQ(chart.files().size(), 5u);  // Chart.yaml is not a template
  const Definition* x = chart.Find("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(chart.files()[x->file].path, "templates/_a.tpl");
  // Equally deep: Helm parses paths in reverse order, so the smallest path is parsed last.
  EXPECT_EQ(chart.files()[chart.Find("z")->file].path, "templates/_b.tpl");
  // An empty definition does not replace the subchart's.
  EXPECT_EQ(chart.files()[chart.Find("y")->file].path, "charts/sub/templates/_a.tpl");
  std::vector<TemplateUse> uses = chart.Uses();
  ASSERT_EQ(uses.size(), 2u);  // the computed name is not a use
  EXPECT_EQ(uses[0].name, "x");
  EXPECT_EQ(uses[0].pos.column, 4);
  EXPECT_EQ(uses[1].name, "y");
  EXPECT_EQ(uses[1].pos.column, 20);
}

TEST(ChartTemplates, KeepsParseErrorsWithPath) {
  ChartTemplates chart = ChartTemplates::Parse({
      {"templates/bad.yaml", "a\n{{ if .x }}"},
      {"templates/good.yaml", "{{ .x }}"},
  });
  ASSERT_EQ(chart.errors().size(), 1u);
  EXPECT_EQ(chart.errors()[0].ToString(), "templates/bad.yaml:2:12: unclosed {{if}} from 2:1");
  EXPECT_EQ(chart.files().size(), 1u);
}

TEST(ChartTemplates, FindsIncludesInsideParenthesesAndBodies) {
  ChartTemplates chart =
      ChartTemplates::Parse({{"templates/a.yaml",
                              "{{ if (include \"a\" .) }}"
                              "{{ $x := default (include \"b\" .) .y }}"
                              "{{ end }}{{ define \"c\" }}{{ include \"d\" . }}{{ end }}"}});
  std::vector<std::string> names;
  for (const TemplateUse& use : chart.Uses()) names.push_back(use.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "d"}));
}

// The copies in testdata/ (see testdata/SOURCES.md), so these always run.
TEST(ChartTemplatesRealFiles, BitnamiCommonImages) {
  // common as redis vendors it (charts/common, byte-identical to bitnami/common).
  fs::path root = kTestdata / "bitnami__charts/bitnami/redis/charts/common";
  ChartTemplates chart = ChartTemplates::Parse(ListChart(root));
  ASSERT_TRUE(chart.errors().empty()) << Errors(chart);
  size_t images = 0;
  for (const auto& [name, definition] : chart.definitions()) {
    if (chart.files()[definition.file].path == "templates/_images.tpl") ++images;
  }
  EXPECT_EQ(images, 4u);
  const Definition* image = chart.Find("common.images.image");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->node->pos.line, 12);
  EXPECT_EQ(image->node->pos.column, 1);
  EXPECT_NE(chart.Find("common.labels.standard"), nullptr);
  // The whole library is copied: every name it includes is defined in it.
  EXPECT_TRUE(Unresolved(chart).empty()) << *Unresolved(chart).begin();
}

TEST(ChartTemplatesRealFiles, PodinfoDeploymentIncludesFullname) {
  fs::path root = kTestdata / "stefanprodan__podinfo/charts/podinfo";
  ChartTemplates chart = ChartTemplates::Parse(ListChart(root));
  ASSERT_TRUE(chart.errors().empty()) << Errors(chart);
  bool fullname = false;
  for (const TemplateUse& use : chart.Uses()) {
    if (chart.files()[use.file].path == "templates/deployment.yaml" &&
        use.name == "podinfo.fullname") {
      fullname = true;
    }
  }
  EXPECT_TRUE(fullname);
  EXPECT_TRUE(Unresolved(chart).empty()) << *Unresolved(chart).begin();
}

TEST(ChartTemplatesRealFiles, AlloyImageTagInLabels) {
  fs::path root = kTestdata / "grafana__alloy/operations/helm/charts/alloy";
  ChartTemplates chart = ChartTemplates::Parse(ListChart(root));
  ASSERT_TRUE(chart.errors().empty()) << Errors(chart);
  const Definition* image_id = chart.Find("alloy.imageId");
  const Definition* labels = chart.Find("alloy.labels");
  ASSERT_NE(image_id, nullptr);
  ASSERT_NE(labels, nullptr);
  // alloy.labels uses alloy.imageId, and alloy.imageId reads .Values.image.tag.
  bool uses_image_id = false;
  for (const TemplateUse& use : chart.Uses()) {
    if (use.name == "alloy.imageId" && use.pos.offset > labels->node->span.begin &&
        use.pos.offset < labels->node->span.end) {
      uses_image_id = true;
    }
  }
  EXPECT_TRUE(uses_image_id);
  bool reads_tag = false;
  ForEachPiece(image_id->node->list, [&](const Piece& piece) {
    if (piece.kind != Piece::Kind::kAction || !piece.node->pipeline) return;
    ForEachOperand(*piece.node->pipeline, [&](const Operand& operand) {
      if (operand.kind == OperandKind::kField &&
          operand.fields == std::vector<std::string>{"Values", "image", "tag"}) {
        reads_tag = true;
      }
    });
  });
  EXPECT_TRUE(reads_tag);
}

TEST(ChartTemplatesRealFiles, EveryCopiedFileParsesAndTiles) {
  size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kTestdata)) {
    std::string path = entry.path().generic_string();
    if (!entry.is_regular_file() || path.find("/templates/") == std::string::npos) continue;
    SCOPED_TRACE(entry.path().string());
    std::string source = ReadAll(entry.path());
    base::Result<Tree> tree = ParseTemplate(source);
    ASSERT_TRUE(tree.ok()) << tree.error().ToString();
    uint32_t at = 0;
    ForEachPiece(tree->root, [&](const Piece& piece) {
      EXPECT_EQ(piece.span.begin, at);
      at = piece.span.end;
    });
    EXPECT_EQ(at, source.size());
    ++count;
  }
  // `find src/tmpl/testdata -type f -path '*/templates/*' | wc -l` (SOURCES.md lists them).
  EXPECT_EQ(count, 357u);  // 352 of public charts, 5 of generated/acme-batch
}

// Every chart in ../shared/charts (each directory with a Chart.yaml that is not a chart's
// vendored dependency) parses, and every name it includes is defined in it or its subcharts.
TEST(ChartTemplatesRealFiles, AllSharedCharts) {
  if (!fs::is_directory(kSharedCharts)) {
    GTEST_SKIP() << kSharedCharts << " is not there (the real charts live outside the repository)";
  }
  // Names no file of the chart defines: argo-cd's redis-ha dependency is not vendored (disabled
  // by default), and bitnami redis' templates/role.yaml uses "podSecurityPolicy.apiGroup", which
  // neither redis nor common defines (upstream; the rule is only rendered with
  // podSecurityPolicy.create on clusters that still serve PodSecurityPolicy).
  const std::set<std::string> kUndefinedUpstream = {"redis-ha.fullname",
                                                    "podSecurityPolicy.apiGroup"};
  size_t charts = 0, files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSharedCharts)) {
    if (entry.path().filename() != "Chart.yaml") continue;
    fs::path root = entry.path().parent_path();
    if (root.parent_path().filename() == "charts" &&
        fs::exists(root.parent_path().parent_path() / "Chart.yaml")) {
      continue;  // a subchart: tested with its parent
    }
    SCOPED_TRACE(root.string());
    ChartTemplates chart = ChartTemplates::Parse(ListChart(root));
    EXPECT_TRUE(chart.errors().empty()) << Errors(chart);
    for (const std::string& name : Unresolved(chart)) {
      EXPECT_TRUE(kUndefinedUpstream.count(name)) << "unresolved: " << name;
    }
    ++charts;
    files += chart.files().size();
  }
  EXPECT_GE(charts, 10u);
  EXPECT_GE(files, 390u);
}

}  // namespace
}  // namespace imagepin::tmpl
