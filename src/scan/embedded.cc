#include "scan/embedded.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "scan/extract.h"
#include "scan/mentions.h"
#include "yaml/key_path.h"

namespace imagepin::scan {
namespace {

using yaml::Document;
using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;

// Shorter text cannot hold `apiVersion:` and `kind:` or a key and a reference on two lines.
constexpr size_t kMinTextLength = 12;

// `image:` or `…Image:` at `at` in `text` is a key: followed by a blank or the line's end.
bool HasImageKey(std::string_view text) {
  for (std::string_view key : {std::string_view("image:"), std::string_view("Image:")}) {
    for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
      size_t after = at + key.size();
      if (after == text.size() || text[after] == ' ' || text[after] == '\n' || text[after] == '\r')
        return true;
    }
  }
  return false;
}

bool IsCandidate(const Document& doc, NodeId id) {
  const yaml::Node& n = doc.node(id);
  // A plain scalar on one line (value_in_source) is most scalars, and never several lines.
  if (n.kind != NodeKind::kScalar || n.value_in_source || n.value_length < kMinTextLength)
    return false;
  return MayHoldEmbeddedYaml(doc.Value(id));
}

// Byte offsets where each line of `text` starts (lines end at '\n', as libyaml gives a scalar's
// value: its breaks are normalised).
std::vector<uint32_t> LineStarts(std::string_view text) {
  std::vector<uint32_t> starts{0};
  for (size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) {
    if (at + 1 < text.size()) starts.push_back(static_cast<uint32_t>(at + 1));
  }
  return starts;
}

// Where the text of one outer scalar stands in the outer file, and how positions in the text map
// there (see embedded.h). Built per embedded text: O(its length).
class TextPositions {
 public:
  TextPositions(const Document& outer, NodeId id, std::string prefix)
      : outer_(outer), node_(outer.node(id)), prefix_(std::move(prefix)) {
    if (node_.style == yaml::ScalarStyle::kLiteral) MapLines(outer.Value(id));
  }

  // The key path of a field at `inner` in document `index` of the text.
  std::string KeyPath(int index, const std::string& inner) const {
    std::string path = prefix_ + "|";
    if (index > 0) path += std::to_string(index) + "|";
    return path + inner;
  }

  // Moves a position (1-based line, column) in the text to the file.
  void MapPosition(int* line, int* column, std::string* source_line) const {
    size_t l = static_cast<size_t>(*line - 1);
    if (!exact_ || *line < 1 || l >= outer_starts_.size()) {
      *line = static_cast<int>(node_.line) + 1;
      *column = static_cast<int>(node_.column) + 1;
      *source_line = std::string(outer_.LineAt(node_.begin));
      return;
    }
    *line = first_line_ + static_cast<int>(l);
    *column += indent_;
    *source_line = std::string(outer_.LineAt(outer_starts_[l]));
  }

  void Map(Scalar* s) const {
    if (!s->present) return;
    uint32_t begin = s->begin, end = s->end;
    int inner_line = s->line;
    MapPosition(&s->line, &s->column, &s->source_line);
    size_t l = static_cast<size_t>(inner_line - 1);
    if (!exact_ || inner_line < 1 || l >= outer_starts_.size() || end <= begin ||
        begin < inner_starts_[l]) {
      s->begin = s->end = node_.begin;
      s->rewritable = false;
      return;
    }
    // The scalar must stay on its line: one that spans lines has the indentation in between.
    bool one_line = l + 1 >= inner_starts_.size() || end <= inner_starts_[l + 1];
    s->begin = outer_starts_[l] + static_cast<uint32_t>(indent_) + (begin - inner_starts_[l]);
    s->end = s->begin + (end - begin);
    std::string_view source = outer_.source();
    if (!one_line || s->end > source.size() ||
        source.substr(s->begin, s->end - s->begin) != s->raw) {
      s->end = s->begin;
      s->rewritable = false;
    }
  }

  void Map(int index, ImageField* f) const {
    f->key_path = KeyPath(index, f->key_path);
    if (!f->pull_policy_key_path.empty())
      f->pull_policy_key_path = KeyPath(index, f->pull_policy_key_path);
    f->document = outer_.index();
    // Not a values site: the application model looks paths up in a values file's own tree.
    f->path.clear();
    MapPosition(&f->line, &f->column, &f->source_line);
    for (Scalar* s : {&f->ref, &f->registry, &f->repository, &f->tag, &f->digest, &f->pull_policy})
      Map(s);
  }

  void Map(int index, PullPolicyField* p) const {
    p->key_path = KeyPath(index, p->key_path);
    p->document = outer_.index();
    p->path.clear();
    Map(&p->value);
  }

