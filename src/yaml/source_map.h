// Maps libyaml's character indexes to byte offsets. libyaml counts characters (a UTF-8 sequence
// is one), skips a BOM, and counts CRLF as two; splicing needs bytes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace imagepin::yaml {

class SourceMap {
 public:
  explicit SourceMap(std::string_view source);

  // The byte offset in `source` of character `index` (as libyaml's mark.index counts).
  uint32_t ByteOffset(uint64_t index) const;

 private:
  // One checkpoint every kStride characters: byte offset of that character. Empty when the text
  // after the BOM is pure ASCII, where characters and bytes coincide.
  static constexpr uint32_t kStride = 64;
  std::string_view text_;  // source without the BOM
  uint32_t bom_ = 0;
  std::vector<uint32_t> checkpoints_;
};

}  // namespace imagepin::yaml
