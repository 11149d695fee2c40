// `imagepin init` end to end: the real binary in a git repository copied from examples/gitops
// (its .imagepin.yaml removed, an origin remote on github.com). Init writes the config and the
// three workflows (those byte for byte examples/github's), `imagepin config` loads the config,
// `imagepin check` runs on it; a second init changes no byte; a file with other contents is
// refused without --force (nothing written) and replaced with it; --dry-run writes nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/action_validator.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = IMAGEPIN_SOURCE_DIR;
const std::vector<std::string> kWorkflows = {"image-policy.yaml", "bump-local-dev-images.yaml",
                                             "promote-images.yaml"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every file below `root` (but .git/) with its bytes.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (rel == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    files[rel] = it->is_regular_file() ? ReadFile(it->path()) : std::string("<dir>");
  }
  return files;
}

class InitCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kSource / "examples/gitops", repo_.path(), fs::copy_options::recursive);
    fs::remove(repo_.path() / ".imagepin.yaml");
    Git({"init", "-q"});
    Git({"remote", "add", "origin", "https://github.com/Acme/gitops.git"});
  }

  void Git(std::vector<std::string> args) {
    std::vector<std::string> argv = {"git", "-C", repo_.str()};
    argv.insert(argv.end(), args.begin(), args.end());
    testing::CommandResult r = testing::RunCommand(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  testing::CommandResult Run(std::vector<std::string> args) {
    std::vector<std::string> argv = {"env", "-u", "GITHUB_REPOSITORY_OWNER", IMAGEPIN_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-C", repo_.str()});
    return testing::RunCommand(argv);
  }

  testing::TempDir repo_;
};

TEST_F(InitCliTest, WritesTheConfigAndTheWorkflowsThatLoadAndCheck) {
  std::map<std::string, std::string> before = Snapshot(repo_.path());
  testing::CommandResult r = Run({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("created .imagepin.yaml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("init: 4 files written"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Left to do by hand"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("imagepin check"), std::string::npos) << r.out;

  std::map<std::string, std::string> after = Snapshot(repo_.path());
  for (const auto& [path, bytes] : before) EXPECT_EQ(after[path], bytes) << path;
  std::vector<std::string> added;
  for (const auto& [path, bytes] : after) {
    if (before.count(path) == 0) added.push_back(path);
  }
  EXPECT_EQ(added,
            (std::vector<std::string>{".github", ".github/workflows",
                                      ".github/workflows/bump-local-dev-images.yaml",
                                      ".github/workflows/image-policy.yaml",
                                      ".github/workflows/promote-images.yaml", ".imagepin.yaml"}));
  for (const std::string& name : kWorkflows) {
    EXPECT_EQ(after[".github/workflows/" + name], ReadFile(kSource / "examples/github" / name))
        << name;
  }
  const std::string& config = after[".imagepin.yaml"];
  EXPECT_NE(config.find("  - name: staging\n    path: sources/values/env/staging\n"),
            std::string::npos)
      << config;
  EXPECT_NE(config.find("shared: sources/values/_shared"), std::string::npos) << config;
  EXPECT_NE(config.find("charts: sources/charts"), std::string::npos) << config;
  EXPECT_NE(config.find("  - ghcr.io/acme/"), std::string::npos) << config;

  testing::CommandResult shown = Run({"config"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.err, "");
  EXPECT_NE(shown.out.find(".imagepin.yaml:"), std::string::npos) << shown.out;
  // The detected environments are the file's, in lane order.
  for (const char* line : {"environments[0].name", "environments[3].name"}) {
    EXPECT_NE(shown.out.find(line), std::string::npos) << shown.out;
  }
  EXPECT_NE(shown.out.find("production"), std::string::npos);

  testing::CommandResult check = Run({"check"});
  EXPECT_TRUE(check.exit_code == 0 || check.exit_code == 1) << check.exit_code << check.err;
  EXPECT_EQ(check.err.find(".imagepin.yaml:"), std::string::npos) << check.err;
}

TEST_F(InitCliTest, ASecondRunChangesNothing) {
  ASSERT_EQ(Run({"init"}).exit_code, 0);
  std::map<std::string, std::string> first = Snapshot(repo_.path());
  testing::CommandResult again = Run({"init"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("init: already initialised"), std::string::npos) << again.out;
  EXPECT_EQ(Snapshot(repo_.path()), first);
}

TEST_F(InitCliTest, RefusesFilesWithOtherContentsAndWritesNothingWithoutForce) {
  ASSERT_EQ(Run({"init"}).exit_code, 0);
  const std::string written = repo_.Read(".imagepin.yaml");
  repo_.Write(".imagepin.yaml", written + "# mine\n");
  repo_.Write(".github/workflows/promote-images.yaml", "name: ours\n");
  fs::remove(repo_.path() / ".github/workflows/bump-local-dev-images.yaml");
  std::map<std::string, std::string> before = Snapshot(repo_.path());

  testing::CommandResult refused = Run({"init"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("these files exist with other contents: .imagepin.yaml, "
                             ".github/workflows/promote-images.yaml (--force replaces them)"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(Snapshot(repo_.path()), before);  // not even the missing workflow

  testing::CommandResult forced = Run({"init", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("replaced .imagepin.yaml"), std::string::npos) << forced.out;
  EXPECT_NE(forced.out.find("created .github/workflows/bump-local-dev-images.yaml"),
            std::string::npos)
      << forced.out;
  EXPECT_EQ(repo_.Read(".imagepin.yaml"), written);
  for (const std::string& name : kWorkflows) {
    EXPECT_EQ(repo_.Read(".github/workflows/" + name), ReadFile(kSource / "examples/github" / name))
        << name;
  }
}

TEST_F(InitCliTest, RefusesTheExamplesOwnConfig) {
  fs::copy_file(kSource / "examples/gitops/.imagepin.yaml", repo_.path() / ".imagepin.yaml");
  std::map<std::string, std::string> before = Snapshot(repo_.path());
  testing::CommandResult refused = Run({"init"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find(": .imagepin.yaml (--force"), std::string::npos) << refused.err;
  EXPECT_EQ(Snapshot(repo_.path()), before);
}

TEST_F(InitCliTest, DryRunPrintsTheFilesAndWritesNothing) {
  std::map<std::string, std::string> before = Snapshot(repo_.path());
  testing::CommandResult dry = Run({"init", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would create .imagepin.yaml\n# imagepin policy"), std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("would create .github/workflows/image-policy.yaml\n"), std::string::npos);
  EXPECT_NE(dry.out.find("name: image-policy\n"), std::string::npos);
  EXPECT_NE(dry.out.find("init: dry run, nothing written"), std::string::npos) << dry.out;
  EXPECT_EQ(Snapshot(repo_.path()), before);
}

// Another layout, no git remote: the environments and prefix come from what is there and from
// GITHUB_REPOSITORY_OWNER, the config loads and check runs, and the steps say what the shipped
// workflows assume that this repository does not have.
TEST(InitCliOtherLayout, DetectsFromTheFilesAndTheOwnerVariable) {
  testing::TempDir repo;
  repo.Write("deploy/env/prod/api.yaml",
             "image:\n  ref: registry.example.com/team/api@sha256:" + std::string(64, 'a') +
                 "\n  pullPolicy: IfNotPresent\n");
  repo.Write("deploy/env/dev/api.yaml", "image:\n  ref: registry.example.com/team/api:main\n");
  repo.Write("k8s/job.yaml",
             "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n"
             "        - name: x\n          image: docker.io/acme/tool:1\n");
  testing::CommandResult r = testing::RunCommand(
      {"env", "GITHUB_REPOSITORY_OWNER=Acme", IMAGEPIN_BINARY, "init", "-C", repo.str()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("environments  dev, prod (under deploy/env/)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scope         deploy/**, k8s/**"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ghcr.io/acme/ (GITHUB_REPOSITORY_OWNER), registry.example.com/team/ "
                       "(2 image.ref values), docker.io/acme/ (1 reference under the owner)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("The workflows name the lanes local, dev, staging and production"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("change them to deploy/**, k8s/**"), std::string::npos) << r.out;
  std::string config = repo.Read(".imagepin.yaml");
  EXPECT_NE(config.find("# shared: sources/values/_shared"), std::string::npos) << config;
  EXPECT_NE(config.find("# charts: sources/charts"), std::string::npos) << config;

  testing::CommandResult shown = testing::RunCommand(
      {"env", "-u", "GITHUB_REPOSITORY_OWNER", IMAGEPIN_BINARY, "config", "-C", repo.str()});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("deploy/env/prod"), std::string::npos) << shown.out;
  testing::CommandResult check = testing::RunCommand(
      {"env", "-u", "GITHUB_REPOSITORY_OWNER", IMAGEPIN_BINARY, "check", "-C", repo.str()});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;  // dev's :main is a floating tag
  EXPECT_NE(check.out.find("deploy/env/dev/api.yaml:2"), std::string::npos) << check.out;
}

// The written workflows through @action-validator/cli (scripts/install-deps.sh installs it in
// .tools/); skipped without it: the bytes are examples/github's, which workflows_test checks.
TEST_F(InitCliTest, WrittenWorkflowsPassActionValidator) {
  const std::string validator = testing::ActionValidator();
  if (validator.empty()) GTEST_SKIP() << "no action-validator (.tools/ or PATH)";
  ASSERT_EQ(Run({"init"}).exit_code, 0);
  for (const std::string& name : kWorkflows) {
    testing::CommandResult r = testing::RunCommand(
        {validator, (repo_.path() / ".github/workflows" / name).string()});
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
  }
}

}  // namespace
}  // namespace imagepin
