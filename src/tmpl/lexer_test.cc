#include "tmpl/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imagepin::tmpl {
namespace {

std::vector<Token> MustLex(std::string_view source) {
  base::Result<std::vector<Token>> tokens = Lex(source);
  EXPECT_TRUE(tokens.ok()) << source << ": " << tokens.error().ToString();
  return tokens.ok() ? tokens.value() : std::vector<Token>{};
}

// The kinds of the tokens, spaces left out, kEof included.
std::vector<TokenKind> Kinds(std::string_view source) {
  std::vector<TokenKind> kinds;
  for (const Token& token : MustLex(source)) {
    if (token.kind != TokenKind::kSpace) kinds.push_back(token.kind);
  }
  return kinds;
}

using K = TokenKind;

TEST(Lex, TextAndActionWithPositions) {
  std::string_view source = "a: {{ .Values.x }}\nb";
  std::vector<Token> tokens = MustLex(source);
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[0].kind, K::kText);
  EXPECT_EQ(tokens[0].span().Of(source), "a: ");
  EXPECT_EQ(tokens[1].kind, K::kLeftDelim);
  EXPECT_EQ(tokens[1].pos.offset, 3u);
  EXPECT_EQ(tokens[1].pos.column, 4);
  EXPECT_EQ(tokens[3].kind, K::kField);
  EXPECT_EQ(tokens[3].span().Of(source), ".Values");
  EXPECT_EQ(tokens[3].pos.column, 7);
  EXPECT_EQ(tokens[4].kind, K::kField);
  EXPECT_EQ(tokens[4].span().Of(source), ".x");
  EXPECT_EQ(tokens[6].kind, K::kRightDelim);
  EXPECT_EQ(tokens[7].kind, K::kText);
  EXPECT_EQ(tokens[7].span().Of(source), "\nb");
  EXPECT_EQ(tokens[7].pos.line, 1);
  EXPECT_EQ(tokens[7].pos.column, 19);
  EXPECT_EQ(tokens[7].trimmed_pos.line, 1);
}

TEST(Lex, ColumnsCountCharactersNotBytes) {
  std::string_view source = "é€😀{{ x }}\n  ü{{y}}";
  std::vector<Token> tokens = MustLex(source);
  EXPECT_EQ(tokens[1].pos.column, 4);  // three characters, nine bytes before it
  EXPECT_EQ(tokens[1].pos.offset, 9u);
  const Token& second = tokens[tokens.size() - 4];  // the "{{" of {{y}}
  ASSERT_EQ(second.kind, K::kLeftDelim);
  EXPECT_EQ(second.pos.line, 2);
  EXPECT_EQ(second.pos.column, 4);
}

TEST(Lex, TrimMarkersTrimNeighbouringText) {
  std::string_view source = "a \n\t{{- .x -}} \n b";
  std::vector<Token> tokens = MustLex(source);
  ASSERT_EQ(tokens.front().kind, K::kText);
  EXPECT_EQ(tokens.front().span().Of(source), "a \n\t");  // the span keeps what is trimmed
  EXPECT_EQ(tokens.front().trimmed.Of(source), "a");
  EXPECT_TRUE(tokens[1].trim_left);
  EXPECT_EQ(tokens[1].span().Of(source), "{{- ");
  const Token& right = tokens[tokens.size() - 3];
  EXPECT_EQ(right.kind, K::kRightDelim);
  EXPECT_TRUE(right.trim_right);
  EXPECT_EQ(right.span().Of(source), " -}}");
  const Token& last = tokens[tokens.size() - 2];
  EXPECT_EQ(last.span().Of(source), " \n b");
  EXPECT_EQ(last.trimmed.Of(source), "b");
  EXPECT_EQ(last.trimmed_pos.line, 3);
  EXPECT_EQ(last.trimmed_pos.column, 2);
}

TEST(Lex, TrimMarkerNeedsTheSpace) {
  std::string_view source = "a {{-3}} b";
  std::vector<Token> tokens = MustLex(source);
  EXPECT_EQ(tokens[0].trimmed.Of(source), "a ");  // nothing trimmed
  EXPECT_FALSE(tokens[1].trim_left);
  EXPECT_EQ(tokens[2].kind, K::kNumber);
  EXPECT_EQ(tokens[2].span().Of(source), "-3");
  EXPECT_EQ(Kinds("{{3 -}}"), (std::vector<K>{K::kLeftDelim, K::kNumber, K::kRightDelim, K::kEof}));
  // "3-}}" is a bad number, not a trim marker.
  EXPECT_FALSE(Lex("{{3-}}").ok());
}

TEST(Lex, TextTrimmedToNothingStaysAToken) {
  std::string_view source = "{{ a -}}\n  \n{{- b }}";
  std::vector<Token> tokens = MustLex(source);
  const Token* text = nullptr;
  for (const Token& token : tokens) {
    if (token.kind == K::kText) text = &token;
  }
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->span().Of(source), "\n  \n");
  EXPECT_TRUE(text->trimmed.empty());
}

