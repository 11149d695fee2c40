#include "plan/insert.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/sha256.h"
#include "rewrite/render.h"

namespace imagepin::plan {
namespace {

using yaml::Document;
using yaml::NodeId;
using yaml::NodeKind;

base::Error Refuse(const ValuesFile& file, std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message), file.display);
}

// The file's line break: that of its first line; LF when it has none.
std::string LineBreak(std::string_view contents) {
  size_t lf = contents.find('\n');
  return lf != std::string_view::npos && lf > 0 && contents[lf - 1] == '\r' ? "\r\n" : "\n";
}

// The last (key or value) child of a collection, or kNoNode.
NodeId LastChild(const Document& doc, NodeId id) {
  NodeId last = yaml::kNoNode;
  for (NodeId c = doc.node(id).first_child; c != yaml::kNoNode; c = doc.node(c).next_sibling)
    last = c;
  return last;
}

// One past the last byte of the node's text: a collection ends where its last descendant does.
uint32_t EndOf(const Document& doc, NodeId id) {
  for (NodeId last;
       (doc.node(id).kind == NodeKind::kMapping || doc.node(id).kind == NodeKind::kSequence) &&
       !doc.node(id).flow && (last = LastChild(doc, id)) != yaml::kNoNode;) {
    id = last;
  }
  return doc.node(id).end;
}

// How far a nested block mapping is indented past its parent: the first one the file has.
size_t IndentStep(const Document& doc, NodeId m, size_t depth = 0) {
  if (depth > 16) return 0;
  for (NodeId k = doc.node(m).first_child; k != yaml::kNoNode;) {
    NodeId v = doc.node(k).next_sibling;
    if (v == yaml::kNoNode) break;
    const yaml::Node& value = doc.node(v);
    if (value.kind == NodeKind::kMapping && !value.flow && value.first_child != yaml::kNoNode) {
      uint32_t inner = doc.node(value.first_child).column, outer = doc.node(k).column;
      if (inner > outer) return inner - outer;
      if (size_t step = IndentStep(doc, v, depth + 1); step > 0) return step;
    }
    k = value.next_sibling;
  }
  return 0;
}

}  // namespace

