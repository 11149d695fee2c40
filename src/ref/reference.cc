// A hand-written scanner for the distribution/reference grammar (v0.6, go-digest v1.0.0).
//
// The Go package runs ParseNormalizedNamed: split off a domain with plain string rules, check the
// repository part for uppercase, then match domain + "/" + remainder against one big regexp and
// validate the digest. This file follows the same steps in the same order, because the order
// decides which error message the user sees. Regexp matching is replaced by scanning: the grammar
// has no ambiguity once the domain is split off (see SplitRemainder), and ~70k references per run
// make std::regex too slow.
#include "ref/reference.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace imagepin::ref {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";
constexpr std::string_view kLocalhost = "localhost";
constexpr std::string_view kDefaultTag = "latest";

// Since distribution/reference v0.6 the limit applies to the path only, domain excluded (but the
// "library/" that normalisation adds counts).
constexpr std::size_t kMaxPathLength = 255;
constexpr std::size_t kMaxTagLength = 128;
// The reference grammar wants at least 32 hex digits before go-digest checks the exact length, so
// a short digest is "invalid reference format", not "invalid checksum digest length".
constexpr std::size_t kMinDigestHexLength = 32;
// A bare 64-hex string looks like an image ID; docker refuses it as a name.
constexpr std::size_t kIdentifierLength = 64;

// The Go package's messages, so that users recognise them from docker and friends.
constexpr std::string_view kErrInvalidFormat = "invalid reference format";
constexpr std::string_view kErrNameContainsUppercase = "repository name must be lowercase";
constexpr std::string_view kErrNameTooLong = "repository name must not be more than 255 characters";
constexpr std::string_view kErrDigestInvalidFormat = "invalid checksum digest format";
constexpr std::string_view kErrDigestInvalidLength = "invalid checksum digest length";
constexpr std::string_view kErrDigestUnsupported = "unsupported digest algorithm";

struct DigestAlgorithm {
  std::string_view name;
  std::size_t hex_length;
};

// go-digest v1.0.0 registers exactly these; all are lowercase hex.
constexpr std::array<DigestAlgorithm, 3> kDigestAlgorithms = {{
    {"sha256", 64},
    {"sha384", 96},
    {"sha512", 128},
}};

