// KeyPath: where a node sits inside its document, as keys and list indexes, printed the way
// users write it: `spec.template.spec.containers[1].image`, with keys that are not identifiers
// quoted: `data["config.yaml"]`.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imagepin::yaml {

class KeyPath {
 public:
  void PushKey(std::string_view key);
  void PushIndex(size_t index);
  void Pop() { ends_.pop_back(), text_.resize(ends_.empty() ? 0 : ends_.back()); }
  const std::string& str() const { return text_; }
  size_t depth() const { return ends_.size(); }

 private:
  std::string text_;          // the printed path, kept up to date as segments are pushed
  std::vector<size_t> ends_;  // text_.size() after each segment, so Pop() is a resize
};

// KeyPath text of `base` with `key` appended.
std::string JoinKeyPath(std::string_view base, std::string_view key);

// One step of a path kept as data (the application model looks the same path up in several
// files): a mapping key, or a list index when `index` >= 0.
struct PathSegment {
  std::string key;
  int64_t index = -1;
  bool is_index() const { return index >= 0; }
  bool operator==(const PathSegment&) const = default;
  auto operator<=>(const PathSegment&) const = default;
};
using SegmentPath = std::vector<PathSegment>;

// The KeyPath text of `path`: `spec.containers[0].image`.
std::string PrintKeyPath(const SegmentPath& path);

}  // namespace imagepin::yaml
