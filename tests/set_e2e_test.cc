// End-to-end tests of `imagepin set` and `imagepin rollback`: the real binary against a real
// registry (Debian's docker-registry on loopback, tests/registry/) and, for rollback, a real git
// repository. set writes a pushed digest byte-exactly or writes nothing; the bump workflow's
// dispatch step is run as GitHub would run it, with the real binary; rollback finds the previous
// digest in git, writes it and holds it, and the next bump leaves it alone.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/files.h"
#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"
#include "yaml/document.h"
#include "yaml/parser.h"

namespace imagepin {
namespace {

namespace fs = std::filesystem;
using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;

const std::string kZeros = "sha256:" + std::string(64, '0');

class SetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = TestRegistry::Shared(Mode::kPlain);
    ASSERT_NE(registry_, nullptr);
    prefix_ =
        "acme/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : prefix_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Config("");
  }

  // The config, with `bump` (YAML at the top level, e.g. "bump:\n  holds: …\n") after it.
  void Config(const std::string& bump) {
    config_ = "firstParty: [ghcr.io/acme/]\nregistries:\n  ghcr.io: {mirror: \"" +
              registry_->host() + "\"}\n" + bump;
    repo_.Write(".imagepin.yaml", config_);
  }

  testreg::CommandResult Imagepin(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }

  std::string Repo(const std::string& service) { return prefix_ + "-" + service; }
  std::string Ref(const std::string& service) { return "ghcr.io/" + Repo(service); }

  // Every file of the repository (but .git), for "nothing was written".
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(repo_.path())) {
      std::string rel = fs::relative(e.path(), repo_.path()).string();
      // .git, and the lock file a writing run holds outside git (not a write of content).
      if (rel.starts_with(".git") || rel == ".imagepin.lock") continue;
      if (e.is_regular_file()) files[rel] = repo_.Read(rel);
    }
    return files;
  }

  TestRegistry* registry_ = nullptr;
  testing::TempDir repo_;
  std::string prefix_;
  std::string config_;
};

// A values file with comments, quotes and CRLF around the reference: only its bytes may change.
std::string ApiValues(const std::string& ref) {
  return "# api in dev\r\nimage:\r\n  ref: \"" + ref +
         "\"   # set by CI\r\n  pullPolicy: IfNotPresent\r\nreplicas: 2\r\n";
}