 private:
  // A literal block's lines: line i of the text is the file's line after the header, plus i,
  // indented by the block's indentation. Checked line by line; any difference (a break libyaml
  // reads differently, an indentation indicator that does not fit) leaves the mapping inexact.
  void MapLines(std::string_view text) {
    std::string_view source = outer_.source();
    size_t at = source.find_first_of("\r\n", node_.begin);  // the end of the header line
    if (at == std::string_view::npos) return;
    at += source.compare(at, 2, "\r\n") == 0 ? 2 : 1;
    inner_starts_ = LineStarts(text);
    indent_ = -1;
    for (size_t i = 0; i < inner_starts_.size(); ++i) {
      if (at > source.size()) return;
      size_t eol = std::min(source.find_first_of("\r\n", at), source.size());
      std::string_view outer_line = source.substr(at, eol - at);
      size_t inner_end = i + 1 < inner_starts_.size() ? inner_starts_[i + 1] - 1 : text.size();
      if (inner_end > inner_starts_[i] && text[inner_end - 1] == '\n') --inner_end;
      std::string_view inner_line = text.substr(inner_starts_[i], inner_end - inner_starts_[i]);
      if (inner_line.empty()) {
        if (outer_line.find_first_not_of(' ') != std::string_view::npos) return;
      } else {
        if (indent_ < 0) {
          if (outer_line.size() < inner_line.size()) return;
          indent_ = static_cast<int>(outer_line.size() - inner_line.size());
        }
        if (outer_line.size() != inner_line.size() + static_cast<size_t>(indent_) ||
            outer_line.find_first_not_of(' ') < static_cast<size_t>(indent_) ||
            outer_line.substr(static_cast<size_t>(indent_)) != inner_line) {
          return;
        }
      }
      outer_starts_.push_back(static_cast<uint32_t>(at));
      at = eol + (source.compare(eol, 2, "\r\n") == 0 ? 2 : 1);
    }
    if (indent_ < 0) return;
    first_line_ = static_cast<int>(node_.line) + 2;
    exact_ = true;
  }

