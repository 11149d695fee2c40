// `check --changed-since REV`, end to end in a real git repository: it reads only what changed
// (and the application stacks and charts that pull it in), yet fails wherever the whole check
// fails because of the change: an overlay, a shared layer, a chart template, an untracked file,
// a deleted overlay.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');

class ChangedSinceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Git({"init", "-q", "-b", "main"});
    Git({"config", "user.email", "t@example.com"});
    Git({"config", "user.name", "t"});
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
    repo_.Write("charts/api/values.yaml", "image:\n  ref: \"\"\n");
    repo_.Write("charts/api/templates/deployment.yaml", Deployment("IfNotPresent"));
    repo_.Write("values/_shared/api.yaml", "replicas: 2\n");
    repo_.Write("values/env/dev/api.yaml", Overlay("dev"));
    repo_.Write("values/env/prod/api.yaml", Overlay("prod"));
    for (int i = 0; i < 8; ++i) {
      repo_.Write("values/_shared/tools/t" + std::to_string(i) + ".yaml",
                  "image: nginx:1.27.0@" + kA + "\n");
    }
    Commit();
  }

  static std::string Deployment(const std::string& policy) {
    return "apiVersion: apps/v1\n"
           "kind: Deployment\n"
           "metadata:\n"
           "  name: api\n"
           "spec:\n"
           "  template:\n"
           "    spec:\n"
           "      containers:\n"
           "        - name: api\n"
           "          image: {{ required \"image.ref\" .Values.image.ref }}\n"
           "          imagePullPolicy: " +
           policy + "\n";
  }
  static std::string Overlay(const std::string& env) {
    return "# " + env + "\nimage:\n  ref: ghcr.io/acme/api@" + kA + "\n";
  }

  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo_.str()});
    testing::CommandResult r = testing::RunCommand(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void Commit() {
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", "change"});
  }

  testing::CommandResult Check(std::vector<std::string> extra) {
    std::vector<std::string> argv = {IMAGEPIN_BINARY, "check", "--format",
                                     "json",          "-C",    repo_.str()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::RunCommand(argv);
  }
  // The findings of a JSON report as "path:line:col rule" lines, and the files it read.
  static std::vector<std::string> Findings(const testing::CommandResult& r) {
    std::vector<std::string> out;
    nlohmann::json report = nlohmann::json::parse(r.out);
    for (const auto& f : report["findings"]) {
      out.push_back(f["path"].get<std::string>() + ":" + std::to_string(f["line"].get<int>()) +
                    ":" + std::to_string(f["column"].get<int>()) + " " +
                    f["ruleId"].get<std::string>());
    }
    return out;
  }
  static int FilesScanned(const testing::CommandResult& r) {
    return nlohmann::json::parse(r.out)["summary"]["filesScanned"].get<int>();
  }

  // The change fails --changed-since exactly as it fails the whole check.
  void ExpectSameFailureAsTheWholeCheck(const std::string& since) {
    testing::CommandResult whole = Check({});
    testing::CommandResult changed = Check({"--changed-since", since});
    EXPECT_EQ(whole.exit_code, 1) << whole.out << whole.err;
    EXPECT_EQ(changed.exit_code, 1) << changed.out << changed.err;
    EXPECT_EQ(Findings(changed), Findings(whole)) << changed.out;
  }

  testing::TempDir repo_;
};

TEST_F(ChangedSinceTest, NoChangeChecksNothingAndPasses) {
  testing::CommandResult r = Check({"--changed-since", "HEAD"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Findings(r).empty());
  EXPECT_EQ(FilesScanned(r), 0);
  EXPECT_NE(r.err.find("no file in scope changed since HEAD"), std::string::npos) << r.err;
}

TEST_F(ChangedSinceTest, AGoodChangeReadsItsStackOnly) {
  repo_.Write("values/env/dev/api.yaml", Overlay("dev") + "replicas: 3\n");
  testing::CommandResult r = Check({"--changed-since", "HEAD"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  int whole = FilesScanned(Check({}));
  EXPECT_LT(FilesScanned(r), whole) << r.out;
  EXPECT_GE(FilesScanned(r), 1);
}

TEST_F(ChangedSinceTest, AnOverlayLosingImageRefFailsAsTheWholeCheckDoes) {
  repo_.Write("values/env/prod/api.yaml", "# prod\nreplicas: 3\n");
  ExpectSameFailureAsTheWholeCheck("HEAD");
}

TEST_F(ChangedSinceTest, ACommittedFloatingTagSinceABaseRevisionFails) {
  Git({"tag", "base"});
  repo_.Write("values/env/dev/api.yaml", "image:\n  ref: ghcr.io/acme/api:main\n");
  Commit();
  ExpectSameFailureAsTheWholeCheck("base");
  testing::CommandResult since_head = Check({"--changed-since", "HEAD"});
  EXPECT_EQ(since_head.exit_code, 0) << since_head.out;  // nothing changed since that commit
}

TEST_F(ChangedSinceTest, AChartTemplateOutsideTheScopeBringsInItsApplications) {
  repo_.Write("charts/api/templates/deployment.yaml", Deployment("Always"));
  ExpectSameFailureAsTheWholeCheck("HEAD");
}

TEST_F(ChangedSinceTest, AnUntrackedFileIsChecked) {
  repo_.Write("values/_shared/tools/new.yaml", "image: nginx:latest\n");
  ExpectSameFailureAsTheWholeCheck("HEAD");
}

TEST_F(ChangedSinceTest, ADeletedOverlayChecksTheWholeScope) {
  std::filesystem::remove(repo_.path() / "values/env/prod/api.yaml");
  repo_.Write("values/_shared/api.yaml", "replicas: 2\nimage:\n  ref: ghcr.io/acme/api:main\n");
  testing::CommandResult r = Check({"--changed-since", "HEAD"});
  EXPECT_NE(r.err.find("values/env/prod/api.yaml was deleted: checking the whole scope"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(FilesScanned(r), FilesScanned(Check({})));
  ExpectSameFailureAsTheWholeCheck("HEAD");
}

TEST_F(ChangedSinceTest, AnOldViolationInAnUnchangedFileIsNotReported) {
  repo_.Write("values/_shared/tools/t0.yaml", "image: nginx:latest\n");
  Commit();
  repo_.Write("values/_shared/tools/t1.yaml", "image: nginx:1.27.1@" + kA + "\n");
  testing::CommandResult r = Check({"--changed-since", "HEAD"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Check({}).exit_code, 1);
}

TEST_F(ChangedSinceTest, BadRevisionsAndCombinationsAreUsageErrors) {
  testing::CommandResult r = Check({"--changed-since", "no-such-rev"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--changed-since: no-such-rev is not a commit in this repository"),
            std::string::npos)
      << r.err;
  r = Check({"--changed-since", "HEAD", "values/env/dev/api.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Check({"--changed-since", "HEAD", "--write-baseline", "b.json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(repo_.path() / "b.json"));
}

}  // namespace
}  // namespace imagepin
