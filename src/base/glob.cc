#include "base/glob.h"

namespace imagepin::base {

bool GlobMatch(std::string_view pattern, std::string_view text, char separator) {
  // Iterative matcher with one backtrack point per star kind; patterns are short.
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;    // last `*` (stays within a segment)
  size_t dstar_p = std::string_view::npos, dstar_t = 0;  // last `**` (crosses segments)
  bool dstar_segments = false;  // the last `**` was `**/`: it matches whole segments only
  while (t < text.size()) {
    if (p + 1 < pattern.size() && pattern[p] == '*' && pattern[p + 1] == '*') {
      p += 2;
      // `**/` may match nothing at all: "a/**/b" matches "a/b".
      dstar_segments = p < pattern.size() && pattern[p] == separator;
      if (dstar_segments) ++p;
      dstar_p = p, dstar_t = t;
      star_p = std::string_view::npos;
      continue;
    }
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p, star_t = t;
      continue;
    }
    if (p < pattern.size() &&
        (pattern[p] == text[t] || (pattern[p] == '?' && text[t] != separator))) {
      ++p, ++t;
      continue;
    }
    if (star_p != std::string_view::npos && text[star_t] != separator) {
      p = star_p, t = ++star_t;
      continue;
    }
    if (dstar_p != std::string_view::npos) {
      if (dstar_segments) {
        // `**/` consumes whole segments: resume after the next separator, so that
        // "a/**/b" does not match "a/xb".
        size_t next = text.find(separator, dstar_t);
        if (next == std::string_view::npos) return false;
        dstar_t = next + 1;
      } else {
        ++dstar_t;
      }
      p = dstar_p, t = dstar_t;
      star_p = std::string_view::npos;
      continue;
    }
    return false;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view GlobStaticPrefix(std::string_view pattern, char separator) {
  size_t wildcard = pattern.find_first_of("*?[");
  if (wildcard == std::string_view::npos) return pattern;
  size_t cut = pattern.rfind(separator, wildcard);
  return cut == std::string_view::npos ? std::string_view() : pattern.substr(0, cut);
}

}  // namespace imagepin::base
