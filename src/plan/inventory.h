// The environment matrix behind `imagepin inventory`: one row per image field of the
// environment overlays (matched across environments by relative path, document and key path),
// one cell per configured environment, and a marker where an environment differs from the one
// before it. Answers "what runs where, and what waits for promotion" from the files alone.
//
// What a newcomer gets wrong: the markers are a heuristic over the lane order, not a history.
// See Marker and docs/inventory.md.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "policy/config.h"

namespace imagepin::plan {

// How a cell compares with the nearest earlier environment whose directory exists.
enum class Marker {
  kNone,     // the same image, or the first environment
  kBehind,   // different, and the earlier value appears in no later environment: the earlier
             // lane moved on and this one waits for promotion (the normal case)
  kAhead,    // different, and the earlier value appears in a later environment: the earlier
             // lane went back to an older image, so this one is newer
  kMissing,  // a value on one side only; every cell of an environment without a directory
};

// "", "behind", "ahead", "missing".
const char* MarkerName(Marker marker);

struct InventoryCell {
  bool present = false;
  std::string reference;   // as written
  std::string repository;  // normalized ("ghcr.io/acme/api"), or as written when unparsable
  std::string digest;      // full "sha256:<hex>", empty when the reference has none
  std::string tag;         // empty when none
  Marker marker = Marker::kNone;
  // Applications only (app_images.h): the value comes from a layer other than the
  // environment's own overlay (`_shared`, a chart default, a declared value file): that layer.
  bool inherited = false;
  std::string from;         // the layer's path, relative to the root; empty: not known
  std::string application;  // the application's name in this environment; empty: a bare field
  // Absent, and the app's chart requires image.ref (apps::RequiresImageRef): always "missing".
  bool required = false;
};

struct InventoryRow {
  std::string key;         // relative + document + key path: the identity across environments
  std::string service;     // file stem: "api"
  std::string repository;  // of the first environment that has the field
  // "apps/api.yaml": the environment overlay's path relative to the environment directory; for
  // an application without an overlay, its name.
  std::string relative;
  int document = 0;
  std::string key_path;              // "image.ref"
  std::vector<InventoryCell> cells;  // one per environment, in Inventory::environments order
  bool drift = false;               // the cells of existing environments are not all the same image
  bool repository_differs = false;  // some present cell names another repository
};

struct InventoryEnvironment {
  std::string name;
  std::string dir;  // as configured
  bool exists = true;
};

struct Inventory {
  std::vector<InventoryEnvironment> environments;  // in the config's order
  std::vector<InventoryRow> rows;                  // by relative path, document, field order
};

// Scans every configured environment and builds the matrix: a row per (application, image) with
// the effective value (inherited ones marked), an application whose chart requires image.ref
// without one as a missing cell, and the fields of files no application reads as its overlay
// as before (by relative path, document and key path). An environment whose directory does
// not exist becomes a column of missing cells (exists = false), not an error. Errors: a file that
// cannot be read or parsed (kParse/kIo, naming file:line:col).
base::Result<Inventory> BuildInventory(const std::string& root, const policy::Config& config,
                                       unsigned jobs);

// Sets every cell's marker and each row's drift flag from the cells (BuildInventory calls it).
void AssignMarkers(const std::vector<InventoryEnvironment>& environments, InventoryRow* row);

// Keeps only the rows with drift.
void KeepOnlyDrift(Inventory* inventory);

}  // namespace imagepin::plan
