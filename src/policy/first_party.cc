#include "policy/first_party.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/files.h"
#include "base/strings.h"
#include "ref/reference.h"

namespace imagepin::policy {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxGitConfigSize = size_t{1} << 20;

// GitHub's rule for user and organisation names: 1-39 letters, digits and single hyphens, not
// at either end.
bool IsGitHubOwner(std::string_view owner) {
  if (owner.empty() || owner.size() > 39 || owner.front() == '-' || owner.back() == '-') {
    return false;
  }
  return std::all_of(owner.begin(), owner.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool IsGitHubHost(std::string_view host) {
  return base::EqualsIgnoringCase(host, "github.com") ||
         base::EqualsIgnoringCase(host, "www.github.com");
}

// `url` without its user information (a token can sit there: https://x:TOKEN@github.com/...),
// for showing where a value came from.
std::string WithoutUserInfo(std::string_view url) {
  // A query or fragment can carry a token as user information can: neither is shown.
  url = url.substr(0, url.find_first_of("?#"));
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t authority = scheme + 3;
  size_t end = url.find('/', authority);
  size_t at =
      url.substr(authority, end == std::string_view::npos ? end : end - authority).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(authority + at + 1));
}

// A git config value: surrounding blanks dropped, `#`/`;` comments outside quotes cut, quotes
// removed and \\ \" \t \n \b unescaped, as git reads it.
std::string GitConfigValue(std::string_view raw) {
  std::string out;
  bool quoted = false;
  size_t kept = 0;  // out's length up to the last character that is not trailing blank
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && (c == '#' || c == ';')) break;
    if (c == '\\' && i + 1 < raw.size()) {
      char e = raw[++i];
      out += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'b' ? '\b' : e;
      kept = out.size();
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t') && out.empty()) continue;
    out += c;
    if (quoted || (c != ' ' && c != '\t' && c != '\r')) kept = out.size();
  }
  out.resize(kept);
  return out;
}

// Whether a section header line (`[remote "origin"]`, or the old `[remote.origin]`) opens the
// origin remote. Section names are case-insensitive, the quoted subsection is not.
bool OpensOriginRemote(std::string_view header) {
  header = base::TrimSpace(header);
  if (!header.starts_with('[')) return false;
  size_t close = header.rfind(']');
  if (close == std::string_view::npos) return false;
  std::string_view inside = base::TrimSpace(header.substr(1, close - 1));
  size_t quote = inside.find('"');
  if (quote == std::string_view::npos) return base::EqualsIgnoringCase(inside, "remote.origin");
  std::string_view section = base::TrimSpace(inside.substr(0, quote));
  std::string_view subsection = inside.substr(quote);
  return base::EqualsIgnoringCase(section, "remote") && subsection == "\"origin\"";
}

}  // namespace

bool MatchesRepositoryPrefix(std::string_view repository,
                             const std::vector<std::string>& prefixes) {
  // docs/config.md: prefixes are compared with the fully qualified repository, so that
  // `docker.io/acme/` catches `acme/api`; the text as written is compared too. A prefix ending
  // in `/` (an exclude checked against the includes) is completed with a component to parse.
  if (prefixes.empty()) return false;  // most configs exclude nothing: skip the parse
  bool is_prefix = repository.ends_with('/');
  std::string qualified;
  if (base::Result<ref::Reference> parsed =
          ref::ParseReference(is_prefix ? std::string(repository) + "x" : std::string(repository));
      parsed.ok()) {
    qualified = parsed->Repository();
    if (is_prefix) qualified.pop_back();
  }
  for (const std::string& prefix : prefixes) {
    if (repository.starts_with(prefix)) return true;
    if (!qualified.empty() && qualified.starts_with(prefix)) return true;
  }
  return false;
}

bool IsFirstParty(const Config& config, std::string_view repository) {
  return MatchesRepositoryPrefix(repository, config.first_party.include) &&
         !MatchesRepositoryPrefix(repository, config.first_party.exclude);
}