base::Result<KeySlot> DigestSlot(const Document& doc, uint32_t tag_begin,
                                 uint32_t repository_begin) {
  auto refuse = [](std::string message) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
  };
  std::string_view src = doc.source();
  NodeId mapping = yaml::kNoNode, tag_key = yaml::kNoNode, tag = yaml::kNoNode;
  for (NodeId id = 0; id < static_cast<NodeId>(doc.node_count()) && tag == yaml::kNoNode; ++id) {
    if (doc.node(id).kind != NodeKind::kMapping) continue;
    for (NodeId k = doc.node(id).first_child; k != yaml::kNoNode;) {
      NodeId v = doc.node(k).next_sibling;
      if (v == yaml::kNoNode) break;
      if (doc.node(v).kind == NodeKind::kScalar && doc.node(v).begin == tag_begin &&
          doc.node(k).kind == NodeKind::kScalar) {
        mapping = id, tag_key = k, tag = v;
        break;
      }
      k = doc.node(v).next_sibling;
    }
  }
  if (tag == yaml::kNoNode) return refuse("its tag is not a scalar in a mapping here");
  bool has_repository = false;
  for (NodeId k = doc.node(mapping).first_child; k != yaml::kNoNode;) {
    NodeId v = doc.node(k).next_sibling;
    if (v == yaml::kNoNode) break;
    has_repository |=
        doc.node(v).kind == NodeKind::kScalar && doc.node(v).begin == repository_begin;
    k = doc.node(v).next_sibling;
  }
  if (!has_repository) {
    return refuse(
        "its tag is not beside its repository in one mapping: add the digest by hand "
        "where the chart reads it");
  }
  if (doc.Value(tag_key) != "tag") {
    return refuse(
        fmt::format("its tag is `{}:`, not `tag:` in an image mapping: add the digest "
                    "by hand where the chart reads it",
                    doc.Value(tag_key)));
  }
  const yaml::Node& t = doc.node(tag);
  if (t.style == yaml::ScalarStyle::kLiteral || t.style == yaml::ScalarStyle::kFolded ||
      src.substr(t.begin, t.end - t.begin).find('\n') != std::string_view::npos) {
    return refuse("its tag is written over several lines: add the digest by hand");
  }
  KeySlot slot;
  slot.style =
      t.style == yaml::ScalarStyle::kSingleQuoted || t.style == yaml::ScalarStyle::kDoubleQuoted
          ? t.style
          : yaml::ScalarStyle::kPlain;
  auto position = [&](uint32_t at) {
    slot.line = 1 + static_cast<int>(std::count(src.begin(), src.begin() + at, '\n'));
    size_t bol = src.rfind('\n', at == 0 ? 0 : at - 1);
    bol = bol == std::string_view::npos || at == 0 ? 0 : bol + 1;
    slot.column = 1 + static_cast<int>(at - bol);
  };
  // A plain `:` inside a flow mapping reads differently across YAML 1.1 parsers: quoted there.
  if (doc.node(mapping).flow && slot.style == yaml::ScalarStyle::kPlain)
    slot.style = yaml::ScalarStyle::kDoubleQuoted;
  if (NodeId d = doc.Get(mapping, "digest"); d != yaml::kNoNode) {
    if (doc.node(d).kind != NodeKind::kScalar || !doc.IsNull(d)) {
      return refuse("its digest is not a null to fill");
    }
    // The `digest` key, then its `:`; a null written as `~` or `null` is replaced, an empty one
    // gets the value after the colon.
    NodeId key = yaml::kNoNode;
    for (NodeId k = doc.node(mapping).first_child; k != yaml::kNoNode;) {
      NodeId v = doc.node(k).next_sibling;
      if (v == d) key = k;
      if (v == yaml::kNoNode) break;
      k = doc.node(v).next_sibling;
    }
    const yaml::Node& n = doc.node(d);
    std::string_view raw = src.substr(n.begin, n.end - n.begin);
    if (!raw.empty() && n.begin > doc.node(key).end) {
      slot.begin = n.begin, slot.end = n.end;
      slot.old_text = std::string(raw);
    } else {
      size_t colon = doc.node(key).end;
      while (colon < src.size() && (src[colon] == ' ' || src[colon] == '\t')) ++colon;
      if (colon >= src.size() || src[colon] != ':') {
        return refuse("its `digest:` key is not followed by its colon: fill it by hand");
      }
      slot.begin = slot.end = static_cast<uint32_t>(colon + 1);
      slot.before = " ";
    }
    position(slot.begin);
    return slot;
  }
  if (doc.node(mapping).flow) {
    slot.begin = slot.end = t.end;
    slot.before = ", digest: ";
    position(slot.begin);
    return slot;
  }
  // A new line after the tag's, indented like the `tag` key.
  size_t lf = src.find('\n', t.end);
  std::string eol = lf != std::string_view::npos && lf > 0 && src[lf - 1] == '\r' ? "\r\n" : "\n";
  size_t at = lf == std::string_view::npos ? src.size() : lf + 1;
  if (lf == std::string_view::npos) slot.before = eol;
  slot.before += std::string(doc.node(tag_key).column, ' ') + "digest: ";
  slot.after = eol;
  slot.begin = slot.end = static_cast<uint32_t>(at);
  position(slot.begin);
  return slot;
}

base::Result<std::string> SlotText(const KeySlot& slot, std::string_view value) {
  std::string old = slot.style == yaml::ScalarStyle::kDoubleQuoted   ? "\"\""
                    : slot.style == yaml::ScalarStyle::kSingleQuoted ? "''"
                                                                     : "x";
  base::Result<std::string> text = rewrite::RenderLike(old, slot.style, value);
  if (!text.ok()) return text.error();
  return slot.before + *text + slot.after;
}

std::string ScalarText(std::string_view value) {
  if (rewrite::CanWritePlain(value)) return std::string(value);
  base::Result<std::string> quoted =
      rewrite::RenderLike("\"\"", yaml::ScalarStyle::kDoubleQuoted, value);
  return quoted.ok() ? *quoted : fmt::format("\"{}\"", value);
}