TEST_F(SetTest, WritesTheDigestByteExactly) {
  std::string digest = registry_->Push(Repo("api"), "1.4.2", ImageKind::kIndex, 1);
  const std::string old_ref = Ref("api") + "@" + kZeros;
  const std::string before = ApiValues(old_ref);
  repo_.Write("sources/values/env/dev/api.yaml", before);
  const std::string web = "image:\n  ref: " + Ref("web") + "@" + kZeros + "\n";
  repo_.Write("sources/values/env/dev/web.yaml", web);
  const std::string local = "image:\n  ref: " + old_ref + "\n";
  repo_.Write("sources/values/env/local/api.yaml", local);

  std::string summary = (repo_.path() / "summary.md").string();
  testreg::CommandResult r =
      Imagepin({"set", "dev", Ref("api") + ":1.4.2@" + digest, "--summary-md", summary});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The whole file: the bytes before the reference, the new reference, the bytes after.
  const std::string new_ref = Ref("api") + ":1.4.2@" + digest;
  size_t at = before.find(old_ref);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            before.substr(0, at) + new_ref + before.substr(at + old_ref.size()));
  EXPECT_EQ(repo_.Read("sources/values/env/dev/web.yaml"), web) << "another repository";
  EXPECT_EQ(repo_.Read("sources/values/env/local/api.yaml"), local) << "another environment";
  EXPECT_NE(r.out.find("sources/values/env/dev/api.yaml:3:8: dev api: sha256:000000000000 → "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": 1 changed, 0 unchanged; 1 file written"), std::string::npos) << r.out;
  std::string md = repo_.Read("summary.md");
  EXPECT_NE(md.find("## imagepin set: dev → `" + new_ref + "`"), std::string::npos) << md;
  EXPECT_NE(md.find("| api | dev | `" + Ref("api") + "` | `sha256:000000000000` |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("multi-arch index with linux/amd64, linux/arm64"), std::string::npos) << md;

  // Again: nothing changes, not even the mtime.
  fs::file_time_type mtime = fs::last_write_time(repo_.path() / "sources/values/env/dev/api.yaml");
  testreg::CommandResult again = Imagepin({"set", "dev", new_ref, "--format", "json", "--dry-run"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  nlohmann::json j = nlohmann::json::parse(again.out);
  ASSERT_EQ(j["changes"].size(), 1u);
  EXPECT_EQ(j["changes"][0]["old"], digest);
  EXPECT_EQ(j["changes"][0]["new"], digest);
  EXPECT_EQ(j["changes"][0]["value"], new_ref);
  EXPECT_EQ(j["changes"][0]["changed"], false);
  EXPECT_EQ(j["digest"], digest);
  EXPECT_EQ(j["filesWritten"], 0);
  EXPECT_EQ(fs::last_write_time(repo_.path() / "sources/values/env/dev/api.yaml"), mtime);
}

TEST_F(SetTest, RefusesWhatItMustNotWriteAndWritesNothing) {
  std::string index = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 2);
  std::string single = registry_->Push(Repo("api"), "single", ImageKind::kSingle, 3);
  std::string amd64 = registry_->Push(Repo("api"), "amd64", ImageKind::kIndexAmd64Only, 4);
  repo_.Write("sources/values/env/dev/api.yaml", ApiValues(Ref("api") + "@" + kZeros));
  repo_.Write("sources/values/env/dev/redis.yaml",
              "image:\n  ref: docker.io/library/redis@" + kZeros + "\n");
  const std::map<std::string, std::string> before = Snapshot();
  struct Case {
    std::string reference;
    int exit_code;
    std::string says;
  };
  const std::string missing = "sha256:" + std::string(64, 'e');
  for (const Case& c : std::vector<Case>{
           {Ref("api") + ":1.4.2", 2,
            "has no digest: set writes only a reference pinned by digest"},
           {Ref("api"), 2, "has no digest"},
           {"docker.io/library/redis@" + index, 2,
            "docker.io/library/redis is not first-party (firstParty: ghcr.io/acme/)"},
           {Ref("api") + ":main@" + index, 2, "floating tag \"main\""},
           {Ref("billing") + "@" + index, 2, "no field of " + Ref("billing") + " in dev"},
           {Ref("api") + "@" + missing, 3, "not-found"},
           {Ref("api") + "@" + single, 3, "is a single-platform image that lacks linux/amd64"},
           {Ref("api") + "@" + amd64, 3, "is an index that lacks linux/arm64"},
       }) {
    SCOPED_TRACE(c.reference);
    testreg::CommandResult r = Imagepin({"set", "dev", c.reference});
    EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(Snapshot(), before) << "nothing written";
  }
  testreg::CommandResult env = Imagepin({"set", "nowhere", Ref("api") + "@" + index});
  EXPECT_EQ(env.exit_code, 2) << env.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(SetTest, AppLimitsWhichFieldsAreWritten) {
  std::string digest = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 5);
  // worker runs api's image as a sidecar: without --app, set writes both.
  const std::string api = "image:\n  ref: " + Ref("api") + "@" + kZeros + "\n";
  const std::string worker = "image:\n  ref: " + Ref("worker") + "@" + kZeros +
                             "\nsidecar:\n  image:\n    ref: '" + Ref("api") + "@" + kZeros + "'\n";
  repo_.Write("sources/values/env/dev/api.yaml", api);
  repo_.Write("sources/values/env/dev/worker.yaml", worker);
  testreg::CommandResult r = Imagepin({"set", "dev", Ref("api") + "@" + digest, "--app", "worker"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), api);
  EXPECT_EQ(repo_.Read("sources/values/env/dev/worker.yaml"),
            "image:\n  ref: " + Ref("worker") + "@" + kZeros + "\nsidecar:\n  image:\n    ref: '" +
                Ref("api") + "@" + digest + "'\n");
  testreg::CommandResult typo =
      Imagepin({"set", "dev", Ref("api") + "@" + digest, "--app", "apii"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("no field of " + Ref("api") + " in dev for apii"), std::string::npos)
      << typo.err;
  testreg::CommandResult both = Imagepin({"set", "dev", Ref("api") + "@" + digest});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            "image:\n  ref: " + Ref("api") + "@" + digest + "\n");
}

TEST_F(SetTest, AHeldFieldIsReportedAndWrittenOnlyWithIgnoreHolds) {
  std::string digest = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 6);
  Config("bump:\n  holds:\n    - {app: api, env: dev, reason: \"bisecting INC-7\"}\n");
  const std::string held = ApiValues(Ref("api") + "@" + kZeros);
  repo_.Write("sources/values/env/dev/api.yaml", held);
  std::string summary = (repo_.path() / "summary.md").string();
  testreg::CommandResult r =
      Imagepin({"set", "dev", Ref("api") + "@" + digest, "--summary-md", summary});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), held);
  EXPECT_NE(r.out.find("sources/values/env/dev/api.yaml:3:8: dev api: held (bisecting INC-7), no "
                       "end [.imagepin.yaml:6], not written (--ignore-holds writes it)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": 0 changed, 0 unchanged, 1 held; 0 files written"), std::string::npos)
      << r.out;
  EXPECT_NE(repo_.Read("summary.md")
                .find("| api | dev | `" + Ref("api") + "` | bisecting INC-7 | - | not written |"),
            std::string::npos);

  testreg::CommandResult ignored =
      Imagepin({"set", "dev", Ref("api") + "@" + digest, "--ignore-holds"});
  ASSERT_EQ(ignored.exit_code, 0) << ignored.out << ignored.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), ApiValues(Ref("api") + "@" + digest));
  EXPECT_NE(ignored.out.find("(written: --ignore-holds)"), std::string::npos) << ignored.out;
}

