#include "policy/tag_rules.h"

#include <re2/re2.h>

#include <algorithm>

namespace imagepin::policy {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsBuildSha(std::string_view tag) {
  return tag.size() >= 7 && tag.size() <= 40 && std::all_of(tag.begin(), tag.end(), IsLowerHex);
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSeparator(char c) { return c == '-' || c == '_'; }
bool IsSuffixChar(char c) { return IsAlnum(c) || c == '.' || c == '-' || c == '+' || c == '_'; }

// The version core at `i`: `v`? then one to four dot-separated numbers. Sets `end` past it and
// returns how many numbers it has (0: no core here).
int MatchVersionCore(std::string_view tag, size_t i, size_t& end) {
  if (i < tag.size() && tag[i] == 'v') ++i;
  int numbers = 0;
  while (true) {
    size_t start = i;
    while (i < tag.size() && IsDigit(tag[i])) ++i;
    if (i == start) return 0;
    ++numbers;
    if (i < tag.size() && tag[i] == '.' && i + 1 < tag.size() && IsDigit(tag[i + 1]) &&
        numbers < 4) {
      ++i;
      continue;
    }
    break;
  }
  end = i;
  return numbers;
}

// What may follow a core at `i`: nothing, or a suffix: `-`, `+` or `_`, a letter or digit, then
// letters, digits, `.`, `-`, `+`, `_` (pre-release, build metadata, flavours like -alpine3.20).
// `last_bad` is the last index holding a character no suffix may hold (npos: none), so the test
// is constant time per core.
bool IsSuffixAt(std::string_view tag, size_t i, size_t last_bad) {
  if (i == tag.size()) return true;
  if (tag[i] != '-' && tag[i] != '+' && tag[i] != '_') return false;
  if (i + 1 == tag.size() || !IsAlnum(tag[i + 1])) return false;
  return last_bad == std::string_view::npos || last_bad < i;
}

bool SuffixHasDigit(std::string_view tag, size_t i) {
  return std::any_of(tag.begin() + static_cast<std::ptrdiff_t>(i), tag.end(), IsDigit);
}

// docs/rules.md#tag-classes is the grammar; tag_rules_test.cc checks its table. A tag is a
// version when it is [PREFIX SEP] CORE [SUFFIX]:
//   CORE    `v`? MAJOR.MINOR[.PATCH[.BUILD]]
//   SUFFIX  as IsSuffixAt
//   PREFIX  a letter, then letters, digits, `.`, `-`, `_`, ending in a letter or digit; SEP is
//           `-` or `_` (distroless-v1.33.0, pg17-0.112.0)
// A bare major (`7`, `v1`, `7-alpine`) floats across releases, so without a prefix it counts
// only with a suffix that carries a number, a revision or build (`11-debian-11-r93`,
// `v20231011-8b53cabe0`), and after a prefix never: `pr-1234` is a pull request's moving tag.
// Linear: every core the prefix loop tries starts after a separator and holds none, so no two
// overlap.
bool IsSemanticVersion(std::string_view tag) {
  size_t last_bad = std::string_view::npos;
  for (size_t k = 0; k < tag.size(); ++k) {
    if (!IsSuffixChar(tag[k])) last_bad = k;
  }
  size_t end = 0;
  if (int numbers = MatchVersionCore(tag, 0, end); numbers > 0 && IsSuffixAt(tag, end, last_bad)) {
    if (numbers >= 2 || (end < tag.size() && SuffixHasDigit(tag, end))) return true;
  }
  if (tag.empty() || !IsLetter(tag[0])) return false;
  for (size_t i = 2; i < tag.size(); ++i) {
    char c = tag[i - 1];
    if (!IsAlnum(c) && c != '.' && !IsSeparator(c)) return false;  // no longer a prefix
    if (!IsSeparator(c) || !IsAlnum(tag[i - 2])) continue;
    if (MatchVersionCore(tag, i, end) >= 2 && IsSuffixAt(tag, end, last_bad)) return true;
  }
  return false;
}

// A release stamped with its build time, e.g. MinIO's `RELEASE.2023-12-23T07-19-11Z`: a date
// and a time of day (YYYY-MM-DDTHH-MM-SS or with colons) anywhere in the tag.
bool IsReleaseTimestamp(std::string_view tag) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd-dd-dd";
  if (tag.size() < kShape.size()) return false;
  for (size_t start = 0; start + kShape.size() <= tag.size(); ++start) {
    bool match = true;
    for (size_t k = 0; k < kShape.size() && match; ++k) {
      char c = tag[start + k], want = kShape[k];
      match = want == 'd' ? IsDigit(c) : (c == want || (want == '-' && k > 10 && c == ':'));
    }
    if (match) return true;
  }
  return false;
}

}  // namespace

bool IsWellKnownChannel(std::string_view tag) {
  static constexpr std::string_view kChannels[] = {"latest",  "main", "master",  "dev",
                                                   "develop", "edge", "nightly", "stable"};
  return std::find(std::begin(kChannels), std::end(kChannels), tag) != std::end(kChannels);
}

TagKind ClassifyTag(std::string_view tag, const Config& config) {
  if (IsBuildSha(tag)) return TagKind::kBuildSha;
  if (IsSemanticVersion(tag)) return TagKind::kSemanticVersion;
  if (IsReleaseTimestamp(tag)) return TagKind::kReleaseTimestamp;
  for (const std::shared_ptr<const re2::RE2>& allow : config.tag_allow_regex) {
    if (re2::RE2::FullMatch(re2::StringPiece(tag.data(), tag.size()), *allow)) {
      return TagKind::kAllowed;
    }
  }
  return TagKind::kFloating;
}

}  // namespace imagepin::policy
