#include "yaml/parser.h"

#include <yaml.h>

#include <cstring>
#include <string>

#include "yaml/source_map.h"

namespace imagepin::yaml {
namespace {

// Owns the libyaml parser and the event being handled, so both are released on every path.
// One event struct serves the whole stream: yaml_parser_parse fills it, yaml_event_delete empties
// it (and deleting an empty one is harmless).
class LibyamlParser {
 public:
  explicit LibyamlParser(std::string_view input) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(input.data()),
                                 input.size());
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
  }
  ~LibyamlParser() {
    yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  LibyamlParser(const LibyamlParser&) = delete;
  LibyamlParser& operator=(const LibyamlParser&) = delete;

  // The next event, or nullptr at a syntax error (see parser()).
  const yaml_event_t* Next() {
    yaml_event_delete(&event_);
    return yaml_parser_parse(&parser_, &event_) ? &event_ : nullptr;
  }
  const yaml_parser_t& parser() const { return parser_; }

 private:
  yaml_parser_t parser_;
  yaml_event_t event_{};
};

ScalarStyle StyleOf(yaml_scalar_style_t style) {
  switch (style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      return ScalarStyle::kSingleQuoted;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
      return ScalarStyle::kDoubleQuoted;
    case YAML_LITERAL_SCALAR_STYLE:
      return ScalarStyle::kLiteral;
    case YAML_FOLDED_SCALAR_STYLE:
      return ScalarStyle::kFolded;
    default:
      return ScalarStyle::kPlain;
  }
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The 1-based line and column (in characters) of byte `offset`, counted from the start.
SyntaxError PositionOf(std::string_view source, size_t offset, std::string message) {
  SyntaxError error{std::move(message), 1, 1};
  if (source.substr(0, 3) == "\xEF\xBB\xBF")
    source.remove_prefix(3), offset -= std::min<size_t>(offset, 3);
  for (size_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++error.line;
      error.column = 1;
    } else if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) {
      ++error.column;
    }
  }
  return error;
}

}  // namespace

NodeId Document::Get(NodeId mapping, std::string_view key) const {
  if (mapping == kNoNode || node(mapping).kind != NodeKind::kMapping) return kNoNode;
  for (NodeId k = node(mapping).first_child; k != kNoNode;) {
    NodeId v = node(k).next_sibling;
    if (v == kNoNode) break;
    if (node(k).kind == NodeKind::kScalar && Value(k) == key) return v;
    k = node(v).next_sibling;
  }
  return kNoNode;
}