// ---------------------------------------------------------------------------------------------
// The bump workflow's dispatch step, run as GitHub runs a bash step, with the real binary.

// The `run` script and `env` of the step with `id` in the bump workflow.
struct WorkflowStep {
  std::string run;
  std::map<std::string, std::string> env;
};

WorkflowStep StepWithId(const std::string& id) {
  std::string text;
  std::string path =
      std::string(IMAGEPIN_SOURCE_DIR) + "/examples/github/bump-local-dev-images.yaml";
  EXPECT_TRUE(base::ReadFileInto(path, 1 << 20, &text).ok());
  WorkflowStep step;
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  EXPECT_TRUE(parser.Parse(
      text,
      [&](const yaml::Document& doc) {
        auto scalar = [&](yaml::NodeId n) {
          return n == yaml::kNoNode ? std::string() : std::string(doc.Value(n));
        };
        yaml::NodeId jobs = doc.Get(doc.root(), "jobs");
        for (yaml::NodeId k = doc.node(jobs).first_child; k != yaml::kNoNode;
             k = doc.node(doc.node(k).next_sibling).next_sibling) {
          yaml::NodeId steps = doc.Get(doc.node(k).next_sibling, "steps");
          for (yaml::NodeId s = doc.node(steps).first_child; s != yaml::kNoNode;
               s = doc.node(s).next_sibling) {
            if (scalar(doc.Get(s, "id")) != id) continue;
            step.run = scalar(doc.Get(s, "run"));
            yaml::NodeId env = doc.Get(s, "env");
            for (yaml::NodeId e = env == yaml::kNoNode ? yaml::kNoNode : doc.node(env).first_child;
                 e != yaml::kNoNode; e = doc.node(doc.node(e).next_sibling).next_sibling) {
              step.env[scalar(e)] = scalar(doc.node(e).next_sibling);
            }
          }
        }
      },
      &error));
  return step;
}

