// rewrite: the one module that writes files. Planners (`bump`, `pin`, `promote`) describe what to
// change as plain data — an Edit says "replace these bytes of this file with those" — and
// ApplyEdits (apply.h) checks every edit against the files and writes them atomically.
//
// What a newcomer gets wrong: YAML is never re-serialised. An Edit replaces exactly the byte span
// of one scalar as scan found it (quotes included), so comments, blank lines, key order, anchors,
// CRLF line endings and a BOM all survive; RenderLike (render.h) writes the new value in the old
// scalar's quoting style so that the replacement reads back as the intended string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imagepin::rewrite {

// The `file_sha256` of an Edit that creates its file: the file must not exist when ApplyEdits
// runs (one created since the scan is refused), and the edit inserts `new_text` at 0..0.
inline constexpr std::string_view kFileMustNotExist = "none: the file must not exist";

struct Edit {
  std::string path;          // the file to edit, as the caller opens it (absolute or cwd-relative)
  std::string display_path;  // the file as messages name it (repo-relative); empty: `path`
  uint32_t begin = 0;        // byte span of the old scalar text, quotes included, as
  uint32_t end = 0;          //   scan::Scalar::begin/end give it; begin == end: an insertion
  std::string old_text;      // the exact bytes expected at [begin, end)
  std::string new_text;      // the bytes to put there instead
  // "sha256:…" of the whole file as it was when the edit was planned (scan::FileScan::sha256):
  // ApplyEdits refuses a file that no longer holds exactly those bytes. Required.
  // kFileMustNotExist: the edit creates the file (see above).
  std::string file_sha256;
  std::string reason;  // "bump dev api: main → sha256:…", for plans and dry runs
  int line = 0;        // 1-based position of `begin`, for messages
  int column = 0;

  std::string_view DisplayPath() const { return display_path.empty() ? path : display_path; }
  bool IsNoOp() const { return old_text == new_text; }
  bool CreatesFile() const { return file_sha256 == kFileMustNotExist; }
};

}  // namespace imagepin::rewrite
