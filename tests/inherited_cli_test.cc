// `inventory` and `promote` on applications, end to end with the real binary: a repository whose
// staging inherits api's image.ref from `_shared` (a CRLF overlay with an `image:` mapping),
// whose production has no overlay at all, and whose worker chart requires an image.ref that only
// dev sets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

const std::string kOld = "sha256:" + std::string(64, 'a');
const std::string kNew = "sha256:" + std::string(64, 'b');
const std::string kStaging = "replicaCount: 2\r\nimage:\r\n    pullPolicy: IfNotPresent\r\n";

class InheritedCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".imagepin.yaml",
                "version: 1\nenvironments:\n"
                "  - {name: dev, path: sources/values/env/dev}\n"
                "  - {name: staging, path: sources/values/env/staging}\n"
                "  - {name: production, path: sources/values/env/production}\n"
                "shared: sources/values/_shared\ncharts: sources/charts\n"
                "firstParty: [\"ghcr.io/acme/\"]\n");
    for (const char* chart : {"api", "worker"}) {
      repo_.Write(std::string("sources/charts/") + chart + "/Chart.yaml",
                  std::string("apiVersion: v2\nname: ") + chart + "\nversion: 1.0.0\n");
      repo_.Write(std::string("sources/charts/") + chart + "/values.yaml", "image:\n  ref: \"\"\n");
    }
    repo_.Write("sources/values/_shared/api.yaml",
                "image:\n  ref: ghcr.io/acme/api@" + kOld + "\n");
    repo_.Write("sources/values/_shared/worker.yaml", "replicaCount: 1\n");
    repo_.Write("sources/values/env/dev/api.yaml",
                "image:\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\n");
    repo_.Write("sources/values/env/dev/worker.yaml",
                "image:\n  ref: ghcr.io/acme/worker:0a1b2c3@" + kNew + "\n");
    repo_.Write("sources/values/env/staging/api.yaml", kStaging);
    repo_.Write("sources/values/env/production/.keep", "");
  }
  testreg::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }

  testing::TempDir repo_;
};

TEST_F(InheritedCliTest, InventoryTextMarksInheritedAndMissing) {
  testreg::CommandResult r = Run({"inventory", "--color", "never"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "SERVICE  REPOSITORY           dev                            staging                  "
            "               production\n"
            "api      ghcr.io/acme/api     sha256:bbbbbbbbbbbb (0a1b2c3)  sha256:aaaaaaaaaaaa "
            "(inherited) behind  sha256:aaaaaaaaaaaa (inherited)\n"
            "worker   ghcr.io/acme/worker  sha256:bbbbbbbbbbbb (0a1b2c3)  missing                  "
            "               missing\n");
}

TEST_F(InheritedCliTest, InventoryJsonSaysInheritedFromWhichLayerAndRequiredMissing) {
  testreg::CommandResult r = Run({"inventory", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 2u);
  const nlohmann::json& api = j["rows"][0];
  EXPECT_EQ(api["application"], "api.yaml");
  EXPECT_EQ(api["keyPath"], "image.ref");
  EXPECT_EQ(api["cells"]["dev"]["inherited"], false);
  EXPECT_EQ(api["cells"]["dev"]["from"], "sources/values/env/dev/api.yaml");
  EXPECT_EQ(api["cells"]["staging"]["inherited"], true);
  EXPECT_EQ(api["cells"]["staging"]["from"], "sources/values/_shared/api.yaml");
  EXPECT_EQ(api["cells"]["staging"]["digest"], kOld);
  EXPECT_EQ(api["cells"]["staging"]["marker"], "behind");
  EXPECT_EQ(api["cells"]["production"]["inherited"], true);
  const nlohmann::json& worker = j["rows"][1];
  EXPECT_EQ(worker["cells"]["staging"]["reference"], nullptr);
  EXPECT_EQ(worker["cells"]["staging"]["required"], true);
  EXPECT_EQ(worker["cells"]["staging"]["marker"], "missing");
  EXPECT_EQ(worker["cells"]["production"]["marker"], "missing");
  EXPECT_EQ(worker["drift"], true);
}

TEST_F(InheritedCliTest, PromoteWithoutTheFlagSaysInheritedAndWritesNothing) {
  testreg::CommandResult r = Run({"promote", "dev", "staging"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: api image.ref in staging is inherited from "
                       "sources/values/_shared/api.yaml: not written (--write-inherited adds it "
                       "to sources/values/env/staging/api.yaml)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("1 inherited (not written); 0 files written"), std::string::npos) << r.out;
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"), kStaging);
}

TEST_F(InheritedCliTest, WriteInheritedAddsTheKeyUnderImageKeepingCrlfAndIndentation) {
  testreg::CommandResult r = Run({"promote", "dev", "staging", "--write-inherited"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"),
            kStaging + "    ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\r\n");
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"),
            "image:\n  ref: ghcr.io/acme/api@" + kOld + "\n");
}

TEST_F(InheritedCliTest, WriteInheritedCreatesAMissingOverlayFile) {
  // production has no overlay for api: the override is a new file.
  ASSERT_EQ(Run({"promote", "dev", "staging", "--write-inherited"}).exit_code, 0);
  testreg::CommandResult r = Run({"promote", "staging", "production", "--write-inherited"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/production/api.yaml"),
            "image:\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\n");
}

TEST_F(InheritedCliTest, AnInheritedSourceIsPromotedAsItsEffectiveDigest) {
  // dev inherits from _shared (its overlay sets nothing); staging has its own value.
  repo_.Write("sources/values/env/dev/api.yaml", "replicaCount: 1\n");
  repo_.Write("sources/values/env/staging/api.yaml",
              "image:\n  ref: ghcr.io/acme/api@" + kNew + "  # staging\n");
  testreg::CommandResult r = Run({"promote", "dev", "staging"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"),
            "image:\n  ref: ghcr.io/acme/api@" + kOld + "  # staging\n");
}

}  // namespace
}  // namespace imagepin
