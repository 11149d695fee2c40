// libFuzzer target for rewrite::RenderLike + rewrite::Splice, the path every write takes. Input:
// YAML, then optionally a NUL byte, one byte choosing the scalar and the new value (the rest).
// Without a NUL the new value is a fixed one full of characters YAML folds or refuses. The
// property (abort otherwise): after rendering the value in the old scalar's style and splicing
// it over the old span, the edited bytes parse to the same tree with only that scalar changed,
// it reads back as exactly the new value, and every byte outside the span is unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "rewrite/render.h"
#include "rewrite/splice.h"
#include "yaml/parser.h"

namespace {

using imagepin::yaml::Document;
using imagepin::yaml::Node;
using imagepin::yaml::NodeId;
using imagepin::yaml::NodeKind;
using imagepin::yaml::ScalarStyle;

// What the failing edit was, for the report.
std::string g_old_text, g_new_text;

[[noreturn]] void Fail(const char* what, std::string_view edited) {
  std::fprintf(stderr, "invariant violated: %s\n  old: [%s]\n  new: [%s]\n  edited: %.*s\n", what,
               g_old_text.c_str(), g_new_text.c_str(), static_cast<int>(edited.size()),
               edited.data());
  std::abort();
}

// Every document of `source`, or nothing when it does not parse. Documents point into `source`.
std::vector<Document> ParseAll(std::string_view source, bool* ok) {
  std::vector<Document> docs;
  imagepin::yaml::StreamParser parser;
  imagepin::yaml::SyntaxError error;
  *ok = parser.Parse(
      source, [&](const Document& doc) { docs.push_back(doc); }, &error);
  return docs;
}

struct Target {
  size_t document = 0;
  NodeId node = imagepin::yaml::kNoNode;
};

// The scalars an edit may replace: values and sequence items, never mapping keys (a rewrite only
// ever replaces values), and not empty nulls or block scalars (RenderLike refuses those).
std::vector<Target> Candidates(const std::vector<Document>& docs) {
  std::vector<Target> out;
  for (size_t d = 0; d < docs.size(); ++d) {
    const Document& doc = docs[d];
    std::set<NodeId> keys;
    for (NodeId i = 0; i < static_cast<NodeId>(doc.node_count()); ++i) {
      if (doc.node(i).kind != NodeKind::kMapping) continue;
      bool is_key = true;
      for (NodeId c = doc.node(i).first_child; c != imagepin::yaml::kNoNode;
           c = doc.node(c).next_sibling, is_key = !is_key) {
        if (is_key) keys.insert(c);
      }
    }
    for (NodeId i = 0; i < static_cast<NodeId>(doc.node_count()); ++i) {
      const Node& n = doc.node(i);
      if (n.kind != NodeKind::kScalar || n.end <= n.begin || keys.count(i)) continue;
      if (n.style == ScalarStyle::kLiteral || n.style == ScalarStyle::kFolded) continue;
      out.push_back({d, i});
    }
  }
  return out;
}

// True if `after` is `before` with only `target` changed, to `value`.
bool SameButTarget(const std::vector<Document>& before, const std::vector<Document>& after,
                   const Target& target, std::string_view value) {
  if (before.size() != after.size()) return false;
  for (size_t d = 0; d < before.size(); ++d) {
    const Document &a = before[d], &b = after[d];
    if (a.node_count() != b.node_count()) return false;
    for (NodeId i = 0; i < static_cast<NodeId>(a.node_count()); ++i) {
      const Node &x = a.node(i), &y = b.node(i);
      if (x.kind != y.kind || x.first_child != y.first_child || x.next_sibling != y.next_sibling ||
          x.alias_target != y.alias_target || a.Anchor(i) != b.Anchor(i)) {
        return false;
      }
      bool is_target = d == target.document && i == target.node;
      if (b.Value(i) != (is_target ? value : a.Value(i))) return false;
    }
  }
  return true;
}

// libyaml refuses a tab at the start of a line after a quoted scalar, where a plain scalar's
// scanner would have eaten it (`a: x\n\t\n` parses, `a: "x"\n\t\n` does not), so there no quoted
// value at all can replace a plain one. Reported, not RenderLike's to fix (it does not see the
// context); such places are skipped so that the fuzzer looks at how values are rendered.
bool NoQuotedValueFits(std::string_view yaml, const imagepin::rewrite::Edit& edit) {
  imagepin::rewrite::Edit probe = edit;
  probe.new_text = "\"x\"";
  imagepin::base::Result<std::string> edited = imagepin::rewrite::Splice(yaml, {probe});
  bool ok = false;
  if (edited.ok()) ParseAll(*edited, &ok);
  return !ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view yaml = input, value = "a\n\u0085b\u2028c\u2029d\uFEFF\x1b\t'\"\\: #e ";
  unsigned choice = 0;
  if (size_t nul = input.find('\0'); nul != std::string_view::npos) {
    yaml = input.substr(0, nul);
    std::string_view rest = input.substr(nul + 1);
    if (!rest.empty()) choice = static_cast<unsigned char>(rest[0]), rest.remove_prefix(1);
    value = rest;
  }
  if (!imagepin::yaml::LooksLikeUtf8Text(yaml)) return 0;
  bool ok = false;
  std::vector<Document> before = ParseAll(yaml, &ok);
  if (!ok) return 0;
  std::vector<Target> candidates = Candidates(before);
  if (candidates.empty()) return 0;
  Target target = candidates[choice % candidates.size()];
  const Node& old = before[target.document].node(target.node);

  imagepin::rewrite::Edit edit;
  edit.path = "fuzz.yaml";
  edit.begin = old.begin;
  edit.end = old.end;
  edit.old_text = std::string(yaml.substr(old.begin, old.end - old.begin));
  imagepin::base::Result<std::string> rendered =
      imagepin::rewrite::RenderLike(edit.old_text, old.style, value);
  if (!rendered.ok()) {
    // The one refusal a value can cause.
    if (imagepin::base::IsValidUtf8(value)) Fail("RenderLike refused a UTF-8 value", "");
    return 0;
  }
  edit.new_text = *rendered;
  g_old_text = edit.old_text, g_new_text = edit.new_text;
  imagepin::base::Result<std::string> edited = imagepin::rewrite::Splice(yaml, {edit});
  // The one refusal Splice makes of a well-formed edit: a value glued to its anchor (`&a:x`)
  // that would join the anchor's name.
  if (!edited.ok() && edited.error().code == imagepin::base::ErrorCode::kInvalidArgument) return 0;
  if (!edited.ok()) Fail("Splice refused the edit", edited.error().message);

  size_t tail = yaml.size() - edit.end;
  if (edited->compare(0, edit.begin, yaml, 0, edit.begin) != 0) Fail("bytes before", *edited);
  if (edited->size() != edit.begin + edit.new_text.size() + tail ||
      edited->compare(edit.begin + edit.new_text.size(), tail, yaml, edit.end, tail) != 0) {
    Fail("bytes after", *edited);
  }
  std::vector<Document> after = ParseAll(*edited, &ok);
  if (!ok && old.style == ScalarStyle::kPlain && edit.new_text.front() == '"' &&
      NoQuotedValueFits(yaml, edit)) {
    return 0;
  }
  if (!ok) Fail("edited YAML does not parse", *edited);
  if (!SameButTarget(before, after, target, value)) Fail("edited YAML reads differently", *edited);
  return 0;
}
