// Which images are the organisation's own (`firstParty`, docs/config.md#firstparty): the one
// question every rule and planner asks through IsFirstParty, and the default read from the
// repository itself when the config does not say.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/config.h"

namespace imagepin::policy {

// True when `repository` (as written, or fully qualified: `acme/api` is docker.io/acme/api)
// starts with an include prefix and with no exclude prefix.
bool IsFirstParty(const Config& config, std::string_view repository);

// True when `repository` (or a prefix ending in `/`) starts with one of `prefixes`, as written
// or fully qualified.
bool MatchesRepositoryPrefix(std::string_view repository, const std::vector<std::string>& prefixes);

// The GitHub owner a remote URL names, lowercased as ghcr.io names it: "acme" for
// https://github.com/Acme/app.git, git@github.com:acme/app, ssh://git@github.com/acme/app.
// nullopt for any other host or shape.
std::optional<std::string> GitHubOwnerFromRemote(std::string_view url);

// `remote.origin.url` in git config text (the first, as `git fetch` takes it), with the line it
// is on; nullopt when there is none.
struct RemoteUrl {
  std::string url;
  int line = 0;
};
std::optional<RemoteUrl> OriginUrlFromGitConfig(std::string_view text);

// The first-party default for the repository at `root` when the config has no firstParty: from
// <root>/.git/config's origin on github.com (ghcr.io/<owner>/), else from `github_owner` (the
// GITHUB_REPOSITORY_OWNER environment variable; null or empty: unset), else none, with why.
// Reads only <root>/.git/config: a `.git` file (a worktree or submodule) points outside the
// repository and is not followed; git itself is not run, so no user or system config applies.
struct FirstPartyDefault {
  std::vector<std::string> include;
  Origin origin;
};
FirstPartyDefault FirstPartyFromRepository(const std::string& root, const char* github_owner);

// The notice to print once when there is no first-party prefix at all (empty otherwise):
// "no first-party prefix (why): set firstParty in .imagepin.yaml".
std::string FirstPartyNotice(const Config& config);

}  // namespace imagepin::policy
