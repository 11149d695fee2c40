// bump.holds: how the config reads them (errors at file:line:col) and which hold holds a field.
#include "policy/holds.h"

#include <gtest/gtest.h>

#include <string>

#include "policy/config.h"
#include "policy/exceptions.h"

namespace imagepin::policy {
namespace {

Config Parse(const std::string& text) {
  base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
  EXPECT_TRUE(config.ok()) << config.error().message;
  return config.ok() ? *config : Config{};
}

void ExpectConfigError(const std::string& text, int line, int column, const std::string& needle) {
  base::Result<Config> config = ParseConfig(text, ".imagepin.yaml");
  ASSERT_FALSE(config.ok()) << "accepted:\n" << text;
  const base::Error& e = config.error();
  EXPECT_EQ(e.code, base::ErrorCode::kConfig);
  EXPECT_EQ(e.path, ".imagepin.yaml");
  EXPECT_EQ(e.pos.line, line) << e.message;
  EXPECT_EQ(e.pos.column, column) << e.message;
  EXPECT_NE(e.message.find(needle), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find('\n'), std::string::npos) << "one line: " << e.message;
}

TEST(ParseHolds, ReadsAppAndRepositoryEntries) {
  Config c = Parse(
      "bump:\n"
      "  holds:\n"
      "    - {app: api, env: staging, reason: \"freeze, REL-9\", until: \"2027-01-31\"}\n"
      "    - repository: acme/web\n"
      "      env: dev\n"
      "      reason: flaky\n");
  ASSERT_EQ(c.bump.holds.size(), 2u);
  const Hold& a = c.bump.holds[0];
  EXPECT_EQ(a.app, "api");
  EXPECT_EQ(a.repository, "");
  EXPECT_EQ(a.environment, "staging");
  EXPECT_EQ(a.reason, "freeze, REL-9");
  EXPECT_EQ(a.until, "2027-01-31");
  EXPECT_EQ(a.line, 3);
  EXPECT_EQ(a.until_line, 3);
  EXPECT_EQ(a.until_column, 64);
  const Hold& w = c.bump.holds[1];
  EXPECT_EQ(w.written, "acme/web");
  EXPECT_EQ(w.repository, "docker.io/acme/web") << "normalised, as promote names it";
  EXPECT_EQ(w.until, "");
  EXPECT_EQ(w.line, 4);
}

TEST(ParseHolds, EnvMustBeAConfiguredEnvironmentEvenWhenListedBeforeEnvironments) {
  ExpectConfigError(
      "bump:\n  holds:\n    - {app: api, env: qa, reason: r}\nenvironments:\n  - name: dev\n", 3,
      23, "bump.holds[0].env: \"qa\" is not an environment");
  Parse("bump:\n  holds:\n    - {app: api, env: qa, reason: r}\nenvironments:\n  - name: qa\n");
}

TEST(ParseHolds, EachMistakeIsOneLineAtItsPosition) {
  ExpectConfigError("bump:\n  holds:\n    - {app: api, env: dev}\n", 3, 7,
                    "bump.holds[0] needs a reason");
  ExpectConfigError("bump:\n  holds:\n    - {app: api, env: dev, reason: \"\"}\n", 3, 36,
                    "bump.holds[0].reason must not be empty");
  ExpectConfigError("bump:\n  holds:\n    - {app: api, reason: r}\n", 3, 7,
                    "bump.holds[0] needs an env");
  ExpectConfigError("bump:\n  holds:\n    - {env: dev, reason: r}\n", 3, 7,
                    "needs an app (a service name) or a repository");
  ExpectConfigError(
      "bump:\n  holds:\n    - {app: api, repository: ghcr.io/acme/api, env: dev, reason: r}\n", 3,
      30, "has both app and repository");
  ExpectConfigError(
      "bump:\n  holds:\n    - {repository: \"ghcr.io/acme/api:main\", env: dev, "
      "reason: r}\n",
      3, 20, "names a tag or digest");
  ExpectConfigError("bump:\n  holds:\n    - {repository: \"Ghcr.io/ACME\", env: dev, reason: r}\n",
                    3, 20, "is not a repository");
  ExpectConfigError("bump:\n  holds:\n    - {app: api, env: dev, reason: r, until: 2027-02-30}\n",
                    3, 46, "bump.holds[0].until \"2027-02-30\" is not a date (YYYY-MM-DD)");
  ExpectConfigError("bump:\n  holds:\n    - {app: api, env: dev, reason: r, expires: x}\n", 3, 39,
                    "unknown key \"expires\" in bump.holds[0]");
  ExpectConfigError("bump:\n  holds: {app: api}\n", 2, 10, "bump.holds must be a list");
  ExpectConfigError("bump:\n  holds:\n    - {app: \"a\\nb\", env: nope, reason: r}\n", 3, 26,
                    "\"nope\" is not an environment");
}

std::vector<Hold> Holds(const std::string& entries) {
  return Parse("bump:\n  holds:\n" + entries).bump.holds;
}

TEST(FindHold, ByAppInItsEnvironmentOnly) {
  std::vector<Hold> holds = Holds("    - {app: api, env: staging, reason: freeze}\n");
  const std::string today = "2026-12-03";
  EXPECT_EQ(FindHold(holds, {"api", "ghcr.io/acme/api", "staging"}, today), &holds[0]);
  EXPECT_EQ(FindHold(holds, {"api", "ghcr.io/acme/api", "dev"}, today), nullptr);
  EXPECT_EQ(FindHold(holds, {"web", "ghcr.io/acme/api", "staging"}, today), nullptr)
      << "an app hold names the service, not the repository";
}

TEST(FindHold, ByRepositoryWrittenOrNormalised) {
  std::vector<Hold> holds = Holds(
      "    - {repository: ghcr.io/acme/api, env: dev, reason: a}\n"
      "    - {repository: acme/tool, env: dev, reason: b}\n");
  const std::string today = "2026-12-03";
  EXPECT_EQ(FindHold(holds, {"anything", "ghcr.io/acme/api", "dev"}, today), &holds[0]);
  EXPECT_EQ(FindHold(holds, {"x", "ghcr.io/acme/apix", "dev"}, today), nullptr);
  EXPECT_EQ(FindHold(holds, {"x", "ghcr.io/acme", "dev"}, today), nullptr);
  EXPECT_EQ(FindHold(holds, {"x", "docker.io/acme/tool", "dev"}, today), &holds[1]);
  EXPECT_EQ(FindHold(holds, {"x", "acme/tool", "dev"}, today), &holds[1]);
  EXPECT_EQ(FindHold(holds, {"x", "acme/tool", "local"}, today), nullptr);
}

TEST(FindHold, TheFirstLiveHoldWins) {
  std::vector<Hold> holds = Holds(
      "    - {app: api, env: dev, reason: old, until: \"2026-01-01\"}\n"
      "    - {repository: ghcr.io/acme/api, env: dev, reason: new}\n"
      "    - {app: api, env: dev, reason: third}\n");
  const Hold* h = FindHold(holds, {"api", "ghcr.io/acme/api", "dev"}, "2026-12-03");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->reason, "new");
}

TEST(FindHold, HoldsThroughItsUntilDayAndNotTheDayAfter) {
  std::vector<Hold> holds = Holds("    - {app: api, env: dev, reason: r, until: \"2026-12-03\"}\n");
  HoldSubject api{"api", "ghcr.io/acme/api", "dev"};
  EXPECT_EQ(FindHold(holds, api, "2026-12-02"), &holds[0]);
  EXPECT_EQ(FindHold(holds, api, "2026-12-03"), &holds[0]) << "through the day it names";
  EXPECT_EQ(FindHold(holds, api, "2026-12-04"), nullptr);
  EXPECT_EQ(FindHold(holds, api, "2027-01-01"), nullptr);
  EXPECT_FALSE(HoldExpired(holds[0], "2026-12-03"));
  EXPECT_TRUE(HoldExpired(holds[0], "2026-12-04"));
  std::vector<Hold> open = Holds("    - {app: api, env: dev, reason: r}\n");
  EXPECT_EQ(FindHold(open, api, "9999-12-31"), &open[0]) << "no until: no end";
}

TEST(AppendExpiredHolds, IP016AtTheUntilDateForExpiredHoldsOnly) {
  Config c = Parse(
      "bump:\n"
      "  holds:\n"
      "    - {app: api, env: dev, reason: r, until: \"2026-12-02\"}\n"
      "    - app: web\n"
      "      env: staging\n"
      "      reason: r\n"
      "      until: \"2026-12-03\"\n"
      "    - {repository: ghcr.io/acme/db, env: dev, reason: r, until: \"2020-01-01\"}\n");
  std::vector<Finding> findings;
  AppendExpiredHolds(c, "2026-12-03", &findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule_id, "IP016");
  EXPECT_EQ(findings[0].rule_name, "hold-expired");
  EXPECT_EQ(findings[0].path, ".imagepin.yaml");
  EXPECT_EQ(findings[0].line, 3);
  EXPECT_EQ(findings[0].column, 46);
  EXPECT_EQ(findings[0].key_path, "bump.holds[0].until");
  EXPECT_NE(findings[0].message.find("hold on api in dev expired on 2026-12-02"), std::string::npos)
      << findings[0].message;
  EXPECT_EQ(findings[1].key_path, "bump.holds[2].until");
  EXPECT_NE(findings[1].message.find("hold on ghcr.io/acme/db in dev"), std::string::npos);

  std::vector<Finding> check;
  ApplyExceptions(c, "2026-12-03", &check);  // what check runs
  EXPECT_EQ(check.size(), 2u);
  std::vector<Finding> none;
  ApplyExceptions(c, "2019-12-31", &none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace imagepin::policy
