// .pre-commit-hooks.yaml: the hook pre-commit runs is a real imagepin command. Its entry, given
// the changed files as pre-commit passes them (relative paths, from the repository root), fails
// on a file with an unpinned image and passes a clean one; its `files` pattern takes YAML only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"
#include "yaml/parser.h"

namespace {

namespace fs = std::filesystem;

struct Hook {
  std::string id, entry, files, pass_filenames;
};

// The hook at `index` in the file, read with imagepin's own YAML parser.
Hook ReadHook(int index) {
  std::ifstream in(IMAGEPIN_SOURCE_DIR "/.pre-commit-hooks.yaml", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();
  Hook hook;
  imagepin::yaml::StreamParser parser;
  imagepin::yaml::SyntaxError error;
  bool ok = parser.Parse(
      source,
      [&](const imagepin::yaml::Document& doc) {
        imagepin::yaml::NodeId item = doc.node(doc.root()).first_child;
        for (int i = 0; i < index && item != imagepin::yaml::kNoNode; ++i) {
          item = doc.node(item).next_sibling;
        }
        if (item == imagepin::yaml::kNoNode) return;
        auto value = [&](const char* key) {
          imagepin::yaml::NodeId v = doc.Get(item, key);
          return v == imagepin::yaml::kNoNode ? std::string() : std::string(doc.Value(v));
        };
        hook = {value("id"), value("entry"), value("files"), value("pass_filenames")};
      },
      &error);
  EXPECT_TRUE(ok) << error.message;
  return hook;
}

TEST(PreCommitHook, TheEntryChecksTheChangedFilesItIsGiven) {
  Hook hook = ReadHook(0);
  EXPECT_EQ(hook.id, "imagepin-check");
  EXPECT_EQ(hook.pass_filenames, "true");
  std::istringstream words(hook.entry);
  std::vector<std::string> argv;
  for (std::string w; words >> w;)
    argv.push_back(argv.empty() && w == "imagepin" ? IMAGEPIN_BINARY : w);
  ASSERT_EQ(argv.size(), 2u) << hook.entry;

  imagepin::testing::TempDir repo;
  repo.Write(".imagepin.yaml", "version: 1\nfirstParty: [ghcr.io/acme/]\n");
  repo.Write("values/bad.yaml", "image: nginx:1.27.0\n");
  repo.Write("values/good.yml", "image: nginx:1.27.0@sha256:" + std::string(64, 'a') + "\n");
  // pre-commit runs the entry in the repository root with paths relative to it; RunCommand has
  // no working directory, so the same files are named under -C (shown relative to the root).
  std::vector<std::string> bad = argv, good = argv;
  bad.insert(bad.end(),
             {"-C", repo.str(), repo.str() + "/values/bad.yaml", repo.str() + "/values/good.yml"});
  good.insert(good.end(), {"-C", repo.str(), repo.str() + "/values/good.yml"});
  imagepin::testing::CommandResult r = imagepin::testing::RunCommand(bad);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("values/bad.yaml:1:8:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("good.yml:"), std::string::npos) << r.out;
  r = imagepin::testing::RunCommand(good);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  std::regex files(hook.files);
  EXPECT_TRUE(std::regex_search("sources/values/env/dev/api.yaml", files));
  EXPECT_TRUE(std::regex_search("kustomization.yml", files));
  EXPECT_FALSE(std::regex_search("README.md", files));
  EXPECT_FALSE(std::regex_search("values.yaml.orig", files));
}

TEST(PreCommitHook, TheChangedHookChecksWhatTheCommitStages) {
  Hook hook = ReadHook(1);
  EXPECT_EQ(hook.id, "imagepin-check-changed");
  EXPECT_EQ(hook.pass_filenames, "false");
  std::istringstream words(hook.entry);
  std::vector<std::string> argv;
  for (std::string w; words >> w;)
    argv.push_back(argv.empty() && w == "imagepin" ? IMAGEPIN_BINARY : w);
  ASSERT_EQ(argv.size(), 4u) << hook.entry;

  imagepin::testing::TempDir repo;
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo.str()});
    imagepin::testing::CommandResult r = imagepin::testing::RunCommand(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  git({"init", "-q"});
  git({"config", "user.email", "t@example.com"});
  git({"config", "user.name", "t"});
  repo.Write(".imagepin.yaml",
             "version: 1\nfirstParty: [ghcr.io/acme/]\nscope: {include: [\"values/**\"]}\n");
  repo.Write("values/old.yaml", "image: nginx:latest\n");  // committed before: not this commit's
  git({"add", "-A"});
  git({"commit", "-q", "-m", "base"});
  argv.insert(argv.end(), {"-C", repo.str()});
  imagepin::testing::CommandResult r = imagepin::testing::RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  repo.Write("values/bad.yaml", "image: nginx:1.27.0\n");
  git({"add", "values/bad.yaml"});
  r = imagepin::testing::RunCommand(argv);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("values/bad.yaml:1:8:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("old.yaml"), std::string::npos) << r.out;
}

}  // namespace
