// The lexer follows text/template/parse/lex.go (Go 1.22) state by state, as loops instead of
// state functions; the messages are Go's where Go has one.
#include "tmpl/lexer.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>

namespace imagepin::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";

// Go's isSpace: the characters a trim marker trims and that separate operands.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// Go's isAlphaNumeric is '_' or a Unicode letter or digit. Every non-ASCII byte counts here:
// a UTF-8 sequence then stays in one identifier, and templates name their functions in ASCII.
bool IsAlphaNumeric(char c) {
  auto u = static_cast<unsigned char>(c);
  return c == '_' || IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || u >= 0x80;
}

// Turns byte offsets into line and column. Tokens are made in source order, so the cursor only
// moves forward and the whole file is walked once.
// 'c' for a printable ASCII character, 0xNN for any other byte: messages stay one line.
std::string Describe(char c) {
  if (c > ' ' && c < 0x7F) return fmt::format("'{}'", c);
  return fmt::format("{:#04x}", static_cast<unsigned char>(c));
}

class Cursor {
 public:
  explicit Cursor(std::string_view source) : source_(source) {}
  Pos At(uint32_t offset) {
    for (; offset_ < offset; ++offset_) {
      auto c = static_cast<unsigned char>(source_[offset_]);
      if (c == '\n') {
        ++line_, column_ = 1;
      } else if ((c & 0xC0) != 0x80) {  // a continuation byte is not a character of its own
        ++column_;
      }
    }
    return {offset, line_, column_};
  }