  const Document& outer_;
  const yaml::Node& node_;
  std::string prefix_;
  bool exact_ = false;
  int first_line_ = 0;  // 1-based line of the text's first line
  int indent_ = 0;
  std::vector<uint32_t> inner_starts_, outer_starts_;
};

bool IsImageKeyText(std::string_view key) {
  if (key != "image" && !(key.size() > 5 && key.ends_with("Image"))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// A template's text (it holds `{{`) is not YAML: only its `image:` lines are read, each as a
// string field in the text's own positions. None is rewritable (a template is edited by hand).
void ScanTemplateLines(std::string_view text, DocumentFields* out) {
  std::vector<uint32_t> starts = LineStarts(text);
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : text.size();
    std::string_view line = text.substr(starts[i], end - starts[i]);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t p = line.find_first_not_of(' ');
    while (p != std::string_view::npos && line.compare(p, 2, "- ") == 0)
      p = line.find_first_not_of(' ', p + 2);
    if (p == std::string_view::npos) continue;
    size_t colon = line.find(':', p);
    if (colon == std::string_view::npos || !IsImageKeyText(line.substr(p, colon - p))) continue;
    if (colon + 1 < line.size() && line[colon + 1] != ' ') continue;
    std::string_view key = line.substr(p, colon - p);
    size_t v = line.find_first_not_of(' ', colon + 1);
    std::string_view value = v == std::string_view::npos ? std::string_view() : line.substr(v);
    if (size_t comment = value.find(" #"); comment != std::string_view::npos)
      value = value.substr(0, comment);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (!value.empty() && std::string_view("|>&*!").find(value.front()) != std::string_view::npos)
      continue;  // a block, an anchor or alias, a tag: not a reference on this line
    ImageField f;
    f.form = FieldForm::kString;
    f.key_path = std::string(key) + "@" + std::to_string(i + 1);
    f.line = static_cast<int>(i) + 1;
    f.column = base::Utf8Length(line.substr(0, p)) + 1;
    f.source_line = std::string(line);
    f.templated = true;  // an image written on the lines after `image:` only a renderer knows
    if (!value.empty()) {
      Scalar& s = f.ref;
      s.present = true;
      s.raw = std::string(value);
      s.style = yaml::ScalarStyle::kPlain;
      char q = value.front();
      if (value.size() >= 2 && (q == '"' || q == '\'') && value.back() == q) {
        s.style = q == '"' ? yaml::ScalarStyle::kDoubleQuoted : yaml::ScalarStyle::kSingleQuoted;
        value = value.substr(1, value.size() - 2);
      }
      s.value = std::string(value);
      s.line = f.line;
      s.column = base::Utf8Length(line.substr(0, v)) + 1;
      s.begin = starts[i] + static_cast<uint32_t>(v);
      s.end = s.begin + static_cast<uint32_t>(s.raw.size());
      s.source_line = f.source_line;
      s.rewritable = false;
      f.reference = s.value;
      f.templated = f.reference.find("{{") != std::string::npos;
    }
    out->images.push_back(std::move(f));
  }
}

class EmbeddedFinder {
 public:
  EmbeddedFinder(const Document& doc, const yaml::ParseLimits& limits, int nesting,
                 DocumentFields* out)
      : doc_(doc), limits_(limits), nesting_(nesting), out_(out) {
    NodeId root = doc.root();
    if (root != kNoNode && doc.node(root).kind == NodeKind::kMapping) {
      NodeId api = doc.Get(root, "apiVersion");
      argo_ = api != kNoNode && doc.node(api).kind == NodeKind::kScalar &&
              doc.Value(api).starts_with("argoproj.io/");
    }
  }

  void Walk(NodeId id) {
    const yaml::Node& n = doc_.node(id);
    if (n.kind == NodeKind::kSequence) {
      size_t i = 0;
      for (NodeId item = n.first_child; item != kNoNode; item = doc_.node(item).next_sibling, ++i) {
        path_.PushIndex(i);
        keys_.push_back({});
        Visit(item);
        keys_.pop_back();
        path_.Pop();
      }
    } else if (n.kind == NodeKind::kMapping) {
      for (NodeId k = n.first_child; k != kNoNode;) {
        NodeId v = doc_.node(k).next_sibling;
        if (v == kNoNode) break;
        std::string_view key =
            doc_.node(k).kind == NodeKind::kScalar ? doc_.Value(k) : std::string_view();
        path_.PushKey(key);
        keys_.push_back(key);
        Visit(v);
        keys_.pop_back();
        path_.Pop();
        k = doc_.node(v).next_sibling;
      }
    }
  }

 private:
  void Visit(NodeId id) {
    NodeKind kind = doc_.node(id).kind;
    if (kind == NodeKind::kMapping || kind == NodeKind::kSequence) {
      Walk(id);
    } else if (IsCandidate(doc_, id) && !IsArgoHelmValues()) {
      Read(id);
    }
  }

  // Argo CD's `helm.values` text is an application's values layer, read and judged by src/apps
  // (apps::LayerFromText, MapToManifest): read here too, its findings would come twice.
  bool IsArgoHelmValues() const {
    size_t n = keys_.size();
    return argo_ && n >= 2 && keys_[n - 1] == "values" && keys_[n - 2] == "helm";
  }

  void Read(NodeId id) {
    std::string_view text = doc_.Value(id);
    TextPositions positions(doc_, id, path_.str());
    DocumentFields inner;
    if (text.find("{{") != std::string_view::npos) {
      ScanTemplateLines(text, &inner);
      Append(positions, 0, inner);
      return;
    }
    // What is left of the depth limit: the text's nesting adds to the outer document's.
    yaml::ParseLimits limits = limits_;
    limits.max_depth = std::max(1, limits_.max_depth - static_cast<int>(keys_.size()));
    yaml::StreamParser parser(limits);
    yaml::SyntaxError error;
    // Text that does not parse is not a document (a script, an INI file): what parsed before the
    // error is kept, the rest holds nothing to read.
    parser.Parse(
        text,
        [&](const Document& embedded) {
          NodeId root = embedded.root();
          if (root == kNoNode) return;
          NodeKind kind = embedded.node(root).kind;
          if (kind != NodeKind::kMapping && kind != NodeKind::kSequence) return;
          DocumentFields fields;
          ExtractImageFields(embedded, ExtractOptions{}, &fields);
          ExtractMentions(embedded, &fields);
          if (nesting_ + 1 < kMaxEmbeddedNesting)
            ExtractEmbeddedFields(embedded, limits, nesting_ + 1, &fields);
          Append(positions, embedded.index(), fields);
        },
        &error);
  }

  void Append(const TextPositions& positions, int index, DocumentFields& fields) {
    for (ImageField& f : fields.images) {
      positions.Map(index, &f);
      out_->images.push_back(std::move(f));
    }
    for (PullPolicyField& p : fields.pull_policies) {
      positions.Map(index, &p);
      out_->pull_policies.push_back(std::move(p));
    }
  }

  const Document& doc_;
  const yaml::ParseLimits& limits_;
  int nesting_;
  DocumentFields* out_;
  bool argo_ = false;
  yaml::KeyPath path_;
  std::vector<std::string_view> keys_;  // the key of each level, empty for a list index
};

}  // namespace

bool MayHoldEmbeddedYaml(std::string_view text) {
  if (text.find('\n') == std::string_view::npos) return false;
  if (text.find("apiVersion:") != std::string_view::npos &&
      text.find("kind:") != std::string_view::npos) {
    return true;
  }
  return HasImageKey(text);
}

void ExtractEmbeddedFields(const yaml::Document& doc, const yaml::ParseLimits& limits, int nesting,
                           DocumentFields* out) {
  if (nesting >= kMaxEmbeddedNesting) return;
  // One pass over the nodes first: most documents hold no such text, and this costs one flag
  // test per scalar (a multi-line scalar is rare) where a walk would cost the tree.
  bool any = false;
  for (size_t i = 0; i < doc.node_count() && !any; ++i)
    any = IsCandidate(doc, static_cast<NodeId>(i));
  if (!any) return;
  EmbeddedFinder finder(doc, limits, nesting, out);
  finder.Walk(doc.root());
}

void ExtractTemplateImageLines(std::string_view text, DocumentFields* out) {
  ScanTemplateLines(text, out);
}

}  // namespace imagepin::scan
