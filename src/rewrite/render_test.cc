#include "rewrite/render.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "yaml/parser.h"

namespace imagepin::rewrite {
namespace {

using yaml::ScalarStyle;

// Parses `key: <text>` and returns the value libyaml reads, or "<error>".
std::string ReadBack(const std::string& text) {
  std::string source = "key: " + text + "\n";
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  std::string value = "<none>";
  bool ok = parser.Parse(
      source,
      [&](const yaml::Document& doc) {
        value = std::string(doc.Value(doc.Get(doc.root(), "key")));
      },
      &error);
  return ok ? value : "<error>";
}

TEST(RenderLike, QuotesAValueThatWouldReadAsADocumentEndMarker) {
  base::Result<std::string> out = RenderLike("efa", yaml::ScalarStyle::kPlain, "...");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "\"...\"");
  EXPECT_EQ(*RenderLike("efa", yaml::ScalarStyle::kPlain, "./chart"), "./chart");
}

TEST(RenderLike, KeepsEachQuotingStyle) {
  struct Case {
    std::string old_text;
    ScalarStyle style;
    std::string value;
    std::string want;
  } cases[] = {
      {"nginx:1.27", ScalarStyle::kPlain, "nginx:1.28", "nginx:1.28"},
      {"'nginx:1.27'", ScalarStyle::kSingleQuoted, "nginx:1.28", "'nginx:1.28'"},
      {"\"nginx:1.27\"", ScalarStyle::kDoubleQuoted, "nginx:1.28", "\"nginx:1.28\""},
      {"main", ScalarStyle::kPlain, "sha256:0123abcd", "sha256:0123abcd"},
      {"v1", ScalarStyle::kPlain, "1.2.3", "1.2.3"},  // a version, not a float
      {"x", ScalarStyle::kPlain, "ghcr.io/a/b:v1@sha256:00ff", "ghcr.io/a/b:v1@sha256:00ff"},
      {"x", ScalarStyle::kPlain, "localhost:5000/app", "localhost:5000/app"},
      {"'x'", ScalarStyle::kSingleQuoted, "it's", "'it''s'"},
      {"\"x\"", ScalarStyle::kDoubleQuoted, "a\"b\\c", R"("a\"b\\c")"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.old_text + " → " + c.value);
    base::Result<std::string> got = RenderLike(c.old_text, c.style, c.value);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    EXPECT_EQ(*got, c.want);
    EXPECT_EQ(ReadBack(*got), c.value);
  }
}

TEST(RenderLike, QuotesAPlainValueThatWouldNotReadBackAsThatString) {
  const char* values[] = {
      "1.10",
      "1.28",
      "8",
      "20240102",
      "0x1F",
      "0o17",
      "017",
      "1e3",
      "1_000",
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "true",
      "null",
      "~",
      ".inf",
      ".NaN",
      "1:20",
      "-rc1",
      "app:",
      "a b",
      "a #b",
      "a#b",
      "[a]",
      "a,b",
      "{a}",
      "*x",
      "&x",
      "!x",
      "%x",
      "@x",
      "`x",
      "'x",
      "\"x",
      "? x",
      "- x",
      "",
      "2024-01-02",
      "2024-1-2T10:00:00Z",
      "caf\xC3\xA9",
  };
  for (const char* value : values) {
    SCOPED_TRACE(value);
    base::Result<std::string> got = RenderLike("main", ScalarStyle::kPlain, value);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->front(), '"');
    EXPECT_EQ(ReadBack(*got), value);
  }
}

TEST(RenderLike, KeepsPlainForValuesThatAreStrings) {
  for (const char* value : {"latest", "1.2.3", "v1.28", "1.27.3-alpine", "2024-01-02-abc",
                            "sha256:0000", "registry.k8s.io/pause:3.9", "_x", "./x", "x+y"}) {
    SCOPED_TRACE(value);
    EXPECT_TRUE(CanWritePlain(value));
    EXPECT_EQ(ReadBack(value), value);
  }
}