class DispatchTest : public SetTest {
 protected:
  // Runs the set step in the repository with the payload's image and env, the real imagepin
  // first on PATH; GITHUB_OUTPUT and RUNNER_TEMP in a scratch directory.
  testreg::CommandResult RunSetStep(const std::string& image, const std::string& env) {
    WorkflowStep step = StepWithId("set");
    EXPECT_EQ(step.env["IMAGE"], "${{ github.event.client_payload.image }}");
    EXPECT_EQ(step.env["TARGET_ENV"], "${{ github.event.client_payload.env }}");
    fs::create_directories(runner_.path() / "bin");
    fs::create_symlink(IMAGEPIN_BINARY, runner_.path() / "bin/imagepin", ec_);
    fs::path script = runner_.Write("step.sh", "cd '" + repo_.str() + "'\n" + step.run);
    runner_.Write("output", "");
    const char* path = std::getenv("PATH");
    return testreg::RunCommand({"env", "-i", "PATH=" + runner_.str() + "/bin:" + (path ? path : ""),
                                "HOME=" + runner_.str(), "RUNNER_TEMP=" + runner_.str(),
                                "GITHUB_OUTPUT=" + runner_.str() + "/output", "IMAGE=" + image,
                                "TARGET_ENV=" + env, "bash", "--noprofile", "--norc", "-eo",
                                "pipefail", script.string()});
  }
  testing::TempDir runner_;
  std::error_code ec_;
};

