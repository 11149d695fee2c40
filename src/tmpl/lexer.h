// The lexer of Go text/template as Helm uses it ("{{" and "}}" delimiters): a template file in,
// a flat list of tokens out, each with its byte offset and 1-based line and column.
//
// What a newcomer gets wrong: a trim marker is "{{- " and " -}}" *with* the whitespace. "{{-3}}"
// is the number -3 and trims nothing. The whitespace a marker trims stays inside the Text token's
// span (`pos.offset`..`end`); only `trimmed` leaves it out, so Text tokens and actions tile the
// file with no gaps.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace imagepin::tmpl {

// A place in the file: byte offset, and 1-based line and column. Lines end at '\n' only (Go's
// rule); columns count characters (UTF-8 lead bytes), as everywhere in imagepin's output.
struct Pos {
  uint32_t offset = 0;
  int line = 0;
  int column = 0;
};

// Bytes [begin, end) of the file.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  std::string_view Of(std::string_view source) const { return source.substr(begin, size()); }
};

enum class TokenKind : uint8_t {
  kText,        // bytes outside actions
  kLeftDelim,   // "{{", or "{{- " with its trim marker
  kRightDelim,  // "}}", or " -}}" with its trim marker
  kComment,     // a whole comment action "{{/* … */}}", delimiters and trim markers included
  kSpace,       // a run of spaces, tabs and line breaks inside an action: it separates operands
  kIdentifier,  // a function name: include, default, quote, …
  kField,       // ".Name": one segment; ".a.b" is two tokens with nothing between them
  kVariable,    // "$x", or "$" alone
  kDot,         // "." alone
  kDeclare,     // ":="
  kAssign,      // "="
  kPipe,        // "|"
  kLeftParen,
  kRightParen,
  kComma,
  kString,     // "…" with escapes
  kRawString,  // `…`, may span lines and hold "}}"
  kChar,       // a character constant 'x'
  kNumber,     // 1, -3, 0x1F, 1e3, 1.5, 1+2i
  kBool,       // true, false
  kNil,
  kIf,
  kElse,
  kEnd,
  kRange,
  kWith,
  kDefine,
  kTemplate,
  kBlock,
  kBreak,
  kContinue,
  kPunct,  // another printable ASCII character: Go lexes it, the parser refuses it
  kEof,
};

// "identifier", "{{end}}", … for messages.
std::string_view TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEof;
  Pos pos;           // the first byte
  uint32_t end = 0;  // one past the last byte
  // kText: the bytes left after the neighbouring trim markers (may be empty), and where they
  // start. kComment: the comment's text between "/*" and "*/".
  Span trimmed;
  Pos trimmed_pos;
  // kLeftDelim, kComment: "{{- " trims the whitespace before. kRightDelim, kComment: " -}}"
  // trims the whitespace after.
  bool trim_left = false;
  bool trim_right = false;

  Span span() const { return {pos.offset, end}; }
};

// Splits `source` into tokens, ending with one kEof token at its end. An unterminated action,
// comment, string or character constant, or a character no token starts with, is an error at
// its position (kParse, one line). Linear in the size of `source`.
base::Result<std::vector<Token>> Lex(std::string_view source);

}  // namespace imagepin::tmpl
