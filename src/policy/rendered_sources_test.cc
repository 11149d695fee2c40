#include "policy/rendered_sources.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "policy/rules.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::policy {
namespace {

namespace fs = std::filesystem;

using Paths = std::map<std::string, std::string, std::less<>>;

Finding StreamFinding(int line, int column, std::string message = "floating tag \"main\"") {
  Finding f = NewFinding("IP002");
  f.path = "-";
  f.line = line;
  f.column = column;
  f.message = std::move(message);
  f.source_line = "image: nginx:main";
  return f;
}

TEST(FindRenderedSources, ReadsEachDocumentsSourceCommentAndItsLines) {
  std::vector<RenderedDocument> docs = FindRenderedSources(
      "---\n"                                            // 1
      "# Source: api/templates/service.yaml\n"           // 2
      "kind: Service\n"                                  // 3
      "---\n"                                            // 4
      "# Source: api/charts/redis/templates/sts.yaml\n"  // 5
      "kind: StatefulSet\n"                              // 6
      "spec: {}\n");                                     // 7
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].first_line, 1);
  EXPECT_EQ(docs[0].last_line, 3);
  EXPECT_EQ(docs[0].source, "api/templates/service.yaml");
  EXPECT_EQ(docs[1].first_line, 4);
  EXPECT_EQ(docs[1].last_line, 7);
  EXPECT_EQ(docs[1].source, "api/charts/redis/templates/sts.yaml");
}

TEST(FindRenderedSources, ADocumentWithoutASourceCommentHasNone) {
  std::vector<RenderedDocument> docs = FindRenderedSources(
      "kind: A\n"                                    // 1: before any ---
      "---\n"                                        // 2
      "# a comment\n"                                // 3
      "kind: B\n"                                    // 4
      "---\n"                                        // 5
      "kind: C\n"                                    // 6
      "# Source: api/templates/not-a-header.yaml\n"  // 7: after the content: not Helm's header
      "--- |\n"                                      // 8: content on the --- line
      "# Source: api/templates/text.yaml\n");        // 9: inside a block scalar
  ASSERT_EQ(docs.size(), 4u);
  for (const RenderedDocument& d : docs) EXPECT_EQ(d.source, "") << d.first_line;
  EXPECT_EQ(docs[0].first_line, 1);
  EXPECT_EQ(docs[0].last_line, 1);
  EXPECT_EQ(docs[3].first_line, 8);
  EXPECT_EQ(docs[3].last_line, 9);
}

TEST(FindRenderedSources, TakesTheFirstSourceAmongLeadingCommentsAndTrimsCarriageReturns) {
  std::vector<RenderedDocument> docs = FindRenderedSources(
      "\xEF\xBB\xBF---\r\n\r\n# generated\r\n# Source: a/templates/x.yaml  \r\n"
      "# Source: a/templates/y.yaml\r\nkind: X\r\n");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].source, "a/templates/x.yaml");
  EXPECT_EQ(docs[0].last_line, 6);
}

TEST(TemplateCandidates, TheChartsDirectoryFirstThenASubchartByItsOwnName) {
  ChartIndex index;
  index.dirs["api"] = {"sources/charts/api"};
  index.dirs["redis"] = {"sources/charts/vendor/redis"};
  EXPECT_EQ(TemplateCandidates(index, "api/templates/deployment.yaml"),
            (std::vector<std::string>{"sources/charts/api/templates/deployment.yaml"}));
  EXPECT_EQ(TemplateCandidates(index, "api/charts/redis/templates/sts.yaml"),
            (std::vector<std::string>{"sources/charts/api/charts/redis/templates/sts.yaml",
                                      "sources/charts/vendor/redis/templates/sts.yaml"}));
  // A subchart of a chart the repository does not hold.
  EXPECT_EQ(TemplateCandidates(index, "other/charts/redis/templates/sts.yaml"),
            (std::vector<std::string>{"sources/charts/vendor/redis/templates/sts.yaml"}));
}

TEST(TemplateCandidates, NoneForAnUnknownChartOrAPathThatIsNotPlain) {
  ChartIndex index;
  index.dirs["api"] = {"sources/charts/api"};
  for (const char* source :
       {"web/templates/deployment.yaml", "api", "", "/api/templates/x.yaml",
        "api/../../../etc/passwd", "api/./templates/x.yaml", "api//templates/x.yaml"}) {
    EXPECT_TRUE(TemplateCandidates(index, source).empty()) << source;
  }
}