namespace {

// Where keys under `parents` go: the deepest mapping of `parents` the file has (`m`, `depth`
// of them found), the offset to insert at, the indentation and the file's line break.
struct Spot {
  NodeId m = yaml::kNoNode;
  size_t depth = 0;
  size_t step = 2;
  size_t at = 0;
  size_t indent = 0;
  std::string eol;
};

base::Result<Spot> FindSpot(const ValuesFile& file, const std::vector<std::string>& parents) {
  std::string_view contents = file.exists ? file.contents : std::string_view();
  const Document* doc = file.doc;
  if (file.exists && (doc == nullptr || doc->root() == yaml::kNoNode) &&
      contents.find_first_not_of(" \t\r\n") != std::string_view::npos &&
      contents.find('#') == std::string_view::npos) {
    return Refuse(file, "no values document to add to: add the key by hand");
  }
  Spot spot;
  spot.eol = LineBreak(contents);
  NodeId& m = spot.m;
  size_t& depth = spot.depth;
  if (doc != nullptr && doc->root() != yaml::kNoNode) {
    NodeId root = doc->root();
    if (doc->node(root).kind != NodeKind::kMapping) {
      if (!doc->IsNull(root)) return Refuse(file, "its values are not a mapping");
    } else if (doc->node(root).flow) {
      return Refuse(file, "its values are a flow mapping ({…}): add the key by hand");
    } else {
      m = root;
      if (size_t s = IndentStep(*doc, root); s > 0) spot.step = s;
      for (; depth < parents.size(); ++depth) {
        NodeId v = doc->Get(m, parents[depth]);
        if (v == yaml::kNoNode) break;
        const yaml::Node& n = doc->node(v);
        std::string where = parents[depth];
        for (size_t i = depth; i-- > 0;) where = parents[i] + "." + where;
        if (n.kind == NodeKind::kAlias) {
          return Refuse(file, fmt::format("{} is an alias: add the key where it is anchored, by "
                                          "hand",
                                          where));
        }
        if (n.kind != NodeKind::kMapping || n.flow || n.first_child == yaml::kNoNode) {
          return Refuse(file,
                        fmt::format("{} is not a block mapping here: add the key by hand", where));
        }
        m = v;
      }
    }
  }
  // Where: after the last entry of `m` (to the end of its line); at the end of the file for
  // the root mapping of a one-document file, or a file with no mapping at all.
  spot.at = contents.size();
  if (m != yaml::kNoNode) {
    spot.indent = doc->node(doc->node(m).first_child).column;
    NodeId last = LastChild(*doc, m);
    size_t end = std::min<size_t>(EndOf(*doc, last), contents.size());
    if (end == 0 || contents[end - 1] != '\n') {
      size_t lf = contents.find('\n', end);
      end = lf == std::string_view::npos ? contents.size() : lf + 1;
    }
    std::string_view rest = contents.substr(end);
    bool more_documents = rest.starts_with("---") || rest.starts_with("...") ||
                          rest.find("\n---") != std::string_view::npos ||
                          rest.find("\n...") != std::string_view::npos;
    if (depth > 0 || more_documents) spot.at = end;
  }
  return spot;
}

// The insertion of `text` at `at`, for the file as it was scanned.
rewrite::Edit Insertion(const ValuesFile& file, size_t at, std::string text, std::string reason) {
  std::string_view contents = file.exists ? file.contents : std::string_view();
  rewrite::Edit edit;
  edit.path = file.path;
  edit.display_path = file.display;
  edit.begin = edit.end = static_cast<uint32_t>(at);
  edit.new_text = std::move(text);
  edit.file_sha256 =
      file.exists ? base::Sha256Digest(contents) : std::string(rewrite::kFileMustNotExist);
  edit.reason = std::move(reason);
  edit.line = 1 + static_cast<int>(std::count(contents.begin(), contents.begin() + at, '\n'));
  edit.column = 1;
  return edit;
}

// The missing parents' lines, from `spot.depth` on, with a line break first when the file's
// last line has none.
std::string ParentLines(const Spot& spot, std::string_view contents,
                        const std::vector<std::string>& parents) {
  std::string text;
  if (spot.at > 0 && contents[spot.at - 1] != '\n') text += spot.eol;
  for (size_t i = spot.depth; i < parents.size(); ++i) {
    text +=
        std::string(spot.indent + (i - spot.depth) * spot.step, ' ') + parents[i] + ":" + spot.eol;
  }
  return text;
}

}  // namespace

