#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace imagepin::base {
namespace {

TEST(DecodeUtf8, DecodesEachLength) {
  EXPECT_EQ(DecodeUtf8("a").code_point, U'a');
  Utf8Char two = DecodeUtf8("\xC3\xA9");
  EXPECT_TRUE(two.valid);
  EXPECT_EQ(two.code_point, 0xE9u);
  EXPECT_EQ(two.length, 2u);
  EXPECT_EQ(DecodeUtf8("\xE2\x80\xA8").code_point, 0x2028u);
  Utf8Char four = DecodeUtf8("\xF0\x9F\x98\x80");
  EXPECT_EQ(four.code_point, 0x1F600u);
  EXPECT_EQ(four.length, 4u);
}

TEST(DecodeUtf8, TakesOneByteOfWhatIsNotWellFormed) {
  for (std::string bad : {"\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xE2\x82", "\xC3x"}) {
    SCOPED_TRACE(testing::PrintToString(bad));
    Utf8Char c = DecodeUtf8(bad);
    EXPECT_FALSE(c.valid);
    EXPECT_EQ(c.length, 1u);
  }
}

TEST(IsValidUtf8, AcceptsOnlyWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE6\x97\xA5"));
  EXPECT_FALSE(IsValidUtf8("bad\xFF.yaml"));
  EXPECT_FALSE(IsValidUtf8("cut\xE6\x97"));
}

TEST(ReplaceInvalidUtf8, ReplacesEachBadByte) {
  EXPECT_EQ(ReplaceInvalidUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF"
                               "b\xE6\x97"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace imagepin::base
