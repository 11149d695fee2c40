#include "report/display.h"

#include <fmt/format.h>

#include "base/utf8.h"

namespace imagepin::report {
namespace {

// Characters that change how text around them is shown: Unicode's bidirectional formatting
// characters (the "Trojan Source" set: ALM, LRM, RLM, LRE..RLO, LRI..PDI) and the line and
// paragraph separators.
bool IsFormatting(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

ShownChar Escaped(std::string escape, size_t source_bytes) {
  int width = static_cast<int>(escape.size());
  return {std::move(escape), source_bytes, width, false};
}

}  // namespace

ShownChar ShowChar(std::string_view text, std::string_view keep) {
  base::Utf8Char c = base::DecodeUtf8(text);
  if (!c.valid) return Escaped(fmt::format("\\x{:02x}", static_cast<unsigned char>(text[0])), 1);
  char32_t cp = c.code_point;
  if (cp < 0x20 && keep.find(static_cast<char>(cp)) != std::string_view::npos) {
    return {std::string(1, static_cast<char>(cp)), 1, 1, cp == '\t'};
  }
  if (cp == '\t') return Escaped("\\t", 1);
  if (cp == '\n') return Escaped("\\n", 1);
  if (cp == '\r') return Escaped("\\r", 1);
  if (cp < 0x20 || cp == 0x7F)
    return Escaped(fmt::format("\\x{:02x}", static_cast<unsigned>(cp)), 1);
  if ((cp >= 0x80 && cp <= 0x9F) || IsFormatting(cp)) {
    return Escaped(fmt::format("\\u{:04x}", static_cast<unsigned>(cp)), c.length);
  }
  return {std::string(text.substr(0, c.length)), c.length, 1, false};
}

std::string Displayable(std::string_view text, std::string_view keep) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    ShownChar shown = ShowChar(text, keep);
    out += shown.text;
    text.remove_prefix(shown.source_bytes);
  }
  return out;
}

}  // namespace imagepin::report