base::Result<rewrite::Edit> InsertKeys(
    const ValuesFile& file, const std::vector<std::string>& parents,
    const std::vector<std::pair<std::string, std::string>>& leaves, std::string reason) {
  base::Result<Spot> spot = FindSpot(file, parents);
  if (!spot.ok()) return spot.error();
  if (spot->m != yaml::kNoNode && spot->depth == parents.size()) {
    for (const auto& [key, value] : leaves) {
      if (file.doc->Get(spot->m, key) != yaml::kNoNode) {
        return Refuse(file, fmt::format("it already sets {} there", key));
      }
    }
  }
  std::string_view contents = file.exists ? file.contents : std::string_view();
  std::string text = ParentLines(*spot, contents, parents);
  for (const auto& [key, value] : leaves) {
    text += std::string(spot->indent + (parents.size() - spot->depth) * spot->step, ' ') + key +
            ": " + value + spot->eol;
  }
  return Insertion(file, spot->at, std::move(text), std::move(reason));
}

base::Result<rewrite::Edit> AppendListItem(const ValuesFile& file,
                                           const std::vector<std::string>& path,
                                           std::string_view item, std::string reason) {
  std::string_view contents = file.exists ? file.contents : std::string_view();
  const Document* doc = file.doc;
  // The list is there: a line like its first item's, after its last.
  NodeId list = yaml::kNoNode;
  if (doc != nullptr && doc->root() != yaml::kNoNode &&
      doc->node(doc->root()).kind == NodeKind::kMapping) {
    list = doc->root();
    for (const std::string& key : path) {
      list = doc->node(list).kind == NodeKind::kMapping ? doc->Get(list, key) : yaml::kNoNode;
      if (list == yaml::kNoNode) break;
    }
  }
  if (list != yaml::kNoNode && !doc->IsNull(list)) {
    std::string where = fmt::format("{}", fmt::join(path, "."));
    const yaml::Node& n = doc->node(list);
    if (n.kind != NodeKind::kSequence || n.flow || n.first_child == yaml::kNoNode) {
      return Refuse(file, fmt::format("{} is not a block list here: add the entry by hand", where));
    }
    uint32_t first = doc->node(n.first_child).begin;
    size_t line_start = contents.rfind('\n', first == 0 ? 0 : first - 1);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    size_t dash = contents.rfind('-', first == 0 ? 0 : first - 1);
    if (dash == std::string_view::npos || dash < line_start ||
        contents.substr(line_start, dash - line_start).find_first_not_of(' ') !=
            std::string_view::npos) {
      return Refuse(file, fmt::format("{}: cannot tell how its items are indented: add the entry "
                                      "by hand",
                                      where));
    }
    size_t end = std::min<size_t>(EndOf(*doc, list), contents.size());
    std::string eol = LineBreak(contents);
    std::string text;
    if (end == 0 || contents[end - 1] != '\n') {
      size_t lf = contents.find('\n', end);
      end = lf == std::string_view::npos ? contents.size() : lf + 1;
      if (lf == std::string_view::npos) text += eol;
    }
    text += std::string(contents.substr(line_start, first - line_start)) + std::string(item) + eol;
    return Insertion(file, end, std::move(text), std::move(reason));
  }
  if (list != yaml::kNoNode) {  // `holds:` with nothing after it: a value to replace by hand
    return Refuse(file, fmt::format("{} is empty (null): add the entry by hand",
                                    fmt::format("{}", fmt::join(path, "."))));
  }
  // The list is not there: the missing keys, then the one item.
  base::Result<Spot> spot = FindSpot(file, path);
  if (!spot.ok()) return spot.error();
  std::string text = ParentLines(*spot, contents, path);
  text += std::string(spot->indent + (path.size() - spot->depth) * spot->step, ' ') + "- " +
          std::string(item) + spot->eol;
  return Insertion(file, spot->at, std::move(text), std::move(reason));
}

}  // namespace imagepin::plan