TEST_F(DispatchTest, ThePayloadIsSetAndAnythingElseRefused) {
  std::string digest = registry_->Push(Repo("api"), "main", ImageKind::kIndex, 7);
  repo_.Write("sources/values/env/dev/api.yaml", ApiValues(Ref("api") + "@" + kZeros));
  repo_.Write("sources/values/env/dev/redis.yaml",
              "image:\n  ref: docker.io/library/redis@" + kZeros + "\n");
  const std::map<std::string, std::string> before = Snapshot();

  // Refused by set itself, exit 2, nothing written: no digest; not first-party.
  testreg::CommandResult tag = RunSetStep(Ref("api") + ":1.4.2", "dev");
  EXPECT_EQ(tag.exit_code, 2) << tag.out << tag.err;
  EXPECT_NE(tag.err.find("has no digest"), std::string::npos) << tag.err;
  testreg::CommandResult third = RunSetStep("docker.io/library/redis@" + digest, "dev");
  EXPECT_EQ(third.exit_code, 2) << third.out << third.err;
  EXPECT_NE(third.err.find("is not first-party"), std::string::npos) << third.err;
  // An option or shell code in the payload stays one argument: no option, no command.
  testreg::CommandResult hostile = RunSetStep("--dry-run $(touch pwned) `touch pwned`", "dev");
  EXPECT_EQ(hostile.exit_code, 2) << hostile.out << hostile.err;
  EXPECT_NE(hostile.err.find("invalid reference \"--dry-run $(touch pwned)"), std::string::npos)
      << hostile.err;
  EXPECT_FALSE(fs::exists(repo_.path() / "pwned"));
  // The workflow takes only the fast lanes.
  testreg::CommandResult staging = RunSetStep(Ref("api") + "@" + digest, "staging");
  EXPECT_EQ(staging.exit_code, 2) << staging.out;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(runner_.Read("output"), "") << "no outputs: the pull request steps have nothing";

  testreg::CommandResult r = RunSetStep(Ref("api") + "@" + digest, "dev");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"), ApiValues(Ref("api") + "@" + digest));
  EXPECT_EQ(runner_.Read("output"), "summary-path=" + runner_.str() + "/set-summary.md\n" +
                                        "branch=imagepin/set-dev-ghcr.io-" + prefix_.substr(0, 4) +
                                        "-" + prefix_.substr(5) + "-api\nenvironment=dev\n");
  EXPECT_NE(runner_.Read("set-summary.md").find("## imagepin set: dev"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// rollback, in a real git repository.

class RollbackTest : public SetTest {
 protected:
  testreg::CommandResult Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo_.str(), "-c", "user.name=t", "-c",
                               "user.email=t@example.com", "-c", "commit.gpgsign=false"});
    testreg::CommandResult r = testreg::RunCommand(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }
  std::string Head() {
    std::string h = Git({"rev-parse", "HEAD"}).out;
    return h.substr(0, h.find('\n'));
  }
  // A git repository where dev's api went through three digests, one commit each; the registry's
  // :main is at the third.
  void ThreeDigests() {
    for (int i = 1; i <= 3; ++i) {
      digests_.push_back(registry_->Push(Repo("api"), "main", ImageKind::kIndex, 10 + i));
    }
    registry_->Push(Repo("web"), "main", ImageKind::kIndex, 10);
    Git({"init", "-q"});
    repo_.Write("sources/values/env/dev/web.yaml",
                "image:\n  ref: " + Ref("web") + "@" + kZeros + "\n");
    for (int i = 0; i < 3; ++i) {
      repo_.Write("sources/values/env/dev/api.yaml", ApiValues(Ref("api") + "@" + digests_[i]));
      Git({"add", "-A"});
      Git({"commit", "-q", "-m", "bump api " + std::to_string(i + 1)});
      commits_.push_back(Head());
    }
  }
  std::vector<std::string> digests_, commits_;
};

TEST_F(RollbackTest, WritesThePreviousDigestAndHoldsItAgainstTheNextBump) {
  ThreeDigests();
  const std::string config_before = repo_.Read(".imagepin.yaml");
  testreg::CommandResult r = Imagepin({"rollback", "api", "dev", "--reason", "INC-7: bad build"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            ApiValues(Ref("api") + "@" + digests_[1]));
  const std::string hold = "    - {app: api, env: dev, reason: \"INC-7: bad build\"}";
  EXPECT_EQ(repo_.Read(".imagepin.yaml"), config_before + "bump:\n  holds:\n" + hold + "\n")
      << "only bytes added";
  EXPECT_NE(r.out.find("sources/values/env/dev/api.yaml:3:8: dev api: " + digests_[2] + " → " +
                       digests_[1]),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("from commit " + commits_[1].substr(0, 12)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"bump api 2\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("delete lines 4-6 of .imagepin.yaml:\nbump:\n  holds:\n" + hold + "\n"),
            std::string::npos)
      << r.out;

  // The next bump (the registry's :main is the bad digest) leaves it and says so.
  testreg::CommandResult bump = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(bump.exit_code, 0) << bump.out << bump.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            ApiValues(Ref("api") + "@" + digests_[1]));
  EXPECT_NE(bump.out.find("dev api: held (INC-7: bad build), no end [.imagepin.yaml:6]"),
            std::string::npos)
      << bump.out;

  // Lifting the hold as the output says (the lines it added): bump moves it again.
  repo_.Write(".imagepin.yaml", config_before);
  testreg::CommandResult lifted = Imagepin({"bump", "--env", "dev"});
  ASSERT_EQ(lifted.exit_code, 0) << lifted.out << lifted.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            ApiValues(Ref("api") + "@" + digests_[2]));
}

TEST_F(RollbackTest, ToARevisionOrADigest) {
  ThreeDigests();
  // An existing holds list gets the new entry after its last.
  Config("bump:\n  holds:\n    - {app: web, env: dev, reason: \"demo\"}\n");
  testreg::CommandResult rev =
      Imagepin({"rollback", "api", "dev", "--to", "HEAD~2", "--reason", "back to the first"});
  ASSERT_EQ(rev.exit_code, 0) << rev.out << rev.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            ApiValues(Ref("api") + "@" + digests_[0]));
  EXPECT_EQ(repo_.Read(".imagepin.yaml"),
            config_ + "    - {app: api, env: dev, reason: \"back to the first\"}\n");
  EXPECT_NE(rev.out.find("from commit " + commits_[0].substr(0, 12)), std::string::npos) << rev.out;
  EXPECT_NE(rev.out.find("delete line 7 of .imagepin.yaml:\n    - {app: api, env: dev, reason: "
                         "\"back to the first\"}\n"),
            std::string::npos)
      << rev.out;

  // Held already: a second rollback still writes, and adds no second hold.
  const std::string config_now = repo_.Read(".imagepin.yaml");
  testreg::CommandResult digest =
      Imagepin({"rollback", "api", "dev", "--to", digests_[1], "--reason", "the second"});
  ASSERT_EQ(digest.exit_code, 0) << digest.out << digest.err;
  EXPECT_EQ(repo_.Read("sources/values/env/dev/api.yaml"),
            ApiValues(Ref("api") + "@" + digests_[1]));
  EXPECT_EQ(repo_.Read(".imagepin.yaml"), config_now);
  EXPECT_NE(digest.out.find("from commit " + commits_[1].substr(0, 12)), std::string::npos)
      << digest.out;
  EXPECT_NE(digest.out.find("already held by .imagepin.yaml:7"), std::string::npos) << digest.out;

  // A digest the registry does not have: refused, nothing written.
  const std::map<std::string, std::string> before = Snapshot();
  testreg::CommandResult gone = Imagepin(
      {"rollback", "api", "dev", "--to", "sha256:" + std::string(64, 'e'), "--reason", "x"});
  EXPECT_EQ(gone.exit_code, 3) << gone.out << gone.err;
  EXPECT_NE(gone.err.find("not-found"), std::string::npos) << gone.err;
  testreg::CommandResult bad_rev =
      Imagepin({"rollback", "api", "dev", "--to", "no-such-branch", "--reason", "x"});
  EXPECT_EQ(bad_rev.exit_code, 2) << bad_rev.err;
  EXPECT_NE(bad_rev.err.find("\"no-such-branch\" names no commit"), std::string::npos)
      << bad_rev.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RollbackTest, NoEarlierDigestOrNoGitIsAnErrorAndWritesNothing) {
  digests_.push_back(registry_->Push(Repo("api"), "main", ImageKind::kIndex, 20));
  repo_.Write("sources/values/env/dev/api.yaml", ApiValues(Ref("api") + "@" + digests_[0]));
  const std::map<std::string, std::string> before = Snapshot();
  testreg::CommandResult no_git = Imagepin({"rollback", "api", "dev", "--reason", "x"});
  EXPECT_EQ(no_git.exit_code, 2) << no_git.out << no_git.err;
  EXPECT_NE(no_git.err.find("is not in a git work tree"), std::string::npos) << no_git.err;
  EXPECT_EQ(Snapshot(), before);

  Git({"init", "-q"});
  Git({"add", "-A"});
  Git({"commit", "-q", "-m", "one digest"});
  testreg::CommandResult one = Imagepin({"rollback", "api", "dev", "--reason", "x"});
  EXPECT_EQ(one.exit_code, 2) << one.out << one.err;
  EXPECT_NE(one.err.find("no earlier digest of image.ref in the git history of "
                         "sources/values/env/dev/api.yaml (1 commit read)"),
            std::string::npos)
      << one.err;
  testreg::CommandResult unknown = Imagepin({"rollback", "billing", "dev", "--reason", "x"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("billing has no first-party image.ref in dev"), std::string::npos)
      << unknown.err;
  EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace imagepin
