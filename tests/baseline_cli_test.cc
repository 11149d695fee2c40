// `imagepin check --baseline` end to end: the real binary on a small repository that starts out
// dirty. The adoption path a user takes: check fails, --write-baseline, check --baseline passes,
// a new violation fails alone, a fix is reported as fixed; SARIF's baselineState validated
// against the official schema; a malformed baseline is one located error and exit 2.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

using Json = nlohmann::json;

// Two containers with a tag and no digest (IP001 twice, same rule, path and reference, under
// different key paths), and a sidecar with the same problem twice at one key path: identical
// keys, counted.
constexpr const char* kDeployment =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: api}\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: api\n"
    "          image: docker.io/library/nginx:1.25.3\n"
    "          imagePullPolicy: IfNotPresent\n";

constexpr const char* kOtherImage =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: cache}\n"
    "spec:\n"
    "  containers:\n"
    "    - name: cache\n"
    "      image: docker.io/library/redis:7.2.4\n"
    "      imagePullPolicy: IfNotPresent\n";

class BaselineCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".imagepin.yaml", "version: 1\nscope:\n  include: [\"manifests/**\"]\n");
    repo_.Write("manifests/api.yaml", kDeployment);
    repo_.Write("manifests/cache.yaml", kOtherImage);
  }

  testing::CommandResult Check(std::vector<std::string> args) {
    std::vector<std::string> argv = {"env", "NO_COLOR=1", IMAGEPIN_BINARY, "check"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-C", repo_.str()});
    return testing::RunCommand(argv);
  }

  std::string Baseline() const { return (repo_.path() / "imagepin-baseline.json").string(); }

  // Validates `sarif` with tests/validate_sarif.py and the official schema.
  void ExpectValidSarif(const std::string& sarif) {
    std::string path = repo_.Write("out.sarif", sarif).string();
    testing::CommandResult v = testing::RunCommand(
        {"python3", std::string(IMAGEPIN_SOURCE_DIR) + "/tests/validate_sarif.py",
         std::string(IMAGEPIN_SOURCE_DIR) + "/tests/data/sarif-schema-2.1.0.json", path});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }

  testing::TempDir repo_;
};

