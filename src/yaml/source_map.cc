#include "yaml/source_map.h"

#include <cstring>

namespace imagepin::yaml {
namespace {

bool IsAscii(std::string_view s) {
  // 32 bytes at a time (every file passes through here): any byte with its high bit set is not
  // ASCII.
  size_t i = 0;
  for (; i + 32 <= s.size(); i += 32) {
    uint64_t words[4];
    std::memcpy(words, s.data() + i, 32);
    if ((words[0] | words[1] | words[2] | words[3]) & 0x8080808080808080ULL) return false;
  }
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ULL) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) & 0x80) return false;
  }
  return true;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

SourceMap::SourceMap(std::string_view source) {
  if (source.substr(0, 3) == "\xEF\xBB\xBF") bom_ = 3;
  text_ = source.substr(bom_);
  if (IsAscii(text_)) return;
  uint32_t chars = 0;
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (IsContinuationByte(text_[i])) continue;
    if (chars % kStride == 0) checkpoints_.push_back(i);
    ++chars;
  }
}

uint32_t SourceMap::ByteOffsetFromCheckpoints(uint64_t index) const {
  size_t slot = index / kStride;
  if (slot >= checkpoints_.size()) slot = checkpoints_.size() - 1;
  uint32_t byte = checkpoints_[slot];
  uint64_t chars = slot * kStride;
  while (chars < index && byte < text_.size()) {
    ++byte;
    while (byte < text_.size() && IsContinuationByte(text_[byte])) ++byte;
    ++chars;
  }
  return bom_ + byte;
}

}  // namespace imagepin::yaml