// Character classes, ASCII only: the grammar is ASCII, and <cctype> depends on the locale.
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlpha(char c) { return IsLower(c) || IsUpper(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsLowerAlnum(char c) { return IsLower(c) || IsDigit(c); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLowerHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool HasUpper(std::string_view s) {
  for (char c : s) {
    if (IsUpper(c)) return true;
  }
  return false;
}

// Splits `s` at the first `sep`: returns the part before it and leaves the rest (after `sep`) in
// `s`; with no `sep`, returns all of `s` and leaves it empty.
std::string_view NextToken(std::string_view& s, char sep) {
  std::size_t pos = s.find(sep);
  std::string_view token = s.substr(0, pos);
  s = pos == std::string_view::npos ? std::string_view() : s.substr(pos + 1);
  return token;
}

// ---- Repository path ----

// separator: "." | "_" | "__" | "-"+. Note "._", "___" and "-_" are not separators.
bool IsPathSeparator(std::string_view sep) {
  if (sep == "." || sep == "_" || sep == "__") return true;
  return !sep.empty() && AllOf(sep, [](char c) { return c == '-'; });
}

// pathComponent: [a-z0-9]+ (separator [a-z0-9]+)*
bool IsPathComponent(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  std::size_t i = 0;
  while (i < s.size()) {
    if (IsLowerAlnum(s[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < s.size() && !IsLowerAlnum(s[i])) ++i;
    // The run is followed by an alphanumeric because s.back() is one.
    if (!IsPathSeparator(s.substr(start, i - start))) return false;
  }
  return true;
}

// remoteName: pathComponent ("/" pathComponent)*. Rejects empty components ("a//b", "a/").
bool IsRemoteName(std::string_view s) {
  if (s.empty()) return false;
  while (true) {
    bool last = s.find('/') == std::string_view::npos;
    if (!IsPathComponent(NextToken(s, '/'))) return false;
    if (last) return true;
  }
}

// ---- Domain ----

// domainNameComponent: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainNameComponent(std::string_view s) {
  return !s.empty() && IsAlnum(s.front()) && IsAlnum(s.back()) &&
         AllOf(s, [](char c) { return IsAlnum(c) || c == '-'; });
}

// domainName: domainNameComponent ("." domainNameComponent)*. IPv4 addresses are a special case.
bool IsDomainName(std::string_view s) {
  if (s.empty()) return false;
  while (true) {
    bool last = s.find('.') == std::string_view::npos;
    if (!IsDomainNameComponent(NextToken(s, '.'))) return false;
    if (last) return true;
  }
}

// ipv6address: "[" [a-fA-F0-9:]+ "]". Deliberately loose, and no zone identifiers.
bool IsBracketedIpv6(std::string_view s) {
  return s.size() > 2 && s.front() == '[' && s.back() == ']' &&
         AllOf(s.substr(1, s.size() - 2), [](char c) { return IsHexDigit(c) || c == ':'; });
}

// domainAndPort: (domainName | ipv6address) (":" [0-9]+)?
bool IsDomainAndPort(std::string_view s) {
  // The host ends at the first ':' outside brackets; brackets cannot nest or contain ']'.
  std::size_t host_end = 0;
  if (!s.empty() && s.front() == '[') {
    std::size_t close = s.find(']');
    host_end = close == std::string_view::npos ? s.size() : close + 1;
  } else {
    host_end = std::min(s.find(':'), s.size());
  }
  std::string_view host = s.substr(0, host_end);
  std::string_view port = s.substr(host_end);
  bool host_ok = !host.empty() && host.front() == '[' ? IsBracketedIpv6(host) : IsDomainName(host);
  if (!host_ok) return false;
  if (port.empty()) return true;
  return port.size() > 1 && port.front() == ':' && AllOf(port.substr(1), IsDigit);
}

// ---- Tag and digest ----

// tag: [\w][\w.-]{0,127}
bool IsTag(std::string_view s) {
  return !s.empty() && s.size() <= kMaxTagLength && IsWordChar(s.front()) &&
         AllOf(s, [](char c) { return IsWordChar(c) || c == '.' || c == '-'; });
}

// One algorithm component of the reference grammar: [A-Za-z][A-Za-z0-9]*
bool IsAlgorithmComponent(std::string_view s) {
  return !s.empty() && IsAlpha(s.front()) && AllOf(s, IsAlnum);
}

// The reference grammar's digest: algorithm ":" [[:xdigit:]]{32,}, where algorithm is components
// joined by single [-_+.]. Looser than go-digest (uppercase allowed); Validate tightens it.
bool IsDigestSyntax(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algorithm = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  if (hex.size() < kMinDigestHexLength || !AllOf(hex, IsHexDigit)) return false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= algorithm.size(); ++i) {
    bool at_separator = i < algorithm.size() && (algorithm[i] == '-' || algorithm[i] == '_' ||
                                                 algorithm[i] == '+' || algorithm[i] == '.');
    if (i == algorithm.size() || at_separator) {
      if (!IsAlgorithmComponent(algorithm.substr(start, i - start))) return false;
      start = i + 1;
    }
  }
  return true;
}

const DigestAlgorithm* FindAlgorithm(std::string_view name) {
  for (const DigestAlgorithm& algorithm : kDigestAlgorithms) {
    if (algorithm.name == name) return &algorithm;
  }
  return nullptr;
}

// go-digest's Digest.Validate on a string that already passed IsDigestSyntax. Returns the error
// message, or an empty view when the digest is valid.
std::string_view ValidateDigest(std::string_view digest) {
  std::size_t colon = digest.find(':');
  std::string_view algorithm_name = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  const DigestAlgorithm* algorithm = FindAlgorithm(algorithm_name);
  if (algorithm == nullptr) {
    // go-digest only calls an algorithm unsupported if it is well formed, i.e. lowercase; after
    // IsDigestSyntax that is the only difference left.
    return HasUpper(algorithm_name) ? kErrDigestInvalidFormat : kErrDigestUnsupported;
  }
  if (hex.size() != algorithm->hex_length) return kErrDigestInvalidLength;
  if (!AllOf(hex, IsLowerHexDigit)) return kErrDigestInvalidFormat;
  return {};
}

// ---- Parsing ----

base::Error InvalidArgument(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
}

// The input split the way the Go package's splitDockerDomain does it: with plain string tests,
// before any grammar check. The remainder is what follows the domain, with `library/` logically
// in front of it when add_library is set (kept apart to avoid building a string).
struct DomainSplit {
  std::string_view domain;
  std::string_view remainder;
  bool add_library = false;
};

DomainSplit SplitDockerDomain(std::string_view input) {
  DomainSplit split;
  std::size_t slash = input.find('/');
  std::string_view first = input.substr(0, slash);
  // Case by case like distribution's splitDockerDomain, so the first and last bodies are alike.
  if (slash == std::string_view::npos) {  // NOLINT(bugprone-branch-clone)
    split.domain = kDefaultDomain;
    split.remainder = input;
  } else if (first == kLegacyDefaultDomain) {
    split.domain = kDefaultDomain;
    split.remainder = input.substr(slash + 1);
  } else if (first == kLocalhost || first.find_first_of(".:") != std::string_view::npos ||
             HasUpper(first)) {
    // Uppercase is the odd rule: a path never holds uppercase but a domain may, so "Foo/bar" is
    // domain "Foo" and valid, while "foo/Bar" is an uppercase path and fails.
    split.domain = first;
    split.remainder = input.substr(slash + 1);
  } else {
    split.domain = kDefaultDomain;
    split.remainder = input;  // the first component is part of the path
  }
  split.add_library =
      split.domain == kDefaultDomain && split.remainder.find('/') == std::string_view::npos;
  return split;
}

// The remainder's parts: path [":" tag] ["@" digest]. The path cannot hold ':' or '@' and the tag
// cannot hold '@', so the first ':' or '@' ends the path, and the first '@' after it starts the
// digest; there is nothing to backtrack over.
struct RemainderParts {
  std::string_view path;  // without the logical "library/"
  std::string_view tag;
  std::string_view digest;
  bool has_tag = false;
  bool has_digest = false;
};

RemainderParts SplitRemainder(std::string_view remainder) {
  RemainderParts parts;
  std::size_t path_end = std::min(remainder.find_first_of(":@"), remainder.size());
  parts.path = remainder.substr(0, path_end);
  std::string_view rest = remainder.substr(path_end);
  if (!rest.empty() && rest.front() == ':') {
    std::size_t tag_end = std::min(rest.find('@'), rest.size());
    parts.tag = rest.substr(1, tag_end - 1);
    parts.has_tag = true;
    rest = rest.substr(tag_end);
  }
  if (!rest.empty()) {  // starts with '@'
    parts.digest = rest.substr(1);
    parts.has_digest = true;
  }
  return parts;
}

bool MatchesGrammar(const RemainderParts& parts) {
  return IsRemoteName(parts.path) && (!parts.has_tag || IsTag(parts.tag)) &&
         (!parts.has_digest || IsDigestSyntax(parts.digest));
}

// ParseNormalizedNamed's lowercase check covers the remainder up to its first ':', which is the
// tag separator or, without a tag, the digest's: so "nginx@SHA256:..." fails here, while
// "nginx:1@SHA256:..." gets through to go-digest and fails as a bad digest format.
std::string_view RemoteName(std::string_view remainder) {
  return remainder.substr(0, remainder.find(':'));
}

std::string LowercaseError(const DomainSplit& split) {
  std::string message(kErrInvalidFormat);
  message += ": repository name (";
  if (split.add_library) message += kOfficialRepoPrefix;
  message += RemoteName(split.remainder);
  message += ") must be lowercase";
  return message;
}

// How the Go regexp reads the split-off domain. The domain is optional in it, so a first
// component that is no valid domain but is a valid path component (it has a '_', as in
// "my_registry.local/app") becomes part of the path and the reference has no domain.
enum class DomainReading {
  kDomain,
  kPathComponent,
  kUppercasePath,  // would be a path component if lowercase: Go's lowercased retry matches
  kInvalid,
};

DomainReading ReadDomain(std::string_view domain) {
  if (IsDomainAndPort(domain)) return DomainReading::kDomain;
  if (IsPathComponent(domain)) return DomainReading::kPathComponent;
  if (!HasUpper(domain)) return DomainReading::kInvalid;
  std::string lowered(domain);
  for (char& c : lowered) {
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return IsPathComponent(lowered) ? DomainReading::kUppercasePath : DomainReading::kInvalid;
}

bool IsIdentifier(std::string_view input) {
  return input.size() == kIdentifierLength && AllOf(input, IsLowerHexDigit);
}

std::string Join(std::string_view a, std::string_view sep, std::string_view b) {
  std::string out;
  out.reserve(a.size() + sep.size() + b.size());
  out += a;
  out += sep;
  out += b;
  return out;
}

// Appends "[:tag][@digest]".
void AppendTagAndDigest(const Reference& ref, std::string& out) {
  if (ref.has_tag()) {
    out += ':';
    out += ref.tag;
  }
  if (ref.has_digest()) {
    out += '@';
    out += ref.digest;
  }
}

// The shortest spelling of docker.io/`path` that parses back to it. `tagged` says whether a tag
// or digest follows.
std::string DockerHubShortName(std::string_view path, bool tagged) {
  std::string_view rest = path;
  if (rest.starts_with(kOfficialRepoPrefix)) rest.remove_prefix(kOfficialRepoPrefix.size());
  if (rest.find('/') == std::string_view::npos) {
    // "library/" goes, as in Go's FamiliarString. A bare 64-hex name alone would read as an image
    // ID, so "docker.io/" stays instead: docker.io/<hex> is the spelling distribution's tests
    // give as the unambiguous one.
    if (!tagged && IsIdentifier(rest)) return Join(kDefaultDomain, "/", rest);
    return std::string(rest);
  }
  // Like Go's familiarizeName, "library/" goes only when one component is left:
  // "docker.io/library/a/b" must not shorten to "a/b", which is docker.io/a/b. Unlike Go, keep
  // "docker.io/" when the first component would read as a domain: "docker.io/foo.com/app"
  // shortened to "foo.com/app" is an image on another registry.
  std::string_view first = path.substr(0, path.find('/'));
  bool reads_as_domain = first == kLocalhost || first.find_first_of(".:") != std::string_view::npos;
  return reads_as_domain ? Join(kDefaultDomain, "/", path) : std::string(path);
}

}  // namespace

base::Result<Reference> ParseReference(std::string_view input) {
  if (IsIdentifier(input)) {
    return InvalidArgument(
        Join("invalid repository name (", input, "), cannot specify 64-byte hexadecimal strings"));
  }

  const DomainSplit split = SplitDockerDomain(input);
  // Only ASCII counts as uppercase here. Go lowercases with Unicode rules, so for a remote name
  // holding, say, "É" or invalid UTF-8 it says "must be lowercase" where this says "invalid
  // reference format"; no non-ASCII input is valid either way.
  if (HasUpper(RemoteName(split.remainder))) return InvalidArgument(LowercaseError(split));

  const RemainderParts parts = SplitRemainder(split.remainder);
  // Uppercase can be left only in the domain, tag and digest, where the grammar allows it; so if
  // the remainder fails, lowercasing would not help and the message is the generic one.
  if (!MatchesGrammar(parts)) return InvalidArgument(std::string(kErrInvalidFormat));

  const DomainReading reading = ReadDomain(split.domain);
  if (reading == DomainReading::kUppercasePath) {
    return InvalidArgument(std::string(kErrNameContainsUppercase));
  }
  if (reading == DomainReading::kInvalid) return InvalidArgument(std::string(kErrInvalidFormat));

  Reference ref;
  if (reading == DomainReading::kPathComponent) {
    ref.path = Join(split.domain, "/", parts.path);
  } else {
    ref.domain = split.domain;
    ref.path = Join(split.add_library ? kOfficialRepoPrefix : std::string_view(), "", parts.path);
  }
  if (ref.path.size() > kMaxPathLength) return InvalidArgument(std::string(kErrNameTooLong));

  if (parts.has_digest) {
    std::string_view problem = ValidateDigest(parts.digest);
    if (!problem.empty()) return InvalidArgument(std::string(problem));
    ref.digest = parts.digest;
  }
  ref.tag = parts.tag;
  return ref;
}

bool IsValidDigest(std::string_view digest) {
  std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  const DigestAlgorithm* algorithm = FindAlgorithm(digest.substr(0, colon));
  std::string_view hex = digest.substr(colon + 1);
  return algorithm != nullptr && hex.size() == algorithm->hex_length && AllOf(hex, IsLowerHexDigit);
}

std::string Reference::Repository() const {
  // The domain is empty only in the "my_registry.local/app" case (see ReadDomain); Go's Name() is
  // then the path alone.
  return domain.empty() ? path : Join(domain, "/", path);
}

std::string Reference::Normalized() const {
  std::string out = Repository();
  AppendTagAndDigest(*this, out);
  return out;
}

std::string Reference::Familiar() const {
  std::string out = Repository();
  if (has_digest()) {
    out += '@';
    out += digest;
  } else {
    out += ':';
    out += has_tag() ? std::string_view(tag) : kDefaultTag;
  }
  return out;
}

std::string Reference::Short() const {
  std::string out =
      domain == kDefaultDomain ? DockerHubShortName(path, has_tag() || has_digest()) : Repository();
  AppendTagAndDigest(*this, out);
  return out;
}

}  // namespace imagepin::ref
