#include "yaml/parser.h"

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

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

// libyaml's reader rejects bytes that are not UTF-8 and characters YAML does not allow (C0 and
// C1 controls, DEL, surrogates): say which, since "not valid UTF-8" is wrong for an ESC.
SyntaxError ReaderError(std::string_view source, size_t offset, int value, std::string message) {
  SyntaxError error;
  if (message.find("control characters") != std::string::npos && value >= 0) {
    error = PositionOf(source, offset,
                       fmt::format("character U+{:04X} is not allowed in YAML (a control "
                                   "character): {}",
                                   value, message));
  } else {
    error = PositionOf(source, offset, "not valid UTF-8: " + message);
  }
  error.kind = ErrorKind::kEncoding;
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

namespace {

// The length of the line break ending at byte `end` (exclusive), or 0 when there is none.
size_t BreakEndingAt(std::string_view s, size_t end) {
  if (end == 0) return 0;
  auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (at(end - 1) == '\n' || at(end - 1) == '\r') return 1;
  if (end >= 2 && at(end - 2) == 0xC2 && at(end - 1) == 0x85) return 2;  // NEL
  if (end >= 3 && at(end - 3) == 0xE2 && at(end - 2) == 0x80 &&
      (at(end - 1) == 0xA8 || at(end - 1) == 0xA9))
    return 3;  // LS, PS
  return 0;
}

// The length of the line break starting at byte `i` (CRLF counts as one break), or 0.
size_t BreakStartingAt(std::string_view s, size_t i) {
  auto at = [&](size_t j) { return static_cast<unsigned char>(s[j]); };
  if (i >= s.size()) return 0;
  if (at(i) == '\n') return 1;
  if (at(i) == '\r') return i + 1 < s.size() && at(i + 1) == '\n' ? 2 : 1;
  if (at(i) == 0xC2 && i + 1 < s.size() && at(i + 1) == 0x85) return 2;
  if (at(i) == 0xE2 && i + 2 < s.size() && at(i + 1) == 0x80 &&
      (at(i + 2) == 0xA8 || at(i + 2) == 0xA9))
    return 3;
  return 0;
}

// The offset of the first line break at or after `begin` (the end of the source if none).
size_t LineEnd(std::string_view source, size_t begin) {
  for (size_t end = begin; end < source.size(); ++end) {
    // Only these bytes start a break: skip the rest quickly.
    end = std::min(source.find_first_of("\n\r\xC2\xE2", end), source.size());
    if (BreakStartingAt(source, end) != 0) return end;
  }
  return source.size();
}

// The line from `begin` up to (not including) its break.
std::string_view LineFrom(std::string_view source, size_t begin) {
  std::string_view line = source.substr(begin, LineEnd(source, begin) - begin);
  if (begin == 0 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  return line;
}

}  // namespace

std::string_view LineAt(std::string_view source, size_t offset) {
  size_t begin = std::min(offset, source.size());
  // A line's break belongs to the line it ends: the LF of a CRLF too.
  if (begin > 0 && begin < source.size() && source[begin] == '\n' && source[begin - 1] == '\r')
    --begin;
  while (begin > 0 && BreakEndingAt(source, begin) == 0) --begin;
  return LineFrom(source, begin);
}

std::string_view LineNumbered(std::string_view source, int line) {
  size_t begin = 0;
  for (int l = 1; l < line; ++l) {
    size_t end = LineEnd(source, begin);
    if (end >= source.size()) return {};
    begin = end + BreakStartingAt(source, end);
  }
  return LineFrom(source, begin);
}

std::vector<std::string_view> SplitLines(std::string_view source) {
  std::vector<std::string_view> lines;
  for (size_t begin = 0; begin < source.size();) {
    lines.push_back(LineFrom(source, begin));
    size_t end = LineEnd(source, begin);
    begin = end + BreakStartingAt(source, end);
  }
  return lines;
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
// the per-node work (the hot path of a scan) is plain inline code. The first problem that makes
// the tree unlike what a YAML loader builds (a duplicate key, an undefined alias) or that passes
// a limit stops the build: see failed().
class TreeBuilder {
 public:
  TreeBuilder(std::string_view source, std::vector<Node>* nodes, std::string* arena,
              const ParseLimits& limits)
      : source_(source), map_(source), nodes_(*nodes), arena_(*arena), limits_(limits) {}

  void StartDocument() {
    nodes_.clear();
    arena_.clear();
    anchors_.clear();
    stack_.clear();
  }

  void StartCollection(NodeKind kind, const yaml_mark_t& mark, const yaml_char_t* anchor,
                       bool flow) {
    if (stack_.size() >= static_cast<size_t>(limits_.max_depth)) {
      Fail(ErrorKind::kTooDeep,
           fmt::format("nesting deeper than {} levels (scope.maxDepth)", limits_.max_depth),
           mark.line, mark.column);
      return;
    }
    NodeId id = AddNode(kind, mark, anchor, source_.size());
    nodes_[static_cast<size_t>(id)].flow = flow;
    stack_.push_back({id, kNoNode});
  }

  void EndCollection(const yaml_mark_t& end_mark) {
    if (stack_.empty()) return;
    NodeId id = stack_.back().id;
    nodes_[static_cast<size_t>(id)].end = map_.ByteOffset(end_mark.index);
    stack_.pop_back();
    if (nodes_[static_cast<size_t>(id)].kind == NodeKind::kMapping) CheckUniqueKeys(id);
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
    std::string name(reinterpret_cast<const char*>(e.data.alias.anchor));
    // An alias refers to the most recent node with that anchor (YAML 1.2 §3.2.2.2); one with
    // none is an error for every loader, so it is one here too.
    auto target = anchors_.find(name);
    if (target == anchors_.end()) {
      Fail(ErrorKind::kUndefinedAlias, fmt::format("undefined alias *{}", name), e.start_mark.line,
           e.start_mark.column);
      return;
    }
    NodeId id = AddNode(NodeKind::kAlias, e.start_mark, nullptr, source_.size());
    Node& n = nodes_[static_cast<size_t>(id)];
    n.end = map_.ByteOffset(e.end_mark.index);
    n.alias_target = target->second;
    Append(name, &n.value_offset, &n.value_length);
  }

  bool failed() const { return failed_; }
  const SyntaxError& error() const { return error_; }

 private:
  struct Open {
    NodeId id;
    NodeId last_child;
  };

  void Fail(ErrorKind kind, std::string message, size_t line, size_t column) {
    if (failed_) return;
    failed_ = true;
    error_ = SyntaxError{std::move(message), static_cast<int>(line) + 1,
                         static_cast<int>(column) + 1, kind};
  }

  std::string_view ValueOf(const Node& n) const {
    return std::string_view((n.value_in_source ? source_.data() : arena_.data()) + n.value_offset,
                            n.value_length);
  }

  // A key as loaders compare it: a scalar's value (an alias's target's). Collections as keys
  // are left out (nothing imagepin reads uses them).
  bool KeyText(NodeId k, std::string_view* text) const {
    const Node* n = &nodes_[static_cast<size_t>(k)];
    if (n->kind == NodeKind::kAlias) n = &nodes_[static_cast<size_t>(n->alias_target)];
    if (n->kind != NodeKind::kScalar) return false;
    *text = ValueOf(*n);
    return true;
  }

  // Every YAML loader Helm and Kubernetes use keeps the last of two equal keys, while lookups
  // here find the first: a repeated key would let a file say one thing to imagepin and another
  // to the cluster. Small mappings (nearly all) compare pairwise; large ones sort, so a mapping
  // of 100,000 keys costs n log n, not n².
  void CheckUniqueKeys(NodeId mapping) {
    keys_.clear();
    for (NodeId k = nodes_[static_cast<size_t>(mapping)].first_child; k != kNoNode;) {
      NodeId v = nodes_[static_cast<size_t>(k)].next_sibling;
      std::string_view text;
      if (KeyText(k, &text)) keys_.push_back({text, k});
      if (v == kNoNode) break;
      k = nodes_[static_cast<size_t>(v)].next_sibling;
    }
    const Key* first = nullptr;
    const Key* again = nullptr;
    constexpr size_t kPairwiseMax = 16;
    if (keys_.size() <= kPairwiseMax) {
      for (size_t j = 1; j < keys_.size() && again == nullptr; ++j) {
        for (size_t i = 0; i < j; ++i) {
          if (keys_[i].text == keys_[j].text) {
            first = &keys_[i], again = &keys_[j];
            break;
          }
        }
      }
    } else {
      std::stable_sort(keys_.begin(), keys_.end(),
                       [](const Key& a, const Key& b) { return a.text < b.text; });
      for (size_t i = 1; i < keys_.size(); ++i) {
        if (keys_[i].text != keys_[i - 1].text) continue;
        // Report the repeat that comes first in the file, against the key it repeats.
        if (again == nullptr || keys_[i].id < again->id) first = &keys_[i - 1], again = &keys_[i];
      }
    }
    if (again == nullptr) return;
    const Node& k1 = nodes_[static_cast<size_t>(first->id)];
    const Node& k2 = nodes_[static_cast<size_t>(again->id)];
    Fail(ErrorKind::kDuplicateKey,
         fmt::format("duplicate key \"{}\" (first at line {}, column {}): YAML loaders keep the "
                     "last one",
                     OneLineKey(again->text), k1.line + 1, k1.column + 1),
         k2.line, k2.column);
  }

  static std::string OneLineKey(std::string_view key) {
    std::string out;
    for (char c : key.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    if (key.size() > 80) out += "…";
    return out;
  }

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
    std::string_view anchor_name =
        anchor != nullptr ? std::string_view(reinterpret_cast<const char*>(anchor)) : "";
    while (n.begin < stop && (source_[n.begin] == '&' || source_[n.begin] == '!'))
      SkipProperty(n, stop, anchor_name);
    if (anchor != nullptr) {
      Append(anchor_name, &n.anchor_offset, &n.anchor_length);
      anchors_[std::string(anchor_name)] = id;
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

  // Moves `n.begin` past one anchor or tag and the blanks and comment after it. An anchor ends
  // where its name does (`&a:x` is anchor `a` on the scalar `:x`); a tag, at a blank.
  void SkipProperty(Node& n, size_t stop, std::string_view anchor) const {
    if (source_[n.begin] == '&' && !anchor.empty() &&
        source_.substr(n.begin + 1, anchor.size()) == anchor) {
      n.begin += static_cast<uint32_t>(1 + anchor.size());
      n.column += static_cast<uint32_t>(1 + anchor.size());
    } else {
      while (n.begin < stop && !IsBlank(source_[n.begin]) && BreakStartingAt(source_, n.begin) == 0)
        ++n.begin, ++n.column;
    }
    // libyaml's breaks include NEL, LS and PS (two and three bytes), not only LF and CR.
    auto wide_break = [&] {
      size_t width = BreakStartingAt(source_, n.begin);
      return width > 1 && source_[n.begin] != '\r' ? width : 0;
    };
    // libyaml also skips a BOM that starts a line, as white space (scan_to_next_token).
    auto line_bom = [&] {
      return n.column == 0 && source_.substr(n.begin, 3) == "\xEF\xBB\xBF" && n.begin + 3 <= stop;
    };
    while (n.begin < stop && (IsBlank(source_[n.begin]) || source_[n.begin] == '#' ||
                              wide_break() != 0 || line_bom())) {
      if (line_bom()) {
        n.begin += 3;
        ++n.column;
        continue;
      }
      if (size_t width = wide_break(); width != 0) {
        n.begin += static_cast<uint32_t>(width);
        ++n.line, n.column = 0;
        continue;
      }
      if (source_[n.begin] == '#') {  // after a blank, so a comment: skip to the line break
        while (n.begin < stop && BreakStartingAt(source_, n.begin) == 0) {
          ++n.begin, ++n.column;
        }
        continue;
      }
      // A line break is LF, CR LF or a lone CR (counted at its LF when CR LF).
      bool crlf = source_[n.begin] == '\r' && source_.substr(n.begin + 1, 1) == "\n";
      if (source_[n.begin] == '\n' || (source_[n.begin] == '\r' && !crlf))
        ++n.line, n.column = 0;
      else if (!crlf)
        ++n.column;
      ++n.begin;
    }
  }

  struct Key {
    std::string_view text;
    NodeId id;
  };

  std::string_view source_;
  SourceMap map_;
  std::vector<Node>& nodes_;
  std::string& arena_;
  const ParseLimits& limits_;
  std::vector<Open> stack_;
  std::unordered_map<std::string, NodeId> anchors_;  // anchor name → its latest node
  std::vector<Key> keys_;                            // CheckUniqueKeys' scratch space
  bool failed_ = false;
  SyntaxError error_;
};

}  // namespace

bool StreamParser::Parse(std::string_view source,
                         const std::function<void(const Document&)>& on_document,
                         SyntaxError* error, std::vector<Document>* keep) {
  // With the encoding set explicitly libyaml does not consume a UTF-8 BOM: it counts it as a
  // character (shifting every mark.index and the first line's columns by one) and then rejects a
  // `---` after it. Hand libyaml the text after the BOM, which is what SourceMap expects.
  const size_t bom = source.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  LibyamlParser libyaml(source.substr(bom));
  Document& doc = doc_;
  doc.source_ = source;
  TreeBuilder tree(source, &doc.nodes_, &doc.arena_, limits_);
  int document_index = 0;

  for (;;) {
    const yaml_event_t* event = libyaml.Next();
    if (event == nullptr) {
      const yaml_parser_t& parser = libyaml.parser();
      std::string message = parser.problem ? parser.problem : "invalid YAML";
      if (parser.context) message.append(" ").append(parser.context);
      if (parser.error == YAML_READER_ERROR) {
        *error = ReaderError(source, bom + parser.problem_offset, parser.problem_value, message);
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
        if (keep != nullptr) {
          // The builder fills doc.nodes_ and doc.arena_ through pointers: move their contents
          // out and leave the (empty) members where they are.
          Document& kept = keep->emplace_back();
          kept.source_ = doc.source_;
          kept.index_ = doc.index_;
          kept.nodes_ = std::move(doc.nodes_);
          kept.arena_ = std::move(doc.arena_);
          // The next document is likely of a similar size: allocate once, not by doubling.
          doc.nodes_.clear();
          doc.nodes_.reserve(kept.nodes_.size());
          doc.arena_.clear();
          doc.arena_.reserve(kept.arena_.size());
        }
        ++document_index;
        break;
      case YAML_STREAM_END_EVENT:
        return true;
      default:
        break;
    }
    if (tree.failed()) {
      *error = tree.error();
      return false;
    }
  }
}

}  // namespace imagepin::yaml
