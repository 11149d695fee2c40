#include "rewrite/render.h"

#include <fmt/format.h>

#include <regex>

namespace imagepin::rewrite {
namespace {

bool IsControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
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
  for (char c : value) {
    if (!IsPlainChar(c)) return false;
  }
  return !ResolvesToNonString(value);
}

std::string DoubleQuoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (IsControl(c)) {
          out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
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
  char first = old_text.empty() ? '\0' : old_text.front();
  switch (style) {
    case yaml::ScalarStyle::kPlain:
      if (first == '\'' || first == '"') return mismatch();
      return CanWritePlain(new_value) ? std::string(new_value) : DoubleQuoted(new_value);
    case yaml::ScalarStyle::kSingleQuoted:
      if (first != '\'') return mismatch();
      for (char c : new_value) {
        if (IsControl(c)) return DoubleQuoted(new_value);
      }
      return SingleQuoted(new_value);
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
