// End-to-end tests of the registry commands (resolve, bump, pin, verify): the real imagepin
// binary against a real registry (Debian's docker-registry on loopback, tests/registry/). The
// repositories under test name ghcr.io/acme/...; `.imagepin.yaml` mirrors ghcr.io to the
// loopback registry, as users behind a pull-through cache do.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
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

// A GitOps repository in the default layout whose ghcr.io is the test registry.
class RegistryCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = TestRegistry::Shared(Mode::kPlain);
    ASSERT_NE(registry_, nullptr);
    repo_.Write(".imagepin.yaml",
                "firstParty: [ghcr.io/acme/]\nregistries:\n  ghcr.io: {mirror: \"" +
                    registry_->host() + "\"}\n");
    // Each test uses repositories named after it, so tests sharing the registry don't collide.
    prefix_ =
        "acme/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : prefix_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }

  testreg::CommandResult Imagepin(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }

  std::string Repo(const std::string& service) { return prefix_ + "-" + service; }
  std::string Ref(const std::string& service) { return "ghcr.io/" + Repo(service); }

  timespec Mtime(const std::string& relative) {
    struct stat st {};
    ::stat((repo_.path() / relative).c_str(), &st);
    return st.st_mtim;
  }

  TestRegistry* registry_ = nullptr;
  testing::TempDir repo_;
  std::string prefix_;
};

const std::string kZeros = "sha256:" + std::string(64, '0');

TEST_F(RegistryCommandsTest, ResolvePrintsDigestMediaTypeAndPlatforms) {
  std::string digest = registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  testreg::CommandResult r = Imagepin(
      {"resolve", "--json", "--platforms", "linux/amd64,linux/arm64", Ref("api") + ":main"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["digest"], digest);
  EXPECT_EQ(j["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(j["platforms"], nlohmann::json({"linux/amd64", "linux/arm64"}));
  EXPECT_TRUE(j["error"].is_null());
}

TEST_F(RegistryCommandsTest, ResolveFailsWithAMachineReadableLineForAMissingTag) {
  registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  testreg::CommandResult r = Imagepin({"resolve", Ref("api") + ":nope"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(Ref("api") + ":nope: not-found:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MANIFEST_UNKNOWN"), std::string::npos) << r.err;
}

TEST_F(RegistryCommandsTest, ResolveRequiresTheAskedPlatforms) {
  registry_->Push(Repo("single"), "main", ImageKind::kSingle);
  testreg::CommandResult r =
      Imagepin({"resolve", "--json", "--platforms", "linux/arm64", Ref("single") + ":main"});
  EXPECT_EQ(r.exit_code, 3);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["kind"], "platforms-missing");
  EXPECT_TRUE(j["digest"].is_null());
}

TEST_F(RegistryCommandsTest, BumpRewritesOnlyTheDigestAndIsIdempotent) {
  std::string api = registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  std::string web = registry_->Push(Repo("web"), "main", ImageKind::kManifestList);
  repo_.Write("sources/values/env/dev/api.yaml",
              "# api, dev lane\nimage:\n  ref: " + Ref("api") + "@" + kZeros +
                  "  # bumped by CI\n  pullPolicy: IfNotPresent\n");
  repo_.Write("sources/values/env/local/web.yaml",
              "image:\r\n  ref: \"" + Ref("web") + ":main\"\r\n");
  std::string staging = "image:\n  ref: " + Ref("api") + "@" + kZeros + "\n";
  repo_.Write("sources/values/env/staging/api.yaml", staging);

  std::string summary = (repo_.path() / "summary.md").string();
  testreg::CommandResult r = Imagepin({"bump", "--summary-md", summary});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            "# api, dev lane\nimage:\n  ref: " + Ref("api") + "@" + api +
                "  # bumped by CI\n  pullPolicy: IfNotPresent\n");
  EXPECT_EQ(repo_.Read("sources/values/env/local/web.yaml"),
            "image:\r\n  ref: \"" + Ref("web") + "@" + web + "\"\r\n");
  EXPECT_EQ(repo_.Read("sources/values/env/staging/api.yaml"), staging) << "not a fast lane";
  std::string md = repo_.Read("summary.md");
  EXPECT_NE(md.find("| api | dev | `" + Ref("api") + "` | `sha256:000000000000` | `" +
                    api.substr(0, 19) + "` |"),
            std::string::npos)
      << md;

  timespec before = Mtime("sources/values/env/dev/api.yaml");
  testreg::CommandResult again = Imagepin({"bump", "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  nlohmann::json j = nlohmann::json::parse(again.out);
  for (const nlohmann::json& change : j["changes"]) EXPECT_FALSE(change["changed"]) << change;
  EXPECT_EQ(j["filesWritten"], 0);
  timespec after = Mtime("sources/values/env/dev/api.yaml");
  EXPECT_EQ(before.tv_sec, after.tv_sec);
  EXPECT_EQ(before.tv_nsec, after.tv_nsec);
}

TEST_F(RegistryCommandsTest, BumpFollowsAMovedTag) {
  std::string first = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 1);
  repo_.Write("sources/values/env/dev/api.yaml", "image:\n  ref: " + Ref("api") + ":main\n");
  ASSERT_EQ(Imagepin({"bump", "--env", "dev"}).exit_code, 0);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            "image:\n  ref: " + Ref("api") + "@" + first + "\n");
  std::string second = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 2);
  ASSERT_NE(first, second);
  ASSERT_EQ(Imagepin({"bump", "--env", "dev"}).exit_code, 0);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            "image:\n  ref: " + Ref("api") + "@" + second + "\n");
}