TEST_F(BaselineCliTest, AdoptingOnADirtyRepository) {
  testing::CommandResult dirty = Check({});
  ASSERT_EQ(dirty.exit_code, 1) << dirty.out << dirty.err;
  EXPECT_NE(dirty.out.find("manifests/api.yaml:9:18: error:"), std::string::npos) << dirty.out;

  testing::CommandResult written = Check({"--write-baseline", Baseline()});
  EXPECT_EQ(written.exit_code, 0) << written.out << written.err;
  EXPECT_NE(written.err.find("2 findings recorded in"), std::string::npos) << written.err;
  Json file = Json::parse(repo_.Read("imagepin-baseline.json"));
  EXPECT_EQ(file["version"], 1);
  ASSERT_EQ(file["findings"].size(), 2u) << file.dump();
  EXPECT_EQ(file["findings"][0]["path"], "manifests/api.yaml");
  EXPECT_EQ(file["findings"][0]["ruleId"], "IP001");
  EXPECT_EQ(file["findings"][0]["reference"], "docker.io/library/nginx:1.25.3");
  EXPECT_EQ(file["findings"][1]["path"], "manifests/cache.yaml");

  testing::CommandResult clean = Check({"--baseline", Baseline()});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(clean.out.find("error:"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("2 baselined"), std::string::npos) << clean.out;

  // Lines move (a comment and a label above the image): still baselined. A new violation in the
  // same file, on another container, is the one error.
  std::string moved = kDeployment;
  moved.insert(moved.find("spec:\n  template"), "# moved down by a comment\n");
  moved +=
      "        - name: sidecar\n"
      "          image: docker.io/library/busybox:1.36\n"
      "          imagePullPolicy: IfNotPresent\n";
  repo_.Write("manifests/api.yaml", moved);
  testing::CommandResult one_new = Check({"--baseline", Baseline()});
  EXPECT_EQ(one_new.exit_code, 1) << one_new.out << one_new.err;
  EXPECT_NE(one_new.out.find("manifests/api.yaml:13:18: error:"), std::string::npos) << one_new.out;
  EXPECT_NE(one_new.out.find("busybox"), std::string::npos) << one_new.out;
  EXPECT_EQ(one_new.out.find("nginx"), std::string::npos) << one_new.out;
  EXPECT_EQ(one_new.out.find("redis"), std::string::npos) << one_new.out;
  EXPECT_NE(one_new.out.find("imagepin: 1 error, 2 baselined in 2 files"), std::string::npos)
      << one_new.out;

  // The same in JSON: every finding, marked, and the summary's counts.
  testing::CommandResult json = Check({"--baseline", Baseline(), "--format", "json"});
  EXPECT_EQ(json.exit_code, 1);
  Json doc = Json::parse(json.out);
  EXPECT_EQ(doc["summary"]["errors"], 1);
  EXPECT_EQ(doc["summary"]["baselined"], 2);
  EXPECT_EQ(doc["summary"]["fixedSinceBaseline"], 0);
  ASSERT_EQ(doc["findings"].size(), 3u);
  int unchanged = 0;
  for (const Json& f : doc["findings"]) unchanged += f["baselineState"] == "unchanged" ? 1 : 0;
  EXPECT_EQ(unchanged, 2);

  // Fix the redis image (pin it by digest): reported as fixed, on stderr, not a failure of its own.
  repo_.Write("manifests/cache.yaml", std::string(kOtherImage)
                                          .replace(std::string(kOtherImage).find("redis:7.2.4"), 11,
                                                   "redis:7.2.4@sha256:" + std::string(64, 'a')));
  testing::CommandResult fixed = Check({"--baseline", Baseline()});
  EXPECT_EQ(fixed.exit_code, 1) << fixed.out << fixed.err;  // busybox is still new
  EXPECT_NE(fixed.err.find("1 fixed since the baseline: run --write-baseline to shrink it"),
            std::string::npos)
      << fixed.err;

  // SARIF: new, unchanged and absent results, valid against the schema.
  testing::CommandResult sarif = Check({"--baseline", Baseline(), "--format", "sarif"});
  EXPECT_EQ(sarif.exit_code, 1);
  ExpectValidSarif(sarif.out);
  Json log = Json::parse(sarif.out);
  std::map<std::string, std::vector<std::string>> by_state;  // state -> references
  for (const Json& result : log["runs"][0]["results"]) {
    ASSERT_TRUE(result.contains("baselineState")) << result.dump();
    by_state[result["baselineState"]].push_back(result["message"]["text"]);
  }
  ASSERT_EQ(by_state["new"].size(), 1u);
  EXPECT_NE(by_state["new"][0].find("busybox"), std::string::npos) << by_state["new"][0];
  ASSERT_EQ(by_state["unchanged"].size(), 1u);
  EXPECT_NE(by_state["unchanged"][0].find("nginx"), std::string::npos);
  ASSERT_EQ(by_state["absent"].size(), 1u);
  EXPECT_NE(by_state["absent"][0].find("redis"), std::string::npos) << by_state["absent"][0];

  // Fixing the new one too: only baselined findings left, exit 0.
  repo_.Write("manifests/api.yaml", kDeployment);
  testing::CommandResult passing = Check({"--baseline", Baseline(), "--format", "github"});
  EXPECT_EQ(passing.exit_code, 0) << passing.out << passing.err;
  EXPECT_EQ(passing.out.find("::error"), std::string::npos) << passing.out;
}

TEST_F(BaselineCliTest, ASecondIdenticalFindingIsNew) {
  // Two documents in one file with the same image at the same key path: two identical keys.
  repo_.Write("manifests/cache.yaml", std::string(kOtherImage) + "---\n" + kOtherImage);
  ASSERT_EQ(Check({"--write-baseline", Baseline()}).exit_code, 0);
  EXPECT_NE(repo_.Read("imagepin-baseline.json").find("\"count\":2"), std::string::npos)
      << repo_.Read("imagepin-baseline.json");
  EXPECT_EQ(Check({"--baseline", Baseline()}).exit_code, 0);
  repo_.Write("manifests/cache.yaml",
              std::string(kOtherImage) + "---\n" + kOtherImage + "---\n" + kOtherImage);
  testing::CommandResult third = Check({"--baseline", Baseline()});
  EXPECT_EQ(third.exit_code, 1) << third.out << third.err;
  EXPECT_NE(third.out.find("imagepin: 1 error, 3 baselined"), std::string::npos) << third.out;
}

TEST_F(BaselineCliTest, AMalformedBaselineIsOneLocatedErrorAndExit2) {
  repo_.Write("imagepin-baseline.json", "{\n  \"version\": 1,\n  \"findings\": [,]\n}\n");
  testing::CommandResult r = Check({"--baseline", Baseline()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind(Baseline() + ":3:16: error: invalid baseline: not JSON", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  testing::CommandResult missing = Check({"--baseline", Baseline() + ".absent"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_F(BaselineCliTest, RewritingKeepsTheModeAndLeavesNoTemporaryFile) {
  ASSERT_EQ(Check({"--write-baseline", Baseline()}).exit_code, 0);
  ASSERT_EQ(::chmod(Baseline().c_str(), 0600), 0);
  repo_.Write("manifests/cache.yaml", "kind: ConfigMap\n");  // its finding is fixed
  testing::CommandResult r = Check({"--write-baseline", Baseline()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 finding recorded"), std::string::npos) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(Baseline().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(repo_.Read("imagepin-baseline.json").find("cache.yaml"), std::string::npos);
  for (const auto& entry : std::filesystem::directory_iterator(repo_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".imagepin-"), std::string::npos)
        << "temporary file left behind: " << entry.path();
  }
}

TEST_F(BaselineCliTest, AFileThatCannotBeWrittenIsExit3) {
  // Its directory does not exist (a permission test would not fail as root, which CI runs as).
  std::string path = (repo_.path() / "no-such-dir" / "baseline.json").string();
  testing::CommandResult r = Check({"--write-baseline", path});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("no-such-dir/baseline.json"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(repo_.path() / "no-such-dir"));
}

TEST_F(BaselineCliTest, WriteBaselineNeedsTheWholeScope) {
  testing::CommandResult r = Check({"--write-baseline", Baseline(), "manifests/api.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(Baseline()));
}

}  // namespace
}  // namespace imagepin
