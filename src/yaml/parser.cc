#include "yaml/parser.h"

#include <yaml.h>

#include <cstring>
#include <string>

#include "yaml/source_map.h"

namespace imagepin::yaml {
namespace {

// Owns one libyaml event for the span of a loop iteration.
class Event {
 public:
  ~Event() {
    if (filled_) yaml_event_delete(&event_);
  }
  yaml_event_t* get() { return &event_; }
  void set_filled() { filled_ = true; }
  const yaml_event_t& operator*() const { return event_; }

 private:
  yaml_event_t event_{};
  bool filled_ = false;
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

bool StreamParser::Parse(std::string_view source,
                         const std::function<void(const Document&)>& on_document,
                         SyntaxError* error) {
  SourceMap map(source);
  // With the encoding set explicitly libyaml does not consume a UTF-8 BOM: it counts it as a
  // character (shifting every mark.index and the first line's columns by one) and then rejects a
  // `---` after it. Hand libyaml the text after the BOM, which is what SourceMap expects.
  const size_t bom = source.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  std::string_view input = source.substr(bom);
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(input.data()),
                               input.size());
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

  struct Open {
    NodeId id;
    NodeId last_child;
  };
  std::vector<Open> stack;
  std::vector<NodeId> anchored;  // nodes with an anchor, in order, for alias resolution
  Document& doc = doc_;
  doc.source_ = source;
  int document_index = 0;

  auto append = [&](std::string_view text, uint32_t* offset, uint32_t* length) {
    *offset = static_cast<uint32_t>(doc.arena_.size());
    *length = static_cast<uint32_t>(text.size());
    doc.arena_.append(text);
  };
  // Adds a node starting at libyaml mark `mark`, links it under the open collection. `limit` is
  // the byte offset the node's text cannot extend past (a scalar's end).
  auto add_node = [&](NodeKind kind, const yaml_mark_t& mark, const char* anchor,
                      size_t limit = std::string_view::npos) -> NodeId {
    NodeId id = static_cast<NodeId>(doc.nodes_.size());
    Node& n = doc.nodes_.emplace_back();
    n.kind = kind;
    n.begin = map.ByteOffset(mark.index);
    n.line = static_cast<uint32_t>(mark.line);
    n.column = static_cast<uint32_t>(mark.column);
    // libyaml's mark starts at an `&anchor` or `!tag` written before the node; skip them (and a
    // comment after them) so the span is the node's own text. An anchored empty scalar
    // (`a: &x` then a new line) ends right after its anchor: do not run into the next line.
    const size_t stop = std::min(source.size(), limit);
    while (n.begin < stop && (source[n.begin] == '&' || source[n.begin] == '!')) {
      while (n.begin < stop && !IsBlank(source[n.begin])) ++n.begin, ++n.column;
      while (n.begin < stop && (IsBlank(source[n.begin]) || source[n.begin] == '#')) {
        if (source[n.begin] == '#') {  // after a blank, so a comment: skip to the line break
          while (n.begin < stop && source[n.begin] != '\n' && source[n.begin] != '\r') {
            ++n.begin, ++n.column;
          }
          continue;
        }
        if (source[n.begin] == '\n')
          ++n.line, n.column = 0;
        else if (source[n.begin] != '\r')
          ++n.column;
        ++n.begin;
      }
    }
    if (anchor != nullptr) {
      append(anchor, &n.anchor_offset, &n.anchor_length);
      anchored.push_back(id);
    }
    if (!stack.empty()) {
      Open& parent = stack.back();
      if (parent.last_child == kNoNode) {
        doc.nodes_[static_cast<size_t>(parent.id)].first_child = id;
      } else {
        doc.nodes_[static_cast<size_t>(parent.last_child)].next_sibling = id;
      }
      parent.last_child = id;
    }
    return id;
  };

  bool ok = true;
  for (bool done = false; !done;) {
    Event event;
    if (!yaml_parser_parse(&parser, event.get())) {
      ok = false;
      std::string message = parser.problem ? parser.problem : "invalid YAML";
      if (parser.context) message = message + " " + parser.context;
      if (parser.error == YAML_READER_ERROR) {
        *error = PositionOf(source, bom + parser.problem_offset, "not valid UTF-8: " + message);
      } else {
        *error = SyntaxError{message, static_cast<int>(parser.problem_mark.line) + 1,
                             static_cast<int>(parser.problem_mark.column) + 1};
      }
      break;
    }
    event.set_filled();
    const yaml_event_t& e = *event;
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        doc.nodes_.clear();
        doc.arena_.clear();
        doc.index_ = document_index;
        anchored.clear();
        stack.clear();
        break;
      case YAML_DOCUMENT_END_EVENT:
        on_document(doc);
        ++document_index;
        break;
      case YAML_MAPPING_START_EVENT:
      case YAML_SEQUENCE_START_EVENT: {
        bool mapping = e.type == YAML_MAPPING_START_EVENT;
        const char* anchor = reinterpret_cast<const char*>(mapping ? e.data.mapping_start.anchor
                                                                   : e.data.sequence_start.anchor);
        NodeId id =
            add_node(mapping ? NodeKind::kMapping : NodeKind::kSequence, e.start_mark, anchor);
        doc.nodes_[static_cast<size_t>(id)].flow =
            mapping ? e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
        stack.push_back({id, kNoNode});
        break;
      }
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT:
        if (!stack.empty()) {
          doc.nodes_[static_cast<size_t>(stack.back().id)].end = map.ByteOffset(e.end_mark.index);
          stack.pop_back();
        }
        break;
      case YAML_SCALAR_EVENT: {
        uint32_t end = map.ByteOffset(e.end_mark.index);
        NodeId id = add_node(NodeKind::kScalar, e.start_mark,
                             reinterpret_cast<const char*>(e.data.scalar.anchor), end);
        Node& n = doc.nodes_[static_cast<size_t>(id)];
        n.style = StyleOf(e.data.scalar.style);
        n.end = std::max(n.begin, end);
        append(std::string_view(reinterpret_cast<const char*>(e.data.scalar.value),
                                e.data.scalar.length),
               &n.value_offset, &n.value_length);
        break;
      }
      case YAML_ALIAS_EVENT: {
        NodeId id = add_node(NodeKind::kAlias, e.start_mark, nullptr);
        std::string_view name(reinterpret_cast<const char*>(e.data.alias.anchor));
        Node& n = doc.nodes_[static_cast<size_t>(id)];
        n.end = map.ByteOffset(e.end_mark.index);
        append(name, &n.value_offset, &n.value_length);
        // An alias refers to the most recent node with that anchor (YAML 1.2 §3.2.2.2).
        for (auto it = anchored.rbegin(); it != anchored.rend(); ++it) {
          if (doc.Anchor(*it) == name) {
            doc.nodes_[static_cast<size_t>(id)].alias_target = *it;
            break;
          }
        }
        break;
      }
      case YAML_STREAM_END_EVENT:
        done = true;
        break;
      default:
        break;
    }
  }
  yaml_parser_delete(&parser);
  return ok;
}

}  // namespace imagepin::yaml
