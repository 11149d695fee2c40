#include "plan/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "plan/environments.h"
#include "plan/workspace.h"
#include "ref/reference.h"
#include "report/markdown.h"

namespace imagepin::plan {
namespace {

InventoryCell MakeCell(const scan::ImageField& field) {
  InventoryCell cell;
  cell.present = true;
  cell.reference = field.reference;
  base::Result<ref::Reference> r = ref::ParseReference(field.reference);
  if (r.ok() && !field.templated && !field.partial) {
    cell.repository = r->Repository();
    cell.digest = r->digest;
    cell.tag = r->tag;
  } else {
    cell.repository = WrittenRepository(field.reference);
  }
  return cell;
}

// What "the same image" means: the same repository and digest (the tag beside a digest is only
// a label); without a digest, the same reference as written.
std::string Identity(const InventoryCell& cell) {
  if (!cell.present) return {};
  return cell.digest.empty() ? "=" + cell.reference : cell.repository + "@" + cell.digest;
}

}  // namespace

const char* MarkerName(Marker marker) {
  switch (marker) {
    case Marker::kNone:
      return "";
    case Marker::kBehind:
      return "behind";
    case Marker::kAhead:
      return "ahead";
    case Marker::kMissing:
      return "missing";
  }
  return "";
}

void AssignMarkers(const std::vector<InventoryEnvironment>& environments, InventoryRow* row) {
  std::vector<InventoryCell>& cells = row->cells;
  std::vector<std::string> ids;
  for (const InventoryCell& c : cells) ids.push_back(Identity(c));
  row->repository.clear();
  row->repository_differs = false;
  row->drift = false;
  int previous = -1;  // the nearest earlier environment that exists
  for (size_t i = 0; i < cells.size(); ++i) {
    InventoryCell& cell = cells[i];
    cell.marker = Marker::kNone;
    // A column without a directory says so in every cell and takes no part in comparisons:
    // otherwise one absent lane would mark every row as drift.
    if (!environments[i].exists) {
      cell.marker = Marker::kMissing;
      continue;
    }
    if (cell.present) {
      if (row->repository.empty()) row->repository = cell.repository;
      if (cell.repository != row->repository) row->repository_differs = true;
    }
    if (previous < 0) {
      previous = static_cast<int>(i);
      continue;
    }
    const InventoryCell& before = cells[previous];
    if (before.present != cell.present) {
      cell.marker = Marker::kMissing;
    } else if (cell.present && ids[previous] != ids[i]) {
      cell.marker = Marker::kBehind;
      for (size_t later = i + 1; later < cells.size(); ++later) {
        if (environments[later].exists && ids[later] == ids[previous]) cell.marker = Marker::kAhead;
      }
    }
    if (cell.marker != Marker::kNone) row->drift = true;
    previous = static_cast<int>(i);
  }
}

base::Result<Inventory> BuildInventory(const std::string& root, const policy::Config& config,
                                       unsigned jobs) {
  Inventory inventory;
  const size_t columns = config.environments.size();
  // EnvironmentImages::Find is a linear search; with thousands of services a map keeps this
  // linear overall.
  std::unordered_map<std::string, size_t> row_of_key;
  for (size_t e = 0; e < columns; ++e) {
    const policy::Environment& env = config.environments[e];
    std::error_code ec;
    bool exists = std::filesystem::is_directory(std::filesystem::path(root) / env.path, ec);
    inventory.environments.push_back({env.name, env.path, exists});
    if (!exists) continue;
    // Loaded one environment at a time and dropped after: only the cells are kept.
    base::Result<EnvironmentImages> images = LoadEnvironment(root, config, env.name, jobs);
    if (!images.ok()) return images.error();
    for (const EnvironmentField& f : images->fields) {
      auto [it, added] = row_of_key.try_emplace(f.key, inventory.rows.size());
      if (added) {
        InventoryRow row;
        row.key = f.key;
        row.service = ServiceName(f.relative);
        row.relative = f.relative;
        row.document = f.field->document;
        row.key_path = f.field->key_path;
        row.cells.resize(columns);
        inventory.rows.push_back(std::move(row));
      }
      inventory.rows[it->second].cells[e] = MakeCell(*f.field);
    }
  }
  // By file and document; within a document, the order in which fields were first seen (file
  // order of the earliest environment that has them).
  std::stable_sort(inventory.rows.begin(), inventory.rows.end(),
                   [](const InventoryRow& a, const InventoryRow& b) {
                     return std::tie(a.relative, a.document) < std::tie(b.relative, b.document);
                   });
  for (InventoryRow& row : inventory.rows) AssignMarkers(inventory.environments, &row);
  return inventory;
}

void KeepOnlyDrift(Inventory* inventory) {
  std::erase_if(inventory->rows, [](const InventoryRow& row) { return !row.drift; });
}

std::vector<std::string> RowLabels(const Inventory& inventory) {
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const InventoryRow& row : inventory.rows) ++seen[{row.service, row.repository}];
  std::vector<std::string> labels;
  for (const InventoryRow& row : inventory.rows) {
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

std::string CellText(const InventoryRow& row, const InventoryCell& cell) {
  if (!cell.present) return "-";
  if (cell.digest.empty()) return cell.reference;
  std::string text = report::ShortDigest(cell.digest);
  if (cell.repository != row.repository) text = cell.repository + "@" + text;
  if (!cell.tag.empty()) text += " (" + cell.tag + ")";
  return text;
}

namespace {

std::string Header(const InventoryEnvironment& env) {
  return env.exists ? env.name : env.name + " (no directory)";
}

// An absent cell with a marker is just the marker: "missing" reads better than "- missing".
std::string Shown(const InventoryRow& row, const InventoryCell& cell, bool markdown) {
  std::string marker = MarkerName(cell.marker);
  if (markdown && !marker.empty()) marker = "**" + marker + "**";
  if (!cell.present && !marker.empty()) return marker;
  std::string text = CellText(row, cell);
  if (markdown && cell.present) {
    size_t label = text.find(" (");  // the code span holds the image, not the tag
    text = label == std::string::npos ? "`" + text + "`" : "`" + text.insert(label, "`");
  }
  return marker.empty() ? text : text + " " + marker;
}

const char* Colour(Marker marker) {
  switch (marker) {
    case Marker::kBehind:
      return "\033[33m";  // yellow: waiting for promotion
    case Marker::kAhead:
      return "\033[36m";  // cyan
    case Marker::kMissing:
      return "\033[31m";  // red
    case Marker::kNone:
      break;
  }
  return "";
}

}  // namespace

std::string InventoryMarkdown(const Inventory& inventory) {
  std::vector<std::string> headers{"Service", "Repository"};
  for (const InventoryEnvironment& env : inventory.environments) headers.push_back(Header(env));
  std::vector<std::string> labels = RowLabels(inventory);
  std::vector<std::vector<std::string>> rows;
  for (size_t r = 0; r < inventory.rows.size(); ++r) {
    const InventoryRow& row = inventory.rows[r];
    std::vector<std::string> cells{labels[r], fmt::format("`{}`", row.repository)};
    for (const InventoryCell& cell : row.cells) cells.push_back(Shown(row, cell, true));
    rows.push_back(std::move(cells));
  }
  return report::MarkdownTable(headers, rows);
}

std::string InventoryTable(const Inventory& inventory, bool color) {
  std::vector<std::vector<std::string>> lines{{"SERVICE", "REPOSITORY"}};
  for (const InventoryEnvironment& env : inventory.environments) {
    lines[0].push_back(Header(env));
  }
  std::vector<std::string> labels = RowLabels(inventory);
  for (size_t r = 0; r < inventory.rows.size(); ++r) {
    const InventoryRow& row = inventory.rows[r];
    lines.push_back({labels[r], row.repository});
    for (const InventoryCell& cell : row.cells) lines.back().push_back(Shown(row, cell, false));
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
      Marker marker = l > 0 && c >= 2 ? inventory.rows[l - 1].cells[c - 2].marker : Marker::kNone;
      std::string name = MarkerName(marker);
      if (color && marker != Marker::kNone && text.ends_with(name)) {
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

}  // namespace imagepin::plan
