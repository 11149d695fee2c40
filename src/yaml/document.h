// A source-preserving view of YAML: one Document per YAML document in a stream, as a compact tree
// of nodes that remember where they stand in the original bytes (byte span, line, column, quoting
// style, anchor). The tree is only for *finding* things; edits splice the original bytes (see
// rewrite/splice.h) and YAML is never re-serialised.
//
// What a newcomer gets wrong: aliases are not expanded. An alias node points at its anchor's node
// (`alias_target`), so a value reached through `*name` is reported where `&name` is written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imagepin::yaml {

// The source line holding byte `offset` of `source`, without its line break and without a
// leading UTF-8 BOM. Line breaks are libyaml's: LF, CRLF, a lone CR, and NEL, LS, PS (U+0085,
// U+2028, U+2029), so a line here is the line a position's line number counts.
std::string_view LineAt(std::string_view source, size_t offset);

// The text of 1-based line `line` (breaks as for LineAt), or empty when there are fewer lines.
std::string_view LineNumbered(std::string_view source, int line);

// Every line of `source` in order (breaks as for LineAt, a leading BOM removed), so that line
// number N is element N-1. A final break does not start another line.
std::vector<std::string_view> SplitLines(std::string_view source);

enum class NodeKind : uint8_t { kScalar, kMapping, kSequence, kAlias };

enum class ScalarStyle : uint8_t { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral, kFolded };

using NodeId = int32_t;
inline constexpr NodeId kNoNode = -1;

struct Node {
  NodeKind kind = NodeKind::kScalar;
  ScalarStyle style = ScalarStyle::kPlain;  // scalars only
  bool flow = false;                        // collections written in flow style: {..} / [..]
  // The value is the node's own bytes in the source (a one-line plain scalar, the common case),
  // so it was not copied: value_offset/value_length then index the source, not the arena.
  bool value_in_source = false;
  uint32_t line = 0;    // 0-based line of the node's first character
  uint32_t column = 0;  // 0-based column, in characters
  uint32_t begin = 0;   // byte offset of the node's text: quotes included, anchor and tag excluded
  uint32_t end = 0;     // byte offset one past the node's text (scalars; collections: approximate)
  uint32_t value_offset = 0;  // scalar value (or alias name) in the value arena (or the source)
  uint32_t value_length = 0;
  uint32_t anchor_offset = 0;  // anchor name in the value arena; length 0 when there is none
  uint32_t anchor_length = 0;
  NodeId first_child = kNoNode;  // mappings: key, value, key, value, ...; sequences: items
  NodeId next_sibling = kNoNode;
  NodeId alias_target = kNoNode;  // aliases: the anchored node, or kNoNode if undefined
};

class Document {
 public:
  // The whole file, including a UTF-8 BOM if it has one.
  std::string_view source() const { return source_; }
  // 0-based index of this document in its stream (empty documents count).
  int index() const { return index_; }
  // The root node, or kNoNode for an empty document.
  NodeId root() const { return nodes_.empty() ? kNoNode : 0; }
  const Node& node(NodeId id) const { return nodes_[static_cast<size_t>(id)]; }
  size_t node_count() const { return nodes_.size(); }

  // The parsed value of a scalar (escapes and folding applied), or an alias's anchor name.
  std::string_view Value(NodeId id) const {
    const Node& n = node(id);
    return std::string_view((n.value_in_source ? source_.data() : arena_.data()) + n.value_offset,
                            n.value_length);
  }
  std::string_view Anchor(NodeId id) const {
    const Node& n = node(id);
    return std::string_view(arena_).substr(n.anchor_offset, n.anchor_length);
  }
  // The original bytes of a node, e.g. `"ghcr.io/a:b"` with its quotes.
  std::string_view Raw(NodeId id) const {
    const Node& n = node(id);
    return source_.substr(n.begin, n.end - n.begin);
  }
  // The node itself, or the anchored node an alias points at (kNoNode for an undefined alias).
  NodeId Resolve(NodeId id) const {
    return id != kNoNode && node(id).kind == NodeKind::kAlias ? node(id).alias_target : id;
  }
  // The value for `key` in a mapping (not following merge keys), or kNoNode.
  NodeId Get(NodeId mapping, std::string_view key) const;
  // True if the node is a scalar whose value is a YAML null (`~`, `null`, or nothing), plain style.
  bool IsNull(NodeId id) const;
  // The source line holding byte `offset`, without its line break.
  std::string_view LineAt(uint32_t offset) const { return yaml::LineAt(source_, offset); }

 private:
  friend class StreamParser;
  std::string_view source_;
  int index_ = 0;
  std::vector<Node> nodes_;
  std::string arena_;
};

}  // namespace imagepin::yaml
