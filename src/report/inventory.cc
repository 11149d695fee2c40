#include "report/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "report/markdown.h"

namespace imagepin::report {

std::vector<std::string> RowLabels(const plan::Inventory& inventory) {
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const plan::InventoryRow& row : inventory.rows) ++seen[{row.service, row.repository}];
  std::vector<std::string> labels;
  for (const plan::InventoryRow& row : inventory.rows) {
    if (seen[{row.service, row.repository}] == 1) {
      labels.push_back(row.service);
    } else if (row.document == 0) {
      labels.push_back(fmt::format("{} {}", row.relative, row.key_path));
    } else {
      labels.push_back(fmt::format("{}#{} {}", row.relative, row.document, row.key_path));
    }
  }
  return labels;
}

std::string CellText(const plan::InventoryRow& row, const plan::InventoryCell& cell) {
  if (!cell.present) return "-";
  if (cell.digest.empty()) return cell.inherited ? cell.reference + " (inherited)" : cell.reference;
  std::string text = ShortDigest(cell.digest);
  if (cell.repository != row.repository) text = cell.repository + "@" + text;
  if (!cell.tag.empty()) text += " (" + cell.tag + ")";
  if (cell.inherited) text += " (inherited)";
  return text;
}

namespace {

std::string Header(const plan::InventoryEnvironment& env) {
  return env.exists ? env.name : env.name + " (no directory)";
}

// An absent cell with a marker is just the marker: "missing" reads better than "- missing".
std::string Shown(const plan::InventoryRow& row, const plan::InventoryCell& cell, bool markdown) {
  std::string marker = plan::MarkerName(cell.marker);
  if (markdown && !marker.empty()) marker = "**" + marker + "**";
  if (!cell.present && !marker.empty()) return marker;
  std::string text = CellText(row, cell);
  if (markdown && cell.present) {
    size_t label = text.find(" (");  // the code span holds the image, not the tag
    text = label == std::string::npos ? "`" + text + "`" : "`" + text.insert(label, "`");
  }
  return marker.empty() ? text : text + " " + marker;
}

const char* Colour(plan::Marker marker) {
  switch (marker) {
    case plan::Marker::kBehind:
      return "\033[33m";  // yellow: waiting for promotion
    case plan::Marker::kAhead:
      return "\033[36m";  // cyan
    case plan::Marker::kMissing:
      return "\033[31m";  // red
    case plan::Marker::kNone:
      break;
  }
  return "";
}

}  // namespace

std::string InventoryMarkdown(const plan::Inventory& inventory) {
  std::vector<std::string> headers{"Service", "Repository"};
  for (const plan::InventoryEnvironment& env : inventory.environments)
    headers.push_back(Header(env));
  std::vector<std::string> labels = RowLabels(inventory);
  std::vector<std::vector<std::string>> rows;
  for (size_t r = 0; r < inventory.rows.size(); ++r) {
    const plan::InventoryRow& row = inventory.rows[r];
    std::vector<std::string> cells{labels[r], fmt::format("`{}`", row.repository)};
    for (const plan::InventoryCell& cell : row.cells) cells.push_back(Shown(row, cell, true));
    rows.push_back(std::move(cells));
  }
  return MarkdownTable(headers, rows);
}

std::string InventoryTable(const plan::Inventory& inventory, bool color) {
  std::vector<std::vector<std::string>> lines{{"SERVICE", "REPOSITORY"}};
  for (const plan::InventoryEnvironment& env : inventory.environments) {
    lines[0].push_back(Header(env));
  }
  std::vector<std::string> labels = RowLabels(inventory);
  for (size_t r = 0; r < inventory.rows.size(); ++r) {
    const plan::InventoryRow& row = inventory.rows[r];
    lines.push_back({labels[r], row.repository});
    for (const plan::InventoryCell& cell : row.cells)
      lines.back().push_back(Shown(row, cell, false));
  }
  std::vector<size_t> width(lines[0].size(), 0);
  for (const std::vector<std::string>& line : lines) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  for (size_t l = 0; l < lines.size(); ++l) {
    for (size_t c = 0; c < lines[l].size(); ++c) {
      const std::string& text = lines[l][c];
      bool last = c + 1 == lines[l].size();
      // Widths are measured without escape codes, which wrap the marker only.
      plan::Marker marker =
          l > 0 && c >= 2 ? inventory.rows[l - 1].cells[c - 2].marker : plan::Marker::kNone;
      std::string name = plan::MarkerName(marker);
      if (color && marker != plan::Marker::kNone && text.ends_with(name)) {
        out += text.substr(0, text.size() - name.size()) + Colour(marker) + name + "\033[0m";
      } else {
        out += text;
      }
      if (!last) out += std::string(width[c] - text.size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

}  // namespace imagepin::report
