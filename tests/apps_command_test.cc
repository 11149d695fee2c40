// `imagepin apps` and `imagepin explain` end to end: the real binary on a small repository with
// a chart (image.ref required, a sidecar image whose chart default pull policy is Always), a
// shared layer, two environments (one without its overlay) and an app with no chart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

class AppsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".imagepin.yaml",
                "version: 1\n"
                "firstParty: [ghcr.io/acme/]\n"
                "scope:\n"
                "  include: [\"values/**\"]\n"
                "environments:\n"
                "  - {name: dev, path: values/env/dev}\n"
                "  - {name: prod, path: values/env/prod}\n"
                "shared: values/_shared\n"
                "charts: charts\n");
    repo_.Write("charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n");
    repo_.Write("charts/api/values.yaml",
                "replicas: 1\n"                 // 1
                "image:\n"                      // 2
                "  ref: \"\"\n"                 // 3
                "  pullPolicy: IfNotPresent\n"  // 4
                "metrics:\n"                    // 5
                "  image:\n"                    // 6
                "    ref: ghcr.io/acme/api-metrics:1.0@" +
                    kA +
                    "\n"                          // 7
                    "    pullPolicy: Always\n");  // 8
    repo_.Write("values/_shared/apps/api.yaml",
                "metrics:\n"
                "  image:\n"
                "    pullPolicy: IfNotPresent\n");  // 3:17
    repo_.Write("values/env/dev/apps/api.yaml",
                "image:\n"
                "  ref: ghcr.io/acme/api:1.2.3@" +
                    kB +
                    "\n"  // 2:8
                    "metrics:\n"
                    "  image:\n"
                    "    ref: ghcr.io/acme/api-metrics:1.1@" +
                    kC + "\n");  // 5:10
    // prod has no overlay for api: image.ref is missing there.
    repo_.Write("values/env/prod/README.md", "prod overlays\n");
    repo_.Write("values/_shared/tools/busybox.yaml",
                "image: docker.io/library/busybox:1.36@" + kA + "\n");
  }

  testing::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testing::RunCommand(args);
  }

  testing::TempDir repo_;
};

// The table's lines as cells (columns are separated by two spaces or more), and the column at
// which each cell starts, in characters.
struct TableCells {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<size_t>> starts;
};
TableCells SplitTable(const std::string& text) {
  TableCells t;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    t.rows.emplace_back();
    t.starts.emplace_back();
    size_t column = 0, spaces = 0;
    std::string cell;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c == ' ') {
        ++spaces;
      } else {
        if (spaces >= 2 || cell.empty()) {
          if (!cell.empty()) t.rows.back().push_back(cell);
          cell.clear();
          t.starts.back().push_back(column);
        } else if (spaces == 1) {
          cell += ' ';
        }
        spaces = 0;
        cell += c;
      }
      if ((c & 0xC0) != 0x80) ++column;  // the arrows are one character
    }
    t.rows.back().push_back(cell);
  }
  return t;
}

