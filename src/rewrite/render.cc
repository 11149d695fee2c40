#include "rewrite/render.h"

#include <fmt/format.h>

#include <regex>

#include "base/utf8.h"

namespace imagepin::rewrite {
namespace {

// True for a character that YAML (1.1 or 1.2) would not read back as itself if written raw
// between quotes: C0 controls (tab and line breaks included: quoted scalars fold line breaks and
// trim white space around them), DEL, C1 controls (U+0085 NEL is a line break; the others are not
// printable and libyaml refuses them), U+2028 and U+2029 (line and paragraph separators, breaks in
// YAML 1.1), U+FEFF (a byte order mark, which must not appear inside a document) and the
// non-characters U+FFFE and U+FFFF (outside YAML's printable set, refused by libyaml).
bool NeedsEscape(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0xFEFF ||
         c == 0xFFFE || c == 0xFFFF;
}

// The escape sequence that writes `c` (one for which NeedsEscape holds) in a double-quoted scalar.
std::string Escape(char32_t c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    case 0x85:
      return "\\N";
    case 0x2028:
      return "\\L";
    case 0x2029:
      return "\\P";
    default:
      return c <= 0xFF ? fmt::format("\\x{:02X}", static_cast<unsigned>(c))
                       : fmt::format("\\u{:04X}", static_cast<unsigned>(c));
  }
}

// True if some character of the (valid UTF-8) `value` needs an escape, which only double quotes
// can write.
bool NeedsDoubleQuotes(std::string_view value) {
  while (!value.empty()) {
    base::Utf8Char c = base::DecodeUtf8(value);
    if (NeedsEscape(c.code_point)) return true;
    value.remove_prefix(c.length);
  }
  return false;
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Characters allowed anywhere in a plain scalar we write. None is a YAML indicator in the middle
// of a scalar: `:` only ends one before a blank (we write no blanks), `#` is left out because it
// starts a comment after a blank, and the flow indicators `,[]{}` because of flow context.
bool IsPlainChar(char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == ':' || c == '@' ||
         c == '+';
}

// True if a plain scalar `value` would resolve to null, a boolean, a number or a timestamp under
// YAML 1.1 (yaml.org/type, as PyYAML and go-yaml v2 implement it: yes/no/on/off/y/n, 0o and 0x,
// `_` in numbers, base 60) or YAML 1.2's core schema (§10.3.2). Written as the union of both, so
// Helm (YAML 1.1) and 1.2 tools alike read what we write as a string.
bool ResolvesToNonString(std::string_view value) {
  static const std::regex kNonString(
      // null and booleans
      "~|null|Null|NULL"
      "|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
      // integers: binary, octal (0o and leading 0), decimal, hex, base 60
      "|[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?"
      // floats, with or without a sign in the exponent (1.1 needs one, 1.2 and Go do not),
      // hex floats (Go's ParseFloat), infinities and NaN
      "|[-+]?(\\.[0-9][0-9_]*|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
      "|[-+]?0x[0-9a-fA-F_]*(\\.[0-9a-fA-F_]*)?[pP][-+]?[0-9]+"
      "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
      // timestamps (date, or date and time)
      "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
      "([Tt][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?",
      std::regex::ECMAScript | std::regex::optimize);
  return std::regex_match(value.begin(), value.end(), kNonString);
}

}  // namespace

bool CanWritePlain(std::string_view value) {
  if (value.empty()) return false;  // an empty plain scalar is null
  // The first character must not be an indicator (`-?:,[]{}#&*!|>'"%@` and backtick).
  char first = value.front();
  if (!IsAsciiAlnum(first) && first != '.' && first != '_' && first != '/') return false;
  if (value.back() == ':') return false;  // `key: app:` would end the scalar before the colon
  // `...` at the start of a line ends the document (the splice fuzzer's finding, on a root
  // scalar); quote anything that starts like the marker.
  if (value.substr(0, 3) == "...") return false;
  for (char c : value) {
    if (!IsPlainChar(c)) return false;
  }
  return !ResolvesToNonString(value);
}

std::string DoubleQuoted(std::string_view value) {
  std::string out = "\"";
  while (!value.empty()) {
    base::Utf8Char c = base::DecodeUtf8(value);
    if (c.valid && NeedsEscape(c.code_point)) {
      out += Escape(c.code_point);
    } else {
      if (c.code_point == '"' || c.code_point == '\\') out += '\\';
      out += value.substr(0, c.length);  // an invalid byte too: RenderLike refuses those first
    }
    value.remove_prefix(c.length);
  }
  out += '"';
  return out;
}

std::string SingleQuoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}

base::Result<std::string> RenderLike(std::string_view old_text, yaml::ScalarStyle style,
                                     std::string_view new_value) {
  auto mismatch = [&] {
    return base::MakeError(base::ErrorCode::kInternal,
                           fmt::format("scalar style does not match its text `{}`", old_text));
  };
  // YAML is Unicode text: no escape writes a byte that is not part of a character.
  if (!base::IsValidUtf8(new_value)) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "the new value is not valid UTF-8, which YAML cannot hold");
  }
  char first = old_text.empty() ? '\0' : old_text.front();
  switch (style) {
    case yaml::ScalarStyle::kPlain:
      if (first == '\'' || first == '"') return mismatch();
      return CanWritePlain(new_value) ? std::string(new_value) : DoubleQuoted(new_value);
    case yaml::ScalarStyle::kSingleQuoted:
      if (first != '\'') return mismatch();
      return NeedsDoubleQuotes(new_value) ? DoubleQuoted(new_value) : SingleQuoted(new_value);
    case yaml::ScalarStyle::kDoubleQuoted:
      if (first != '"') return mismatch();
      return DoubleQuoted(new_value);
    case yaml::ScalarStyle::kLiteral:
    case yaml::ScalarStyle::kFolded:
      break;
  }
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "cannot rewrite a block scalar (`|` or `>`): write the value on one "
                         "line, plain or quoted, and run again");
}

}  // namespace imagepin::rewrite
