// End-to-end tests of bump.holds: the real imagepin binary against a real registry (Debian's
// docker-registry on loopback, tests/registry/), as registry_commands_test.cc runs bump. A hold
// keeps bump from moving a field and promote from overwriting one; an expired hold is IP016 in
// check and holds nothing. Dates are far in the past or future, so that today's date (the
// commands read the clock) never decides a test.
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;

const std::string kZeros = "sha256:" + std::string(64, '0');

class HoldsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = TestRegistry::Shared(Mode::kPlain);
    ASSERT_NE(registry_, nullptr);
    prefix_ =
        "acme/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : prefix_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }

  // The config with `holds` (YAML list items, 4-space indented) as bump.holds.
  void Config(const std::string& holds) {
    repo_.Write(".imagepin.yaml",
                "firstParty: [ghcr.io/acme/]\n"  // 1
                "registries:\n"                  // 2
                "  ghcr.io: {mirror: \"" +       // 3
                    registry_->host() +
                    "\"}\n" +       //
                    "bump:\n"       // 4
                    "  holds:\n" +  // 5
                    holds);         // 6…
  }

  testreg::CommandResult Imagepin(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }

  std::string Repo(const std::string& service) { return prefix_ + "-" + service; }
  std::string Ref(const std::string& service) { return "ghcr.io/" + Repo(service); }
  std::string Values(const std::string& service, const std::string& digest) {
    return "# " + service + "\nimage:\n  ref: " + Ref(service) + "@" + digest +
           "  # bumped by CI\n  pullPolicy: IfNotPresent\n";
  }

  TestRegistry* registry_ = nullptr;
  testing::TempDir repo_;
  std::string prefix_;
};

