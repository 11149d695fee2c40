// `imagepin migrate`, end to end with the real binary: a repository whose api chart reads
// image.ref and whose legacy chart reads image.repository and image.tag, both deployed with
// first-party split mappings in their values files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'c');

const std::string kTemplateRef =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n"
    "    spec:\n      containers:\n        - name: app\n"
    "          image: {{ required \"image.ref is required\" .Values.image.ref | quote }}\n"
    "          imagePullPolicy: {{ .Values.image.pullPolicy }}\n";
const std::string kTemplateSplit =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n"
    "    spec:\n      containers:\n        - name: app\n"
    "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
    "          imagePullPolicy: IfNotPresent\n";

// CRLF, a comment, a key between the parts, a double-quoted repository.
const std::string kApiShared =
    "# api, every environment\r\nimage:\r\n  repository: \"ghcr.io/acme/api\"\r\n"
    "  pullPolicy: IfNotPresent   # keep\r\n  tag: 3f2a9c1\r\n  digest: " +
    kDigest + "\r\nreplicaCount: 2\r\n";
const std::string kApiMigrated =
    "# api, every environment\r\nimage:\r\n  ref: \"ghcr.io/acme/api:3f2a9c1@" + kDigest +
    "\"\r\n  pullPolicy: IfNotPresent   # keep\r\nreplicaCount: 2\r\n";
const std::string kLegacy = "image:\n  repository: ghcr.io/acme/legacy\n  tag: v1.2.0\n";
const std::string kOrphan = "image:\n  repository: ghcr.io/acme/orphan\n  tag: v0.1.0\n";

class MigrateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".imagepin.yaml",
                "version: 1\nenvironments:\n  - {name: dev, path: sources/values/env/dev}\n"
                "shared: sources/values/_shared\ncharts: sources/charts\n"
                "firstParty: [\"ghcr.io/acme/\"]\n");
    repo_.Write("sources/charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n");
    repo_.Write("sources/charts/api/values.yaml",
                "image:\n  ref: \"\"\n  pullPolicy: IfNotPresent\n");
    repo_.Write("sources/charts/api/templates/deployment.yaml", kTemplateRef);
    repo_.Write("sources/charts/legacy/Chart.yaml",
                "apiVersion: v2\nname: legacy\nversion: 1.0.0\n");
    repo_.Write("sources/charts/legacy/values.yaml", "image:\n  repository: \"\"\n  tag: \"\"\n");
    repo_.Write("sources/charts/legacy/templates/deployment.yaml", kTemplateSplit);
    repo_.Write("sources/values/_shared/api.yaml", kApiShared);
    repo_.Write("sources/values/env/dev/legacy.yaml", kLegacy);
  }

  testreg::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }

  testing::TempDir repo_;
};

TEST_F(MigrateCliTest, WritesByteExactAndLeavesAChartThatDoesNotReadRefAlone) {
  testreg::CommandResult r = Run({"migrate"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // one mapping left: the legacy chart's
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"), kApiMigrated);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/legacy.yaml"), kLegacy);
  EXPECT_NE(r.err.find("sources/values/env/dev/legacy.yaml:1:1: note: image: not migrated: chart "
                       "sources/charts/legacy reads image.repository and image.tag, not image.ref"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("migrate: 1 mapping in 1 file migrated, 1 skipped; 1 file written"),
            std::string::npos)
      << r.out;
  // Run again: nothing left to migrate in api.yaml, the file is not touched.
  r = Run({"migrate"});
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"), kApiMigrated);
  EXPECT_NE(r.out.find("0 mappings in 0 files migrated, 1 skipped"), std::string::npos) << r.out;
}

TEST_F(MigrateCliTest, DryRunWritesNothing) {
  testreg::CommandResult r = Run({"migrate", "--dry-run"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"), kApiShared);
  EXPECT_NE(r.out.find("ghcr.io/acme/api:3f2a9c1@" + kDigest + " → image.ref"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("dry run, nothing written"), std::string::npos) << r.out;
}

TEST_F(MigrateCliTest, JsonListsMigratedAndSkipped) {
  testreg::CommandResult r = Run({"migrate", "--dry-run", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["migrated"].size(), 1u);
  EXPECT_EQ(j["migrated"][0]["path"], "sources/values/_shared/api.yaml");
  EXPECT_EQ(j["migrated"][0]["keyPath"], "image");
  EXPECT_EQ(j["migrated"][0]["ref"], "ghcr.io/acme/api:3f2a9c1@" + kDigest);
  EXPECT_EQ(j["migrated"][0]["charts"], nlohmann::json::array({"sources/charts/api"}));
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0]["path"], "sources/values/env/dev/legacy.yaml");
  EXPECT_EQ(j["dryRun"], true);
  EXPECT_EQ(j["filesWritten"], 0);
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"), kApiShared);
}

TEST_F(MigrateCliTest, AFileWithNoChartIsSkippedUnlessForced) {
  repo_.Write("sources/values/env/dev/orphan.yaml", kOrphan);
  testreg::CommandResult r = Run({"migrate", repo_.str() + "/sources/values/env/dev/orphan.yaml"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/orphan.yaml"), kOrphan);
  EXPECT_NE(r.err.find("could not be checked (--force migrates it)"), std::string::npos) << r.err;
  r = Run({"migrate", "--force", repo_.str() + "/sources/values/env/dev/orphan.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/orphan.yaml"),
            "image:\n  ref: ghcr.io/acme/orphan:v0.1.0\n");
  EXPECT_NE(r.err.find("no chart could be checked"), std::string::npos) << r.err;
  // The api file was not selected: untouched.
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"), kApiShared);
}

TEST_F(MigrateCliTest, CheckPassesOnTheMigratedRef) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 1);
  testreg::CommandResult r = Run({"check", repo_.str() + "/sources/values/_shared/api.yaml"});
  EXPECT_EQ(r.out.find("image.ref"), std::string::npos) << r.out;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace imagepin
