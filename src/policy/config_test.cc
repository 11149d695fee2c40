#include "policy/config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy/first_party.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::policy {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> EnvNames(const Config& c) {
  std::vector<std::string> names;
  for (const Environment& e : c.environments) names.push_back(e.name + "=" + e.path);
  return names;
}

// Expects `text` to be rejected at line:col with a message containing `needle`.
void ExpectConfigError(const std::string& text, int line, int column, const std::string& needle) {
  base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
  ASSERT_FALSE(config.ok()) << "accepted:\n" << text;
  const base::Error& e = config.error();
  EXPECT_EQ(e.code, base::ErrorCode::kConfig);
  EXPECT_EQ(e.path, ".imagepin.yaml");
  EXPECT_EQ(e.pos.line, line) << e.message;
  EXPECT_EQ(e.pos.column, column) << e.message;
  EXPECT_NE(e.message.find(needle), std::string::npos) << e.message;
}

TEST(ParseConfig, EmptyTextGivesTheDefaults) {
  for (const char* text : {"", "# nothing configured yet\n", "---\n", "~\n"}) {
    SCOPED_TRACE(text);
    base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
    ASSERT_TRUE(config.ok()) << config.error().message;
    Config defaults;
    EXPECT_EQ(config->path, ".imagepin.yaml");
    EXPECT_EQ(config->scope.include, defaults.scope.include);
    EXPECT_EQ(config->scope.include,
              (std::vector<std::string>{"sources/values/**", "sources/manifests/**"}));
    EXPECT_TRUE(config->scope.exclude.empty());
    EXPECT_EQ(config->max_file_size, size_t{8} << 20);
    EXPECT_EQ(EnvNames(*config), (std::vector<std::string>{
                                     "local=sources/values/env/local", "dev=sources/values/env/dev",
                                     "staging=sources/values/env/staging",
                                     "production=sources/values/env/production"}));
    EXPECT_EQ(config->shared, "sources/values/_shared");
    EXPECT_EQ(config->charts, "sources/charts");
    // Not in the file: LoadConfig defaults it from the repository.
    EXPECT_TRUE(config->first_party.include.empty());
    EXPECT_EQ(config->first_party_origin.kind, Origin::Kind::kDefault);
    EXPECT_TRUE(config->tag_allow.empty());
    EXPECT_TRUE(config->tag_allow_regex.empty());
    EXPECT_EQ(config->pull_policy, "IfNotPresent");
    EXPECT_TRUE(config->exceptions.empty());
  }
}

