// Where a rendered stream's findings come from: `helm template` prints `# Source: <chart>/
// templates/<file>` before each document it renders (subcharts: `<parent>/charts/<sub>/...`).
// `check -` maps each finding on standard input back to that template file, the repository's own
// file when it holds the chart, so that annotations land on a real file.
//
// The mapping is pure (FindRenderedSources, TemplateCandidates, MapRenderedFindings); the two
// loaders (LoadChartIndex, ResolveTemplatePaths) are the only parts that look at the disk.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/config.h"
#include "policy/finding.h"

namespace imagepin::policy {

// One document of a rendered stream: its lines, from its `---` line (or line 1) to the line
// before the next `---`, and the path its `# Source:` comment names (empty when it has none).
struct RenderedDocument {
  int first_line = 1;  // 1-based
  int last_line = 0;   // inclusive
  std::string source;  // as printed after "# Source: "
};

// Splits a rendered stream at its `---` lines and reads each document's `# Source: PATH`
// comment: a line starting with exactly that, among the comment and blank lines before the
// document's content (the first one wins). Lines are counted as the parser counts them.
std::vector<RenderedDocument> FindRenderedSources(std::string_view stream);

// The charts the repository holds, by name: each chart directory (holding a Chart.yaml) below
// the configured charts dir under its directory name and under its Chart.yaml `name:`.
struct ChartIndex {
  std::map<std::string, std::vector<std::string>, std::less<>> dirs;  // name → chart dirs, sorted
};

// The repository paths a Source path may be, most literal first: the chart it starts with, then
// (for `<parent>/charts/<sub>/...`) each subchart by its own name, outermost first, joined with
// the rest of the path. Empty when the path is not plain (absolute, empty, `.` or `..` parts) or
// names no chart in the index.
std::vector<std::string> TemplateCandidates(const ChartIndex& index, std::string_view source);

// Rewrites the findings on standard input ("-") that fall in a document with a Source comment:
// the path becomes `template_paths[source]` (the repository's file), or the Source path as
// printed; the line and column, positions in the stream that the template file does not have,
// move into the message ("... (line 9, column 18 of the rendered stream)") and become 0, so the
// finding is about the template file as a whole. Other findings are left as they are.
void MapRenderedFindings(const std::vector<RenderedDocument>& documents,
                         const std::map<std::string, std::string, std::less<>>& template_paths,
                         std::vector<Finding>* findings);

// Loader: lists the Chart.yaml files below `config.charts` (the scope's rules: no symlinks
// leaving the repository) and reads each one's `name:`.
ChartIndex LoadChartIndex(const Config& config, const std::string& root);

// Loader: for each distinct Source path among `documents`, the first candidate that is a
// regular file inside the repository. Sources with none are left out.
std::map<std::string, std::string, std::less<>> ResolveTemplatePaths(
    const ChartIndex& index, const std::string& root,
    const std::vector<RenderedDocument>& documents);

}  // namespace imagepin::policy