TEST(RenderLike, SwitchesSingleQuotesToDoubleOnlyForControlCharacters) {
  base::Result<std::string> got = RenderLike("'x'", ScalarStyle::kSingleQuoted, "a\tb\nc");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"("a\tb\nc")");
  EXPECT_EQ(ReadBack(*got), "a\tb\nc");
}

TEST(RenderLike, EscapesControlCharactersInDoubleQuotes) {
  base::Result<std::string> got = RenderLike("\"x\"", ScalarStyle::kDoubleQuoted, "a\x01z");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"("a\x01z")");
  EXPECT_EQ(ReadBack(*got), "a\x01z");
}

// Values YAML would fold, trim or refuse if written raw between quotes; each must read back
// exactly, whatever the old style.
TEST(RenderLike, ReadsBackCharactersYamlWouldNotKeepRaw) {
  const std::string values[] = {
      "a\u0085b",              // NEL: a line break, read back as a space when raw
      "a\u2028b",              // line separator
      "a\u2029b",              // paragraph separator
      "a\uFEFFb",              // byte order mark
      "a\u0080b\u009Fc",       // other C1 controls, which libyaml refuses raw
      "a\uFFFEb\uFFFF",        // non-characters outside YAML's printable set
      "a\u007Fb",              // DEL
      std::string("a\0b", 3),  // NUL
      "\x1B[31mred",           // ESC
      "a\n\nb",                // newlines: one raw break would fold to a space
      "a\r\nb",
      " lead and trail ",
      "tab\tend\t",
      "back\\slash \"quote\" 'single'",
      "caf\u00E9 \u65E5\U0001F600",  // printable non-ASCII stays as it is
  };
  for (const std::string& value : values) {
    for (const auto& [old_text, style] :
         {std::pair<std::string, ScalarStyle>{"x", ScalarStyle::kPlain},
          {"'x'", ScalarStyle::kSingleQuoted},
          {"\"x\"", ScalarStyle::kDoubleQuoted}}) {
      SCOPED_TRACE(testing::PrintToString(value) + " in " + old_text);
      base::Result<std::string> got = RenderLike(old_text, style, value);
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      EXPECT_EQ(ReadBack(*got), value) << *got;
    }
  }
}

TEST(RenderLike, EscapesLineSeparatorsByName) {
  base::Result<std::string> got =
      RenderLike("'x'", ScalarStyle::kSingleQuoted, "a\u0085b\u2028c\u2029d");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"("a\Nb\Lc\Pd")");
  got = RenderLike("\"x\"", ScalarStyle::kDoubleQuoted, "\uFEFFa\u009Bb");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"("\uFEFFa\x9Bb")");
}

TEST(RenderLike, RefusesValuesThatAreNotUtf8) {
  for (const char* value : {"a\xFF", "a\xC2", "\xED\xA0\x80"}) {
    base::Result<std::string> got = RenderLike("\"x\"", ScalarStyle::kDoubleQuoted, value);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, base::ErrorCode::kInvalidArgument);
  }
}

TEST(RenderLike, RefusesBlockScalars) {
  for (ScalarStyle style : {ScalarStyle::kLiteral, ScalarStyle::kFolded}) {
    base::Result<std::string> got = RenderLike("|\n  nginx:1\n", style, "nginx:2");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, base::ErrorCode::kInvalidArgument);
  }
}

TEST(RenderLike, RefusesAStyleThatContradictsTheText) {
  EXPECT_FALSE(RenderLike("'x'", ScalarStyle::kPlain, "y").ok());
  EXPECT_FALSE(RenderLike("x", ScalarStyle::kSingleQuoted, "y").ok());
  EXPECT_FALSE(RenderLike("'x'", ScalarStyle::kDoubleQuoted, "y").ok());
}

}  // namespace
}  // namespace imagepin::rewrite