TEST_F(AppsCommandTest, TableListsEachAppsChartLayersAndImages) {
  testing::CommandResult r = Run({"apps"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  TableCells t = SplitTable(r.out);
  using Row = std::vector<std::string>;
  EXPECT_EQ(t.rows, (std::vector<Row>{
                        {"ENV", "APP", "CHART", "LAYERS", "IMAGES"},
                        {"dev", "apps/api", "charts/api",
                         "charts/api/values.yaml → values/_shared/apps/api.yaml → "
                         "values/env/dev/apps/api.yaml",
                         "ghcr.io/acme/api:1.2.3@sha256:bbbbbbbbbbbb, "
                         "ghcr.io/acme/api-metrics:1.1@sha256:cccccccccccc"},
                        {"prod", "apps/api", "charts/api",
                         "charts/api/values.yaml → values/_shared/apps/api.yaml → "
                         "values/env/prod/apps/api.yaml (missing)",
                         "image.ref missing, ghcr.io/acme/api-metrics:1.0@sha256:aaaaaaaaaaaa"},
                        {"dev", "tools/busybox", "unknown",
                         "values/_shared/tools/busybox.yaml → values/env/dev/tools/busybox.yaml "
                         "(missing)",
                         "docker.io/library/busybox:1.36@sha256:aaaaaaaaaaaa"},
                        {"prod", "tools/busybox", "unknown",
                         "values/_shared/tools/busybox.yaml → values/env/prod/tools/busybox.yaml "
                         "(missing)",
                         "docker.io/library/busybox:1.36@sha256:aaaaaaaaaaaa"},
                    }))
      << r.out;
  // Every column starts at the same place on every line.
  for (const std::vector<size_t>& starts : t.starts) EXPECT_EQ(starts, t.starts[0]) << r.out;
}

TEST_F(AppsCommandTest, EnvFilterKeepsOnlyThatEnvironment) {
  testing::CommandResult r = Run({"apps", "--env", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("dev "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prod  apps/api"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prod  tools/busybox"), std::string::npos) << r.out;
}

TEST_F(AppsCommandTest, JsonHasLayersWithRoleAndExistenceAndImagesWithForm) {
  testing::CommandResult r = Run({"apps", "--format", "json", "--env", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(r.out);
  ASSERT_EQ(j["applications"].size(), 2u);
  const auto& api = j["applications"][0];
  std::vector<std::string> keys;
  for (const auto& [key, value] : api.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "environment", "chart", "origin", "declaredIn",
                                            "layers", "images"}));
  EXPECT_EQ(api["name"], "apps/api");
  EXPECT_EQ(api["environment"], "prod");
  EXPECT_EQ(api["chart"], "charts/api");
  EXPECT_EQ(api["origin"], "convention");
  EXPECT_TRUE(api["declaredIn"].is_null());
  EXPECT_EQ(api["layers"], nlohmann::ordered_json::parse(R"([
    {"path": "charts/api/values.yaml", "role": "chart", "exists": true},
    {"path": "values/_shared/apps/api.yaml", "role": "shared", "exists": true},
    {"path": "values/env/prod/apps/api.yaml", "role": "env", "exists": false}])"));
  ASSERT_EQ(api["images"].size(), 2u);
  EXPECT_EQ(api["images"][0], nlohmann::ordered_json::parse(
                                  R"({"keyPath": "image", "reference": "", "form": "ref"})"));
  EXPECT_EQ(api["images"][1]["keyPath"], "metrics.image");
  EXPECT_EQ(api["images"][1]["reference"], "ghcr.io/acme/api-metrics:1.0@" + kA);
  const auto& busybox = j["applications"][1];
  EXPECT_EQ(busybox["name"], "tools/busybox");
  EXPECT_TRUE(busybox["chart"].is_null());
  EXPECT_EQ(busybox["images"][0]["form"], "string");
}

TEST_F(AppsCommandTest, UnknownEnvironmentIsAUsageError) {
  testing::CommandResult r = Run({"apps", "--env", "qa"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unknown environment \"qa\" (configured: dev, prod)"), std::string::npos)
      << r.err;
}

TEST_F(AppsCommandTest, ExplainTextNamesWhereEachPartComesFromAndTheChartDefault) {
  testing::CommandResult r = Run({"explain", "apps/api", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "apps/api in dev\n"
      "  chart:  charts/api\n"
      "  origin: convention\n"
      "  layers (lowest first):\n"
      "    0  chart    charts/api/values.yaml\n"
      "    1  shared   values/_shared/apps/api.yaml\n"
      "    2  env      values/env/dev/apps/api.yaml\n"
      "  image image (ref): ghcr.io/acme/api:1.2.3@" +
          kB +
          "\n"
          "    ref          \"ghcr.io/acme/api:1.2.3@" +
          kB +
          "\" from values/env/dev/apps/api.yaml:2:8 (env); overrides chart default \"\" at "
          "charts/api/values.yaml:3:8\n"
          "    pull policy  \"IfNotPresent\" from charts/api/values.yaml:4:15 (chart)\n"
          "  image metrics.image (ref): ghcr.io/acme/api-metrics:1.1@" +
          kC +
          "\n"
          "    ref          \"ghcr.io/acme/api-metrics:1.1@" +
          kC +
          "\" from values/env/dev/apps/api.yaml:5:10 (env); overrides chart default "
          "\"ghcr.io/acme/api-metrics:1.0@" +
          kA +
          "\" at charts/api/values.yaml:7:10\n"
          "    pull policy  \"IfNotPresent\" from values/_shared/apps/api.yaml:3:17 (shared); "
          "overrides chart default \"Always\" at charts/api/values.yaml:8:17\n"
          "  findings: none\n");
}

TEST_F(AppsCommandTest, ExplainWithoutEnvShowsEveryEnvironmentAndItsFindings) {
  testing::CommandResult r = Run({"explain", "apps/api"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t dev = r.out.find("apps/api in dev\n");
  size_t prod = r.out.find("\napps/api in prod\n");
  ASSERT_NE(dev, std::string::npos) << r.out;
  ASSERT_NE(prod, std::string::npos) << r.out;
  EXPECT_LT(dev, prod);
  std::string prod_section = r.out.substr(prod);
  EXPECT_NE(prod_section.find("    2  env      values/env/prod/apps/api.yaml (missing)\n"),
            std::string::npos)
      << prod_section;
  // prod's image.ref is the chart's empty default; IP010 says so, as a diagnostic line.
  EXPECT_NE(prod_section.find("    ref          \"\" from charts/api/values.yaml:3:8 (chart)\n"),
            std::string::npos)
      << prod_section;
  EXPECT_NE(prod_section.find("  findings:\n    values/_shared/apps/api.yaml:"), std::string::npos)
      << prod_section;
  EXPECT_NE(prod_section.find(": error: apps/api has no image.ref in prod"), std::string::npos)
      << prod_section;
  EXPECT_NE(prod_section.find("[IP010 "), std::string::npos) << prod_section;
}

TEST_F(AppsCommandTest, ExplainJsonMirrorsTheProvenance) {
  testing::CommandResult r = Run({"explain", "apps/api", "--env", "dev", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(r.out);
  ASSERT_EQ(j["applications"].size(), 1u);
  const auto& app = j["applications"][0];
  EXPECT_EQ(app["name"], "apps/api");
  EXPECT_EQ(app["environment"], "dev");
  ASSERT_EQ(app["images"].size(), 2u);
  const auto& metrics = app["images"][1];
  EXPECT_EQ(metrics["keyPath"], "metrics.image");
  EXPECT_EQ(metrics["form"], "ref");
  EXPECT_EQ(metrics["parts"]["ref"]["path"], "values/env/dev/apps/api.yaml");
  EXPECT_EQ(metrics["parts"]["ref"]["line"], 5);
  EXPECT_EQ(metrics["parts"]["ref"]["column"], 10);
  EXPECT_EQ(metrics["parts"]["ref"]["role"], "env");
  const auto& policy = metrics["parts"]["pullPolicy"];
  EXPECT_EQ(policy["value"], "IfNotPresent");
  EXPECT_EQ(policy["path"], "values/_shared/apps/api.yaml");
  EXPECT_EQ(policy["line"], 3);
  EXPECT_EQ(policy["layer"], 1);
  EXPECT_EQ(policy["overridesChartDefault"], nlohmann::ordered_json::parse(R"(
    {"value": "Always", "path": "charts/api/values.yaml", "line": 8, "column": 17})"));
  // The image's own pull policy is the chart's: it overrides nothing.
  EXPECT_EQ(app["images"][0]["parts"]["pullPolicy"]["role"], "chart");
  EXPECT_TRUE(app["images"][0]["parts"]["pullPolicy"]["overridesChartDefault"].is_null());
  EXPECT_EQ(app["findings"], nlohmann::ordered_json::array());
}

TEST_F(AppsCommandTest, ExplainFindingsInJsonCarryRuleAndPosition) {
  testing::CommandResult r = Run({"explain", "apps/api", "--env", "prod", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(r.out);
  const auto& findings = j["applications"][0]["findings"];
  ASSERT_EQ(findings.size(), 1u) << findings.dump();
  EXPECT_EQ(findings[0]["ruleId"], "IP010");
  EXPECT_EQ(findings[0]["path"], "values/_shared/apps/api.yaml");
  EXPECT_EQ(findings[0]["suppressed"], false);
}

TEST_F(AppsCommandTest, ExplainUnknownAppIsAUsageErrorNamingCloseNames) {
  testing::CommandResult r = Run({"explain", "apps/apu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no application named \"apps/apu\"; close names: apps/api"),
            std::string::npos)
      << r.err;
  r = Run({"explain", "zzzzzzzzzzzzzzzzzzzz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the repository has 2 applications"), std::string::npos) << r.err;
}

TEST_F(AppsCommandTest, ExplainUnknownEnvironmentIsAUsageError) {
  testing::CommandResult r = Run({"explain", "apps/api", "--env", "qa"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown environment \"qa\""), std::string::npos) << r.err;
}

TEST_F(AppsCommandTest, ABrokenLayerIsReportedWithItsPositionAndExitsThree) {
  repo_.Write("values/env/dev/apps/api.yaml", "image:\n  ref: [unclosed\n");
  testing::CommandResult r = Run({"apps", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("values/env/dev/apps/api.yaml:"), std::string::npos) << r.err;
  // Still listed, the layer marked; what the other layers say is still shown.
  EXPECT_NE(r.out.find("→ values/env/dev/apps/api.yaml (unreadable)  "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("ghcr.io/acme/api-metrics:1.0@sha256:aaaaaaaaaaaa"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace imagepin
