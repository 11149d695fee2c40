#include "report/markdown.h"

#include <fmt/format.h>

#include "report/display.h"

namespace imagepin::report {
namespace {

// A cell: `|` escaped, line breaks as spaces, other control characters as visible escapes (the
// summary file is also read in terminals).
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : Displayable(text, /*keep=*/"\r\n")) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void AppendRow(const std::vector<std::string>& cells, std::string* out) {
  *out += "|";
  for (const std::string& cell : cells) out->append(" ").append(Cell(cell)).append(" |");
  *out += "\n";
}

}  // namespace

std::string MarkdownTable(const std::vector<std::string>& headers,
                          const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  AppendRow(headers, &out);
  out += "|";
  for (size_t i = 0; i < headers.size(); ++i) out += "---|";
  out += "\n";
  for (const std::vector<std::string>& row : rows) AppendRow(row, &out);
  return out;
}

std::string ShortDigest(std::string_view digest) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos) return std::string(digest.substr(0, 12));
  return std::string(digest.substr(0, colon + 1 + 12));
}

}  // namespace imagepin::report
