#include "yaml/source_map.h"

#include <gtest/gtest.h>
#include <yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imagepin::yaml {
namespace {

const std::string kBom = "\xEF\xBB\xBF";

struct Point {
  uint64_t index;   // character index as libyaml counts it
  uint32_t offset;  // expected byte offset in the source
};

void ExpectOffsets(std::string_view source, std::initializer_list<Point> points) {
  SourceMap map(source);
  for (const Point& p : points) {
    SCOPED_TRACE(::testing::Message() << "character index " << p.index);
    EXPECT_EQ(map.ByteOffset(p.index), p.offset);
  }
}

// The start mark of every plain scalar libyaml reports, with the scalar's value.
struct ScalarMark {
  uint64_t index;
  std::string value;
};

std::vector<ScalarMark> LibyamlScalarMarks(std::string_view source) {
  std::vector<ScalarMark> marks;
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(source.data()),
                               source.size());
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      ADD_FAILURE() << "libyaml: " << (parser.problem ? parser.problem : "error");
      break;
    }
    if (event.type == YAML_SCALAR_EVENT) {
      marks.push_back({event.start_mark.index,
                       std::string(reinterpret_cast<const char*>(event.data.scalar.value),
                                   event.data.scalar.length)});
    }
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return marks;
}

// Every scalar libyaml finds must be found at the byte SourceMap gives for its mark.
void ExpectAgreesWithLibyaml(std::string_view source, size_t expected_scalars) {
  SourceMap map(source);
  std::vector<ScalarMark> marks = LibyamlScalarMarks(source);
  ASSERT_EQ(marks.size(), expected_scalars);
  for (const ScalarMark& m : marks) {
    SCOPED_TRACE(::testing::Message() << "scalar \"" << m.value << "\" at index " << m.index);
    uint32_t offset = map.ByteOffset(m.index);
    ASSERT_LE(offset, source.size());
    EXPECT_EQ(source.substr(offset, m.value.size()), m.value);
  }
}

TEST(SourceMap, AsciiIndexIsByteOffset) {
  ExpectOffsets("image: nginx:1.27\n", {{0, 0}, {7, 7}, {17, 17}, {18, 18}});
}

TEST(SourceMap, IndexPastTheEndClampsToTheEnd) {
  ExpectOffsets("abc", {{3, 3}, {4, 3}, {1000, 3}});
  ExpectOffsets("é", {{1, 2}, {2, 2}, {1000, 2}});
  ExpectOffsets(kBom + "ab", {{2, 5}, {50, 5}});
}

TEST(SourceMap, EmptySourceMapsEverythingToZero) {
  ExpectOffsets("", {{0, 0}, {5, 0}});
  ExpectOffsets(kBom, {{0, 3}, {5, 3}});
}

TEST(SourceMap, BomIsSkippedAndIndexZeroIsTheCharacterAfterIt) {
  std::string source = kBom + "a: b\n";
  ExpectOffsets(source, {{0, 3}, {3, 6}, {5, 8}});
  SourceMap map(source);
  EXPECT_EQ(source[map.ByteOffset(3)], 'b');
}

TEST(SourceMap, BomWithNonAsciiText) {
  std::string source = kBom + "é: b\n";
  // é is one character of two bytes.
  ExpectOffsets(source, {{0, 3}, {1, 5}, {3, 7}});
}

TEST(SourceMap, MultiByteCharactersCountAsOne) {
  // é (2 bytes), 😀 (4 bytes), 中 (3 bytes)
  std::string source = "é: 😀 中x\n";
  ExpectOffsets(source, {
                            {0, 0},   // é
                            {1, 2},   // ':'
                            {2, 3},   // ' '
                            {3, 4},   // 😀
                            {4, 8},   // ' '
                            {5, 9},   // 中
                            {6, 12},  // x
                            {7, 13},  // '\n'
                            {8, 14},  // end
                        });
}

TEST(SourceMap, AsciiBeforeMultiByteCharacters) {
  std::string source = "key: value # 日本語\n";
  ExpectOffsets(source, {{5, 5}, {12, 12}, {13, 13}, {14, 16}, {15, 19}, {16, 22}, {17, 23}});
}

TEST(SourceMap, CheckpointsBeyondSixtyFourCharacters) {
  // 200 two-byte characters, then ASCII: character i of the first run is at byte 2*i.
  std::string source;
  for (int i = 0; i < 200; ++i) source += "é";
  source += "tail";
  SourceMap map(source);
  for (uint64_t i : {0, 1, 63, 64, 65, 127, 128, 129, 199}) {
    SCOPED_TRACE(::testing::Message() << "character index " << i);
    EXPECT_EQ(map.ByteOffset(i), 2 * i);
  }
  EXPECT_EQ(map.ByteOffset(200), 400u);  // 't'
  EXPECT_EQ(map.ByteOffset(203), 403u);  // 'l'
  EXPECT_EQ(map.ByteOffset(204), 404u);  // end
}

TEST(SourceMap, MixedWidthsAgreeWithACharacterCountAtEveryIndex) {
  // Widths 1, 2, 3 and 4 in a repeating pattern, long enough for several checkpoints, after a BOM.
  std::string body;
  for (int i = 0; i < 100; ++i) body += "aé中😀";
  std::string source = kBom + body;
  std::vector<uint32_t> expected;  // byte offset of every character, then the end
  for (uint32_t b = 0; b < body.size(); ++b) {
    if ((static_cast<unsigned char>(body[b]) & 0xC0) != 0x80) expected.push_back(3 + b);
  }
  ASSERT_EQ(expected.size(), 400u);
  expected.push_back(static_cast<uint32_t>(source.size()));
  SourceMap map(source);
  for (uint64_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "character index " << i);
    ASSERT_EQ(map.ByteOffset(i), expected[i]);
  }
}

TEST(SourceMap, CrlfCountsAsTwoCharacters) {
  std::string source = "a: 1\r\nb: é\r\nc: 3\r\n";
  ExpectOffsets(source, {
                            {4, 4},    // '\r'
                            {5, 5},    // '\n'
                            {6, 6},    // 'b'
                            {9, 9},    // é
                            {10, 11},  // '\r'
                            {12, 13},  // 'c'
                            {15, 16},  // '3'
                        });
}

TEST(SourceMap, AgreesWithLibyamlMarks) {
  struct Case {
    std::string name;
    std::string source;
    size_t scalars;
  } cases[] = {
      {"ascii", "a: b\nlist:\n  - x\n  - y\n", 5},
      {"bom", kBom + "a: b\nc: d\n", 4},
      {"crlf", "a: b\r\nc: d\r\ne: f\r\n", 6},
      {"bom crlf non-ascii", kBom + "é: 中\r\n😀: x\r\nz: y\r\n", 6},
      {"long non-ascii line",
       "k: " + std::string(150, 'x') + "\nnäme: " +
           [] {
             std::string s;
             for (int i = 0; i < 90; ++i) s += "ü";
             return s;
           }() +
           "\nlast: v\n",
       6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectAgreesWithLibyaml(c.source, c.scalars);
  }
}

}  // namespace
}  // namespace imagepin::yaml