bool Document::IsNull(NodeId id) const {
  if (id == kNoNode) return true;
  const Node& n = node(id);
  if (n.kind != NodeKind::kScalar || n.style != ScalarStyle::kPlain) return false;
  std::string_view v = Value(id);
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

std::string_view LineAt(std::string_view source, size_t offset) {
  size_t begin = std::min(offset, source.size());
  while (begin > 0 && source[begin - 1] != '\n') --begin;
  size_t end = source.find('\n', begin);
  if (end == std::string_view::npos) end = source.size();
  std::string_view line = source.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (begin == 0 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  return line;
}

bool LooksLikeUtf8Text(std::string_view source) {
  if (source.size() >= 2) {
    auto b0 = static_cast<unsigned char>(source[0]), b1 = static_cast<unsigned char>(source[1]);
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) return false;
  }
  return std::memchr(source.data(), '\0', std::min<size_t>(source.size(), 8192)) == nullptr;
}

namespace {

// Builds the node tree of one document from libyaml's events. Kept apart from the event loop so
// the per-node work (the hot path of a scan) is plain inline code.
class TreeBuilder {
 public:
  TreeBuilder(std::string_view source, std::vector<Node>* nodes, std::string* arena)
      : source_(source), map_(source), nodes_(*nodes), arena_(*arena) {}

  void StartDocument() {
    nodes_.clear();
    arena_.clear();
    anchored_.clear();
    stack_.clear();
  }

  void StartCollection(NodeKind kind, const yaml_mark_t& mark, const yaml_char_t* anchor,
                       bool flow) {
    NodeId id = AddNode(kind, mark, anchor, source_.size());
    nodes_[static_cast<size_t>(id)].flow = flow;
    stack_.push_back({id, kNoNode});
  }

  void EndCollection(const yaml_mark_t& end_mark) {
    if (stack_.empty()) return;
    nodes_[static_cast<size_t>(stack_.back().id)].end = map_.ByteOffset(end_mark.index);
    stack_.pop_back();
  }

  void Scalar(const yaml_event_t& e) {
    uint32_t end = map_.ByteOffset(e.end_mark.index);
    NodeId id = AddNode(NodeKind::kScalar, e.start_mark, e.data.scalar.anchor, end);
    Node& n = nodes_[static_cast<size_t>(id)];
    n.style = StyleOf(e.data.scalar.style);
    n.end = std::max(n.begin, end);
    // A plain scalar on one line is its own text: no escapes, and no line folding (which only
    // happens across lines). Point into the source instead of copying; most scalars are these.
    if (n.style == ScalarStyle::kPlain && e.start_mark.line == e.end_mark.line &&
        e.data.scalar.length == n.end - n.begin) {
      n.value_in_source = true;
      n.value_offset = n.begin;
      n.value_length = static_cast<uint32_t>(e.data.scalar.length);
      return;
    }
    Append(
        std::string_view(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length),
        &n.value_offset, &n.value_length);
  }

  void Alias(const yaml_event_t& e) {
    NodeId id = AddNode(NodeKind::kAlias, e.start_mark, nullptr, source_.size());
    std::string_view name(reinterpret_cast<const char*>(e.data.alias.anchor));
    Node& n = nodes_[static_cast<size_t>(id)];
    n.end = map_.ByteOffset(e.end_mark.index);
    Append(name, &n.value_offset, &n.value_length);
    // An alias refers to the most recent node with that anchor (YAML 1.2 §3.2.2.2).
    for (auto it = anchored_.rbegin(); it != anchored_.rend(); ++it) {
      const Node& a = nodes_[static_cast<size_t>(*it)];
      if (std::string_view(arena_).substr(a.anchor_offset, a.anchor_length) == name) {
        nodes_[static_cast<size_t>(id)].alias_target = *it;
        break;
      }
    }
  }

 private:
  struct Open {
    NodeId id;
    NodeId last_child;
  };

  void Append(std::string_view text, uint32_t* offset, uint32_t* length) {
    *offset = static_cast<uint32_t>(arena_.size());
    *length = static_cast<uint32_t>(text.size());
    arena_.append(text);
  }

  // Adds a node starting at libyaml mark `mark`, links it under the open collection. `limit` is
  // the byte offset the node's text cannot extend past (a scalar's end).
  NodeId AddNode(NodeKind kind, const yaml_mark_t& mark, const yaml_char_t* anchor, size_t limit) {
    NodeId id = static_cast<NodeId>(nodes_.size());
    Node& n = nodes_.emplace_back();
    n.kind = kind;
    n.begin = map_.ByteOffset(mark.index);
    n.line = static_cast<uint32_t>(mark.line);
    n.column = static_cast<uint32_t>(mark.column);
    // libyaml's mark starts at an `&anchor` or `!tag` written before the node; skip them (and a
    // comment after them) so the span is the node's own text. An anchored empty scalar
    // (`a: &x` then a new line) ends right after its anchor: do not run into the next line.
    // (A block mapping whose first key is anchored starts at that anchor too.)
    const size_t stop = std::min(source_.size(), limit);
    while (n.begin < stop && (source_[n.begin] == '&' || source_[n.begin] == '!'))
      SkipProperty(n, stop);
    if (anchor != nullptr) {
      Append(reinterpret_cast<const char*>(anchor), &n.anchor_offset, &n.anchor_length);
      anchored_.push_back(id);
    }
    if (!stack_.empty()) {
      Open& parent = stack_.back();
      if (parent.last_child == kNoNode) {
        nodes_[static_cast<size_t>(parent.id)].first_child = id;
      } else {
        nodes_[static_cast<size_t>(parent.last_child)].next_sibling = id;
      }
      parent.last_child = id;
    }
    return id;
  }

  // Moves `n.begin` past one anchor or tag and the blanks and comment after it.
  void SkipProperty(Node& n, size_t stop) const {
    while (n.begin < stop && !IsBlank(source_[n.begin])) ++n.begin, ++n.column;
    while (n.begin < stop && (IsBlank(source_[n.begin]) || source_[n.begin] == '#')) {
      if (source_[n.begin] == '#') {  // after a blank, so a comment: skip to the line break
        while (n.begin < stop && source_[n.begin] != '\n' && source_[n.begin] != '\r') {
          ++n.begin, ++n.column;
        }
        continue;
      }
      if (source_[n.begin] == '\n')
        ++n.line, n.column = 0;
      else if (source_[n.begin] != '\r')
        ++n.column;
      ++n.begin;
    }
  }

  std::string_view source_;
  SourceMap map_;
  std::vector<Node>& nodes_;
  std::string& arena_;
  std::vector<Open> stack_;
  std::vector<NodeId> anchored_;  // nodes with an anchor, in order, for alias resolution
};

}  // namespace

bool StreamParser::Parse(std::string_view source,
                         const std::function<void(const Document&)>& on_document,
                         SyntaxError* error) {
  // With the encoding set explicitly libyaml does not consume a UTF-8 BOM: it counts it as a
  // character (shifting every mark.index and the first line's columns by one) and then rejects a
  // `---` after it. Hand libyaml the text after the BOM, which is what SourceMap expects.
  const size_t bom = source.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  LibyamlParser libyaml(source.substr(bom));
  Document& doc = doc_;
  doc.source_ = source;
  TreeBuilder tree(source, &doc.nodes_, &doc.arena_);
  int document_index = 0;

  for (;;) {
    const yaml_event_t* event = libyaml.Next();
    if (event == nullptr) {
      const yaml_parser_t& parser = libyaml.parser();
      std::string message = parser.problem ? parser.problem : "invalid YAML";
      if (parser.context) message = message + " " + parser.context;
      if (parser.error == YAML_READER_ERROR) {
        *error = PositionOf(source, bom + parser.problem_offset, "not valid UTF-8: " + message);
      } else {
        *error = SyntaxError{message, static_cast<int>(parser.problem_mark.line) + 1,
                             static_cast<int>(parser.problem_mark.column) + 1};
      }
      return false;
    }
    const yaml_event_t& e = *event;
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        tree.Scalar(e);
        break;
      case YAML_MAPPING_START_EVENT:
        tree.StartCollection(NodeKind::kMapping, e.start_mark, e.data.mapping_start.anchor,
                             e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE);
        break;
      case YAML_SEQUENCE_START_EVENT:
        tree.StartCollection(NodeKind::kSequence, e.start_mark, e.data.sequence_start.anchor,
                             e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE);
        break;
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT:
        tree.EndCollection(e.end_mark);
        break;
      case YAML_ALIAS_EVENT:
        tree.Alias(e);
        break;
      case YAML_DOCUMENT_START_EVENT:
        tree.StartDocument();
        doc.index_ = document_index;
        break;
      case YAML_DOCUMENT_END_EVENT:
        on_document(doc);
        ++document_index;
        break;
      case YAML_STREAM_END_EVENT:
        return true;
      default:
        break;
    }
  }
}

}  // namespace imagepin::yaml
