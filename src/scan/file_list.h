// Which files a command looks at: the configured scope below a repository root, or every
// *.yaml / *.yml below explicit paths.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace imagepin::scan {

struct FileEntry {
  std::string path;             // to open
  std::string display_path;     // relative to the repository root (or as given), '/'-separated
  bool chart_template = false;  // under a chart's templates/ directory: a Helm template
  bool chart_values = false;    // a chart's own values.yaml (beside its Chart.yaml): defaults
};

struct Scope {
  std::vector<std::string> include;  // globs relative to the root
  std::vector<std::string> exclude;
};

// Whether `rel` (relative to the root, '/'-separated) is in `scope`: an include glob matches
// it and no exclude glob does.
bool InScope(const Scope& scope, const std::string& rel);

// Whether `dir` holds a chart: a Chart.yaml (or Chart.yml) beside its templates.
bool HasChartFile(const std::filesystem::path& dir);

// Lists the YAML files under `root` that `scope` selects, sorted by display path. Directory
// symlinks are not followed (no loops); unreadable directories are listed in `*problems`.
std::vector<FileEntry> ListScope(const std::string& root, const Scope& scope,
                                 std::vector<base::Error>* problems);

// Lists every *.yaml / *.yml file at or below each of `paths` (files are taken as given, whatever
// their name). Display paths are relative to `root` when the file lies below it, otherwise as
// given. A missing path is an error.
base::Result<std::vector<FileEntry>> ListPaths(const std::string& root,
                                               const std::vector<std::string>& paths,
                                               std::vector<base::Error>* problems);

// Every file below `chart_dir`'s templates/ and charts/ directories (relative to `root`): what
// Helm may load as templates, whatever the names (tmpl::IsTemplatePath picks them). The walk
// is ListScope's: links leaving the repository and unlistable directories are `*problems`.
std::vector<FileEntry> ListChartFiles(const std::string& root, const std::string& chart_dir,
                                      std::vector<base::Error>* problems);

}  // namespace imagepin::scan
