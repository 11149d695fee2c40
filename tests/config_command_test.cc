// `imagepin config` end to end: the real binary on a small repository with an origin remote in
// .git/config and an .imagepin.yaml, in text and JSON; the first-party default from the
// environment and from nowhere; a bad config.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

using Json = nlohmann::ordered_json;

class ConfigCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".git/config",
                "[core]\n"
                "\trepositoryformatversion = 0\n"
                "[remote \"origin\"]\n"
                "\turl = https://ci-bot:ghp_t0ken@github.com/Acme/gitops.git\n"
                "\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
    repo_.Write(".imagepin.yaml",
                "version: 1\n"                               // 1
                "scope:\n"                                   // 2
                "  include: [\"values/**\"]\n"               // 3
                "environments:\n"                            // 4
                "  - {name: dev, path: values/env/dev}\n"    // 5
                "  - name: prod\n"                           // 6
                "pullPolicy: Always\n"                       // 7
                "registries:\n"                              // 8
                "  ghcr.io: {mirror: \"127.0.0.1:5000\"}\n"  // 9
                "exceptions:\n"                              // 10
                "  - path: \"values/**/legacy.yaml\"\n"      // 11
                "    rule: IP002\n"                          // 12
                "    reason: \"vendor chart, PLAT-9\"\n"     // 13
                "    expires: \"2027-01-31\"\n");            // 14
  }

  // Runs imagepin with `args` then -C <repo>; `env` (VAR=value, or -u VAR) through env(1).
  testing::CommandResult Run(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {"env", "-u", "GITHUB_REPOSITORY_OWNER"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(IMAGEPIN_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-C", repo_.str()});
    return testing::RunCommand(argv);
  }

  testing::TempDir repo_;
};

// The cells of the text line whose key is `key` (cells are separated by two spaces or more).
std::vector<std::string> Row(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    for (size_t at = 0; at < line.size();) {
      size_t gap = line.find("  ", at);
      cells.push_back(line.substr(at, gap == std::string::npos ? gap : gap - at));
      if (gap == std::string::npos) break;
      at = line.find_first_not_of(' ', gap);
    }
    if (!cells.empty() && cells[0] == key) return cells;
  }
  return {};
}