TEST_F(RegistryCommandsTest, BumpFailsFastAndWritesNothing) {
  registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  std::string api = "image:\n  ref: " + Ref("api") + "@" + kZeros + "\n";
  std::string gone = "image:\n  ref: " + Ref("gone") + "@" + kZeros + "\n";
  repo_.Write("sources/values/env/dev/api.yaml", api);
  repo_.Write("sources/values/env/dev/gone.yaml", gone);
  std::string summary = (repo_.path() / "summary.md").string();
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev", "--summary-md", summary});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(summary)) << "no PR body for a failed bump";
  EXPECT_NE(r.err.find("sources/values/env/dev/gone.yaml:2:8: error: " + Ref("gone") + ":main"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
  // The count says what would have happened, not "0 changed, 1 unchanged".
  EXPECT_NE(r.out.find(": nothing written: 1 would have changed, 0 unchanged, 1 failed"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), api);

  testreg::CommandResult keep = Imagepin({"bump", "--env", "dev", "--keep-going"});
  EXPECT_EQ(keep.exit_code, 3);
  EXPECT_NE(repo_.Read("sources/values/env/dev/api.yaml"), api) << "resolved refs are written";
  EXPECT_EQ(repo_.Read("sources/values/env/dev/gone.yaml"), gone);
}

TEST_F(RegistryCommandsTest, BumpRefusesAnImageWithoutTheRequiredPlatforms) {
  registry_->Push(Repo("amd"), "main", ImageKind::kIndexAmd64Only);
  registry_->Push(Repo("one"), "main", ImageKind::kSingle);
  std::string amd = "image:\n  ref: " + Ref("amd") + ":main\n";
  std::string one = "image:\n  ref: " + Ref("one") + ":main\n";
  repo_.Write("sources/values/env/dev/amd.yaml", amd);
  repo_.Write("sources/values/env/dev/one.yaml", one);
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("platforms-missing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("linux/arm64"), std::string::npos) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/amd.yaml"), amd);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/one.yaml"), one);
}

TEST_F(RegistryCommandsTest, PinAddsDigestsAndReportsFloatingTags) {
  std::string v1 = registry_->Push(Repo("tool"), "1.4.2", ImageKind::kSingle);
  registry_->Push(Repo("edge"), "main", ImageKind::kIndex);
  std::string values =
      "tool:\n  image: '" + Ref("tool") + ":1.4.2'\nedge:\n  image: " + Ref("edge") + ":main\n";
  repo_.Write("sources/values/_shared/tools.yaml", values);
  testreg::CommandResult r = Imagepin({"pin"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the floating tag is a finding, left alone
  EXPECT_NE(r.err.find("floating tag \"main\""), std::string::npos) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/_shared/tools.yaml"),
            "tool:\n  image: '" + Ref("tool") + ":1.4.2@" + v1 +
                "'\nedge:\n  image: " + Ref("edge") + ":main\n");
}

TEST_F(RegistryCommandsTest, PinAddsAMissingDigestKeyBesideTheTagAndFillsANullOne) {
  // Third-party images: quay.io, mirrored to the test registry like ghcr.io.
  repo_.Write(".imagepin.yaml", "firstParty: [ghcr.io/acme/]\nregistries:\n  ghcr.io: {mirror: \"" +
                                    registry_->host() + "\"}\n  quay.io: {mirror: \"" +
                                    registry_->host() + "\"}\n");
  std::string redis = registry_->Push(Repo("redis"), "7.2.4", ImageKind::kIndex);
  std::string nginx = registry_->Push(Repo("nginx"), "1.25.3", ImageKind::kSingle);
  // A double-quoted tag with no digest key (CRLF, a registry key, a comment), a null digest.
  std::string values =
      "redis:\r\n  image:\r\n    registry: quay.io\r\n    repository: " + Repo("redis") +
      "\r\n    tag: \"7.2.4\"  # LTS\r\n    pullPolicy: IfNotPresent\r\n"
      "nginx:\r\n  image:\r\n    repository: quay.io/" +
      Repo("nginx") + "\r\n    tag: 1.25.3\r\n    digest: ~\r\n";
  repo_.Write("sources/values/_shared/third-party.yaml", values);
  testreg::CommandResult r = Imagepin({"pin"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(
      repo_.Read("sources/values/_shared/third-party.yaml"),
      "redis:\r\n  image:\r\n    registry: quay.io\r\n    repository: " + Repo("redis") +
          "\r\n    tag: \"7.2.4\"  # LTS\r\n    digest: \"" + redis +
          "\"\r\n    pullPolicy: IfNotPresent\r\nnginx:\r\n  image:\r\n    repository: quay.io/" +
          Repo("nginx") + "\r\n    tag: 1.25.3\r\n    digest: " + nginx + "\r\n");
  EXPECT_NE(r.out.find("pin: 2 pinned, 0 left"), std::string::npos) << r.out;
  // Pinned now: a second run has nothing to do and leaves the file as it is.
  std::string pinned = repo_.Read("sources/values/_shared/third-party.yaml");
  r = Imagepin({"pin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/_shared/third-party.yaml"), pinned);
}

TEST_F(RegistryCommandsTest, PinDryRunDoesNotAddTheDigestKey) {
  repo_.Write(".imagepin.yaml", "firstParty: [ghcr.io/acme/]\nregistries:\n  quay.io: {mirror: \"" +
                                    registry_->host() + "\"}\n");
  registry_->Push(Repo("redis"), "7.2.4", ImageKind::kSingle);
  std::string values = "image:\n  repository: quay.io/" + Repo("redis") + "\n  tag: 7.2.4\n";
  repo_.Write("sources/values/_shared/redis.yaml", values);
  testreg::CommandResult r = Imagepin({"pin", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pin: 1 pinned"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run, nothing written"), std::string::npos) << r.out;
  EXPECT_EQ(repo_.Read("sources/values/_shared/redis.yaml"), values);
}

TEST_F(RegistryCommandsTest, PinSendsAFirstPartySplitMappingToMigrate) {
  registry_->Push(Repo("api"), "3f2a9c1", ImageKind::kIndex);
  std::string values = "image:\n  repository: " + Ref("api") + "\n  tag: 3f2a9c1\n";
  repo_.Write("sources/values/_shared/api.yaml", values);
  testreg::CommandResult r = Imagepin({"pin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("`imagepin migrate` makes it one image.ref"), std::string::npos) << r.err;
  EXPECT_EQ(repo_.Read("sources/values/_shared/api.yaml"), values);
}

TEST_F(RegistryCommandsTest, VerifyReportsMissingDigestsAndSingleArchFirstPartyImages) {
  std::string index = registry_->Push(Repo("good"), "main", ImageKind::kIndex);
  std::string single = registry_->Push(Repo("single"), "main", ImageKind::kSingle);
  repo_.Write("sources/values/env/dev/good.yaml",
              "image:\n  ref: " + Ref("good") + "@" + index + "\n");
  repo_.Write("sources/values/env/dev/single.yaml",
              "image:\n  ref: " + Ref("single") + "@" + single + "\n");
  repo_.Write("sources/values/env/dev/missing.yaml",
              "image:\n  ref: " + Ref("good") + "@" + kZeros + "\n");
  testreg::CommandResult r = Imagepin({"verify", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  std::vector<std::string> found;
  for (const nlohmann::json& f : j["findings"]) {
    found.push_back(f["path"].get<std::string>() + " " + f["ruleId"].get<std::string>());
  }
  EXPECT_EQ(found, (std::vector<std::string>{"sources/values/env/dev/missing.yaml IP008",
                                             "sources/values/env/dev/single.yaml IP009"}));
}

// bump.readableTag: revision, against images whose index carries org.opencontainers.image.revision.
const std::string kRevision = "3f2a9c1d0e5b6a7980f1e2d3c4b5a69788796a5b";
const std::string kNextRevision = "b7e41d09a8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3";

class ReadableTagCommandsTest : public RegistryCommandsTest {
 protected:
  void SetUp() override {
    RegistryCommandsTest::SetUp();
    repo_.Write(".imagepin.yaml",
                "firstParty: [ghcr.io/acme/]\nregistries:\n  ghcr.io: {mirror: \"" +
                    registry_->host() + "\"}\nbump:\n  readableTag: revision\n");
  }
};

TEST_F(ReadableTagCommandsTest, BumpWritesTheShortRevisionTagTheRegistryConfirms) {
  std::string digest = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 1, kRevision);
  ASSERT_EQ(registry_->Push(Repo("api"), "3f2a9c1", ImageKind::kIndex, 1, kRevision), digest);
  repo_.Write("sources/values/env/dev/api.yaml",
              "image:\n  ref: '" + Ref("api") + "@" + kZeros + "'\n  pullPolicy: IfNotPresent\n");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(
      repo_.Read("sources/values/env/dev/api.yaml"),
      "image:\n  ref: '" + Ref("api") + ":3f2a9c1@" + digest + "'\n  pullPolicy: IfNotPresent\n");
  EXPECT_NE(r.out.find("(tag 3f2a9c1)"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("note:"), std::string::npos) << r.err;

  // Run again: nothing moves, nothing is said, and check accepts what bump wrote.
  testreg::CommandResult again = Imagepin({"bump", "--env", "dev", "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  nlohmann::json j = nlohmann::json::parse(again.out);
  EXPECT_EQ(j["filesWritten"], 0);
  EXPECT_EQ(j["changes"][0]["tag"], "3f2a9c1");
  EXPECT_EQ(j["changes"][0]["notes"], nlohmann::json::array());
  EXPECT_EQ(Imagepin({"verify"}).exit_code, 0);
}

TEST_F(ReadableTagCommandsTest, BumpWritesTheDigestAloneWhenTheTagIsMissingOrNamesAnotherBuild) {
  std::string missing = registry_->Push(Repo("missing"), "main", ImageKind::kIndex, 1, kRevision);
  std::string moved = registry_->Push(Repo("moved"), "main", ImageKind::kIndex, 1, kRevision);
  std::string other = registry_->Push(Repo("moved"), "3f2a9c1", ImageKind::kIndex, 2, kRevision);
  ASSERT_NE(moved, other);
  repo_.Write("sources/values/env/dev/missing.yaml",
              "image:\n  ref: " + Ref("missing") + ":0000000@" + kZeros + "\n");
  repo_.Write("sources/values/env/dev/moved.yaml",
              "image:\n  ref: " + Ref("moved") + "@" + kZeros + "\n");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/missing.yaml"),
            "image:\n  ref: " + Ref("missing") + "@" + missing + "\n");
  EXPECT_EQ(repo_.Read("sources/values/env/dev/moved.yaml"),
            "image:\n  ref: " + Ref("moved") + "@" + moved + "\n");
  EXPECT_NE(r.err.find("sources/values/env/dev/missing.yaml:2:8: note: no readable tag: tag "
                       "\"3f2a9c1\" (the image's revision) is not in the registry; writing the "
                       "digest alone\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("sources/values/env/dev/moved.yaml:2:8: note: no readable tag: tag "
                       "\"3f2a9c1\" (the image's revision) names " +
                       other + ", not " + moved + "; writing the digest alone\n"),
            std::string::npos)
      << r.err;
}

TEST_F(RegistryCommandsTest, BumpReportsAStaleCommentAndLeavesItAsItIs) {
  std::string old = registry_->Push(Repo("api"), "old", ImageKind::kIndex, 1, kRevision);
  std::string next = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 2, kNextRevision);
  std::string before = "image:\n  ref: " + Ref("api") + "@" + old + "  # main @ 3f2a9c1\n";
  repo_.Write("sources/values/env/dev/api.yaml", before);
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            "image:\n  ref: " + Ref("api") + "@" + next + "  # main @ 3f2a9c1\n");
  int column =
      static_cast<int>(std::string("  ref: ").size() + Ref("api").size() + 1 + old.size() + 2 + 1);
  EXPECT_NE(r.err.find("sources/values/env/dev/api.yaml:2:" + std::to_string(column) +
                       ": note: comment names 3f2a9c1, the field now points at b7e41d0 (the "
                       "comment is left as it is)\n"),
            std::string::npos)
      << r.err;
}

// The readable tag beside a digest is asked what it names now.
TEST_F(RegistryCommandsTest, VerifyReportsALyingReadableTagAsIP015) {
  // The tag 3f2a9c1 is one build; the digest pinned beside it is another build's.
  std::string tagged = registry_->Push(Repo("api"), "3f2a9c1", ImageKind::kIndex, 1, kRevision);
  std::string another = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 2, kNextRevision);
  std::string vendor = "vendor/" + prefix_.substr(5) + "-redis";
  std::string vendor_tagged = registry_->Push(vendor, "7.2", ImageKind::kIndex, 3);
  std::string vendor_before = registry_->Push(vendor, "7.1", ImageKind::kIndex, 4);
  repo_.Write("sources/values/env/dev/api.yaml",
              "image:\n  ref: " + Ref("api") + ":3f2a9c1@" + another + "\n");
  repo_.Write("sources/values/env/dev/redis.yaml",
              "redis:\n  image: ghcr.io/" + vendor + ":7.2@" + vendor_before + "\n");
  repo_.Write("sources/values/env/dev/gone.yaml",
              "image:\n  ref: " + Ref("api") + ":0000000@" + tagged + "\n");
  repo_.Write("sources/values/env/dev/good.yaml",
              "image:\n  ref: " + Ref("api") + ":3f2a9c1@" + tagged + "\n");
  testreg::CommandResult r = Imagepin({"verify", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  std::vector<std::string> found;
  for (const nlohmann::json& f : j["findings"]) {
    found.push_back(f["path"].get<std::string>() + ":" + std::to_string(f["line"].get<int>()) +
                    " " + f["ruleId"].get<std::string>() + " " + f["severity"].get<std::string>());
  }
  EXPECT_EQ(found, (std::vector<std::string>{"sources/values/env/dev/api.yaml:2 IP015 error",
                                             "sources/values/env/dev/gone.yaml:2 IP015 error",
                                             "sources/values/env/dev/redis.yaml:2 IP015 warning"}))
      << r.out;
  ASSERT_EQ(j["findings"].size(), 3u);
  EXPECT_EQ(j["findings"][0]["message"],
            "tag \"3f2a9c1\" of " + Ref("api") + " now names " + tagged + ", not the pinned " +
                another + ": the readable tag says another build than the one that runs");
  EXPECT_NE(j["findings"][1]["message"].get<std::string>().find("tag \"0000000\" of " + Ref("api") +
                                                                " is gone"),
            std::string::npos);

  // The third-party warning alone does not fail the gate.
  std::filesystem::remove(repo_.path() / "sources/values/env/dev/api.yaml");
  std::filesystem::remove(repo_.path() / "sources/values/env/dev/gone.yaml");
  testreg::CommandResult warned = Imagepin({"verify"});
  EXPECT_EQ(warned.exit_code, 0) << warned.out << warned.err;
  EXPECT_NE(
      warned.out.find("warning: tag \"7.2\" of ghcr.io/" + vendor + " now names " + vendor_tagged),
      std::string::npos)
      << warned.out;
}

TEST_F(RegistryCommandsTest, VerifyHoldsMirrorsToPlatformsRequired) {
  std::string mirror = prefix_ + "-mirror";
  repo_.Write(".imagepin.yaml", "firstParty:\n  include: [ghcr.io/acme/]\n  exclude: [ghcr.io/" +
                                    mirror + "/]\nregistries:\n  ghcr.io: {mirror: \"" +
                                    registry_->host() +
                                    "\"}\nplatformsRequired:\n  - ref: \"ghcr.io/" + mirror +
                                    "/**\"\n    platforms: [linux/amd64, linux/arm64]\n");
  std::string single = registry_->Push(mirror + "/library/nginx", "1.27", ImageKind::kSingle);
  std::string multi = registry_->Push(mirror + "/library/redis", "7.2", ImageKind::kIndex);
  std::string vendor = "vendor/" + prefix_.substr(5) + "-single";
  std::string unlisted = registry_->Push(vendor, "1", ImageKind::kSingle);
  repo_.Write("sources/values/env/dev/nginx.yaml",
              "image: ghcr.io/" + mirror + "/library/nginx@" + single + "\n");
  repo_.Write("sources/values/env/dev/redis.yaml",
              "image: ghcr.io/" + mirror + "/library/redis@" + multi + "\n");
  repo_.Write("sources/values/env/dev/vendor.yaml",
              "image: ghcr.io/" + vendor + "@" + unlisted + "\n");
  testreg::CommandResult r = Imagepin({"verify", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["findings"].size(), 1u) << r.out;
  EXPECT_EQ(j["findings"][0]["ruleId"], "IP009");
  EXPECT_EQ(j["findings"][0]["path"], "sources/values/env/dev/nginx.yaml");
  EXPECT_EQ(j["findings"][0]["message"],
            "third-party image ghcr.io/" + mirror + "/library/nginx@" + single +
                " is a single-platform image that lacks linux/amd64, linux/arm64");
}

TEST_F(RegistryCommandsTest, AFailedBumpRemovesAnEarlierPrBody) {
  // A body left by an earlier run must not be mistaken for this failed run's.
  repo_.Write("sources/values/env/dev/gone.yaml",
              "image:\n  ref: " + Ref("gone") + "@" + kZeros + "\n");
  repo_.Write("summary.md", "## imagepin bump: yesterday's changes\n");
  testreg::CommandResult r =
      Imagepin({"bump", "--env", "dev", "--summary-md", (repo_.path() / "summary.md").string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(repo_.path() / "summary.md"));
}

TEST_F(RegistryCommandsTest, BumpNeverWritesThroughASymlinkLeavingTheRepository) {
  registry_->Push(Repo("api"), "main", ImageKind::kIndex);
  testing::TempDir outside;
  std::string value = "image:\n  ref: " + Ref("api") + "@" + kZeros + "\n";
  outside.Write("api.yaml", value);
  std::filesystem::create_directories(repo_.path() / "sources/values/env/dev");
  std::filesystem::create_symlink(outside.path() / "api.yaml",
                                  repo_.path() / "sources/values/env/dev/api.yaml");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("symlink leads outside the repository"), std::string::npos) << r.err;
  EXPECT_EQ(outside.Read("api.yaml"), value);
}

TEST_F(RegistryCommandsTest, VerifyReportsBrokenYamlLikeCheck) {
  std::string index = registry_->Push(Repo("good"), "main", ImageKind::kIndex);
  repo_.Write("sources/values/env/dev/good.yaml",
              "image:\n  ref: " + Ref("good") + "@" + index + "\n");
  repo_.Write("sources/values/env/dev/broken.yaml", "image:\n  ref: [unclosed\n");
  testreg::CommandResult r = Imagepin({"verify", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["findings"].size(), 1u) << r.out;
  EXPECT_EQ(j["findings"][0]["ruleId"], "IP000");
  EXPECT_EQ(j["findings"][0]["path"], "sources/values/env/dev/broken.yaml");
}

TEST_F(RegistryCommandsTest, VerifyPassesWhenEveryPinExists) {
  std::string index = registry_->Push(Repo("good"), "main", ImageKind::kIndex);
  repo_.Write("sources/values/env/dev/good.yaml",
              "image:\n  ref: " + Ref("good") + "@" + index + "\n");
  testreg::CommandResult r = Imagepin({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// bump through a fault-injecting proxy: temporary faults end in success after retries; lasting
// ones and a corrupted body end in a clean failure, with no file written.
class BumpFaultTest : public RegistryCommandsTest {
 protected:
  // Points ghcr.io at a proxy with `faults` in front of the registry, and writes one dev value.
  void Prepare(const std::string& faults) {
    digest_ = registry_->Push(Repo("api"), "main", ImageKind::kIndex);
    std::string proxy = registry_->StartFaultProxy(faults);
    ASSERT_FALSE(proxy.empty());
    repo_.Write(
        ".imagepin.yaml",
        "firstParty: [ghcr.io/acme/]\nregistries:\n  ghcr.io: {mirror: \"" + proxy + "\"}\n");
    original_ = "image:\n  ref: " + Ref("api") + "@" + kZeros + "\n";
    repo_.Write("sources/values/env/dev/api.yaml", original_);
  }
  std::string Value() { return repo_.Read("sources/values/env/dev/api.yaml"); }

  std::string digest_, original_;
};

TEST_F(BumpFaultTest, TooManyRequestsWithRetryAfterThenSuccess) {
  Prepare(R"([{"path": "/manifests/", "kind": "status", "status": 429,
               "headers": {"Retry-After": "1"}, "times": 1}])");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(Value().find(digest_), std::string::npos);
}

TEST_F(BumpFaultTest, ServiceUnavailableTwiceThenSuccess) {
  Prepare(R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": 2}])");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(Value().find(digest_), std::string::npos);
}

TEST_F(BumpFaultTest, ConnectionResetThenSuccess) {
  Prepare(R"([{"path": "/manifests/", "kind": "reset", "times": 1}])");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(Value().find(digest_), std::string::npos);
}

TEST_F(BumpFaultTest, LastingServerErrorsFailWithNothingWritten) {
  Prepare(R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": -1}])");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev", "--retries", "2"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(": server:"), std::string::npos) << r.err;
  EXPECT_EQ(Value(), original_);
}

TEST_F(BumpFaultTest, SlowResponsePastTheDeadlineFailsWithNothingWritten) {
  Prepare(R"([{"path": "/manifests/", "kind": "delay", "seconds": 5, "times": -1}])");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev", "--timeout", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(": deadline:"), std::string::npos) << r.err;
  EXPECT_EQ(Value(), original_);
}

TEST_F(BumpFaultTest, CorruptedIndexBodyFailsWithNothingWritten) {
  Prepare(R"([{"path": "/manifests/", "method": "GET", "kind": "corrupt", "times": -1}])");
  testreg::CommandResult r = Imagepin({"bump", "--env", "dev"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(": digest-mismatch:"), std::string::npos) << r.err;
  EXPECT_EQ(Value(), original_);
}

// Credentials come from a Docker config; a wrong password fails cleanly, and neither the
// password nor its base64 form appears in anything imagepin prints.
TEST(RegistryCredentials, DockerConfigAuthWorksAndSecretsNeverReachOutput) {
  TestRegistry* registry = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(registry, nullptr);
  std::string digest = registry->Push("acme/secret", "main", ImageKind::kIndex);
  testing::TempDir dir;
  auto run_with = [&](const std::string& password) {
    std::string auth =
        testreg::RunCommand({"python3", "-c",
                             "import base64,sys; print(base64.b64encode(sys.argv[1].encode())"
                             ".decode(), end='')",
                             registry->user() + ":" + password})
            .out;
    dir.Write("docker/config.json",
              "{\"auths\": {\"" + registry->host() + "\": {\"auth\": \"" + auth + "\"}}}");
    ::setenv("DOCKER_CONFIG", (dir.path() / "docker").c_str(), 1);
    testreg::CommandResult r = testreg::RunCommand(
        {IMAGEPIN_BINARY, "resolve", "--json", registry->host() + "/acme/secret:main"});
    ::unsetenv("DOCKER_CONFIG");
    for (const std::string& secret : {password, auth}) {
      EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret in standard output";
      EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret in standard error";
    }
    return r;
  };
  testreg::CommandResult ok = run_with(registry->password());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(nlohmann::json::parse(ok.out)["digest"], digest);

  testreg::CommandResult denied = run_with("wrong-" + registry->password());
  EXPECT_EQ(denied.exit_code, 3);
  EXPECT_EQ(nlohmann::json::parse(denied.out)["error"]["kind"], "unauthorized") << denied.out;
}

// Runs imagepin with DOCKER_CONFIG at `docker_config_dir` and `bin` first on PATH (where a test
// puts its docker-credential-* helpers).
testreg::CommandResult RunWithCredentials(const std::vector<std::string>& args,
                                          const std::string& docker_config_dir,
                                          const std::string& bin = "") {
  std::string saved_path = getenv("PATH") ? getenv("PATH") : "";
  ::setenv("DOCKER_CONFIG", docker_config_dir.c_str(), 1);
  if (!bin.empty()) ::setenv("PATH", (bin + ":" + saved_path).c_str(), 1);
  std::vector<std::string> argv = {IMAGEPIN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  testreg::CommandResult r = testreg::RunCommand(argv);
  ::unsetenv("DOCKER_CONFIG");
  ::setenv("PATH", saved_path.c_str(), 1);
  return r;
}

void ExpectNoSecret(const testreg::CommandResult& r, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret in standard output: " << r.out;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret in standard error: " << r.err;
  }
}

std::string Base64(const std::string& text) {
  return testreg::RunCommand({"python3", "-c",
                              "import base64,sys; print(base64.b64encode(sys.argv[1].encode())"
                              ".decode(), end='')",
                              text})
      .out;
}

// A registry (behind the fault proxy) that answers credentials with a 403 whose message quotes
// the Authorization header it got and the password: what imagepin prints must quote neither.
TEST(RegistryCredentials, ErrorBodyEchoingTheAuthorizationHeaderIsRedacted) {
  TestRegistry* registry = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(registry, nullptr);
  ASSERT_FALSE(registry->Push("acme/echo", "main", ImageKind::kIndex).empty());
  std::string pair = registry->user() + ":" + registry->password();
  nlohmann::json body = {
      {"errors",
       {{{"code", "DENIED"},
         {"message", "denied for {authorization} (" + pair + ", " + registry->password() + ")"}}}}};
  nlohmann::json faults = {{{"path", "/manifests/"},
                            {"header", "Authorization"},
                            {"kind", "status"},
                            {"status", 403},
                            {"times", -1},
                            {"body", body.dump()}}};
  std::string proxy = registry->StartFaultProxy(faults.dump());
  ASSERT_FALSE(proxy.empty());
  testing::TempDir dir;
  std::string auth = Base64(pair);
  dir.Write("docker/config.json", "{\"auths\": {\"" + proxy + "\": {\"auth\": \"" + auth + "\"}}}");
  dir.Write("repo/.imagepin.yaml",
            "firstParty: [ghcr.io/acme/]\nregistries:\n  ghcr.io: {mirror: \"" + proxy + "\"}\n");
  for (const char* format : {"--json", "--quiet"}) {
    SCOPED_TRACE(format);
    testreg::CommandResult r =
        RunWithCredentials({"resolve", format, "-C", (dir.path() / "repo").string(), "--platforms",
                            "linux/amd64", "ghcr.io/acme/echo:main"},
                           (dir.path() / "docker").string());
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("denied for Basic [redacted]"), std::string::npos)
        << r.out << r.err;
    ExpectNoSecret(r, {registry->password(), auth});
  }
  nlohmann::json log = registry->ProxyLog(proxy);
  bool echoed = false;
  for (const nlohmann::json& request : log["requests"]) echoed = echoed || request["status"] == 403;
  EXPECT_TRUE(echoed) << "the proxy never answered with the echoing 403: " << log.dump();
}

// A credential helper that fails after printing the secret on standard error.
TEST(RegistryCredentials, FailingHelperOutputNeverReachesOutput) {
  TestRegistry* registry = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(registry, nullptr);
  testing::TempDir dir;
  dir.Write("bin/docker-credential-leaky",
            "#!/bin/sh\ncat >/dev/null\necho 'SECRETPASS-helper-stderr' >&2\n"
            "echo '{\"Secret\": \"SECRETPASS-helper-stdout\"'\nexit 1\n");
  std::filesystem::permissions(dir.path() / "bin/docker-credential-leaky",
                               std::filesystem::perms::owner_all);
  dir.Write("docker/config.json", "{\"credHelpers\": {\"" + registry->host() + "\": \"leaky\"}}");
  testreg::CommandResult r =
      RunWithCredentials({"resolve", registry->host() + "/acme/secret:main"},
                         (dir.path() / "docker").string(), (dir.path() / "bin").string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(": credentials: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("docker-credential-leaky failed (exit 1)"), std::string::npos) << r.err;
  ExpectNoSecret(r, {"SECRETPASS"});
}

// A credential helper that hangs: --timeout covers it, and the error names it.
TEST(RegistryCredentials, HangingHelperIsStoppedAtTheTimeout) {
  TestRegistry* registry = TestRegistry::Shared(Mode::kBasic);
  ASSERT_NE(registry, nullptr);
  testing::TempDir dir;
  dir.Write("bin/docker-credential-hang", "#!/bin/sh\necho 'hang-helper-output' >&2\nsleep 30\n");
  std::filesystem::permissions(dir.path() / "bin/docker-credential-hang",
                               std::filesystem::perms::owner_all);
  dir.Write("docker/config.json", "{\"credHelpers\": {\"" + registry->host() + "\": \"hang\"}}");
  auto started = std::chrono::steady_clock::now();
  testreg::CommandResult r =
      RunWithCredentials({"resolve", "--timeout", "1", registry->host() + "/acme/secret:main"},
                         (dir.path() / "docker").string(), (dir.path() / "bin").string());
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::seconds(5)) << "took the helper's 30 s, not --timeout 1";
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(": deadline: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("docker-credential-hang"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hang-helper-output"), std::string::npos) << r.err;
}

TEST(RegistryFlags, TimeoutOutOfRangeIsOneShortLine) {
  for (const char* value : {"0", "-3", "1.5", "99999999999"}) {
    SCOPED_TRACE(value);
    testreg::CommandResult r =
        testreg::RunCommand({IMAGEPIN_BINARY, "resolve", "--timeout", value, "nginx:1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("must be a whole number of seconds from 1 to 2147483647"),
              std::string::npos)
        << r.err;
    std::string first_line = r.err.substr(0, r.err.find('\n'));
    EXPECT_LT(first_line.size(), 120u) << first_line;
  }
}

}  // namespace
}  // namespace imagepin