std::optional<std::string> GitHubOwnerFromRemote(std::string_view url) {
  url = base::TrimSpace(url);
  std::string_view host, path;
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    std::string name = base::AsciiLower(url.substr(0, scheme));
    if (name != "https" && name != "http" && name != "ssh" && name != "git" && name != "git+ssh" &&
        name != "ssh+git") {
      return std::nullopt;
    }
    std::string_view rest = url.substr(scheme + 3);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    host = rest.substr(0, slash);
    if (size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    if (size_t colon = host.find(':'); colon != std::string_view::npos)
      host = host.substr(0, colon);
    path = rest.substr(slash + 1);
  } else {
    // scp-like: [user@]host:path, with no `/` before the `:` (else it is a local path).
    size_t colon = url.find(':');
    if (colon == std::string_view::npos || url.substr(0, colon).find('/') != std::string_view::npos)
      return std::nullopt;
    host = url.substr(0, colon);
    if (size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    path = url.substr(colon + 1);
  }
  if (!IsGitHubHost(host)) return std::nullopt;
  while (path.starts_with('/')) path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash + 1 == path.size())
    return std::nullopt;  // owner/repo
  std::string_view owner = path.substr(0, slash);
  if (!IsGitHubOwner(owner)) return std::nullopt;
  return base::AsciiLower(owner);
}

std::optional<RemoteUrl> OriginUrlFromGitConfig(std::string_view text) {
  bool in_origin = false;
  int line_number = 0;
  for (std::string_view rest = text; !rest.empty();) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    ++line_number;
    std::string_view trimmed = base::TrimSpace(line);
    if (trimmed.starts_with('[')) {
      in_origin = OpensOriginRemote(trimmed);
      // `[remote "origin"] url = …` on one line is valid git config too.
      size_t close = trimmed.find(']');
      trimmed = base::TrimSpace(trimmed.substr(close == std::string_view::npos ? 0 : close + 1));
      if (trimmed.empty() || !in_origin) continue;
    }
    if (!in_origin) continue;
    size_t equals = trimmed.find('=');
    if (equals == std::string_view::npos) continue;
    if (!base::EqualsIgnoringCase(base::TrimSpace(trimmed.substr(0, equals)), "url")) continue;
    std::string url = GitConfigValue(trimmed.substr(equals + 1));
    if (!url.empty()) return RemoteUrl{std::move(url), line_number};
  }
  return std::nullopt;
}

FirstPartyDefault FirstPartyFromRepository(const std::string& root, const char* github_owner) {
  FirstPartyDefault out;
  const fs::path dot_git = fs::path(root) / ".git";
  std::error_code ec;
  fs::file_status status = fs::symlink_status(dot_git, ec);
  std::string why;
  if (fs::is_directory(status)) {
    std::string text;
    base::Status read = base::ReadFileInto((dot_git / "config").string(), kMaxGitConfigSize, &text);
    std::optional<RemoteUrl> origin;
    if (read.ok()) origin = OriginUrlFromGitConfig(text);
    if (origin) {
      if (std::optional<std::string> owner = GitHubOwnerFromRemote(origin->url)) {
        out.include = {fmt::format("ghcr.io/{}/", *owner)};
        out.origin = {Origin::Kind::kGitRemote, origin->line, WithoutUserInfo(origin->url)};
        return out;
      }
      why = fmt::format("the origin remote {} is not on github.com", WithoutUserInfo(origin->url));
    } else {
      why = read.ok() ? "no origin remote in .git/config" : "cannot read .git/config";
    }
  } else if (status.type() == fs::file_type::not_found) {
    why = "no .git here";
  } else {
    // A worktree's or submodule's `.git` file (or a symlink) names a git directory elsewhere:
    // nothing outside the repository is read.
    why = ".git is not a directory (a worktree or submodule points elsewhere; not followed)";
  }
  std::string_view owner = github_owner ? std::string_view(github_owner) : std::string_view();
  if (IsGitHubOwner(owner)) {
    out.include = {fmt::format("ghcr.io/{}/", base::AsciiLower(owner))};
    out.origin = {Origin::Kind::kEnvironment, 0, "GITHUB_REPOSITORY_OWNER"};
    return out;
  }
  if (!owner.empty()) why += "; GITHUB_REPOSITORY_OWNER is not a GitHub owner";
  out.origin = {Origin::Kind::kNone, 0, why};
  return out;
}

std::string FirstPartyNotice(const Config& config) {
  if (config.first_party_origin.kind != Origin::Kind::kNone) return "";
  return fmt::format("no first-party prefix ({}): set firstParty in {}",
                     config.first_party_origin.detail, kConfigFileName);
}

}  // namespace imagepin::policy
