// Planning `imagepin migrate`, the adoption step for first-party images: a split mapping
// (`image: {registry, repository, tag, digest}`) becomes the one knob the first-party contract
// reads, `image: {ref: repo:tag@digest}`. Offline: the tag and digest are the ones written (a
// floating tag is dropped when a digest pins the image, kept when none does: dropping it would
// mean `latest`), and check/pin judge the result. Byte-exact: the first part's line keeps its
// indentation, a `- ` and a trailing comment, `key: value` becoming `ref: <reference>` in the
// repository's quoting style; the other part lines are removed whole; every other byte stays.
//
// A mapping is migrated only where the chart of the values file reads `<path>.ref` (ChartFacts::
// image_values). Without a known chart it is skipped unless MigrateOptions::force.
// Pure: the fields, the files' trees (ScannedSource) and the charts' reads are given.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
#include "plan/values_charts.h"
#include "plan/workspace.h"
#include "policy/config.h"
#include "rewrite/edit.h"

namespace imagepin::plan {

struct MigrateOptions {
  bool force = false;  // migrate where no chart could be checked
};

struct Migration {
  std::string path;  // display path
  int line = 0, column = 0;
  std::string key_path;             // "image"
  std::string reference;            // what `ref:` is written with
  std::string from;                 // the split mapping's reference (scan::ImageField::reference)
  std::vector<std::string> charts;  // the charts checked; empty with --force and none known
  std::vector<rewrite::Edit> edits;
};

struct MigrationPlan {
  std::vector<Migration> migrations;
  // Mappings left alone (a note each, "not migrated: …"), and notes about migrations (a chart
  // that could not be checked).
  std::vector<base::Diagnostic> skipped;
  std::vector<base::Diagnostic> notes;
  std::vector<rewrite::Edit> Edits() const;
  int Files() const;  // files with a migration
};

// The reference a split field's parts become: registry/repository[:tag][@digest], the tag kept
// unless it is floating (policy::ClassifyTag) and a digest is written. Errors when it does not
// parse or has neither tag nor digest (the chart would choose the tag).
base::Result<std::string> MigratedReference(const scan::ImageField& field,
                                            const policy::Config& config);

// Whether `file` holds a first-party split mapping migrate would look at (and so needs its tree).
bool HasFirstPartySplit(const ScannedFile& file, const policy::Config& config);

// `sources[i]` is files[i] read again (ReadSource), or null when it has no first-party split.
base::Result<MigrationPlan> PlanMigration(
    const std::vector<ScannedFile>& files,
    const std::vector<std::unique_ptr<ScannedSource>>& sources, const policy::Config& config,
    const ValuesCharts& charts, const MigrateOptions& options);

}  // namespace imagepin::plan
