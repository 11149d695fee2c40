#include "rewrite/splice.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace imagepin::rewrite {
namespace {

base::Error EditError(base::ErrorCode code, const Edit& edit, std::string message) {
  return base::MakeError(code, std::move(message), std::string(edit.DisplayPath()),
                         base::SourcePos{edit.line, edit.column});
}

// A short, one-line rendering of file bytes for messages: long text is cut, line breaks shown.
std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 80;  // enough for any image reference, short enough for one line
  std::string out;
  for (char c : text.substr(0, kMaxShown)) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  if (text.size() > kMaxShown) out += "…";
  return "`" + out + "`";
}

}  // namespace

namespace {

// What can continue an anchor name (libyaml: letters, digits, '-' and '_').
bool IsAnchorChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// True if the bytes right before `begin` are an anchor (`&name`) with no blank after it.
bool GluedToAnchor(std::string_view contents, size_t begin) {
  size_t i = begin;
  while (i > 0 && IsAnchorChar(contents[i - 1])) --i;
  return i < begin && i > 0 && contents[i - 1] == '&';
}

}  // namespace

base::Result<std::vector<Edit>> CheckEdits(std::string_view contents, std::vector<Edit> edits) {
  for (const Edit& e : edits) {
    if (e.begin > e.end || e.end > contents.size()) {
      return EditError(base::ErrorCode::kIo, e,
                       fmt::format("expected {} at bytes {}..{}, but the file has {} bytes; it "
                                   "changed since it was scanned",
                                   Quote(e.old_text), e.begin, e.end, contents.size()));
    }
    std::string_view found = contents.substr(e.begin, e.end - e.begin);
    if (found != e.old_text) {
      return EditError(base::ErrorCode::kIo, e,
                       fmt::format("expected {} but found {}; the file changed since it was "
                                   "scanned",
                                   Quote(e.old_text), Quote(found)));
    }
    // `&a:x` is anchor `a` on the scalar `:x`: a new text starting with a name character would
    // join the anchor's name (`&ax`) instead of being its value (found by the splice fuzzer).
    // libyaml ends an anchor name only at a blank or one of `?:,]}%@``: a glued value must
    // start with one of those (a name character would join the name; anything else is an error).
    if (!e.IsNoOp() && GluedToAnchor(contents, e.begin) &&
        (e.new_text.empty() ||
         std::string_view(" \t\r\n?:,]}%@`").find(e.new_text.front()) == std::string_view::npos)) {
      return EditError(base::ErrorCode::kInvalidArgument, e,
                       "the value is written right after its anchor with no space: put a space "
                       "after the anchor, then run again");
    }
  }
  // stable_sort keeps the caller's order among equal spans, so messages name the first one.
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::vector<Edit> kept;
  for (Edit& e : edits) {
    if (!kept.empty()) {
      const Edit& prev = kept.back();
      if (prev.begin == e.begin && prev.end == e.end) {
        if (prev.new_text == e.new_text) continue;  // the same change planned twice
        return EditError(base::ErrorCode::kInternal, e,
                         fmt::format("conflicting edits: one writes {}, another {}",
                                     Quote(prev.new_text), Quote(e.new_text)));
      }
      // Spans that touch are fine; spans that share a byte are not. (Sorted and checked so far,
      // the kept spans are disjoint, so `prev` reaches furthest.)
      if (e.begin < prev.end) {
        return EditError(base::ErrorCode::kInternal, e,
                         fmt::format("overlapping edits: bytes {}..{} and {}..{}", prev.begin,
                                     prev.end, e.begin, e.end));
      }
    }
    kept.push_back(std::move(e));
  }
  std::erase_if(kept, [](const Edit& e) { return e.IsNoOp(); });
  return kept;
}

base::Result<std::string> Splice(std::string_view contents, std::vector<Edit> edits) {
  base::Result<std::vector<Edit>> checked = CheckEdits(contents, std::move(edits));
  if (!checked.ok()) return checked.error();
  std::string out;
  size_t size = contents.size();
  for (const Edit& e : *checked) size = size - e.old_text.size() + e.new_text.size();
  out.reserve(size);
  size_t copied = 0;
  for (const Edit& e : *checked) {
    out.append(contents.substr(copied, e.begin - copied));
    out.append(e.new_text);
    copied = e.end;
  }
  out.append(contents.substr(copied));
  return out;
}

}  // namespace imagepin::rewrite
