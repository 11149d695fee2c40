// `check --changed-since REV`: the files changed since a git revision, and which of them (plus
// what their applications stack) a check has to read so that it still fails where the whole
// check would. Git is asked as a subprocess (base::RunProcess): git is on every runner and every
// developer's machine, and one more library in the package would be for three questions.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "scan/file_list.h"

namespace imagepin::scan {

// Paths relative to the repository root, '/'-separated, sorted.
struct ChangedFiles {
  std::vector<std::string> present;  // changed, staged, unstaged or untracked, and there now
  std::vector<std::string> deleted;  // in REV, gone now
};

// What `git diff REV` (the work tree against REV) and the untracked, not ignored files name,
// below `root`. REV must name a commit; an error says so, and says when `root` is not in a git
// work tree.
base::Result<ChangedFiles> ListChangedSince(const std::string& root, const std::string& rev);

struct ChangedSelection {
  // Set when only the whole scope can answer: the config changed, a file in scope was deleted
  // (an overlay gone changes what its application deploys), or a changed file declares Argo CD
  // or Flux applications (their stacks may have changed). Says why, for a note.
  std::string whole_scope_because;
  std::vector<std::string> paths;  // otherwise: what to check (relative to root); may be empty
};

// Chooses what `check` reads for `changed`: each changed file in `scope`, and for a changed file
// inside a chart (a directory with Chart.yaml, at any level above it), that chart's values.yaml,
// so that the applications deploying the chart, and its templates, are judged again. A values
// file brings its whole application stack in through check's explicit-path rule.
ChangedSelection SelectChanged(const std::string& root, const Scope& scope,
                               const ChangedFiles& changed, size_t max_file_size);

}  // namespace imagepin::scan
