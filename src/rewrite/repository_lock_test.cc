#include "rewrite/repository_lock.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "tests/testing/temp_dir.h"

namespace imagepin::rewrite {
namespace {

namespace fs = std::filesystem;

TEST(RepositoryLock, ASecondRunIsRefusedNamingTheHolder) {
  imagepin::testing::TempDir repo;
  fs::create_directories(repo.path() / ".git");
  base::Result<RepositoryLock> first = RepositoryLock::Acquire(repo.str(), "bump");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  base::Result<RepositoryLock> second = RepositoryLock::Acquire(repo.str(), "promote");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("another imagepin run is writing this repository"),
            std::string::npos);
  EXPECT_NE(second.error().message.find("imagepin bump"), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find("pid "), std::string::npos);
}

TEST(RepositoryLock, IsReleasedWhenTheHolderEnds) {
  imagepin::testing::TempDir repo;
  {
    base::Result<RepositoryLock> first = RepositoryLock::Acquire(repo.str(), "pin");
    ASSERT_TRUE(first.ok());
  }
  EXPECT_TRUE(RepositoryLock::Acquire(repo.str(), "pin").ok());
}

TEST(RepositoryLock, LivesInTheGitDirectoryWhenThereIsOne) {
  imagepin::testing::TempDir repo;
  fs::create_directories(repo.path() / ".git");
  base::Result<RepositoryLock> lock = RepositoryLock::Acquire(repo.str(), "bump");
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(lock->journal_path(), (repo.path() / ".git/imagepin-journal").string());
  EXPECT_TRUE(fs::exists(repo.path() / ".git/imagepin.lock"));
  EXPECT_FALSE(fs::exists(repo.path() / ".imagepin.lock"));
}

TEST(RepositoryLock, FollowsAWorktreesGitFile) {
  imagepin::testing::TempDir repo;
  fs::create_directories(repo.path() / "main/.git/worktrees/wt");
  repo.Write("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
  base::Result<RepositoryLock> lock =
      RepositoryLock::Acquire((repo.path() / "wt").string(), "bump");
  ASSERT_TRUE(lock.ok()) << lock.error().ToString();
  EXPECT_TRUE(fs::exists(repo.path() / "main/.git/worktrees/wt/imagepin.lock"));
}

TEST(RepositoryLock, WithoutGitTheLockIsAtTheRoot) {
  imagepin::testing::TempDir repo;
  base::Result<RepositoryLock> lock = RepositoryLock::Acquire(repo.str(), "bump");
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(lock->journal_path(), repo.str() + "/.imagepin-journal");
}

}  // namespace
}  // namespace imagepin::rewrite
