// Nothing lost under kill -9 and concurrency, end to end: `imagepin promote` rewrites hundreds of
// files; runs are killed at random moments, or two run at once, and every file must always be
// its old bytes or its new bytes, never a mix, with no temporary file or journal left once the
// next run has finished.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "rewrite/repository_lock.h"
#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace imagepin {
namespace {

namespace fs = std::filesystem;

constexpr int kServices = 120;  // enough renames that kills land between them
const std::string kOld = "sha256:" + std::string(64, 'a');
const std::string kNew = "sha256:" + std::string(64, 'b');

class WriteSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(repo_.path() / ".git");  // the lock and journal go there
    for (int i = 0; i < kServices; ++i) {
      repo_.Write(Dev(i),
                  "image:\n  ref: ghcr.io/acme/svc" + std::to_string(i) + "@" + kNew + "\n");
    }
    ResetStaging();
  }

  static std::string Dev(int i) {
    return "sources/values/env/dev/svc" + std::to_string(i) + ".yaml";
  }
  static std::string Staging(int i) {
    return "sources/values/env/staging/svc" + std::to_string(i) + ".yaml";
  }
  static std::string Values(int i, const std::string& digest) {
    return "image:\n  ref: ghcr.io/acme/svc" + std::to_string(i) + "@" + digest + "  # staging\n";
  }
  void ResetStaging() {
    for (int i = 0; i < kServices; ++i) repo_.Write(Staging(i), Values(i, kOld));
  }

  std::vector<std::string> PromoteArgs() const {
    return {IMAGEPIN_BINARY, "promote", "dev", "staging", "-C", repo_.str()};
  }
  pid_t Spawn() const {
    std::vector<std::string> args = PromoteArgs();
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }
  static int Wait(pid_t pid) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  // Every staging file is its old or its new bytes; returns how many are new.
  int CountNewOrFail() {
    int fresh = 0;
    for (int i = 0; i < kServices; ++i) {
      std::string text = repo_.Read(Staging(i));
      if (text == Values(i, kNew)) {
        ++fresh;
      } else {
        EXPECT_EQ(text, Values(i, kOld)) << Staging(i) << " is neither old nor new";
      }
    }
    return fresh;
  }
  // Leftovers: temporary files beside the values, or the journal.
  std::vector<std::string> Leftovers() {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(repo_.path())) {
      std::string name = e.path().filename().string();
      if (name.find(".imagepin-") != std::string::npos || name == "imagepin-journal")
        found.push_back(e.path().string());
    }
    return found;
  }

  testing::TempDir repo_;
};

TEST_F(WriteSafetyTest, KilledRunsLeaveFilesOldOrNewAndTheNextRunCleansUp) {
  // How long an uninterrupted run takes here, so that kills land all over it.
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(testreg::RunCommand(PromoteArgs()).exit_code, 0);
  auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  ASSERT_EQ(CountNewOrFail(), kServices);

  std::mt19937 random(20261201);
  int killed_mid_write = 0;
  constexpr int kIterations = 50;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    SCOPED_TRACE(iteration);
    ResetStaging();
    pid_t pid = Spawn();
    ::usleep(static_cast<useconds_t>(std::uniform_int_distribution<long>(0, run_us)(random)));
    ::kill(pid, SIGKILL);
    Wait(pid);
    int fresh = CountNewOrFail();
    if (fresh > 0 && fresh < kServices) ++killed_mid_write;
    // The next run finishes or undoes what the killed one left, then promotes.
    testreg::CommandResult next = testreg::RunCommand(PromoteArgs());
    ASSERT_EQ(next.exit_code, 0) << next.err;
    EXPECT_EQ(CountNewOrFail(), kServices);
    EXPECT_TRUE(Leftovers().empty()) << ::testing::PrintToString(Leftovers());
    if (::testing::Test::HasFailure()) break;
  }
  RecordProperty("killed_between_renames", killed_mid_write);
}

TEST_F(WriteSafetyTest, TwoRunsAtOnceNeverInterleave) {
  constexpr int kIterations = 25;
  int refused = 0;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    SCOPED_TRACE(iteration);
    ResetStaging();
    pid_t a = Spawn(), b = Spawn();
    int code_a = Wait(a), code_b = Wait(b);
    // One run writes; the other either found the lock taken (exit 3, nothing read or written)
    // or came after it and found nothing to do.
    EXPECT_TRUE(code_a == 0 || code_a == 3) << code_a;
    EXPECT_TRUE(code_b == 0 || code_b == 3) << code_b;
    EXPECT_TRUE(code_a == 0 || code_b == 0);
    refused += (code_a == 3) + (code_b == 3);
    EXPECT_EQ(CountNewOrFail(), kServices);
    EXPECT_TRUE(Leftovers().empty()) << ::testing::PrintToString(Leftovers());
    if (::testing::Test::HasFailure()) break;
  }
  RecordProperty("refused_by_the_lock", refused);
}

TEST_F(WriteSafetyTest, ARunWhileAnotherHoldsTheLockSaysWhoAndWritesNothing) {
  base::Result<rewrite::RepositoryLock> held =
      rewrite::RepositoryLock::Acquire(repo_.str(), "bump");
  ASSERT_TRUE(held.ok());
  testreg::CommandResult r = testreg::RunCommand(PromoteArgs());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("another imagepin run is writing this repository (pid "), std::string::npos)
      << r.err;
  EXPECT_EQ(CountNewOrFail(), 0);
}

}  // namespace
}  // namespace imagepin
