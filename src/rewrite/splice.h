// Applying the Edits of one file to its contents in memory: pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "rewrite/edit.h"

namespace imagepin::rewrite {

// Checks `edits` (all for one file) against `contents` and returns the ones that change
// something, sorted by position. Fails, naming the edit's display_path:line:col, when an edit's
// span lies outside the file or does not hold its `old_text` (kIo: the file changed since it was
// scanned), or when two edits overlap or replace the same span differently (kInternal: a planner
// bug). Identical duplicates count once; no-op edits (old == new) are checked, then dropped.
base::Result<std::vector<Edit>> CheckEdits(std::string_view contents, std::vector<Edit> edits);

// Returns `contents` with every edit applied, after the checks of CheckEdits. With no edits (or
// only no-ops) the result is `contents`, byte for byte.
base::Result<std::string> Splice(std::string_view contents, std::vector<Edit> edits);

}  // namespace imagepin::rewrite
