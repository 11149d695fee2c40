// `imagepin promote` end to end on bad input: each case is one error line naming the file (and
// line), a non-zero exit, and no file written.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

const std::string kOld = "sha256:" + std::string(64, 'a');
const std::string kNew = "sha256:" + std::string(64, 'b');

class PromoteCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = "image:\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "\n";
    staging_ = "image:\n  ref: ghcr.io/acme/api@" + kOld + "  # staging\n";
    repo_.Write("sources/values/env/dev/api.yaml", dev_);
    repo_.Write("sources/values/env/staging/api.yaml", staging_);
  }
  testreg::CommandResult Promote(std::vector<std::string> args) {
    args.insert(args.begin(), {IMAGEPIN_BINARY, "promote"});
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }
  std::string Staging() { return repo_.Read("sources/values/env/staging/api.yaml"); }

  testing::TempDir repo_;
  std::string dev_, staging_;
};

TEST_F(PromoteCliTest, WritesTheDigestAndSummary) {
  std::string md = (repo_.path() / "pr.md").string();
  testreg::CommandResult r = Promote({"dev", "staging", "--summary-md", md});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Staging(), "image:\n  ref: ghcr.io/acme/api:0a1b2c3@" + kNew + "  # staging\n");
  std::string summary = repo_.Read("pr.md");
  EXPECT_NE(summary.find("| api | `ghcr.io/acme/api` | `sha256:aaaaaaaaaaaa` | "
                         "`sha256:bbbbbbbbbbbb` | `0a1b2c3` |"),
            std::string::npos)
      << summary;
}

TEST_F(PromoteCliTest, DryRunWritesNothing) {
  testreg::CommandResult r = Promote({"dev", "staging", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run"), std::string::npos);
  EXPECT_EQ(Staging(), staging_);
}

TEST_F(PromoteCliTest, UnknownEnvironmentIsAUsageError) {
  testreg::CommandResult r = Promote({"dev", "qa"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown environment \"qa\""), std::string::npos) << r.err;
}

TEST_F(PromoteCliTest, MissingEnvironmentDirectoryIsAUsageError) {
  testreg::CommandResult r = Promote({"staging", "production"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sources/values/env/production does not exist"), std::string::npos) << r.err;
}

TEST_F(PromoteCliTest, TargetThatDoesNotParseIsNamedAndNothingIsWritten) {
  repo_.Write(".imagepin.yaml", "firstParty: [ghcr.io/acme/]\n");  // no notice on stderr
  repo_.Write("sources/values/env/dev/web.yaml", "image:\n  ref: ghcr.io/acme/web@" + kNew + "\n");
  std::string broken = "image:\n  ref: [ghcr.io/acme/web\n";
  repo_.Write("sources/values/env/staging/web.yaml", broken);
  testreg::CommandResult r = Promote({"dev", "staging"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.rfind("sources/values/env/staging/web.yaml:", 0), 0u) << r.err;
  EXPECT_EQ(Staging(), staging_);
  EXPECT_EQ(repo_.Read("sources/values/env/staging/web.yaml"), broken);
}

TEST_F(PromoteCliTest, TemplatedSourceIsRefusedAtItsLine) {
  repo_.Write("sources/values/env/dev/api.yaml",
              "image:\n  ref: \"ghcr.io/acme/{{ .Values.name }}@" + kNew + "\"\n");
  testreg::CommandResult r = Promote({"dev", "staging"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("sources/values/env/dev/api.yaml:2:8: error: a template"), std::string::npos)
      << r.err;
  EXPECT_EQ(Staging(), staging_);
}

TEST_F(PromoteCliTest, UnpinnedSourceIsRefusedLikeCheck) {
  repo_.Write("sources/values/env/dev/api.yaml", "image:\n  ref: ghcr.io/acme/api:main\n");
  testreg::CommandResult r = Promote({"dev", "staging"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[IP001]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
  EXPECT_EQ(Staging(), staging_);
}

TEST_F(PromoteCliTest, JsonListsPromotionsAndUnmatchedServices) {
  repo_.Write("sources/values/env/dev/new.yaml", "image:\n  ref: ghcr.io/acme/new@" + kNew + "\n");
  testreg::CommandResult r = Promote({"dev", "staging", "--format", "json", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["promotions"].size(), 1u);
  EXPECT_EQ(j["promotions"][0]["from"], kOld);
  EXPECT_EQ(j["promotions"][0]["to"], kNew);
  EXPECT_EQ(j["promotions"][0]["tag"], "0a1b2c3");
  ASSERT_EQ(j["onlyInSource"].size(), 1u);
  EXPECT_EQ(j["onlyInSource"][0]["path"], "sources/values/env/dev/new.yaml");
}

}  // namespace
}  // namespace imagepin