TEST_F(ConfigCommandTest, TextShowsEveryValueAndWhereItComesFrom) {
  testing::CommandResult r = Run({"config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "version                        1                                .imagepin.yaml:1\n"
            "scope.include                  [values/**]                      .imagepin.yaml:3\n"
            "scope.exclude                  []                               default\n"
            "scope.maxFileSize              8388608                          default\n"
            "scope.maxDepth                 256                              default\n"
            "scope.mentions                 warning                          default\n"
            "environments[0].name           dev                              .imagepin.yaml:5\n"
            "environments[0].path           values/env/dev                   .imagepin.yaml:5\n"
            "environments[1].name           prod                             .imagepin.yaml:6\n"
            "environments[1].path           sources/values/env/prod          default\n"
            "shared                         sources/values/_shared           default\n"
            "charts                         sources/charts                   default\n"
            "applications.layers            [{shared}/{path}, {env}/{path}]  default\n"
            "applications.globals           []                               default\n"
            "applications.chart             {charts}/**/{name}               default\n"
            "applications.apps              []                               default\n"
            "applications.requireRef        []                               default\n"
            "applications.firstPartyCharts  []                               default\n"
            "firstParty.include             [ghcr.io/acme/]                  git remote "
            "(.git/config:4, https://github.com/Acme/gitops.git)\n"
            "firstParty.exclude             []                               default\n"
            "tags.allow                     []                               default\n"
            "pullPolicy                     Always                           .imagepin.yaml:7\n"
            "platforms                      [linux/amd64, linux/arm64]       default\n"
            "platformsRequired              []                               default\n"
            "bump.environments              [dev]                            default\n"
            "bump.channel                   main                             default\n"
            "bump.readableTag               none                             default\n"
            "bump.holds                     []                               default\n"
            "registries.ghcr.io.mirror      127.0.0.1:5000                   .imagepin.yaml:9\n"
            "registries.ghcr.io.insecure    false                            default\n"
            "exceptions[0].path             values/**/legacy.yaml            .imagepin.yaml:11\n"
            "exceptions[0].rule             IP002                            .imagepin.yaml:12\n"
            "exceptions[0].key              -                                default\n"
            "exceptions[0].ref              -                                default\n"
            "exceptions[0].reason           \"vendor chart, PLAT-9\"           .imagepin.yaml:13\n"
            "exceptions[0].expires          2027-01-31                       .imagepin.yaml:14\n");
  // The remote's credentials are never printed.
  EXPECT_EQ(r.out.find("ghp_t0ken"), std::string::npos);
  EXPECT_EQ(r.out.find("ci-bot"), std::string::npos);
}

TEST_F(ConfigCommandTest, JsonListsKeyValueAndOrigin) {
  testing::CommandResult r = Run({"config", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  Json out = Json::parse(r.out);
  ASSERT_TRUE(out.is_array());
  std::map<std::string, Json> by_key;
  for (const Json& entry : out) by_key[entry["key"]] = entry;
  EXPECT_EQ(by_key.size(), out.size()) << "a key is listed twice";
  EXPECT_EQ(by_key["firstParty.include"], Json::parse(R"(
    {"key": "firstParty.include", "value": ["ghcr.io/acme/"],
     "origin": {"kind": "git-remote", "path": ".git/config", "line": 4,
                "detail": "https://github.com/Acme/gitops.git"}})"));
  EXPECT_EQ(by_key["scope.include"], Json::parse(R"(
    {"key": "scope.include", "value": ["values/**"],
     "origin": {"kind": "file", "path": ".imagepin.yaml", "line": 3, "detail": null}})"));
  EXPECT_EQ(by_key["scope.maxFileSize"], Json::parse(R"(
    {"key": "scope.maxFileSize", "value": 8388608,
     "origin": {"kind": "default", "path": null, "line": null, "detail": null}})"));
  EXPECT_EQ(by_key["exceptions[0].key"]["value"], nullptr);
  EXPECT_EQ(by_key["registries.ghcr.io.insecure"]["value"], false);
  // The text lists the same keys, in the same order.
  testing::CommandResult text = Run({"config"});
  std::vector<std::string> text_keys, json_keys;
  for (size_t at = 0; at < text.out.size(); at = text.out.find('\n', at) + 1) {
    text_keys.push_back(text.out.substr(at, text.out.find(' ', at) - at));
  }
  for (const Json& entry : out) json_keys.push_back(entry["key"]);
  EXPECT_EQ(text_keys, json_keys);
  EXPECT_EQ(r.out.find("ghp_t0ken"), std::string::npos);
}

TEST_F(ConfigCommandTest, FirstPartyFromTheEnvironmentWithoutAGitDirectory) {
  std::filesystem::remove_all(repo_.path() / ".git");
  testing::CommandResult r = Run({"config"}, {"GITHUB_REPOSITORY_OWNER=Acme-Corp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Row(r.out, "firstParty.include"),
            (std::vector<std::string>{"firstParty.include", "[ghcr.io/acme-corp/]",
                                      "env GITHUB_REPOSITORY_OWNER"}))
      << r.out;
}

TEST_F(ConfigCommandTest, NoFirstPartyIsNoneWithTheNote) {
  std::filesystem::remove_all(repo_.path() / ".git");
  testing::CommandResult r = Run({"config", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "note: no first-party prefix (no .git here): set firstParty in .imagepin.yaml\n");
  for (const Json& entry : Json::parse(r.out)) {
    if (entry["key"] != "firstParty.include") continue;
    EXPECT_EQ(entry["value"], Json::array());
    EXPECT_EQ(entry["origin"]["kind"], "none");
    EXPECT_EQ(entry["origin"]["detail"], "no .git here");
  }
}

TEST_F(ConfigCommandTest, FirstPartyInTheFileWinsOverTheRemote) {
  repo_.Write(".imagepin.yaml", "firstParty: [ghcr.io/other/]\n");
  testing::CommandResult r = Run({"config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      Row(r.out, "firstParty.include"),
      (std::vector<std::string>{"firstParty.include", "[ghcr.io/other/]", ".imagepin.yaml:1"}))
      << r.out;
  EXPECT_EQ(Row(r.out, "environments[3].name"),
            (std::vector<std::string>{"environments[3].name", "production", "default"}));
}

TEST_F(ConfigCommandTest, ABadConfigIsOneLocatedErrorAndExit2) {
  repo_.Write(".imagepin.yaml", "version: 1\nscope:\n  exlude: []\n");
  for (const char* format : {"text", "json"}) {
    SCOPED_TRACE(format);
    testing::CommandResult r = Run({"config", "--format", format});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              ".imagepin.yaml:3:3: error: unknown key \"exlude\" in scope (expected one of: "
              "include, exclude, maxFileSize, maxDepth, mentions)\n");
  }
}

TEST_F(ConfigCommandTest, AnUnknownFormatIsAUsageError) {
  testing::CommandResult r = Run({"config", "--format", "yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace imagepin