TEST_F(HoldsTest, BumpLeavesAHeldFieldAsItIsAndReportsIt) {
  std::string api = registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  std::string web = registry_->Push(Repo("web"), "main", ImageKind::kIndex);
  // api is held in dev by app name, web in local by repository; each still moves elsewhere.
  Config(
      "    - {app: api, env: dev, reason: \"bisecting INC-7\", until: \"2999-12-31\"}\n"
      "    - {repository: " +
      Ref("web") + ", env: local, reason: \"demo on Friday\"}\n");
  const std::string held_api = Values("api", kZeros), held_web = Values("web", kZeros);
  repo_.Write("sources/values/env/dev/api.yaml", held_api);
  repo_.Write("sources/values/env/dev/web.yaml", Values("web", kZeros));
  repo_.Write("sources/values/env/local/api.yaml", Values("api", kZeros));
  repo_.Write("sources/values/env/local/web.yaml", held_web);

  std::string summary = (repo_.path() / "summary.md").string();
  testreg::CommandResult r = Imagepin({"bump", "--summary-md", summary});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), held_api) << "byte for byte";
  EXPECT_EQ(repo_.Read("sources/values/env/local/web.yaml"), held_web) << "byte for byte";
  EXPECT_EQ(repo_.Read("sources/values/env/dev/web.yaml"), Values("web", web));
  EXPECT_EQ(repo_.Read("sources/values/env/local/api.yaml"), Values("api", api));
  EXPECT_NE(r.out.find("sources/values/env/dev/api.yaml:3:8: dev api: held (bisecting INC-7), "
                       "until 2999-12-31 [.imagepin.yaml:6]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("sources/values/env/local/web.yaml:3:8: local web: held (demo on Friday), "
                       "no end [.imagepin.yaml:7]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": 2 changed, 0 unchanged, 2 held, 0 failed; "), std::string::npos) << r.out;
  std::string md = repo_.Read("summary.md");
  EXPECT_NE(md.find("**Held** (not bumped; `bump.holds` in `.imagepin.yaml`)"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| api | dev | `" + Ref("api") + "` | bisecting INC-7 | 2999-12-31 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| web | local | `" + Ref("web") + "` | demo on Friday | - |"),
            std::string::npos)
      << md;

  testreg::CommandResult j = Imagepin({"bump", "--dry-run", "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  nlohmann::json out = nlohmann::json::parse(j.out);
  int held = 0;
  for (const nlohmann::json& c : out["changes"]) {
    if (c["held"].is_null()) continue;
    ++held;
    EXPECT_FALSE(c["changed"]);
    EXPECT_TRUE(c["new"].is_null()) << "a held field is not resolved";
    if (c["service"] == "api") {
      EXPECT_EQ(c["environment"], "dev");
      EXPECT_EQ(c["held"]["reason"], "bisecting INC-7");
      EXPECT_EQ(c["held"]["until"], "2999-12-31");
      EXPECT_EQ(c["held"]["line"], 6);
    }
  }
  EXPECT_EQ(held, 2) << j.out;
}

TEST_F(HoldsTest, AHoldKeepsBumpFromAChannelThatIsGone) {
  // Nothing is pushed for api: held, it is not asked for, so the run does not fail on it.
  std::string web = registry_->Push(Repo("web"), "main", ImageKind::kIndex);
  Config("    - {app: api, env: dev, reason: \"repository retired\"}\n");
  repo_.Write("sources/values/env/dev/api.yaml", Values("api", kZeros));
  repo_.Write("sources/values/env/dev/web.yaml", Values("web", kZeros));
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/web.yaml"), Values("web", web));
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), Values("api", kZeros));
}

TEST_F(HoldsTest, AnExpiredHoldIsACheckFindingAndNoLongerHolds) {
  std::string api = registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  Config(
      "    - app: api\n"                   // 6
      "      env: dev\n"                   // 7
      "      reason: \"freeze, REL-9\"\n"  // 8
      "      until: \"2020-01-31\"\n");    // 9
  repo_.Write("sources/values/env/dev/api.yaml", Values("api", kZeros));

  testreg::CommandResult check = Imagepin({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.out.find(".imagepin.yaml:9:14: error: hold on api in dev expired on "
                           "2020-01-31"),
            std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("[IP016 hold-expired]"), std::string::npos) << check.out;
  testreg::CommandResult json = Imagepin({"check", "--format", "json"});
  EXPECT_NE(json.out.find("\"bump.holds[0].until\""), std::string::npos) << json.out;

  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), Values("api", api));
  EXPECT_EQ(r.out.find("held"), std::string::npos) << r.out;

  // Renewed, it holds again and check has nothing to say about it.
  Config("    - {app: api, env: dev, reason: \"freeze, REL-9\", until: \"2999-01-31\"}\n");
  EXPECT_EQ(Imagepin({"check"}).out.find("IP016"), std::string::npos);
}

TEST_F(HoldsTest, PromoteReportsAHeldTargetAndWritesItOnlyWithIgnoreHolds) {
  std::string api = registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  std::string web = registry_->Push(Repo("web"), "main", ImageKind::kIndex);
  // The hold names the target (staging); a hold on the source environment holds nothing here.
  Config(
      "    - {app: api, env: staging, reason: \"release freeze\", until: \"2999-12-31\"}\n"
      "    - {app: web, env: dev, reason: \"dev only\"}\n");
  repo_.Write("sources/values/env/dev/api.yaml", Values("api", api));
  repo_.Write("sources/values/env/dev/web.yaml", Values("web", web));
  const std::string staging_api = Values("api", kZeros);
  repo_.Write("sources/values/env/staging/api.yaml", staging_api);
  repo_.Write("sources/values/env/staging/web.yaml", Values("web", kZeros));

  std::string summary = (repo_.path() / "summary.md").string();
  // --verify asks the registry for every digest that is written: the held one is not among them.
  testreg::CommandResult r =
      Imagepin({"promote", "dev", "staging", "--verify", "--summary-md", summary});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"), staging_api) << "byte for byte";
  EXPECT_EQ(repo_.Read("sources/values/env/staging/web.yaml"), Values("web", web));
  EXPECT_NE(r.out.find("sources/values/env/staging/api.yaml:3:8: staging api: held (release "
                       "freeze), until 2999-12-31 [.imagepin.yaml:6], not promoted "
                       "(--ignore-holds writes it)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": 1 changed, 0 already current, 0 only in dev, 0 only in staging, 1 held "
                       "(not written); "),
            std::string::npos)
      << r.out;
  std::string md = repo_.Read("summary.md");
  EXPECT_NE(md.find("**Held in staging**"), std::string::npos) << md;
  EXPECT_NE(md.find("| api | `" + Ref("api") + "` | release freeze | 2999-12-31 | not promoted |"),
            std::string::npos)
      << md;

  testreg::CommandResult j =
      Imagepin({"promote", "dev", "staging", "--dry-run", "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  nlohmann::json out = nlohmann::json::parse(j.out);
  ASSERT_EQ(out["held"].size(), 1u) << j.out;
  EXPECT_EQ(out["held"][0]["service"], "api");
  EXPECT_EQ(out["held"][0]["to"], api);
  EXPECT_EQ(out["held"][0]["held"]["reason"], "release freeze");
  EXPECT_EQ(out["filesWritten"], 0);

  testreg::CommandResult ignored =
      Imagepin({"promote", "dev", "staging", "--verify", "--ignore-holds"});
  ASSERT_EQ(ignored.exit_code, 0) << ignored.out << ignored.err;
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"), Values("api", api));
  EXPECT_NE(ignored.out.find("held (release freeze), until 2999-12-31 [.imagepin.yaml:6] "
                             "(written: --ignore-holds)"),
            std::string::npos)
      << ignored.out;
}

}  // namespace
}  // namespace imagepin
