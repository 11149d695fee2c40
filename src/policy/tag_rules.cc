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

// `v`? MAJOR.MINOR[.PATCH[.BUILD]] then an optional suffix: `-`/`+`/`_` and alphanumerics,
// dots, dashes, pluses (pre-release, build metadata, vendor flavours like -alpine or
// -debian-12-r0). A bare major (`7`, `v1`, `7-alpine`) floats across releases, so it counts only
// with a suffix that carries a number, a revision or build: `11-debian-11-r93`,
// `v20231011-8b53cabe0`.
bool IsSemanticVersion(std::string_view tag) {
  size_t i = 0;
  if (i < tag.size() && tag[i] == 'v') ++i;
  int numbers = 0;
  while (true) {
    size_t start = i;
    while (i < tag.size() && IsDigit(tag[i])) ++i;
    if (i == start) return false;
    ++numbers;
    if (i < tag.size() && tag[i] == '.' && i + 1 < tag.size() && IsDigit(tag[i + 1]) &&
        numbers < 4) {
      ++i;
      continue;
    }
    break;
  }
  if (i == tag.size()) return numbers >= 2;
  if (tag[i] != '-' && tag[i] != '+' && tag[i] != '_') return false;
  ++i;
  if (i == tag.size() || !IsAlnum(tag[i])) return false;
  bool suffix_has_digit = false;
  for (; i < tag.size(); ++i) {
    char c = tag[i];
    if (!IsAlnum(c) && c != '.' && c != '-' && c != '+' && c != '_') return false;
    suffix_has_digit |= IsDigit(c);
  }
  return numbers >= 2 || suffix_has_digit;
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
