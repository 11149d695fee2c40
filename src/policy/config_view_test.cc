#include "policy/config_view.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "policy/first_party.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::policy {
namespace {

using Json = nlohmann::ordered_json;

const Setting* Find(const std::vector<Setting>& settings, std::string_view key) {
  for (const Setting& s : settings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// The setting `key`, or a failure and an empty setting: a missing key fails, never crashes.
const Setting& Get(const std::vector<Setting>& settings, std::string_view key) {
  static const Setting kMissing;
  const Setting* s = Find(settings, key);
  if (!s) ADD_FAILURE() << "no setting " << key;
  return s ? *s : kMissing;
}

Config Parse(std::string_view text) {
  base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
  EXPECT_TRUE(config.ok()) << config.error().ToString();
  return config.ok() ? *config : Config{};
}

std::vector<std::string> Keys(const std::vector<Setting>& settings) {
  std::vector<std::string> keys;
  for (const Setting& s : settings) keys.push_back(s.key);
  return keys;
}

TEST(EffectiveSettings, DefaultsListEveryKeyFromTheDefault) {
  std::vector<Setting> settings = EffectiveSettings(Config{});
  std::vector<std::string> expected = {"version",           "scope.include",  "scope.exclude",
                                       "scope.maxFileSize", "scope.maxDepth", "scope.mentions"};
  for (int i = 0; i < 4; ++i) {
    expected.push_back(fmt::format("environments[{}].name", i));
    expected.push_back(fmt::format("environments[{}].path", i));
  }
  for (const char* key : {"shared",
                          "charts",
                          "applications.layers",
                          "applications.globals",
                          "applications.chart",
                          "applications.apps",
                          "applications.requireRef",
                          "applications.firstPartyCharts",
                          "firstParty.include",
                          "firstParty.exclude",
                          "tags.allow",
                          "pullPolicy",
                          "platforms",
                          "platformsRequired",
                          "bump.environments",
                          "bump.channel",
                          "bump.readableTag",
                          "bump.holds",
                          "registries",
                          "exceptions"}) {
    expected.push_back(key);
  }
  EXPECT_EQ(Keys(settings), expected);
  for (const Setting& s : settings) {
    SCOPED_TRACE(s.key);
    EXPECT_EQ(s.origin.kind, Origin::Kind::kDefault);
    EXPECT_EQ(OriginText(s.origin), "default");
  }
  EXPECT_EQ(Get(settings, "scope.maxFileSize").value, Json(8 << 20));
  EXPECT_EQ(Get(settings, "environments[2].path").value, "sources/values/env/staging");
  EXPECT_EQ(Get(settings, "platforms").value, Json::parse(R"(["linux/amd64","linux/arm64"])"));
  EXPECT_EQ(Get(settings, "registries").value, Json::object());
  EXPECT_EQ(Get(settings, "exceptions").value, Json::array());
  EXPECT_EQ(Get(settings, "platformsRequired").value, Json::array());
  EXPECT_EQ(Get(settings, "bump.readableTag").value, "none");
}

TEST(EffectiveSettings, ReadableTagAndPlatformsRequiredComeFromTheirLines) {
  Config config = Parse(
      "bump:\n"                                                           // 1
      "  readableTag: revision\n"                                         // 2
      "platformsRequired:\n"                                              // 3
      "  - ref: \"ghcr.io/acme/mirror/**\"\n"                             // 4
      "    platforms: [linux/amd64, linux/arm64]\n"                       // 5
      "  - {ref: \"docker.io/library/*\", platforms: [linux/amd64]}\n");  // 6
  std::vector<Setting> settings = EffectiveSettings(config);
  EXPECT_EQ(Get(settings, "bump.readableTag").value, "revision");
  EXPECT_EQ(OriginText(Get(settings, "bump.readableTag").origin), ".imagepin.yaml:2");
  EXPECT_EQ(Get(settings, "platformsRequired[0].ref").value, "ghcr.io/acme/mirror/**");
  EXPECT_EQ(OriginText(Get(settings, "platformsRequired[0].ref").origin), ".imagepin.yaml:4");
  EXPECT_EQ(Get(settings, "platformsRequired[0].platforms").value,
            Json::parse(R"(["linux/amd64","linux/arm64"])"));
  EXPECT_EQ(OriginText(Get(settings, "platformsRequired[0].platforms").origin), ".imagepin.yaml:5");
  EXPECT_EQ(Get(settings, "platformsRequired[1].platforms").value,
            Json::parse(R"(["linux/amd64"])"));
  EXPECT_EQ(OriginText(Get(settings, "platformsRequired[1].ref").origin), ".imagepin.yaml:6");
  EXPECT_EQ(Find(settings, "platformsRequired"), nullptr) << "entries, not the empty list";
}

TEST(EffectiveSettings, WrittenKeysComeFromTheirLine) {
  Config config = Parse(
      "version: 1\n"                            // 1
      "scope:\n"                                // 2
      "  include: [\"values/**\"]\n"            // 3
      "  maxFileSize: 1MiB\n"                   // 4
      "environments:\n"                         // 5
      "  - name: dev\n"                         // 6
      "  - {name: prod, path: deploy/prod}\n"   // 7
      "firstParty:\n"                           // 8
      "  include: [ghcr.io/acme/]\n"            // 9
      "  exclude: [ghcr.io/acme/mirror/]\n"     // 10
      "tags:\n"                                 // 11
      "  allow: ['r\\d+']\n"                    // 12
      "bump: {channel: edge}\n"                 // 13
      "registries:\n"                           // 14
      "  ghcr.io:\n"                            // 15
      "    mirror: \"127.0.0.1:5000\"\n"        // 16
      "applications:\n"                         // 17
      "  apps:\n"                               // 18
      "    - name: alloy\n"                     // 19
      "      values: [\"{env}/alloy.yaml\"]\n"  // 20
      "exceptions:\n"                           // 21
      "  - path: \"m/**\"\n"                    // 22
      "    rule: digest-required\n"             // 23
      "    reason: \"operator, PLAT-1\"\n"      // 24
      "    expires: \"2027-06-30\"\n");         // 25
  std::vector<Setting> settings = EffectiveSettings(config);
  auto line_of = [&](std::string_view key) {
    const Setting* s = Find(settings, key);
    EXPECT_NE(s, nullptr) << key;
    if (!s) return -1;
    return s->origin.kind == Origin::Kind::kFile ? s->origin.line : 0;
  };
  EXPECT_EQ(line_of("version"), 1);
  EXPECT_EQ(line_of("scope.include"), 3);
  EXPECT_EQ(line_of("scope.exclude"), 0);  // not written: the default
  EXPECT_EQ(line_of("scope.maxFileSize"), 4);
  EXPECT_EQ(Get(settings, "scope.maxFileSize").value, Json(1 << 20));
  EXPECT_EQ(line_of("environments[0].name"), 6);
  // Not written: sources/values/env/<name>, the default, inside an entry the file wrote.
  EXPECT_EQ(line_of("environments[0].path"), 0);
  EXPECT_EQ(Get(settings, "environments[0].path").value, "sources/values/env/dev");
  EXPECT_EQ(line_of("environments[1].path"), 7);
  EXPECT_EQ(Find(settings, "environments[2].name"), nullptr);
  EXPECT_EQ(line_of("firstParty.include"), 9);
  EXPECT_EQ(line_of("firstParty.exclude"), 10);
  EXPECT_EQ(line_of("tags.allow"), 12);
  EXPECT_EQ(Get(settings, "tags.allow").value, Json::parse(R"(["r\\d+"])"));
  EXPECT_EQ(line_of("bump.channel"), 13);
  // The environments bump writes by default are those of local and dev that exist.
  EXPECT_EQ(line_of("bump.environments"), 0);
  EXPECT_EQ(Get(settings, "bump.environments").value, Json::parse(R"(["dev"])"));
  EXPECT_EQ(line_of("registries.ghcr.io.mirror"), 16);
  EXPECT_EQ(line_of("registries.ghcr.io.insecure"), 0);
  EXPECT_EQ(Get(settings, "registries.ghcr.io.insecure").value, false);
  EXPECT_EQ(line_of("applications.apps[0].name"), 19);
  EXPECT_EQ(line_of("applications.apps[0].values"), 20);
  EXPECT_EQ(Get(settings, "applications.apps[0].chart").value, nullptr);
  EXPECT_EQ(line_of("applications.layers"), 0);
  EXPECT_EQ(line_of("exceptions[0].rule"), 23);
  EXPECT_EQ(Get(settings, "exceptions[0].rule").value, "IP001");  // a name is kept as its id
  EXPECT_EQ(line_of("exceptions[0].expires"), 25);
  EXPECT_EQ(Get(settings, "exceptions[0].key").value, nullptr);
  EXPECT_EQ(OriginText(Get(settings, "exceptions[0].reason").origin), ".imagepin.yaml:24");
}

TEST(EffectiveSettings, HoldsListEachFieldAtItsLine) {
  Config config = Parse(
      "bump:\n"                                                            // 1
      "  holds:\n"                                                         // 2
      "    - app: api\n"                                                   // 3
      "      env: staging\n"                                               // 4
      "      reason: \"freeze, REL-9\"\n"                                  // 5
      "      until: \"2027-01-31\"\n"                                      // 6
      "    - {repository: ghcr.io/acme/web, env: dev, reason: flaky}\n");  // 7
  std::vector<Setting> settings = EffectiveSettings(config);
  EXPECT_EQ(Get(settings, "bump.holds[0].app").value, "api");
  EXPECT_EQ(OriginText(Get(settings, "bump.holds[0].app").origin), ".imagepin.yaml:3");
  EXPECT_EQ(Get(settings, "bump.holds[0].repository").value, nullptr);
  EXPECT_EQ(OriginText(Get(settings, "bump.holds[0].repository").origin), "default");
  EXPECT_EQ(OriginText(Get(settings, "bump.holds[0].env").origin), ".imagepin.yaml:4");
  EXPECT_EQ(OriginText(Get(settings, "bump.holds[0].until").origin), ".imagepin.yaml:6");
  EXPECT_EQ(Get(settings, "bump.holds[0].until").value, "2027-01-31");
  EXPECT_EQ(Get(settings, "bump.holds[1].repository").value, "ghcr.io/acme/web");
  EXPECT_EQ(OriginText(Get(settings, "bump.holds[1].repository").origin), ".imagepin.yaml:7");
  EXPECT_EQ(Get(settings, "bump.holds[1].until").value, nullptr);
  EXPECT_EQ(Find(settings, "bump.holds"), nullptr) << "entries replace the empty list";
}

TEST(EffectiveSettings, APlainFirstPartyListIsTheIncludeAtItsKey) {
  Config config = Parse("pullPolicy: Always\nfirstParty: [ghcr.io/acme/]\n");
  std::vector<Setting> settings = EffectiveSettings(config);
  const Setting& include = Get(settings, "firstParty.include");
  EXPECT_EQ(include.value, Json::parse(R"(["ghcr.io/acme/"])"));
  EXPECT_EQ(OriginText(include.origin), ".imagepin.yaml:2");
  EXPECT_EQ(Get(settings, "firstParty.exclude").origin.kind, Origin::Kind::kDefault);
  EXPECT_EQ(OriginText(Get(settings, "pullPolicy").origin), ".imagepin.yaml:1");
}

// `firstParty: {}` says there are none: the file's, not the repository's default.
TEST(EffectiveSettings, AnEmptyFirstPartyMappingIsTheFilesWord) {
  Config config = Parse("firstParty: {}\n");
  std::vector<Setting> settings = EffectiveSettings(config);
  const Setting& include = Get(settings, "firstParty.include");
  EXPECT_EQ(include.value, Json::array());
  EXPECT_EQ(OriginText(include.origin), ".imagepin.yaml:1");
}

// The first-party default as LoadConfig sets it, from each place it can come from.
TEST(EffectiveSettings, FirstPartyFromTheGitRemoteTheEnvironmentOrNone) {
  testing::TempDir repo;
  repo.Write(".git/config",
             "[core]\n\tbare = false\n[remote \"origin\"]\n"
             "\turl = https://x-access-token:s3cret@github.com/Acme/gitops.git\n");
  testing::TempDir plain;
  struct Case {
    std::string root;
    const char* owner;
    Origin::Kind kind;
    std::string value;
    std::string text;
  } cases[] = {
      {repo.str(), "other", Origin::Kind::kGitRemote, R"(["ghcr.io/acme/"])",
       "git remote (.git/config:4, https://github.com/Acme/gitops.git)"},
      {plain.str(), "Acme-Corp", Origin::Kind::kEnvironment, R"(["ghcr.io/acme-corp/"])",
       "env GITHUB_REPOSITORY_OWNER"},
      {plain.str(), nullptr, Origin::Kind::kNone, "[]", "none (no .git here)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Config config;
    FirstPartyDefault found = FirstPartyFromRepository(c.root, c.owner);
    config.first_party.include = found.include;
    config.first_party_origin = found.origin;
    std::vector<Setting> settings = EffectiveSettings(config);
    const Setting& include = Get(settings, "firstParty.include");
    EXPECT_EQ(include.origin.kind, c.kind);
    EXPECT_EQ(include.value, Json::parse(c.value));
    EXPECT_EQ(OriginText(include.origin), c.text);
    // The token in the remote's URL is never shown, in text or JSON.
    EXPECT_EQ(SettingsText(settings).find("s3cret"), std::string::npos);
    EXPECT_EQ(SettingsJson(settings).dump().find("s3cret"), std::string::npos);
  }
}

// What lets EffectiveSettings print every value: the config cannot hold a credential. A mirror
// with user information is refused when the file is read.
TEST(EffectiveSettings, TheConfigHoldsNoCredentialToPrint) {
  base::Result<Config> config = ParseConfig(
      "registries: {ghcr.io: {mirror: \"https://bot:s3cret@mirror:5000\"}}\n", ".imagepin.yaml");
  EXPECT_FALSE(config.ok());
  // A remote URL's query could carry a token: only the URL before it is shown.
  Config remote;
  remote.first_party.include = {"ghcr.io/acme/"};
  remote.first_party_origin = {Origin::Kind::kGitRemote, 3,
                               "https://github.com/acme/app.git?access_token=s3cret"};
  std::vector<Setting> settings = EffectiveSettings(remote);
  EXPECT_EQ(OriginText(Get(settings, "firstParty.include").origin),
            "git remote (.git/config:3, https://github.com/acme/app.git)");
}

TEST(EffectiveSettings, ARegistryFiledUnderItsReferenceHostKeepsTheLineOfItsKey) {
  Config config = Parse(
      "registries:\n"
      "  ghcr.io: {insecure: true}\n"
      "  index.docker.io:\n"
      "    mirror: mirror.internal:5000\n");
  std::vector<Setting> settings = EffectiveSettings(config);
  EXPECT_EQ(OriginText(Get(settings, "registries.ghcr.io.insecure").origin), ".imagepin.yaml:2");
  const Setting& hub = Get(settings, "registries.docker.io.mirror");
  EXPECT_EQ(hub.value, "mirror.internal:5000");
  EXPECT_EQ(OriginText(hub.origin), ".imagepin.yaml:4");
}

TEST(ValueText, BareWhereUnambiguousQuotedWhereNot) {
  EXPECT_EQ(ValueText(Json("sources/values/**")), "sources/values/**");
  EXPECT_EQ(ValueText(Json::parse(R"(["{shared}/{path}","{env}/{path}"])")),
            "[{shared}/{path}, {env}/{path}]");
  EXPECT_EQ(ValueText(Json::parse(R"(["a,b","",  "two words"])")), R"(["a,b", "", "two words"])");
  EXPECT_EQ(ValueText(Json("line\nbreak")), R"("line\nbreak")");
  EXPECT_EQ(ValueText(Json("\x1b[2Jwiped")), R"("\u001b[2Jwiped")");  // never raw to a terminal
  EXPECT_EQ(ValueText(Json::array()), "[]");
  EXPECT_EQ(ValueText(Json::object()), "{}");
  EXPECT_EQ(ValueText(Json(nullptr)), "-");
  EXPECT_EQ(ValueText(Json("-")), R"("-")");  // not to be read as unset
  EXPECT_EQ(ValueText(Json(256)), "256");
  EXPECT_EQ(ValueText(Json(false)), "false");
}

TEST(SettingsText, AlignsKeysAndValuesButNotPastTheCap) {
  std::vector<Setting> settings = {
      {"a", Json("x"), {}},
      {"long.key", Json("yyy"), {Origin::Kind::kFile, ".imagepin.yaml", 3, ""}},
      {"r", Json(std::string(kMaxAlignedValue + 1, 'z')), {Origin::Kind::kNone, "", 0, "why"}},
  };
  EXPECT_EQ(SettingsText(settings),
            "a         x    default\n"
            "long.key  yyy  .imagepin.yaml:3\n"
            "r         " +
                std::string(kMaxAlignedValue + 1, 'z') + "  none (why)\n");
}

TEST(SettingsJson, KeyValueAndAnOriginWithNullsForWhatItLacks) {
  std::vector<Setting> settings = {
      {"pullPolicy", Json("Always"), {Origin::Kind::kFile, ".imagepin.yaml", 2, ""}},
      {"firstParty.include",
       Json::parse(R"(["ghcr.io/acme/"])"),
       {Origin::Kind::kEnvironment, "", 0, "GITHUB_REPOSITORY_OWNER"}},
      {"shared", Json("sources/values/_shared"), {}},
  };
  EXPECT_EQ(SettingsJson(settings), Json::parse(R"([
    {"key": "pullPolicy", "value": "Always",
     "origin": {"kind": "file", "path": ".imagepin.yaml", "line": 2, "detail": null}},
    {"key": "firstParty.include", "value": ["ghcr.io/acme/"],
     "origin": {"kind": "env", "path": null, "line": null, "detail": "GITHUB_REPOSITORY_OWNER"}},
    {"key": "shared", "value": "sources/values/_shared",
     "origin": {"kind": "default", "path": null, "line": null, "detail": null}}])"));
}

}  // namespace
}  // namespace imagepin::policy