TEST(ParseConfig, EveryKeyIsParsed) {
  const std::string text =
      "version: 1\n"                                              // 1
      "scope:\n"                                                  // 2
      "  include: [\"a/**\", \"b/**\"]\n"                         // 3
      "  exclude: [\"a/skip/**\"]\n"                              // 4
      "  maxFileSize: 512 KiB\n"                                  // 5
      "environments:\n"                                           // 6
      "  - {name: dev, path: env/dev}\n"                          // 7
      "  - name: prod\n"                                          // 8
      "shared: values/shared\n"                                   // 9
      "charts: charts\n"                                          // 10
      "firstParty: [\"ghcr.io/acme/\", \"registry.acme.io/\"]\n"  // 11
      "tags:\n"                                                   // 12
      "  allow: ['r\\d+', 'release-\\d+']\n"                      // 13
      "pullPolicy: Never\n"                                       // 14
      "exceptions:\n"                                             // 15
      "  - path: \"sources/manifests/**/prometheus.yaml\"\n"      // 16
      "    rule: IP001\n"                                         // 17
      "    key: spec.image\n"                                     // 18
      "    ref: \"quay.io/prometheus/*\"\n"                       // 19
      "    reason: \"operator rolls pods on a digest\"\n"         // 20
      "    expires: \"2027-06-30\"\n"                             // 21
      "  - path: b.yaml\n"                                        // 22
      "    rule: floating-tag\n"                                  // 23
      "    reason: x\n";                                          // 24
  base::Result<Config> config = ParseConfig(text, "repo/.imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const Config& c = *config;
  EXPECT_EQ(c.path, "repo/.imagepin.yaml");
  EXPECT_EQ(c.scope.include, (std::vector<std::string>{"a/**", "b/**"}));
  EXPECT_EQ(c.scope.exclude, (std::vector<std::string>{"a/skip/**"}));
  EXPECT_EQ(c.max_file_size, size_t{512} * 1024);
  // A path left out defaults to sources/values/env/<name>.
  EXPECT_EQ(EnvNames(c), (std::vector<std::string>{"dev=env/dev", "prod=sources/values/env/prod"}));
  EXPECT_EQ(c.shared, "values/shared");
  EXPECT_EQ(c.charts, "charts");
  EXPECT_EQ(c.first_party.include,
            (std::vector<std::string>{"ghcr.io/acme/", "registry.acme.io/"}));
  EXPECT_EQ(c.tag_allow, (std::vector<std::string>{"r\\d+", "release-\\d+"}));
  EXPECT_EQ(c.tag_allow_regex.size(), 2u);
  EXPECT_EQ(c.pull_policy, "Never");
  ASSERT_EQ(c.exceptions.size(), 2u);
  const Exception& ex = c.exceptions[0];
  EXPECT_EQ(ex.path_glob, "sources/manifests/**/prometheus.yaml");
  EXPECT_EQ(ex.rule_id, "IP001");
  EXPECT_EQ(ex.key_glob, "spec.image");
  EXPECT_EQ(ex.ref_glob, "quay.io/prometheus/*");
  EXPECT_EQ(ex.reason, "operator rolls pods on a digest");
  EXPECT_EQ(ex.expires, "2027-06-30");
  EXPECT_EQ(ex.line, 16);
  EXPECT_EQ(ex.expires_line, 21);
  EXPECT_EQ(ex.expires_column, 14);
  EXPECT_EQ(ex.expires_source_line, "    expires: \"2027-06-30\"");
  const Exception& second = c.exceptions[1];
  EXPECT_EQ(second.rule_id, "IP002");
  EXPECT_EQ(second.line, 22);
  EXPECT_TRUE(second.expires.empty());
  EXPECT_EQ(second.expires_line, 0);
}

TEST(ParseConfig, RuleGivenByNameIsStoredAsItsId) {
  base::Result<Config> config = ParseConfig(
      "exceptions:\n  - path: a.yaml\n    rule: digest-required\n    reason: legacy\n", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  ASSERT_EQ(config->exceptions.size(), 1u);
  EXPECT_EQ(config->exceptions[0].rule_id, "IP001");
}

TEST(ParseConfig, MaxFileSizeUnits) {
  struct Case {
    const char* text;
    size_t bytes;
  };
  const Case cases[] = {
      {"1048576", 1048576},          {"100B", 100},
      {"512KiB", size_t{512} << 10}, {"8 MiB", size_t{8} << 20},
      {"1GiB", size_t{1} << 30},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    base::Result<Config> config =
        ParseConfig(std::string("scope:\n  maxFileSize: ") + c.text + "\n", ".imagepin.yaml");
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    EXPECT_EQ(config->max_file_size, c.bytes);
  }
}

TEST(ParseConfig, UnknownTopLevelKeyIsAnErrorAtTheKey) {
  ExpectConfigError("version: 1\nexlude: []\n", 2, 1, "unknown key \"exlude\" in the config");
}

TEST(ParseConfig, UnknownKeyInsideAnExceptionIsAnErrorAtTheKey) {
  ExpectConfigError(
      "exceptions:\n"
      "  - path: a.yaml\n"
      "    rule: IP001\n"
      "    reasn: typo\n",
      4, 5, "unknown key \"reasn\" in exceptions[0]");
}

TEST(ParseConfig, UnknownKeyInScopeNamesTheExpectedKeys) {
  ExpectConfigError("scope:\n  exlude: []\n", 2, 3,
                    "unknown key \"exlude\" in scope (expected one of: include, exclude, "
                    "maxFileSize, maxDepth, mentions)");
}

TEST(ParseConfig, ScopeMentionsIsOffWarningOrError) {
  EXPECT_EQ(ParseConfig("version: 1\n", ".imagepin.yaml")->mentions, Config::Mentions::kWarning);
  EXPECT_EQ(ParseConfig("version: 1\nscope:\n  mentions: off\n", ".imagepin.yaml")->mentions,
            Config::Mentions::kOff);
  EXPECT_EQ(ParseConfig("version: 1\nscope:\n  mentions: error\n", ".imagepin.yaml")->mentions,
            Config::Mentions::kError);
  ExpectConfigError("version: 1\nscope:\n  mentions: yes\n", 3, 13,
                    "scope.mentions \"yes\" is not off, warning or error");
}

TEST(ParseConfig, WrongTypeIsAnErrorAtTheValue) {
  ExpectConfigError("scope: \"x\"\n", 1, 8, "scope must be a mapping");
  ExpectConfigError("firstParty: ghcr.io/acme/\n", 1, 13, "firstParty must be a list of strings");
  ExpectConfigError("firstParty: [\"ghcr.io/acme/\", \"\"]\n", 1, 31, "must not be empty");
  ExpectConfigError("shared: [a]\n", 1, 9, "shared must be a string");
}

TEST(ParseConfig, ExceptionWithoutReasonIsAnErrorAtTheEntry) {
  ExpectConfigError(
      "exceptions:\n"
      "  - path: a.yaml\n"
      "    rule: IP001\n",
      2, 5, "exceptions[0] needs a reason");
}

TEST(ParseConfig, ExceptionWithEmptyReasonIsAnError) {
  ExpectConfigError(
      "exceptions:\n"
      "  - path: a.yaml\n"
      "    rule: IP001\n"
      "    reason: \"\"\n",
      4, 13, "exceptions[0].reason must not be empty");
}

TEST(ParseConfig, ExceptionWithoutPathOrRuleIsAnError) {
  ExpectConfigError("exceptions:\n  - rule: IP001\n    reason: x\n", 2, 5, "needs a path");
  ExpectConfigError("exceptions:\n  - path: a.yaml\n    reason: x\n", 2, 5, "needs a rule");
}

TEST(ParseConfig, UnknownRuleIsAnErrorAtTheValue) {
  ExpectConfigError(
      "exceptions:\n"
      "  - path: a.yaml\n"
      "    rule: IP099\n"
      "    reason: x\n",
      3, 11, "exceptions[0].rule: unknown rule \"IP099\"");
}

TEST(ParseConfig, BadDateIsAnErrorAtTheValue) {
  for (const char* date : {"2025-13-01", "31/12/2025", "2025-1-01", "2025-12-00", "soon"}) {
    SCOPED_TRACE(date);
    ExpectConfigError(std::string("exceptions:\n"
                                  "  - path: a.yaml\n"
                                  "    rule: IP001\n"
                                  "    reason: x\n"
                                  "    expires: \"") +
                          date + "\"\n",
                      5, 14, "is not a date (YYYY-MM-DD)");
  }
}

TEST(ParseConfig, BadSizeIsAnErrorAtTheValue) {
  for (const char* size : {"8MB", "0", "-1", "MiB", "1.5MiB", "8 mib"}) {
    SCOPED_TRACE(size);
    ExpectConfigError(std::string("scope:\n  maxFileSize: ") + size + "\n", 2, 16, "is not a size");
  }
}

TEST(ParseConfig, BadRegexInTagsAllowIsAnErrorAtThePattern) {
  ExpectConfigError(
      "tags:\n"
      "  allow:\n"
      "    - 'r\\d+'\n"
      "    - '(unclosed'\n",
      4, 7, "tags.allow pattern \"(unclosed\" is not a valid regular expression");
}

// tags.allow is RE2: a pattern it cannot compile (bad syntax, a repetition count that would
// overflow std::regex's compiler, ECMAScript-only features, a program over max_mem) is an error
// at the entry, never a crash or a hang.
TEST(ParseConfig, TagsAllowPatternsRE2CannotCompileAreErrorsAtTheEntry) {
  struct Case {
    const char* pattern;
    const char* needle;
  };
  const Case cases[] = {
      {"a{45555555555555555555555}", "repetition {45555555555555555555555} is more than 1000"},
      {"a{2,45555555555555555555555}", "is more than 1000"},
      {"a{1001}", "repetition {1001} is more than 1000"},
      {"(a)\\1", "invalid escape sequence"},  // backreference
      {"v(?=\\d)", "invalid perl operator"},  // lookahead
      {"(?<!x)y", "invalid perl operator"},   // lookbehind
      {"a*+", "bad repetition operator"},     // possessive
      {"(?>a)", "invalid perl operator"},     // atomic group
      {"[\\p{L}\\p{N}]{1000}", "the pattern is too large"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pattern);
    // Single-quoted in YAML, as docs/config.md advises, so that backslashes stay as written.
    ExpectConfigError(std::string("tags:\n  allow:\n    - 'r\\d+'\n    - '") + c.pattern + "'\n", 4,
                      7, "is not a valid regular expression (RE2 syntax)");
    ExpectConfigError(std::string("tags:\n  allow: ['") + c.pattern + "']\n", 2, 11, c.needle);
  }
}

// `{` is literal inside a class and after `\\`, and a count up to 1000 is fine.
TEST(ParseConfig, TagsAllowBracesThatAreNoRepetitionAreAccepted) {
  base::Result<Config> config = ParseConfig(
      "tags:\n  allow: ['[{]99999}', '\\{99999}', '\\Q{99999}\\E', 'r\\d{1,1000}', 'a{x}']\n",
      ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->tag_allow_regex.size(), 5u);
}

TEST(ParseConfig, TooManyTagsAllowPatternsIsAnError) {
  std::string text = "tags:\n  allow:\n";
  for (int i = 0; i < 257; ++i) text += fmt::format("    - 'r{}'\n", i);
  ExpectConfigError(text, 259, 7, "more than 256 patterns");
}

TEST(ParseConfig, DuplicateEnvironmentIsAnErrorAtTheSecondEntry) {
  ExpectConfigError(
      "environments:\n"
      "  - name: dev\n"
      "  - name: staging\n"
      "  - name: dev\n"
      "    path: elsewhere\n",
      4, 5, "environment \"dev\" is listed twice");
}

TEST(ParseConfig, EnvironmentWithoutNameIsAnError) {
  ExpectConfigError("environments:\n  - path: env/dev\n", 2, 5, "environments[0] needs a name");
}

TEST(ParseConfig, UnsupportedVersionIsAnErrorAtTheValue) {
  ExpectConfigError("version: 2\n", 1, 10, "version 2 is not supported");
}

TEST(ParseConfig, UnknownPullPolicyIsAnError) {
  ExpectConfigError("pullPolicy: Sometimes\n", 1, 13, "is not a Kubernetes pull policy");
}

TEST(ParseConfig, YamlSyntaxErrorHasItsPosition) {
  // The `:` on line 2 cannot start a mapping value inside the plain scalar of line 1.
  ExpectConfigError("version: 1\n  bad: x\n", 2, 6, "YAML syntax error");
}

TEST(ParseConfig, MoreThanOneDocumentIsAnError) {
  base::Result<Config> config = ParseConfig("version: 1\n---\nversion: 1\n", ".imagepin.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, base::ErrorCode::kConfig);
  EXPECT_NE(config.error().message.find("one YAML document"), std::string::npos);
}

TEST(ParseConfig, ScopeMaxDepthIsAWholeNumberInRange) {
  base::Result<Config> config = ParseConfig("scope:\n  maxDepth: 64\n", ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->max_depth, 64);
  EXPECT_EQ(Config().max_depth, 256);
  for (const char* bad : {"0", "4097", "-1", "ten", "1.5", "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    ExpectConfigError(std::string("scope:\n  maxDepth: ") + bad + "\n", 2, 13,
                      "is not a whole number from 1 to 4096");
  }
}

TEST(ParseConfig, UndefinedAliasIsAnErrorNotACrash) {
  // Every YAML loader rejects an alias with no anchor; so does the parser, before any key is read.
  ExpectConfigError("scope: *nope\n", 1, 8, "undefined alias *nope");
  ExpectConfigError("shared: *nope\n", 1, 9, "undefined alias *nope");
}

TEST(ParseConfig, AliasedValuesAreFollowed) {
  base::Result<Config> config = ParseConfig(
      "firstParty: &fp [\"ghcr.io/acme/\", \"quay.io/acme/\"]\n"
      "scope:\n"
      "  include: *fp\n",
      ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  // Each setting reads the anchored list its own way: globs normalised, prefixes as written.
  EXPECT_EQ(config->scope.include, (std::vector<std::string>{"ghcr.io/acme", "quay.io/acme"}));
  EXPECT_EQ(config->first_party.include,
            (std::vector<std::string>{"ghcr.io/acme/", "quay.io/acme/"}));
}

// A fresh directory, removed at the end, where tests put a .imagepin.yaml.
class ConfigDir : public imagepin::testing::TempDir {
 public:
  void WriteConfig(const std::string& text) const { Write(kConfigFileName, text); }
};

TEST(ParseConfig, RegistriesBumpAndPlatforms) {
  base::Result<Config> config = ParseConfig(R"(registries:
  ghcr.io: {mirror: "127.0.0.1:5000"}
  registry.internal:5000:
    insecure: true
bump:
  channel: edge
  environments: [dev]
platforms: [linux/amd64, linux/arm64/v8]
)",
                                            ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->registries.size(), 2u);
  EXPECT_EQ(config->registries[0].host, "ghcr.io");
  EXPECT_EQ(config->registries[0].mirror, "127.0.0.1:5000");
  EXPECT_FALSE(config->registries[0].insecure);
  EXPECT_EQ(config->registries[1].host, "registry.internal:5000");
  EXPECT_TRUE(config->registries[1].insecure);
  EXPECT_EQ(config->bump.channel, "edge");
  EXPECT_EQ(config->bump.environments, (std::vector<std::string>{"dev"}));
  EXPECT_EQ(config->platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64/v8"}));
}

TEST(ParseConfig, BumpDefaultsToTheFastLanes) {
  Config defaults;
  EXPECT_EQ(defaults.bump.environments, (std::vector<std::string>{"local", "dev"}));
  EXPECT_EQ(defaults.bump.channel, "main");
  EXPECT_EQ(defaults.platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
}

TEST(ParseConfig, BumpEnvironmentMustExistEvenWhenListedBeforeEnvironments) {
  ExpectConfigError("bump:\n  environments: [dev, qa]\nenvironments:\n  - name: dev\n", 2, 23,
                    "\"qa\" is not an environment");
}

TEST(ParseConfig, BadPlatformIsAnErrorAtTheEntry) {
  ExpectConfigError("platforms:\n  - linux/amd64\n  - arm64\n", 3, 5, "\"arm64\" is not os/arch");
}

TEST(ParseConfig, ReadableTagIsNoneOrRevision) {
  EXPECT_EQ(ParseConfig("version: 1\n", ".imagepin.yaml")->bump.readable_tag,
            BumpSettings::ReadableTag::kNone);
  EXPECT_EQ(ParseConfig("bump:\n  readableTag: none\n", ".imagepin.yaml")->bump.readable_tag,
            BumpSettings::ReadableTag::kNone);
  EXPECT_EQ(ParseConfig("bump:\n  readableTag: revision\n", ".imagepin.yaml")->bump.readable_tag,
            BumpSettings::ReadableTag::kRevision);
  ExpectConfigError("bump:\n  channel: main\n  readableTag: sha\n", 3, 16,
                    "bump.readableTag \"sha\" is not none or revision");
  ExpectConfigError("bump:\n  readableTag: [revision]\n", 2, 16,
                    "bump.readableTag must be a string");
}

TEST(ParseConfig, PlatformsRequiredEntries) {
  base::Result<Config> config = ParseConfig(R"(platformsRequired:
  - ref: "ghcr.io/acme/mirror/**"
    platforms: [linux/amd64, linux/arm64]
  - {ref: "docker.io/library/*", platforms: [linux/amd64]}
)",
                                            ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->platforms_required.size(), 2u);
  EXPECT_EQ(config->platforms_required[0].ref_glob, "ghcr.io/acme/mirror/**");
  EXPECT_EQ(config->platforms_required[0].platforms,
            (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  EXPECT_EQ(config->platforms_required[0].line, 2);
  EXPECT_EQ(config->platforms_required[1].platforms, (std::vector<std::string>{"linux/amd64"}));
  EXPECT_EQ(config->platforms_required[1].line, 4);
}

TEST(ParseConfig, PlatformsForTakesTheFirstMatchingEntryElseTheFirstPartyDefault) {
  base::Result<Config> config = ParseConfig(R"(platforms: [linux/amd64, linux/arm64]
platformsRequired:
  - {ref: "ghcr.io/acme/mirror/**", platforms: [linux/amd64, linux/arm64, linux/s390x]}
  - {ref: "ghcr.io/acme/**", platforms: [linux/amd64]}
)",
                                            ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  using Platforms = std::vector<std::string>;
  // `**` spans `/`; the first match wins over a later, wider one.
  ASSERT_NE(config->PlatformsFor("ghcr.io/acme/mirror/library/nginx", false), nullptr);
  EXPECT_EQ(*config->PlatformsFor("ghcr.io/acme/mirror/library/nginx", false),
            (Platforms{"linux/amd64", "linux/arm64", "linux/s390x"}));
  // An entry wins over `platforms:` for a first-party image too.
  EXPECT_EQ(*config->PlatformsFor("ghcr.io/acme/api", true), (Platforms{"linux/amd64"}));
  EXPECT_EQ(*config->PlatformsFor("quay.io/acme/api", true),
            (Platforms{"linux/amd64", "linux/arm64"}));
  EXPECT_EQ(config->PlatformsFor("docker.io/library/nginx", false), nullptr);
}

TEST(ParseConfig, BadPlatformsRequiredEntriesAreErrorsAtTheirPosition) {
  ExpectConfigError("platformsRequired: {ref: x}\n", 1, 20, "platformsRequired must be a list");
  ExpectConfigError("platformsRequired:\n  - {ref: \"ghcr.io/**\", platfroms: [linux/amd64]}\n", 2,
                    25, "unknown key \"platfroms\" in platformsRequired[0]");
  ExpectConfigError("platformsRequired:\n  - platforms: [linux/amd64]\n", 2, 5,
                    "platformsRequired[0] needs a ref");
  ExpectConfigError("platformsRequired:\n  - ref: \"ghcr.io/**\"\n", 2, 5,
                    "platformsRequired[0] needs platforms");
  ExpectConfigError("platformsRequired:\n  - {ref: \"ghcr.io/**\", platforms: []}\n", 2, 36,
                    "platformsRequired[0].platforms must not be empty");
  ExpectConfigError(
      "platformsRequired:\n  - {ref: \"ghcr.io/**\", platforms: [linux/amd64, arm]}\n", 2, 50,
      "platformsRequired[0].platforms: \"arm\" is not os/arch");
  ExpectConfigError(
      "platformsRequired:\n  - {ref: \"ghcr.io/acme/x:1.0\", platforms: [linux/amd64]}\n", 2, 11,
      "names a tag");
  ExpectConfigError(
      "platformsRequired:\n  - {ref: \"ghcr.io/acme/x@sha256:00\", platforms: [linux/amd64]}\n", 2,
      11, "names a digest");
  ExpectConfigError("platformsRequired:\n  - {ref: \"acme/mirror/**\", platforms: [linux/amd64]}\n",
                    2, 11, "does not start with a registry host");
  ExpectConfigError("platformsRequired:\n  - {ref: \"ghcr.io\", platforms: [linux/amd64]}\n", 2, 11,
                    "is a host alone");
  ExpectConfigError(
      "platformsRequired:\n"
      "  - {ref: \"ghcr.io/**\", platforms: [linux/amd64]}\n"
      "  - {ref: \"ghcr.io/**\", platforms: [linux/arm64]}\n",
      3, 11, "platformsRequired[1].ref \"ghcr.io/**\" is already the ref of the entry on line 2");
}

TEST(ParseConfig, RegistryHostWithAPathIsAnError) {
  ExpectConfigError("registries:\n  ghcr.io/acme: {mirror: x}\n", 2, 3, "not a registry host");
}

TEST(ParseConfig, InsecureMustBeABoolean) {
  ExpectConfigError("registries:\n  r.example: {insecure: yes}\n", 2, 25, "true or false");
}

TEST(ParseConfig, ImpossibleDatesAreRejected) {
  ExpectConfigError("exceptions:\n  - {path: a, rule: IP001, reason: r, expires: 2025-02-30}\n", 2,
                    48, "not a date");
  base::Result<Config> leap =
      ParseConfig("exceptions:\n  - {path: a, rule: IP001, reason: r, expires: 2028-02-29}\n", "c");
  EXPECT_TRUE(leap.ok()) << leap.error().message;
}

struct BadValue {
  std::string text;
  int line, column;
  std::string needle;
};

void ExpectConfigErrors(const std::vector<BadValue>& cases) {
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.text);
    ExpectConfigError(c.text, c.line, c.column, c.needle);
  }
}

// Every path-valued setting names something below the repository root: the walk and the
// environment commands must never read /etc or a sibling repository because a config said so.
TEST(ParseConfig, PathSettingsOutsideTheRootAreErrorsAtTheValue) {
  ExpectConfigErrors({
      {"environments:\n  - {name: dev, path: /etc}\n", 2, 23, "path \"/etc\" is absolute"},
      {"environments:\n  - name: dev\n    path: ../..\n", 3, 11,
       "environments[0].path \"../..\" leaves the repository root"},
      {"environments:\n  - name: dev\n    path: env/../../x\n", 3, 11,
       "leaves the repository root"},
      {"shared: /x\n", 1, 9, "shared \"/x\" is absolute"},
      {"charts: ../other\n", 1, 9, "charts \"../other\" leaves the repository root"},
      {"shared: \"values\\0/../..\"\n", 1, 9, "holds a control character"},
      {"scope:\n  include: ['/etc/**']\n", 2, 13, "scope.include glob \"/etc/**\" is absolute"},
      {"scope:\n  exclude: ['ok/**', '../**']\n", 2, 22, "leaves the repository root"},
      {"scope:\n  include: ['sources/**/../../x/*.yaml']\n", 2, 13, "after a wildcard"},
      {"scope:\n  include: ['./']\n", 2, 13, "names the root itself"},
  });
}

TEST(ParseConfig, PathSettingsAreNormalised) {
  base::Result<Config> config = ParseConfig(
      "environments:\n"
      "  - {name: dev, path: ./env//dev/}\n"
      "  - {name: prod, path: env/x/../prod}\n"
      "shared: values/./shared/\n"
      "charts: .\n"
      "scope:\n"
      "  include: ['./sources/values/**', 'a/b/../*.yaml']\n"
      "  exclude: ['sources//skip/']\n",
      ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(EnvNames(*config), (std::vector<std::string>{"dev=env/dev", "prod=env/prod"}));
  EXPECT_EQ(config->shared, "values/shared");
  EXPECT_EQ(config->charts, ".");  // the root itself is inside the root
  EXPECT_EQ(config->scope.include, (std::vector<std::string>{"sources/values/**", "a/*.yaml"}));
  EXPECT_EQ(config->scope.exclude, (std::vector<std::string>{"sources/skip"}));
}

// The default path is sources/values/env/<name>, and names go on command lines (--env a,b).
TEST(ParseConfig, EnvironmentNameMustBeASimpleName) {
  ExpectConfigErrors({
      {"environments:\n  - name: ../../etc\n", 2, 11,
       "environments[0].name \"../../etc\" is not a name"},
      {"environments:\n  - name: 'dev,staging'\n", 2, 11, "is not a name"},
      {"environments:\n  - {path: env/x, name: -x}\n", 2, 25, "is not a name"},
  });
  base::Result<Config> config =
      ParseConfig("environments:\n  - name: prod-eu_1.b\n", ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(EnvNames(*config),
            (std::vector<std::string>{"prod-eu_1.b=sources/values/env/prod-eu_1.b"}));
}

// 17179869185GiB is 2^64 + 2^30 bytes: it wrapped to 1GiB. Anything above 1GiB is refused.
TEST(ParseConfig, MaxFileSizeAboveOneGiBIsAnError) {
  for (const char* size : {"17179869185GiB", "18446744073709551616", "99999999999999999999999 KiB",
                           "1025MiB", "1073741825", "2GiB"}) {
    SCOPED_TRACE(size);
    ExpectConfigError(std::string("scope:\n  maxFileSize: ") + size + "\n", 2, 16,
                      "is more than 1GiB");
  }
  base::Result<Config> limit = ParseConfig("scope:\n  maxFileSize: 1073741824\n", "c");
  ASSERT_TRUE(limit.ok()) << limit.error().ToString();
  EXPECT_EQ(limit->max_file_size, size_t{1} << 30);
}

TEST(ParseConfig, SameRegistryTwiceIsAnErrorNamingBothLines) {
  const std::pair<const char*, const char*> same[] = {
      {"ghcr.io", "GHCR.io"},
      {"ghcr.io", "ghcr.io:443"},
      {"docker.io", "index.docker.io"},
      {"registry-1.docker.io", "docker.io"},
  };
  for (const auto& [first, second] : same) {
    SCOPED_TRACE(second);
    ExpectConfigError(
        fmt::format("registries:\n"
                    "  \"{}\": {{insecure: true}}\n"
                    "  quay.io: {{insecure: true}}\n"
                    "  \"{}\": {{mirror: \"127.0.0.1:5000\"}}\n",
                    first, second),
        4, 3,
        fmt::format("registries: \"{}\" is the same registry as \"{}\" on line 2", second, first));
  }
  // Different ports are different registries.
  base::Result<Config> config = ParseConfig(
      "registries:\n  r.example:5000: {}\n  r.example:5001: {}\n  r.example: {}\n", "c");
  EXPECT_TRUE(config.ok()) << config.error().ToString();
}

// References never name index.docker.io (they read it as docker.io), so its settings are filed
// under docker.io, where the registry client looks for them.
TEST(ParseConfig, IndexDockerIoSettingsAreFiledUnderDockerIo) {
  base::Result<Config> config =
      ParseConfig("registries:\n  index.docker.io: {mirror: \"mirror.internal:5000\"}\n", "c");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  ASSERT_EQ(config->registries.size(), 1u);
  EXPECT_EQ(config->registries[0].host, "docker.io");
}

TEST(ParseConfig, RegistryKeyMustBeAHostAReferenceCanName) {
  ExpectConfigErrors({
      // "internal/app" means docker.io/internal/app: no reference names this host.
      {"registries:\n  internal: {insecure: true}\n", 2, 3, "\"internal\" is not a registry host"},
      {"registries:\n  ghcr.io:abc: {}\n", 2, 3, "is not a registry host"},
      {"registries:\n  \"\": {}\n", 2, 3, "is not a registry host"},
      {"registries:\n  https://ghcr.io: {}\n", 2, 3, "is not a registry host"},
      {"registries:\n  [a]: {}\n", 2, 3, "each key of registries must be a string"},
  });
}

TEST(ParseConfig, RegistryMirrorMustBeAHostAndPort) {
  ExpectConfigError("registries:\n  ghcr.io: {mirror: \"a mirror\"}\n", 2, 21,
                    "registries.ghcr.io.mirror \"a mirror\" is not a host[:port]");
  ExpectConfigError("registries:\n  ghcr.io: {mirror: \"https://m.internal/v2\"}\n", 2, 21,
                    "is not a host[:port]");
  base::Result<Config> config = ParseConfig(
      "registries:\n  ghcr.io: {mirror: \"https://m.internal:5000/\"}\n  quay.io: {mirror: "
      "\"[::1]:5000\"}\n",
      "c");
  EXPECT_TRUE(config.ok()) << config.error().ToString();
}

TEST(ParseConfig, BumpChannelMustBeATag) {
  ExpectConfigErrors({
      {"bump:\n  channel: 'not a tag!'\n", 2, 12, "bump.channel \"not a tag!\" is not a tag"},
      {"bump:\n  channel: -main\n", 2, 12, "is not a tag"},
      {"bump:\n  channel: .main\n", 2, 12, "is not a tag"},
      {"bump:\n  channel: a/b\n", 2, 12, "is not a tag"},
      {"bump:\n  channel: " + std::string(129, 'a') + "\n", 2, 12, "is not a tag"},
  });
  for (const std::string& tag :
       {std::string("_edge"), std::string("v1.2-rc_3"), std::string(128, 'a')}) {
    base::Result<Config> config = ParseConfig("bump:\n  channel: " + tag + "\n", "c");
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    EXPECT_EQ(config->bump.channel, tag);
  }
}

TEST(ParseConfig, FirstPartyPrefixMustBeARepositoryPrefix) {
  ExpectConfigErrors({
      {"firstParty: ['ghcr.io/Acme/']\n", 1, 14,
       "firstParty \"ghcr.io/Acme/\" is not a repository prefix"},
      {"firstParty: ['ghcr.io/acme/api:v1']\n", 1, 14, "names a tag or digest"},
      {"firstParty: ['ghcr.io/acme//']\n", 1, 14, "is not a repository prefix"},
      {"firstParty: [' ghcr.io/']\n", 1, 14, "is not a repository prefix"},
      {"firstParty: ['ghcr.io/acme/', 'ghcr.io/acme-']\n", 1, 31, "is not a repository prefix"},
  });
  base::Result<Config> config = ParseConfig(
      "firstParty: [ghcr.io/acme/, 'localhost:5000/', ghcr.io/acme/api, docker.io/library/]\n",
      "c");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->first_party.include.size(), 4u);
}

// Found by config_fuzz: the reference parser's reason quotes the value again, and that copy had
// kept its line break, so the error spanned lines.
TEST(ParseConfig, FirstPartyErrorStaysOneLineWhateverTheValue) {
  base::Result<Config> config = ParseConfig("firstParty:\n  - \"# Re\\nexceptions\"\n", "c");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message.find_first_of("\r\n"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("is not a repository prefix"), std::string::npos);
  // The same for RE2's reason, which quotes the pattern.
  config = ParseConfig("tags:\n  allow: [\"(a\\nb\"]\n", "c");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message.find_first_of("\r\n"), std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, PlatformPartsAreLowercaseNames) {
  for (const char* platform :
       {"Linux/amd64", "linux/amd 64", "linux//amd64", "linux/arm64/v8/x", "linux/", "/amd64"}) {
    SCOPED_TRACE(platform);
    ExpectConfigError(std::string("platforms: ['") + platform + "']\n", 1, 13,
                      "is not os/arch[/variant]");
  }
  base::Result<Config> config =
      ParseConfig("platforms: [linux/amd64, linux/arm/v7, windows/amd64, linux/ppc64le]\n", "c");
  EXPECT_TRUE(config.ok()) << config.error().ToString();
}

// A bad value is echoed shortened, control characters escaped: one readable line whatever it is.
TEST(ParseConfig, LongBadValuesAreShortenedInMessages) {
  const std::string bad = "\"" + std::string(1000, '!') + "\\nx\"";
  for (const std::string& text :
       {"bump:\n  channel: " + bad + "\n", bad + ": 1\n", "pullPolicy: " + bad + "\n",
        "version: " + bad + "\n", "bump:\n  environments: [" + bad + "]\n",
        "exceptions:\n  - {path: a, reason: r, rule: " + bad + "}\n"}) {
    SCOPED_TRACE(text.substr(0, 30));
    base::Result<Config> config = ParseConfig(text, "c");
    ASSERT_FALSE(config.ok());
    // The value is over 1000 characters; shown, at most 83. The rest is the message's own text
    // (the top-level unknown-key message lists every key of the file).
    EXPECT_LT(config.error().message.size(), 300u) << config.error().message;
    EXPECT_EQ(config.error().message.find('\n'), std::string::npos);
    EXPECT_NE(config.error().message.find("!!!..."), std::string::npos) << config.error().message;
  }
}

TEST(ParseConfig, ApplicationsDefaultsWhenAbsentOrEmpty) {
  for (const char* text : {"version: 1\n", "applications: {}\n"}) {
    SCOPED_TRACE(text);
    base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    const ApplicationSettings& a = config->applications;
    EXPECT_EQ(a.layers, (std::vector<std::string>{"{shared}/{path}", "{env}/{path}"}));
    EXPECT_TRUE(a.globals.empty());
    EXPECT_EQ(a.chart, "{charts}/**/{name}");
    EXPECT_TRUE(a.apps.empty());
  }
}

TEST(ParseConfig, ApplicationsEveryKeyIsParsed) {
  const std::string text =
      "applications:\n"                                                                        // 1
      "  layers: [\"{shared}/{path}\", \"{env}/{path}\", \"{env}/.//extra/{path}\"]\n"         // 2
      "  globals: [\"sources/values/env/{envname}/globals.yaml\", \"{shared}/g.yaml\"]\n"      // 3
      "  chart: \"{charts}/**/{name}\"\n"                                                      // 4
      "  apps:\n"                                                                              // 5
      "    - name: platform-alloy-logs\n"                                                      // 6
      "      chart: sources/charts/third_party/grafana/alloy/1.4.0/alloy\n"                    // 7
      "      values: [\"{shared}/platform/platform-alloy-logs.yaml\",\n"                       // 8
      "               \"{env}/platform/{name}.yaml\"]\n"                                       // 9
      "      environments: [dev, staging, production]\n"                                       // 10
      "    - {name: apps/api, values: [\"{env}/apps/api.yaml\"], chart: \"{charts}/api\"}\n";  // 11
  base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const ApplicationSettings& a = config->applications;
  // Patterns are read as paths are: empty and `.` segments dropped.
  EXPECT_EQ(a.layers,
            (std::vector<std::string>{"{shared}/{path}", "{env}/{path}", "{env}/extra/{path}"}));
  EXPECT_EQ(a.globals, (std::vector<std::string>{"sources/values/env/{envname}/globals.yaml",
                                                 "{shared}/g.yaml"}));
  EXPECT_EQ(a.chart, "{charts}/**/{name}");
  ASSERT_EQ(a.apps.size(), 2u);
  const ApplicationEntry& alloy = a.apps[0];
  EXPECT_EQ(alloy.name, "platform-alloy-logs");
  EXPECT_EQ(alloy.chart, "sources/charts/third_party/grafana/alloy/1.4.0/alloy");
  EXPECT_EQ(alloy.values, (std::vector<std::string>{"{shared}/platform/platform-alloy-logs.yaml",
                                                    "{env}/platform/{name}.yaml"}));
  EXPECT_EQ(alloy.environments, (std::vector<std::string>{"dev", "staging", "production"}));
  EXPECT_EQ(alloy.line, 6);
  const ApplicationEntry& api = a.apps[1];
  EXPECT_EQ(api.name, "apps/api");
  EXPECT_EQ(api.chart, "{charts}/api");
  EXPECT_EQ(api.values, (std::vector<std::string>{"{env}/apps/api.yaml"}));
  EXPECT_TRUE(api.environments.empty());  // every environment
  EXPECT_EQ(api.line, 11);
}

TEST(ParseConfig, ApplicationsUnknownKeysAreErrorsAtTheKey) {
  ExpectConfigErrors({
      {"applications:\n  layer: [\"{env}/{path}\"]\n", 2, 3,
       "unknown key \"layer\" in applications (expected one of: layers, globals, chart, apps, "
       "requireRef, firstPartyCharts)"},
      {"applications:\n  apps:\n    - name: a\n      value: [a.yaml]\n", 4, 7,
       "unknown key \"value\" in applications.apps[0] (expected one of: name, chart, values, "
       "environments)"},
      {"applications: [a]\n", 1, 15, "applications must be a mapping"},
  });
}

TEST(ParseConfig, ApplicationsRequireRefIsAListOfAppNameGlobs) {
  base::Result<Config> config =
      ParseConfig("applications:\n  requireRef: [\"apps/*\", \"api-*\"]\n", ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->applications.require_ref, (std::vector<std::string>{"apps/*", "api-*"}));
  ExpectConfigError("applications:\n  requireRef: apps/*\n", 2, 15, "applications.requireRef");
}

TEST(ParseConfig, ApplicationsFirstPartyChartsIsAListOfChartDirGlobs) {
  base::Result<Config> config = ParseConfig(
      "applications:\n  firstPartyCharts: [\"sources/charts/acme-*\"]\n", ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->applications.first_party_charts,
            (std::vector<std::string>{"sources/charts/acme-*"}));
  ExpectConfigError("applications:\n  firstPartyCharts: x\n", 2, 21,
                    "applications.firstPartyCharts");
}

TEST(ParseConfig, ApplicationsLayersMustBeNonEmptyAndNameTheFile) {
  ExpectConfigErrors({
      {"applications:\n  layers: []\n", 2, 11, "applications.layers must not be empty"},
      {"applications:\n  layers: \"{env}/{path}\"\n", 2, 11,
       "applications.layers must be a list of strings"},
      {"applications:\n  layers: [\"{env}/{path}\", \"\"]\n", 2, 28,
       "each entry of applications.layers must not be empty"},
      {"applications:\n  layers:\n    - \"{shared}/{path}\"\n    - \"{env}/values.yaml\"\n", 4, 7,
       "applications.layers pattern \"{env}/values.yaml\" does not name the values file: it needs "
       "{path}"},
  });
}

TEST(ParseConfig, ApplicationsGlobalsMayNotUseThePerApplicationPlaceholders) {
  ExpectConfigErrors({
      {"applications:\n  globals: [\"{env}/{path}\"]\n", 2, 13,
       "applications.globals pattern \"{env}/{path}\" uses {path}, which is not allowed there: "
       "globals are per environment, not per application"},
      {"applications:\n  globals: [\"{shared}/g.yaml\", \"{env}/{name}.yaml\"]\n", 2, 32,
       "applications.globals pattern \"{env}/{name}.yaml\" uses {name}"},
      {"applications:\n  globals: {a: b}\n", 2, 12,
       "applications.globals must be a list of strings"},
  });
  base::Result<Config> config = ParseConfig(
      "applications:\n  globals: ['{env}/a.yaml', '{envname}.yaml', '{shared}/b', '{charts}/c']\n",
      "c");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->applications.globals.size(), 4u);
}

TEST(ParseConfig, ApplicationsChartMustNameTheApplication) {
  ExpectConfigErrors({
      {"applications:\n  chart: \"{charts}/api\"\n", 2, 10,
       "applications.chart pattern \"{charts}/api\" needs {name} (the application's name)"},
      {"applications:\n  chart: [\"{charts}/{name}\"]\n", 2, 10,
       "applications.chart must be a string"},
  });
}

TEST(ParseConfig, ApplicationsPatternsHoldOnlyKnownBalancedPlaceholders) {
  ExpectConfigErrors({
      {"applications:\n  layers: [\"{env}/{foo}/{path}\"]\n", 2, 12,
       "applications.layers pattern \"{env}/{foo}/{path}\" has an unknown placeholder {foo} "
       "(expected one of: {shared}, {env}, {envname}, {charts}, {path}, {name})"},
      {"applications:\n  layers: [\"{env/{path}\"]\n", 2, 12,
       "applications.layers pattern \"{env/{path}\" has a \"{\" without a closing \"}\""},
      {"applications:\n  layers: [\"{env}/{path\"]\n", 2, 12,
       "has a \"{\" without a closing \"}\""},
      {"applications:\n  layers: [\"env}/{path}\"]\n", 2, 12,
       "applications.layers pattern \"env}/{path}\" has a \"}\" without an opening \"{\""},
      {"applications:\n  globals: [\"{}/g.yaml\"]\n", 2, 13, "has an unknown placeholder {}"},
      {"applications:\n  chart: \"{charts}/{Name}\"\n", 2, 10,
       "applications.chart pattern \"{charts}/{Name}\" has an unknown placeholder {Name}"},
      {"applications:\n  apps:\n    - name: a\n      chart: \"{chart}/a\"\n      values: [a]\n", 4,
       14, "applications.apps[0].chart pattern \"{chart}/a\" has an unknown placeholder {chart}"},
      {"applications:\n  apps:\n    - name: a\n      values: [\"{env}/{nme}.yaml\"]\n", 4, 16,
       "applications.apps[0].values pattern \"{env}/{nme}.yaml\" has an unknown placeholder "
       "{nme}"},
  });
}

// Nothing outside the repository is read: the same rule as the path settings, and stricter, since
// a placeholder stands for several segments and `..` after it cannot be folded.
TEST(ParseConfig, ApplicationsPatternsStayInsideTheRepository) {
  ExpectConfigErrors({
      {"applications:\n  layers: [\"/etc/{path}\"]\n", 2, 12,
       "applications.layers pattern \"/etc/{path}\" is absolute: write it relative to the "
       "repository root"},
      {"applications:\n  layers: [\"{env}/../{path}\"]\n", 2, 12,
       "applications.layers pattern \"{env}/../{path}\" holds \"..\""},
      {"applications:\n  globals: [\"../other/globals.yaml\"]\n", 2, 13,
       "applications.globals pattern \"../other/globals.yaml\" holds \"..\""},
      {"applications:\n  globals: [\"./\"]\n", 2, 13, "names the repository root itself"},
      {"applications:\n  chart: \"{charts}/../../{name}\"\n", 2, 10,
       "applications.chart pattern \"{charts}/../../{name}\" holds \"..\""},
      {"applications:\n  apps:\n    - name: a\n      chart: /opt/charts/a\n      values: [a]\n", 4,
       14, "applications.apps[0].chart pattern \"/opt/charts/a\" is absolute"},
      {"applications:\n  apps:\n    - name: a\n      values: [\"{env}/a.yaml\", \"a/../../b\"]\n",
       4, 32, "applications.apps[0].values pattern \"a/../../b\" holds \"..\""},
      {"applications:\n  layers: [\"{env}/\\x01{path}\"]\n", 2, 12, "holds a control character"},
  });
}

TEST(ParseConfig, ApplicationsEntryPatternsMayNotUsePath) {
  ExpectConfigErrors({
      {"applications:\n  apps:\n    - name: a\n      values: [\"{env}/{path}\"]\n", 4, 16,
       "applications.apps[0].values pattern \"{env}/{path}\" uses {path}, which is not allowed "
       "there: an entry names its files"},
      {"applications:\n  apps:\n    - name: a\n      chart: \"{charts}/{path}\"\n      values: "
       "[a]\n",
       4, 14, "applications.apps[0].chart pattern \"{charts}/{path}\" uses {path}"},
  });
}

TEST(ParseConfig, ApplicationsEntryNeedsANameAndValues) {
  ExpectConfigErrors({
      {"applications:\n  apps:\n    - values: [a.yaml]\n", 3, 7,
       "applications.apps[0] needs a name"},
      {"applications:\n  apps:\n    - {name: \"\", values: [a.yaml]}\n", 3, 14,
       "applications.apps[0].name must not be empty"},
      {"applications:\n  apps:\n    - name: a\n      values: [a.yaml]\n    - name: b\n", 5, 7,
       "applications.apps[1] needs values"},
      {"applications:\n  apps:\n    - name: a\n      values: []\n", 4, 15,
       "applications.apps[0].values must not be empty"},
      {"applications:\n  apps:\n    - name: a\n      values: a.yaml\n", 4, 15,
       "applications.apps[0].values must be a list of strings"},
      {"applications:\n  apps:\n    - name: a\n      chart: \"\"\n      values: [a]\n", 4, 14,
       "applications.apps[0].chart must not be empty"},
      {"applications:\n  apps:\n    name: a\n", 3, 5, "applications.apps must be a list"},
      {"applications:\n  apps:\n    - a\n", 3, 7, "applications.apps[0] must be a mapping"},
  });
}

// {name} in an entry's patterns is its name, so a name must not lead them out of the repository.
TEST(ParseConfig, ApplicationsEntryNameMustStayAPath) {
  for (const char* name : {"../../etc/passwd", "/etc/passwd", "a/../../b", "{env}"}) {
    SCOPED_TRACE(name);
    ExpectConfigError(
        fmt::format("applications:\n  apps:\n    - name: \"{}\"\n      values: ['{{name}}']\n",
                    name),
        3, 13, fmt::format("applications.apps[0].name \"{}\" is not a name", name));
  }
}

TEST(ParseConfig, ApplicationsDuplicateNameNamesTheFirstEntrysLine) {
  ExpectConfigError(
      "applications:\n"
      "  apps:\n"
      "    - name: api\n"
      "      values: [a.yaml]\n"
      "    - name: web\n"
      "      values: [w.yaml]\n"
      "    - values: [b.yaml]\n"
      "      name: api\n",
      8, 13, "applications.apps[2].name \"api\" is already the name of the entry on line 3");
}

TEST(ParseConfig, ApplicationsEntryEnvironmentsMustBeConfigured) {
  // environments: comes after applications:, so the check waits for the whole file.
  ExpectConfigError(
      "applications:\n"
      "  apps:\n"
      "    - name: api\n"
      "      values: [a.yaml]\n"
      "      environments: [dev, qa]\n"
      "environments:\n"
      "  - name: dev\n"
      "  - name: staging\n",
      5, 27, "applications.apps[0].environments: \"qa\" is not an environment");
  // staging is in the defaults but not in this file's environments.
  ExpectConfigError(
      "applications:\n"
      "  apps:\n"
      "    - {name: a, values: [a.yaml]}\n"
      "    - name: b\n"
      "      values: [b.yaml]\n"
      "      environments:\n"
      "        - dev\n"
      "        - staging\n"
      "environments:\n"
      "  - name: dev\n",
      8, 11, "applications.apps[1].environments: \"staging\" is not an environment");
  ExpectConfigError(
      "applications:\n  apps:\n    - {name: a, values: [a.yaml], environments: []}\n", 3, 49,
      "applications.apps[0].environments must not be empty (leave it out for every environment)");
  // Declared later, and known: accepted.
  base::Result<Config> config = ParseConfig(
      "applications:\n"
      "  apps:\n"
      "    - {name: a, values: [a.yaml], environments: [qa]}\n"
      "environments:\n"
      "  - name: qa\n",
      ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->applications.apps[0].environments, (std::vector<std::string>{"qa"}));
}

TEST(ParseConfig, ApplicationsErrorsStayOneLine) {
  base::Result<Config> config =
      ParseConfig("applications:\n  layers: [\"{env}/{a\\nb}/{path}\"]\n", "c");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message.find_first_of("\r\n"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("unknown placeholder {a\\x0ab}"), std::string::npos)
      << config.error().message;
}

TEST(LoadConfig, MissingFileGivesTheDefaults) {
  ConfigDir dir;
  base::Result<Config> config = LoadConfig(dir.str());
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_TRUE(config->path.empty());
  EXPECT_EQ(config->pull_policy, "IfNotPresent");
  // No .git here: firstParty comes from the environment, or there is none (first_party_test.cc).
  FirstPartyDefault expected =
      FirstPartyFromRepository(dir.str(), std::getenv("GITHUB_REPOSITORY_OWNER"));
  EXPECT_EQ(config->first_party.include, expected.include);
  EXPECT_EQ(config->first_party_origin.kind, expected.origin.kind);
  EXPECT_EQ(config->scope.include, Config{}.scope.include);
  EXPECT_TRUE(config->exceptions.empty());
}

TEST(LoadConfig, ReadsTheFileAtTheRoot) {
  ConfigDir dir;
  dir.WriteConfig("version: 1\nfirstParty: [\"registry.example.com/team/\"]\n");
  base::Result<Config> config = LoadConfig(dir.str());
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->path, ".imagepin.yaml");
  EXPECT_EQ(config->first_party.include, (std::vector<std::string>{"registry.example.com/team/"}));
  EXPECT_EQ(config->first_party_origin.kind, Origin::Kind::kFile);
  EXPECT_EQ(config->first_party_origin.line, 2);
}

TEST(LoadConfig, ErrorNamesTheConfigFile) {
  ConfigDir dir;
  dir.WriteConfig("version: 1\nfirstparty: []\n");
  base::Result<Config> config = LoadConfig(dir.str());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().path, ".imagepin.yaml");
  EXPECT_EQ(config.error().pos.line, 2);
  EXPECT_EQ(config.error().pos.column, 1);
}

}  // namespace
}  // namespace imagepin::policy
