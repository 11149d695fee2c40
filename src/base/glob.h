// Glob matching for scope, exception paths, key paths and reference patterns.
#pragma once

#include <string_view>

namespace imagepin::base {

// Matches `text` against `pattern`: `?` is one character other than `separator`, `*` any run
// of characters within one segment, `**` any run including separators (as a whole segment,
// `a/**/b` also matches `a/b`). Everything else matches itself.
bool GlobMatch(std::string_view pattern, std::string_view text, char separator = '/');

// The leading part of `pattern` before its first segment with a wildcard: "sources/values/**"
// gives "sources/values". Walking only below it saves visiting the whole tree.
std::string_view GlobStaticPrefix(std::string_view pattern, char separator = '/');

}  // namespace imagepin::base
