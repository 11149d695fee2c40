#include "policy/first_party.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace imagepin::policy {
namespace {

TEST(GitHubOwnerFromRemote, ReadsHttpsAndSshFormsLowercased) {
  for (const char* url : {"https://github.com/Acme/app.git", "https://github.com/acme/app",
                          "http://www.github.com/acme/app/", "git@github.com:Acme/app.git",
                          "ssh://git@github.com/acme/app.git", "ssh://git@github.com:22/acme/app",
                          "https://x-access-token:secret@github.com/acme/app.git",
                          "git://github.com/acme/app", "  git@GitHub.com:/acme/app  "}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(GitHubOwnerFromRemote(url), std::optional<std::string>("acme"));
  }
  for (const char* url : {"https://gitlab.com/acme/app", "git@github.example.com:acme/app",
                          "https://github.com/acme", "/srv/git/acme/app", "../app",
                          "https://github.com/-acme/app", "file:///github.com/acme/app", ""}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(GitHubOwnerFromRemote(url), std::nullopt);
  }
}

TEST(OriginUrlFromGitConfig, TakesTheFirstUrlOfTheOriginRemoteWithItsLine) {
  std::optional<RemoteUrl> url = OriginUrlFromGitConfig(
      "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/other/app\n"
      "[Remote \"origin\"]  # the fork\n\tURL = \"git@github.com:acme/app.git\" ; comment\n"
      "\turl = https://github.com/second/app\n");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->url, "git@github.com:acme/app.git");
  EXPECT_EQ(url->line, 6);
  EXPECT_FALSE(OriginUrlFromGitConfig("[remote \"Origin\"]\n\turl = x\n"));  // case-sensitive
  EXPECT_FALSE(OriginUrlFromGitConfig(""));
}

TEST(FirstPartyFromRepository, GitRemoteThenEnvironmentThenNone) {
  testing::TempDir repo;
  repo.Write(".git/config", "[remote \"origin\"]\n\turl = https://github.com/Acme/gitops.git\n");
  FirstPartyDefault git = FirstPartyFromRepository(repo.str(), "other");
  EXPECT_EQ(git.include, (std::vector<std::string>{"ghcr.io/acme/"}));
  EXPECT_EQ(git.origin.kind, Origin::Kind::kGitRemote);
  EXPECT_EQ(git.origin.line, 2);

  testing::TempDir plain;
  FirstPartyDefault env = FirstPartyFromRepository(plain.str(), "Acme-Corp");
  EXPECT_EQ(env.include, (std::vector<std::string>{"ghcr.io/acme-corp/"}));
  EXPECT_EQ(env.origin.kind, Origin::Kind::kEnvironment);

  FirstPartyDefault none = FirstPartyFromRepository(plain.str(), nullptr);
  EXPECT_TRUE(none.include.empty());
  EXPECT_EQ(none.origin.kind, Origin::Kind::kNone);
  Config config;
  config.first_party_origin = none.origin;
  EXPECT_EQ(FirstPartyNotice(config),
            "no first-party prefix (no .git here): set firstParty in .imagepin.yaml");
}

TEST(FirstPartyFromRepository, ANoteAboutAnotherHostShowsNoCredential) {
  testing::TempDir repo;
  repo.Write(".git/config",
             "[remote \"origin\"]\n\turl = https://bot:s3cret@git.example.com/acme/gitops.git"
             "?private_token=t0ken#frag\n");
  FirstPartyDefault found = FirstPartyFromRepository(repo.str(), nullptr);
  EXPECT_EQ(found.origin.kind, Origin::Kind::kNone);
  EXPECT_NE(found.origin.detail.find("https://git.example.com/acme/gitops.git"), std::string::npos)
      << found.origin.detail;
  for (const char* secret : {"s3cret", "bot", "t0ken", "frag"})
    EXPECT_EQ(found.origin.detail.find(secret), std::string::npos) << found.origin.detail;
}

TEST(FirstPartyFromRepository, AGitFileIsNotFollowed) {
  testing::TempDir outside;
  outside.Write("config", "[remote \"origin\"]\n\turl = https://github.com/acme/app\n");
  testing::TempDir worktree;
  worktree.Write(".git", "gitdir: " + outside.str() + "\n");
  FirstPartyDefault found = FirstPartyFromRepository(worktree.str(), nullptr);
  EXPECT_TRUE(found.include.empty());
  EXPECT_EQ(found.origin.kind, Origin::Kind::kNone);
  EXPECT_NE(found.origin.detail.find("not followed"), std::string::npos) << found.origin.detail;
}

TEST(IsFirstParty, IncludeMinusExclude) {
  base::Result<Config> config = ParseConfig(
      "firstParty: {include: [ghcr.io/acme/, docker.io/acme/], exclude: [ghcr.io/acme/mirror/]}\n",
      ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_TRUE(IsFirstParty(*config, "ghcr.io/acme/api"));
  EXPECT_TRUE(IsFirstParty(*config, "acme/api"));  // docker.io/acme/api
  EXPECT_FALSE(IsFirstParty(*config, "ghcr.io/acme/mirror/nginx"));
  EXPECT_FALSE(IsFirstParty(*config, "ghcr.io/other/api"));
  EXPECT_EQ(config->first_party_origin.kind, Origin::Kind::kFile);
}

TEST(IsFirstParty, AnExcludeUnderNoIncludeIsAnError) {
  base::Result<Config> config =
      ParseConfig("firstParty:\n  include: [ghcr.io/acme/]\n  exclude: [quay.io/acme/]\n", "c");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("excludes nothing"), std::string::npos)
      << config.error().message;
}

TEST(IsFirstParty, AnEmptyListSaysNoneWithoutANotice) {
  base::Result<Config> config = ParseConfig("firstParty: []\n", "c");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_FALSE(IsFirstParty(*config, "ghcr.io/acme/api"));
  EXPECT_EQ(FirstPartyNotice(*config), "");
}

}  // namespace
}  // namespace imagepin::policy
