#include "tmpl/unquote.h"

#include <cstdint>

#include "base/utf8.h"

namespace imagepin::tmpl {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    *out += static_cast<char>(c);
  } else if (c < 0x800) {
    *out += static_cast<char>(0xC0 | (c >> 6));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *out += static_cast<char>(0xE0 | (c >> 12));
    *out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (c >> 18));
    *out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// One character or escape at the start of `*s` (strconv.UnquoteChar), appended to `out`; false
// for an invalid escape. \x and octal escapes are bytes, \u and \U characters.
bool UnquoteChar(std::string_view* s, char quote, std::string* out) {
  char c = (*s)[0];
  if (c != '\\') {
    size_t length = c & 0x80 ? base::DecodeUtf8(*s).length : 1;
    *out += s->substr(0, length);
    s->remove_prefix(length);
    return true;
  }
  if (s->size() < 2) return false;
  char e = (*s)[1];
  s->remove_prefix(2);
  switch (e) {
    case 'a':
      *out += '\a';
      return true;
    case 'b':
      *out += '\b';
      return true;
    case 'f':
      *out += '\f';
      return true;
    case 'n':
      *out += '\n';
      return true;
    case 'r':
      *out += '\r';
      return true;
    case 't':
      *out += '\t';
      return true;
    case 'v':
      *out += '\v';
      return true;
    case '\\':
      *out += '\\';
      return true;
    case '\'':
    case '"':
      if (e != quote) return false;
      *out += e;
      return true;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s->size() < n) return false;
      uint32_t v = 0;
      for (size_t i = 0; i < n; ++i) {
        int h = HexValue((*s)[i]);
        if (h < 0) return false;
        v = v << 4 | static_cast<uint32_t>(h);
      }
      s->remove_prefix(n);
      if (e == 'x') {
        *out += static_cast<char>(v);
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      AppendUtf8(v, out);
      return true;
    }
    default: {
      if (e < '0' || e > '7' || s->size() < 2) return false;
      uint32_t v = static_cast<uint32_t>(e - '0');
      for (size_t i = 0; i < 2; ++i) {
        char d = (*s)[i];
        if (d < '0' || d > '7') return false;
        v = v << 3 | static_cast<uint32_t>(d - '0');
      }
      if (v > 255) return false;
      s->remove_prefix(2);
      *out += static_cast<char>(v);
      return true;
    }
  }
}

}  // namespace

std::optional<std::string> Unquote(std::string_view literal) {
  if (literal.size() < 2) return std::nullopt;
  char quote = literal.front();
  if (literal.back() != quote) return std::nullopt;
  std::string_view body = literal.substr(1, literal.size() - 2);
  std::string out;
  if (quote == '`') {
    for (char c : body) {
      if (c != '\r') out += c;
    }
    return out;
  }
  if (quote != '"') return std::nullopt;
  while (!body.empty()) {
    if (body[0] == '"' || body[0] == '\n') return std::nullopt;
    if (!UnquoteChar(&body, quote, &out)) return std::nullopt;
  }
  return out;
}

bool IsCharConstant(std::string_view literal) {
  if (literal.size() < 3 || literal.front() != '\'' || literal.back() != '\'') return false;
  std::string_view body = literal.substr(1, literal.size() - 2);
  if (body[0] == '\'') return false;
  std::string out;
  return UnquoteChar(&body, '\'', &out) && body.empty();
}

}  // namespace imagepin::tmpl