TEST(Lex, Comments) {
  std::string_view source = "x\n{{- /* a }} b\n*/ -}}\ny{{/**/}}";
  std::vector<Token> tokens = MustLex(source);
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].trimmed.Of(source), "x");
  EXPECT_EQ(tokens[1].kind, K::kComment);
  EXPECT_EQ(tokens[1].span().Of(source), "{{- /* a }} b\n*/ -}}");
  EXPECT_EQ(tokens[1].trimmed.Of(source), " a }} b\n");
  EXPECT_TRUE(tokens[1].trim_left);
  EXPECT_TRUE(tokens[1].trim_right);
  EXPECT_EQ(tokens[2].trimmed.Of(source), "y");
  EXPECT_EQ(tokens[2].trimmed_pos.line, 4);
  EXPECT_EQ(tokens[3].kind, K::kComment);
  EXPECT_EQ(tokens[3].pos.column, 2);
}

TEST(Lex, RawStringMaySpanLinesAndHoldDelimiters) {
  std::string_view source = "{{ `a }}\n{{ b` }}z";
  std::vector<Token> tokens = MustLex(source);
  EXPECT_EQ(tokens[2].kind, K::kRawString);
  EXPECT_EQ(tokens[2].span().Of(source), "`a }}\n{{ b`");
  EXPECT_EQ(tokens.back().pos.line, 2);
  EXPECT_EQ(tokens[tokens.size() - 2].span().Of(source), "z");
}

TEST(Lex, EveryTokenKind) {
  EXPECT_EQ(Kinds(R"({{ $x := (include "a" .) | quote }})"),
            (std::vector<K>{K::kLeftDelim, K::kVariable, K::kDeclare, K::kLeftParen, K::kIdentifier,
                            K::kString, K::kDot, K::kRightParen, K::kPipe, K::kIdentifier,
                            K::kRightDelim, K::kEof}));
  EXPECT_EQ(Kinds("{{range $i, $v = $.a}}"),
            (std::vector<K>{K::kLeftDelim, K::kRange, K::kVariable, K::kComma, K::kVariable,
                            K::kAssign, K::kVariable, K::kField, K::kRightDelim, K::kEof}));
  EXPECT_EQ(Kinds("{{if true}}{{else if nil}}{{else}}{{end}}"),
            (std::vector<K>{K::kLeftDelim, K::kIf, K::kBool, K::kRightDelim, K::kLeftDelim,
                            K::kElse, K::kIf, K::kNil, K::kRightDelim, K::kLeftDelim, K::kElse,
                            K::kRightDelim, K::kLeftDelim, K::kEnd, K::kRightDelim, K::kEof}));
  EXPECT_EQ(Kinds("{{with define template block break continue false}}"),
            (std::vector<K>{K::kLeftDelim, K::kWith, K::kDefine, K::kTemplate, K::kBlock, K::kBreak,
                            K::kContinue, K::kBool, K::kRightDelim, K::kEof}));
  EXPECT_EQ(
      Kinds(R"({{ 'a' '\n' 0x1F 1e3 .5 1_000 -2 1+2i "a\"b" }})"),
      (std::vector<K>{K::kLeftDelim, K::kChar, K::kChar, K::kNumber, K::kNumber, K::kNumber,
                      K::kNumber, K::kNumber, K::kNumber, K::kString, K::kRightDelim, K::kEof}));
  EXPECT_EQ(Kinds("{{ ; }}"), (std::vector<K>{K::kLeftDelim, K::kPunct, K::kRightDelim, K::kEof}));
}

TEST(Lex, ActionsMaySpanLines) {
  std::string_view source = "{{ include\n   \"x\" . }}";
  std::vector<Token> tokens = MustLex(source);
  EXPECT_EQ(tokens[4].kind, K::kString);
  EXPECT_EQ(tokens[4].pos.line, 2);
  EXPECT_EQ(tokens[4].pos.column, 4);
}

TEST(Lex, ErrorsHavePositions) {
  struct Case {
    std::string_view source;
    std::string_view message;
    int line, column;
  } cases[] = {
      {"a\n  {{ .x ", "unclosed action", 2, 3},
      {"a\n  {{/* x }}", "unclosed comment", 2, 3},
      {"{{/* x */ }}", "comment ends before closing delimiter", 1, 10},
      {"{{ \"abc }}", "unterminated quoted string", 1, 4},
      {"{{ \"a\nb\" }}", "unterminated quoted string", 1, 4},
      {"x\n{{ `abc }}", "unterminated raw quoted string", 2, 4},
      {"{{ 'a }}", "unterminated character constant", 1, 4},
      {"{{ ( .x }}", "unclosed left paren", 1, 9},
      {"{{ .x ) }}", "unexpected right paren", 1, 7},
      {"{{ $x : 1 }}", "expected :=", 1, 7},
      {"{{ 3x }}", "bad number syntax", 1, 4},
      {"{{ - }}", "bad number syntax", 1, 4},
      {"{{ .a\"b\" }}", "bad character '\"'", 1, 6},
      {"{{ \x01 }}", "unrecognized character in action: 0x01", 1, 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    base::Result<std::vector<Token>> tokens = Lex(c.source);
    ASSERT_FALSE(tokens.ok());
    EXPECT_EQ(tokens.error().message, c.message);
    EXPECT_EQ(tokens.error().pos.line, c.line);
    EXPECT_EQ(tokens.error().pos.column, c.column);
  }
}

TEST(Lex, LinearOnManyActions) {
  std::string source;
  for (int i = 0; i < 200000; ++i) source += "a {{- .x -}}\n";
  base::Result<std::vector<Token>> tokens = Lex(source);
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->back().pos.line, 200001);
}

}  // namespace
}  // namespace imagepin::tmpl
