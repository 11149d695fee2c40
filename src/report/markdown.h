// Markdown for pull-request bodies (bump and promote summaries): GitHub-flavoured tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imagepin::report {

// A GitHub-flavoured Markdown table; `|` and newlines in cells are escaped so a cell can't break
// the table. Every row must have as many cells as `headers`.
std::string MarkdownTable(const std::vector<std::string>& headers,
                          const std::vector<std::vector<std::string>>& rows);

// "sha256:0123456789ab": the algorithm and the first 12 hex digits, as `docker images` shows
// them; empty for an empty digest.
std::string ShortDigest(std::string_view digest);

}  // namespace imagepin::report