TEST(MapRenderedFindings, PointsAtTheTemplateFileAndMovesTheStreamPositionIntoTheMessage) {
  std::vector<RenderedDocument> docs = {{1, 3, "api/templates/a.yaml"},
                                        {4, 9, "api/charts/redis/templates/b.yaml"}};
  Paths paths = {{"api/templates/a.yaml", "sources/charts/api/templates/a.yaml"}};
  std::vector<Finding> findings = {StreamFinding(3, 8), StreamFinding(9, 0, "no pull policy")};
  MapRenderedFindings(docs, paths, &findings);

  EXPECT_EQ(findings[0].path, "sources/charts/api/templates/a.yaml");
  EXPECT_EQ(findings[0].message, "floating tag \"main\" (line 3, column 8 of the rendered stream)");
  EXPECT_EQ(findings[0].line, 0);
  EXPECT_EQ(findings[0].column, 0);
  EXPECT_EQ(findings[0].source_line, "");
  // Not in the repository: the Source path as Helm printed it.
  EXPECT_EQ(findings[1].path, "api/charts/redis/templates/b.yaml");
  EXPECT_EQ(findings[1].message, "no pull policy (line 9 of the rendered stream)");
  EXPECT_EQ(findings[1].line, 0);
}

TEST(MapRenderedFindings, FindingsOutsideADocumentWithASourceKeepTheStreamPosition) {
  std::vector<RenderedDocument> docs = {{1, 2, ""}, {3, 5, "api/templates/a.yaml"}};
  Finding whole_stream = StreamFinding(0, 0, "not a UTF-8 text file");
  Finding other_file = StreamFinding(4, 1);
  other_file.path = "values.yaml";
  std::vector<Finding> findings = {StreamFinding(2, 8), whole_stream, other_file,
                                   StreamFinding(6, 1)};
  MapRenderedFindings(docs, {}, &findings);
  EXPECT_EQ(findings[0].path, "-");  // its document has no Source comment
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 8);
  EXPECT_EQ(findings[0].message, "floating tag \"main\"");
  EXPECT_EQ(findings[0].source_line, "image: nginx:main");
  EXPECT_EQ(findings[1].path, "-");  // about the whole stream
  EXPECT_EQ(findings[1].message, "not a UTF-8 text file");
  EXPECT_EQ(findings[2].path, "values.yaml");  // not from the stream
  EXPECT_EQ(findings[2].line, 4);
  EXPECT_EQ(findings[3].path, "-");  // past the last document's lines
  EXPECT_EQ(findings[3].line, 6);
}

TEST(LoadChartIndex, IndexesChartsByDirectoryAndChartYamlName) {
  imagepin::testing::TempDir repo;
  repo.Write("sources/charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n");
  repo.Write("sources/charts/vendor/redis-17/Chart.yaml", "apiVersion: v2\nname: redis\n");
  repo.Write("sources/charts/broken/Chart.yaml", "name: [unclosed\n");
  repo.Write("elsewhere/web/Chart.yaml", "name: web\n");  // outside the charts dir
  Config config;
  ChartIndex index = LoadChartIndex(config, repo.str());
  std::map<std::string, std::vector<std::string>, std::less<>> expected = {
      {"api", {"sources/charts/api"}},
      {"broken", {"sources/charts/broken"}},
      {"redis", {"sources/charts/vendor/redis-17"}},
      {"redis-17", {"sources/charts/vendor/redis-17"}}};
  EXPECT_EQ(index.dirs, expected);
}

TEST(ResolveTemplatePaths, TakesTheFirstCandidateThatIsARegularFileInsideTheRepository) {
  imagepin::testing::TempDir repo;
  imagepin::testing::TempDir outside;
  repo.Write("sources/charts/api/Chart.yaml", "name: api\n");
  repo.Write("sources/charts/api/templates/deployment.yaml", "kind: Deployment\n");
  repo.Write("sources/charts/redis/Chart.yaml", "name: redis\n");
  repo.Write("sources/charts/redis/templates/sts.yaml", "kind: StatefulSet\n");
  outside.Write("secret.yaml", "x: 1\n");
  fs::create_symlink(outside.path() / "secret.yaml",
                     repo.path() / "sources/charts/api/templates/leak.yaml");
  Config config;
  ChartIndex index = LoadChartIndex(config, repo.str());
  std::vector<RenderedDocument> docs = {
      {1, 2, "api/templates/deployment.yaml"},
      {3, 4, "api/charts/redis/templates/sts.yaml"},  // packaged: found as the chart redis
      {5, 6, "api/templates/missing.yaml"},
      {7, 8, "api/templates/leak.yaml"},
      {9, 10, ""}};
  Paths expected = {
      {"api/templates/deployment.yaml", "sources/charts/api/templates/deployment.yaml"},
      {"api/charts/redis/templates/sts.yaml", "sources/charts/redis/templates/sts.yaml"}};
  EXPECT_EQ(ResolveTemplatePaths(index, repo.str(), docs), expected);
}

}  // namespace
}  // namespace imagepin::policy
