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

  // The byte offset in `source` of character `index` (as libyaml's mark.index counts). Inline:
  // it runs for every node, and the ASCII case is one addition.
  uint32_t ByteOffset(uint64_t index) const {
    if (checkpoints_.empty())
      return bom_ + static_cast<uint32_t>(index < text_.size() ? index : text_.size());
    return ByteOffsetFromCheckpoints(index);
  }

 private:
  uint32_t ByteOffsetFromCheckpoints(uint64_t index) const;

  // One checkpoint every kStride characters: byte offset of that character. Empty when the text
  // after the BOM is pure ASCII, where characters and bytes coincide.
  static constexpr uint32_t kStride = 64;
  std::string_view text_;  // source without the BOM
  uint32_t bom_ = 0;
  std::vector<uint32_t> checkpoints_;
};

}  // namespace imagepin::yaml
