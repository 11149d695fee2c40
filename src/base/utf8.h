// Decoding UTF-8 one character at a time, strictly (RFC 3629), for the writers that must show or
// store text from files whatever its bytes: reports, JSON output, rendered YAML scalars.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imagepin::base {

struct Utf8Char {
  char32_t code_point = 0;  // meaningful only when `valid`
  size_t length = 1;        // bytes taken: the sequence, or the one byte that starts none
  bool valid = false;
};

// The character at the start of `text` (which must not be empty). A byte that does not start a
// well-formed sequence (a stray continuation byte, a truncated sequence, an overlong form, a
// surrogate, anything above U+10FFFF) is returned alone as invalid, so callers go on at the next
// byte. These are the rules nlohmann::json's dump() applies, so text valid here never throws.
inline Utf8Char DecodeUtf8(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  size_t length;
  char32_t code_point;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return {};
  }
  if (text.size() < length) return {};
  for (size_t i = 1; i < length; ++i) {
    unsigned char c = byte(i);
    if (c < (i == 1 ? low : 0x80) || c > (i == 1 ? high : 0xBF)) return {};
    code_point = (code_point << 6) | (c & 0x3F);
  }
  return {code_point, length, true};
}

inline bool IsValidUtf8(std::string_view text) {
  while (!text.empty()) {
    Utf8Char c = DecodeUtf8(text);
    if (!c.valid) return false;
    text.remove_prefix(c.length);
  }
  return true;
}

// The characters in `text` as columns count them: every byte that is not a UTF-8 continuation
// byte. Positions in reports are 1-based characters, spans are bytes.
inline int Utf8Length(std::string_view text) {
  int n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// `text` with every byte that DecodeUtf8 calls invalid replaced by U+FFFD.
inline std::string ReplaceInvalidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    Utf8Char c = DecodeUtf8(text);
    out += c.valid ? text.substr(0, c.length) : std::string_view("\xEF\xBF\xBD");
    text.remove_prefix(c.length);
  }
  return out;
}

}  // namespace imagepin::base
