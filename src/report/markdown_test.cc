#include "report/markdown.h"

#include <gtest/gtest.h>

namespace imagepin::report {
namespace {

TEST(MarkdownTable, HeaderSeparatorAndRows) {
  EXPECT_EQ(MarkdownTable({"Service", "Digest"}, {{"api", "`sha256:1`"}, {"web", "x"}}),
            "| Service | Digest |\n|---|---|\n| api | `sha256:1` |\n| web | x |\n");
}

TEST(MarkdownTable, PipesAndNewlinesInCellsCannotBreakTheTable) {
  EXPECT_EQ(MarkdownTable({"a"}, {{"x|y\nz"}}), "| a |\n|---|\n| x\\|y z |\n");
}

TEST(MarkdownTable, ControlCharactersInCellsAreShownAsEscapes) {
  EXPECT_EQ(MarkdownTable({"a"}, {{"x\x1b[2Jy\tz"}}), "| a |\n|---|\n| x\\x1b[2Jy\\tz |\n");
}

TEST(ShortDigest, KeepsAlgorithmAndTwelveHexDigits) {
  EXPECT_EQ(ShortDigest("sha256:" + std::string(64, 'a')), "sha256:aaaaaaaaaaaa");
  EXPECT_EQ(ShortDigest(""), "");
}

}  // namespace
}  // namespace imagepin::report
