#include "tmpl/containers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace imagepin::tmpl {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

const fs::path kTestdata = fs::path(IMAGEPIN_SOURCE_DIR) / "src/tmpl/testdata";
const fs::path kSharedCharts = fs::path(IMAGEPIN_SOURCE_DIR) / "../shared/charts";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<ChartFile> ListChart(const fs::path& root) {
  std::vector<ChartFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    files.push_back({fs::relative(entry.path(), root).generic_string(), ReadAll(entry.path())});
  }
  std::sort(files.begin(), files.end(),
            [](const ChartFile& a, const ChartFile& b) { return a.path < b.path; });
  return files;
}

// The chart must outlive the analysis (Exprs point into it).
struct Analysed {
  std::unique_ptr<ChartTemplates> chart;
  ContainerAnalysis result;
};

Analysed Analyse(std::vector<ChartFile> files) {
  Analysed a;
  a.chart = std::make_unique<ChartTemplates>(ChartTemplates::Parse(std::move(files)));
  for (const base::Error& e : a.chart->errors()) ADD_FAILURE() << e.ToString();
  a.result = AnalyseContainers(*a.chart);
  return a;
}

std::string Describe(const ContainerAnalysis& r) {
  std::string out;
  for (const Container& c : r.containers) {
    out += c.file + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + " " +
           std::string(ContainerListName(c.list)) + " " + c.workload_kind + " " +
           (c.name ? c.name->text : "-") + " " + (c.image ? c.image->text : "-") + "\n";
  }
  for (const NotAnalysable& n : r.not_analysable) out += n.ToString() + "\n";
  return out;
}

const Container* Named(const ContainerAnalysis& r, std::string_view name) {
  for (const Container& c : r.containers) {
    if (c.name && c.name->text == name) return &c;
  }
  return nullptr;
}

TEST(AnalyseContainers, DeploymentWithLiteralKind) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 80
        - image: nginx:1.25
          name: side
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  EXPECT_TRUE(r.not_analysable.empty()) << Describe(r);
  const Container& app = r.containers[0];
  EXPECT_EQ(app.template_path, "templates/deploy.yaml");
  EXPECT_EQ(app.file, "templates/deploy.yaml");
  EXPECT_EQ(app.line, 9);
  EXPECT_EQ(app.column, 9);
  EXPECT_EQ(app.list, ContainerList::kContainers);
  EXPECT_EQ(app.workload_kind, "Deployment");
  EXPECT_FALSE(app.is_hook);
  ASSERT_TRUE(app.name && app.name->literal);
  EXPECT_EQ(*app.name->literal, "app");
  ASSERT_TRUE(app.image);
  EXPECT_FALSE(app.image->literal);
  EXPECT_EQ(app.image->text, R"("{{ .Values.image.repository }}:{{ .Values.image.tag }}")");
  EXPECT_EQ(app.image->reads, (Strings{".Values.image.repository", ".Values.image.tag"}));
  EXPECT_EQ(app.image->pipelines.size(), 2u);
  ASSERT_TRUE(app.pull_policy && app.pull_policy->literal);
  EXPECT_EQ(*app.pull_policy->literal, "IfNotPresent");
  const Container& side = r.containers[1];
  EXPECT_EQ(side.line, 15);
  ASSERT_TRUE(side.image && side.image->literal);
  EXPECT_EQ(*side.image->literal, "nginx:1.25");
  EXPECT_FALSE(side.pull_policy);
}

}  // namespace
}  // namespace imagepin::tmpl
