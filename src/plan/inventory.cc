#include "plan/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "apps/check.h"
#include "plan/app_images.h"
#include "plan/environments.h"
#include "plan/workspace.h"
#include "ref/reference.h"

namespace imagepin::plan {
namespace {

InventoryCell MakeAppCell(const AppImage& a) {
  InventoryCell cell;
  cell.present = true;
  cell.reference = a.image->reference;
  base::Result<ref::Reference> r = ref::ParseReference(cell.reference);
  if (r.ok() && !a.image->partial) {
    cell.repository = r->Repository();
    cell.digest = r->digest;
    cell.tag = r->tag;
  } else {
    cell.repository = WrittenRepository(cell.reference);
  }
  cell.inherited = a.inherited();
  if (a.decided_by >= 0) cell.from = a.Layer(a.decided_by).path;
  cell.application = a.loaded->app.name;
  return cell;
}

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
    if (!cell.present && cell.required) {
      cell.marker = Marker::kMissing;  // whatever the lane before has: the chart needs one
      row->drift = true;
      previous = static_cast<int>(i);
      continue;
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
  std::vector<base::Diagnostic> notices;  // discovery's notes: `apps` and `check` show them
  std::vector<apps::Application> found = apps::FindApplications(config, root, &notices);
  for (size_t e = 0; e < columns; ++e) {
    const policy::Environment& env = config.environments[e];
    std::error_code ec;
    bool exists = std::filesystem::is_directory(std::filesystem::path(root) / env.path, ec);
    inventory.environments.push_back({env.name, env.path, exists});
    if (!exists) continue;
    // Loaded one environment at a time and dropped after: only the cells are kept.
    auto cell_of = [&](const std::string& key, const std::string& relative, int document,
                       const std::string& key_path) -> InventoryCell& {
      auto [it, added] = row_of_key.try_emplace(key, inventory.rows.size());
      if (added) {
        InventoryRow row;
        row.key = key;
        row.service = ServiceName(relative);
        row.relative = relative;
        row.document = document;
        row.key_path = key_path;
        row.cells.resize(columns);
        inventory.rows.push_back(std::move(row));
      }
      return inventory.rows[it->second].cells[e];
    };
    AppEnvironment applications = LoadAppEnvironment(root, config, env.name, found);
    if (!applications.problems.empty()) {
      const base::Diagnostic& d = applications.problems.front();
      return base::MakeError(base::ErrorCode::kParse, d.message, d.path, d.pos);
    }
    std::unordered_set<std::string> overlays;  // files applications read as their own overlay
    for (const AppImage& a : applications.images) {
      InventoryCell& cell = cell_of(a.key, a.identity, 0, a.key_path);
      if (!cell.present) cell = MakeAppCell(a);
    }
    for (const MissingImageRef& m : applications.missing_ref) {
      InventoryCell& cell = cell_of(m.key, m.identity, 0, "image.ref");
      cell.required = true;
      cell.application = m.loaded->app.name;
    }
    for (const auto& app : applications.apps) {
      for (const apps::Layer& layer : app->app.layers) {
        if (!applications.Relative(layer.path).empty()) overlays.insert(layer.path);
      }
    }
    base::Result<std::vector<scan::FileEntry>> entries = ListEnvironment(root, config, env.name);
    if (!entries.ok()) return entries.error();
    std::erase_if(*entries,
                  [&](const scan::FileEntry& f) { return overlays.contains(f.display_path); });
    if (entries->empty()) continue;
    std::vector<ScannedFile> files = ScanEntries(*entries, config, jobs);
    if (std::vector<base::Error> problems = ScanProblems(files); !problems.empty()) {
      return problems.front();
    }
    EnvironmentImages images = MakeEnvironment(env.name, env.path, std::move(files));
    for (const EnvironmentField& f : images.fields) {
      cell_of(f.key, f.relative, f.field->document, f.field->key_path) = MakeCell(*f.field);
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

}  // namespace imagepin::plan
