// ApplyEdits: the one function in imagepin that writes files.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "rewrite/edit.h"

namespace imagepin::rewrite {

struct ApplyOptions {
  bool dry_run = false;  // check everything, write nothing
  // When set, every edited file (symlinks resolved) must lie below this directory: nothing
  // outside the repository is written.
  std::string root;
  // When set, the multi-file write is journaled there (journal.h), so that a run killed between
  // renames is finished or undone by the next one. The writing commands set it under the lock.
  std::string journal;
  // For an edit that creates its file (kFileMustNotExist): create its missing directories (below
  // the nearest existing one, mode 0777 less the umask) just before writing, not in a dry run.
  // Without it a missing directory is an error. Directories created are removed again when the
  // write fails before any rename.
  bool create_directories = false;
};

// What happened to one file of a plan.
struct FileChange {
  std::string path;          // as the first edit of the file gave it
  std::string display_path;  // likewise
  int edits = 0;             // edits that change bytes (duplicates and no-ops not counted)
  bool written = false;      // false for dry runs and for files with nothing to change
};

// Applies `edits`, which may span many files, all or nothing:
//  1. groups the edits by file (symlinks resolved: the link's target is edited, the link kept);
//  2. reads every file, refuses one whose bytes no longer hash to the edits' `file_sha256` (it
//     changed since the scan the plan was made from), and checks every edit with CheckEdits
//     (splice.h) — a stale span, an overlap or a conflicting duplicate fails the whole plan,
//     naming display_path:line:col, before any file is written;
//  3. writes each changed file's new contents to a temporary file beside it (O_EXCL), with the
//     original's permission bits (and owner, when root), and fsyncs it; any failure removes all
//     temporary files and leaves every original intact;
//  4. checks that no file changed since it was read (inode, size, mtime), then renames each
//     temporary file over its original and fsyncs the directories.
// A file whose edits change nothing is not touched (its mtime stays). Returns one FileChange per
// file, sorted by display path. Renames are atomic per file; with `journal` set, the set of
// renames is atomic too once the next run has recovered (journal.h); without it, should a
// rename fail after others succeeded, the error says which files were written. The window
// between step 4's check and the rename is not covered: a writer that bypasses the repository
// lock in that instant can still lose its change.
// Hard links to an edited file keep the old contents (rename makes a new inode); ACLs and
// extended attributes are not copied.
base::Result<std::vector<FileChange>> ApplyEdits(const std::vector<Edit>& edits,
                                                 const ApplyOptions& options);

}  // namespace imagepin::rewrite
