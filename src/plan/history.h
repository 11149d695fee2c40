// Loading a field's history from git, for `imagepin rollback`: the values a first-party
// image.ref had in the commits that changed its file, newest first, and its value at one
// revision.
//
// Why `git` as a subprocess rather than libgit2: git is on every CI runner and developer machine
// that holds a GitOps checkout, and it reads every repository that checkout can be (worktrees,
// partial clones, alternates, new index and pack formats) exactly as the user's git does; libgit2
// would be one more runtime dependency of the .deb for one read-only command, and lags git on
// those formats. git runs with `-C ROOT --no-pager`, no shell (arguments go as they are), bounded
// output and a timeout (base/process.h).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "plan/bump.h"
#include "policy/config.h"

namespace imagepin::plan {

struct Revision {
  std::string commit;   // full hash
  std::string date;     // committer date, ISO 8601
  std::string subject;  // the commit message's first line
};

// The field's value in one commit.
struct FieldValue {
  Revision revision;
  std::string reference;  // as written; empty when the commit's file has no such field
  std::string digest;     // the reference's digest; empty when none (or no field)
  int line = 0;           // where the field was in that commit's file
};

// The target's field (same file, document and key path) in each commit that changed its file,
// newest first, read until `enough` says so or `max_commits` commits are read. A commit whose
// file does not parse, or lacks the field, is listed with an empty reference. Errors: git is
// missing, ROOT is not in a git work tree, git fails.
base::Result<std::vector<FieldValue>> FieldHistory(
    const std::string& root, const RefTarget& target, const policy::Config& config,
    size_t max_commits, const std::function<bool(const FieldValue&)>& enough);

// The target's field at revision `rev` (a commit, tag, branch, `HEAD~2`): an error when `rev`
// names no commit, or its file there has no such field.
base::Result<FieldValue> FieldAtRevision(const std::string& root, const RefTarget& target,
                                         const policy::Config& config, const std::string& rev);

}  // namespace imagepin::plan
