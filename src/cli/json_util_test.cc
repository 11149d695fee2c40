#include "cli/json_util.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::cli {
namespace {

using Json = nlohmann::ordered_json;

TEST(DumpJson, AddsPathBytesBesideEveryNonUtf8Path) {
  Json doc = {{"changes", Json::array({{{"path", "bad\xff.yaml"}, {"line", 5}},
                                       {{"path", "good.yaml"}, {"line", 6}}})},
              {"rows", Json::array({{{"relative", "apps/\xfe.yaml"}}})}};
  Json out = Json::parse(DumpJson(doc));
  EXPECT_EQ(out["changes"][0],
            Json::parse(R"({"path": "bad\uFFFD.yaml", "pathBytes": "YmFk/y55YW1s", "line": 5})"));
  EXPECT_EQ(out["changes"][1], Json::parse(R"({"path": "good.yaml", "line": 6})"));
  EXPECT_EQ(out["rows"][0]["relative"], "apps/\uFFFD.yaml");
  EXPECT_EQ(out["rows"][0]["relativeBytes"], "YXBwcy/+LnlhbWw=");
}

TEST(DumpJson, NeverThrowsOnOtherStringsThatAreNotUtf8) {
  Json doc = {{"reference", "nginx:\xc3"}, {"error", {{"message", "cut \xe6\x97"}}}};
  std::string text;
  ASSERT_NO_THROW(text = DumpJson(doc, -1));
  EXPECT_EQ(Json::parse(text)["reference"], "nginx:\uFFFD");
}

// `imagepin images --format json` used to abort (nlohmann type_error.316) halfway through its
// output on a file name that is not UTF-8.
TEST(DumpJson, ImagesJsonSurvivesANonUtf8FileName) {
  testing::TempDir dir;
  dir.Write("sources/values/bad\xff.yaml", "image: nginx:1.27.0\n");
  testing::CommandResult run =
      testing::RunCommand({IMAGEPIN_BINARY, "images", "-C", dir.str(), "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json out = Json::parse(run.out);
  ASSERT_EQ(out.size(), 1u) << run.out;
  EXPECT_EQ(out[0]["path"], "sources/values/bad\uFFFD.yaml");
  EXPECT_EQ(out[0]["pathBytes"], report::Base64("sources/values/bad\xff.yaml"));
  EXPECT_EQ(out[0]["reference"], "nginx:1.27.0");
}

TEST(DumpJson, CheckJsonKeepsTheExactFileName) {
  testing::TempDir dir;
  dir.Write("sources/values/bad\xff.yaml", "image: nginx:1.27.0\n");
  testing::CommandResult run =
      testing::RunCommand({IMAGEPIN_BINARY, "check", "-C", dir.str(), "--format", "json"});
  ASSERT_EQ(run.exit_code, 1) << run.err;
  Json finding = Json::parse(run.out)["findings"][0];
  EXPECT_EQ(finding["path"], "sources/values/bad\uFFFD.yaml");
  EXPECT_EQ(finding["pathBytes"], report::Base64("sources/values/bad\xff.yaml"));
}

}  // namespace
}  // namespace imagepin::cli