 private:
  std::string_view source_;
  uint32_t offset_ = 0;
  int line_ = 1;
  int column_ = 1;  // 1 + the lead bytes between the line's start and offset_
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source), cursor_(source) {}

  base::Result<std::vector<Token>> Run() {
    bool trim_next = false;  // the action before ended with " -}}"
    while (pos_ < src_.size()) {
      size_t delim = src_.find(kLeftDelim, pos_);
      size_t text_end = delim == std::string_view::npos ? src_.size() : delim;
      if (text_end > pos_) EmitText(text_end, trim_next, delim != std::string_view::npos);
      if (delim == std::string_view::npos) break;
      pos_ = delim;
      if (!LexAction(&trim_next)) return std::move(*error_);
    }
    Emit(TokenKind::kEof, src_.size());
    return std::move(tokens_);
  }

 private:
  bool At(size_t i, std::string_view s) const {
    return src_.substr(std::min(i, src_.size())).starts_with(s);
  }
  char CharAt(size_t i) const { return i < src_.size() ? src_[i] : '\0'; }
  // "{{- ": Go's hasLeftTrimMarker, at the byte after "{{".
  bool LeftTrimAt(size_t i) const { return CharAt(i) == '-' && IsSpace(CharAt(i + 1)); }
  // " -}}": a space, the marker, and the delimiter.
  bool RightTrimAt(size_t i) const {
    return IsSpace(CharAt(i)) && CharAt(i + 1) == '-' && At(i + 2, kRightDelim);
  }

  Token& Emit(TokenKind kind, size_t end) {
    Token token;
    token.kind = kind;
    token.pos = cursor_.At(static_cast<uint32_t>(pos_));
    token.end = static_cast<uint32_t>(end);
    tokens_.push_back(token);
    pos_ = end;
    return tokens_.back();
  }

  // `at` must not lie before the last token made (the cursor only moves forward).
  bool Fail(size_t at, std::string message) {
    return Fail(cursor_.At(static_cast<uint32_t>(at)), std::move(message));
  }
  bool Fail(Pos pos, std::string message) {
    error_ = base::MakeError(base::ErrorCode::kParse, std::move(message), {}, ToSourcePos(pos));
    return false;
  }
  static base::SourcePos ToSourcePos(Pos pos) { return {pos.line, pos.column}; }

  void EmitText(size_t end, bool trim_start, bool before_delim) {
    size_t begin = pos_, tb = begin, te = end;
    if (trim_start) {
      while (tb < te && IsSpace(src_[tb])) ++tb;
    }
    if (before_delim && LeftTrimAt(end + kLeftDelim.size())) {
      while (te > tb && IsSpace(src_[te - 1])) --te;
    }
    Token& token = Emit(TokenKind::kText, end);
    token.trimmed = {static_cast<uint32_t>(tb), static_cast<uint32_t>(te)};
    token.trimmed_pos = cursor_.At(static_cast<uint32_t>(tb));
  }

  // At pos_ == "{{": one action (or comment) up to and including its "}}".
  bool LexAction(bool* trim_next) {
    size_t start = pos_;
    size_t after = start + kLeftDelim.size();
    bool trim_left = LeftTrimAt(after);
    if (trim_left) after += 2;
    if (At(after, "/*")) return LexComment(start, after, trim_left, trim_next);
    Token& open = Emit(TokenKind::kLeftDelim, after);
    open.trim_left = trim_left;
    Pos open_pos = open.pos;
    int paren_depth = 0;
    for (;;) {
      bool trim_right = RightTrimAt(pos_);
      if (trim_right || At(pos_, kRightDelim)) {
        if (paren_depth > 0) return Fail(pos_, "unclosed left paren");
        Emit(TokenKind::kRightDelim, pos_ + (trim_right ? 4 : 2)).trim_right = trim_right;
        *trim_next = trim_right;
        return true;
      }
      if (pos_ >= src_.size()) return Fail(open_pos, "unclosed action");
      char c = src_[pos_];
      bool ok = true;
      switch (c) {
        case ' ':
        case '\t':
        case '\r':
        case '\n':
          LexSpace();
          break;
        case '=':
          Emit(TokenKind::kAssign, pos_ + 1);
          break;
        case ':':
          if (CharAt(pos_ + 1) != '=') return Fail(pos_, "expected :=");
          Emit(TokenKind::kDeclare, pos_ + 2);
          break;
        case '|':
          Emit(TokenKind::kPipe, pos_ + 1);
          break;
        case ',':
          Emit(TokenKind::kComma, pos_ + 1);
          break;
        case '(':
          ++paren_depth;
          Emit(TokenKind::kLeftParen, pos_ + 1);
          break;
        case ')':
          if (--paren_depth < 0) return Fail(pos_, "unexpected right paren");
          Emit(TokenKind::kRightParen, pos_ + 1);
          break;
        case '"':
          ok = LexQuote();
          break;
        case '`':
          ok = LexRawQuote();
          break;
        case '\'':
          ok = LexChar();
          break;
        case '$':
          ok = LexWord(TokenKind::kVariable);
          break;
        case '.':
          // ".5" is a number, ".x" a field.
          ok = IsDigit(CharAt(pos_ + 1)) ? LexNumber() : LexWord(TokenKind::kField);
          break;
        default:
          if (c == '+' || c == '-' || IsDigit(c)) {
            ok = LexNumber();
          } else if (IsAlphaNumeric(c)) {
            ok = LexWord(TokenKind::kIdentifier);
          } else if (c > ' ' && c < 0x7F) {
            Emit(TokenKind::kPunct, pos_ + 1);
          } else {
            return Fail(pos_, fmt::format("unrecognized character in action: {}", Describe(c)));
          }
      }
      if (!ok) return false;
    }
  }

  // "{{/*" … "*/}}": Go allows nothing but a trim marker between "*/" and "}}".
  bool LexComment(size_t start, size_t open, bool trim_left, bool* trim_next) {
    size_t close = src_.find("*/", open + 2);
    if (close == std::string_view::npos) return Fail(start, "unclosed comment");
    size_t p = close + 2;
    bool trim_right = RightTrimAt(p);
    if (!trim_right && !At(p, kRightDelim)) {
      return Fail(p, "comment ends before closing delimiter");
    }
    Token& token = Emit(TokenKind::kComment, p + (trim_right ? 4 : 2));
    token.trim_left = trim_left;
    token.trim_right = trim_right;
    token.trimmed = {static_cast<uint32_t>(open + 2), static_cast<uint32_t>(close)};
    *trim_next = trim_right;
    return true;
  }

  // Spaces up to, not into, a " -}}": the space belongs to the trim marker.
  void LexSpace() {
    size_t q = pos_;
    while (q < src_.size() && IsSpace(src_[q])) ++q;
    if (RightTrimAt(q - 1)) --q;
    if (q > pos_) Emit(TokenKind::kSpace, q);
  }

  // Go's atTerminator: what may follow a word.
  bool AtTerminator(size_t i) const {
    if (i >= src_.size()) return true;
    char c = src_[i];
    return IsSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
           At(i, kRightDelim);
  }

  // An identifier or keyword, or after "." a field, or after "$" a variable.
  bool LexWord(TokenKind kind) {
    size_t begin = pos_ + (kind == TokenKind::kIdentifier ? 0 : 1);
    size_t q = begin;
    while (q < src_.size() && IsAlphaNumeric(src_[q])) ++q;
    if (!AtTerminator(q)) return Fail(q, fmt::format("bad character {}", Describe(src_[q])));
    if (kind == TokenKind::kField && q == begin) kind = TokenKind::kDot;
    if (kind == TokenKind::kIdentifier) kind = Keyword(src_.substr(begin, q - begin));
    Emit(kind, q);
    return true;
  }

  static TokenKind Keyword(std::string_view word) {
    static constexpr std::pair<std::string_view, TokenKind> kKeywords[] = {
        {"if", TokenKind::kIf},
        {"else", TokenKind::kElse},
        {"end", TokenKind::kEnd},
        {"range", TokenKind::kRange},
        {"with", TokenKind::kWith},
        {"define", TokenKind::kDefine},
        {"template", TokenKind::kTemplate},
        {"block", TokenKind::kBlock},
        {"break", TokenKind::kBreak},
        {"continue", TokenKind::kContinue},
        {"nil", TokenKind::kNil},
        {"true", TokenKind::kBool},
        {"false", TokenKind::kBool},
    };
    for (const auto& [name, kind] : kKeywords) {
      if (word == name) return kind;
    }
    return TokenKind::kIdentifier;
  }

  // Go's scanNumber: sign, base prefix, digits with '_', fraction, exponent, 'i'; then nothing
  // alphanumeric. Returns the end, or npos for bad syntax.
  size_t ScanNumber(size_t q) const {
    auto accept = [&](std::string_view set) {
      if (q < src_.size() && set.find(src_[q]) != std::string_view::npos) return ++q, true;
      return false;
    };
    auto accept_run = [&](std::string_view set) {
      while (accept(set)) {
      }
    };
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      accept_run("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      accept_run("0123456789_");
    }
    accept("i");
    if (q < src_.size() && IsAlphaNumeric(src_[q])) return std::string_view::npos;
    return q;
  }

  bool LexNumber() {
    size_t q = ScanNumber(pos_);
    // "1+2i" is one complex number: no spaces, ending in 'i'.
    if (q != std::string_view::npos && (CharAt(q) == '+' || CharAt(q) == '-')) {
      q = ScanNumber(q);
      if (q != std::string_view::npos && src_[q - 1] != 'i') q = std::string_view::npos;
    }
    // Go leaves "-" or "+" alone to strconv, which refuses it: a number needs a digit.
    bool digit = false;
    for (size_t i = pos_; q != std::string_view::npos && i < q; ++i) digit |= IsDigit(src_[i]);
    if (q == std::string_view::npos || !digit) return Fail(pos_, "bad number syntax");
    Emit(TokenKind::kNumber, q);
    return true;
  }

  // "…" and '…': a backslash escapes the next byte, a line break or the end of the file ends
  // the token unterminated. The escapes themselves are checked by the parser (Unquote).
  bool LexQuoted(char quote, TokenKind kind, const char* unterminated) {
    size_t q = pos_ + 1;
    for (;;) {
      if (q >= src_.size() || src_[q] == '\n') return Fail(pos_, unterminated);
      char c = src_[q++];
      if (c == '\\') {
        if (q >= src_.size() || src_[q] == '\n') return Fail(pos_, unterminated);
        ++q;
      } else if (c == quote) {
        break;
      }
    }
    Emit(kind, q);
    return true;
  }
  bool LexQuote() { return LexQuoted('"', TokenKind::kString, "unterminated quoted string"); }
  bool LexChar() { return LexQuoted('\'', TokenKind::kChar, "unterminated character constant"); }

  bool LexRawQuote() {
    size_t close = src_.find('`', pos_ + 1);
    if (close == std::string_view::npos) return Fail(pos_, "unterminated raw quoted string");
    Emit(TokenKind::kRawString, close + 1);
    return true;
  }

  std::string_view src_;
  size_t pos_ = 0;
  Cursor cursor_;
  std::vector<Token> tokens_;
  std::optional<base::Error> error_;
};

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kText:
      return "text";
    case TokenKind::kLeftDelim:
      return "\"{{\"";
    case TokenKind::kRightDelim:
      return "\"}}\"";
    case TokenKind::kComment:
      return "comment";
    case TokenKind::kSpace:
      return "space";
    case TokenKind::kIdentifier:
      return "identifier";
    case TokenKind::kField:
      return "field";
    case TokenKind::kVariable:
      return "variable";
    case TokenKind::kDot:
      return "\".\"";
    case TokenKind::kDeclare:
      return "\":=\"";
    case TokenKind::kAssign:
      return "\"=\"";
    case TokenKind::kPipe:
      return "\"|\"";
    case TokenKind::kLeftParen:
      return "\"(\"";
    case TokenKind::kRightParen:
      return "\")\"";
    case TokenKind::kComma:
      return "\",\"";
    case TokenKind::kString:
      return "string";
    case TokenKind::kRawString:
      return "raw string";
    case TokenKind::kChar:
      return "character constant";
    case TokenKind::kNumber:
      return "number";
    case TokenKind::kBool:
      return "boolean";
    case TokenKind::kNil:
      return "nil";
    case TokenKind::kIf:
      return "{{if}}";
    case TokenKind::kElse:
      return "{{else}}";
    case TokenKind::kEnd:
      return "{{end}}";
    case TokenKind::kRange:
      return "{{range}}";
    case TokenKind::kWith:
      return "{{with}}";
    case TokenKind::kDefine:
      return "{{define}}";
    case TokenKind::kTemplate:
      return "{{template}}";
    case TokenKind::kBlock:
      return "{{block}}";
    case TokenKind::kBreak:
      return "{{break}}";
    case TokenKind::kContinue:
      return "{{continue}}";
    case TokenKind::kPunct:
      return "character";
    case TokenKind::kEof:
      return "end of file";
  }
  return "token";
}

base::Result<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

}  // namespace imagepin::tmpl
