// The write journal: what makes a multi-file ApplyEdits all or nothing across a crash.
//
// A rename is atomic per file, not across files: a run killed between two renames would leave
// some files new and others old. So, when ApplyEdits is given a journal path (the writing
// commands give it one under the repository lock), it
//   1. records every (target, temporary file, target's identity) in the journal, "prepared";
//   2. writes and fsyncs the temporary files (fixed names: `.<name>.imagepin-tmp`);
//   3. marks the journal "committed" (written to a temporary file, fsynced, renamed);
//   4. renames each temporary file over its target, fsyncs the directories;
//   5. removes the journal.
// The next run that takes the lock calls RecoverInterruptedWrite first: a prepared journal is
// rolled back (its temporary files removed: no target was touched), a committed one is rolled
// forward (each temporary file still there is renamed over its target, unless the target
// changed since, which is reported and left alone). Either way no temporary file is left.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "rewrite/atomic_file.h"

namespace imagepin::rewrite {

struct JournalEntry {
  std::string target;   // canonical path of the file replaced
  std::string temp;     // the temporary file holding its new contents
  FileIdentity before;  // the target as it was read (device, inode, size, mtime)
};

enum class JournalState { kPrepared, kCommitted };

// Writes the journal at `path` atomically (temporary file, fsync, rename, directory fsync).
base::Status WriteJournal(const std::string& path, JournalState state,
                          const std::vector<JournalEntry>& entries);

// Removes the journal and fsyncs its directory.
base::Status RemoveJournal(const std::string& path);

// The temporary file name beside `target` that a journaled write uses.
std::string JournalTempPath(const std::string& target);

// Finishes or undoes the write a killed run left in the journal at `path`, if there is one.
// Returns one line per thing done or refused, for the user; an empty list when there was no
// journal. Entries whose paths are not below `root` (canonical) are not touched.
base::Result<std::vector<std::string>> RecoverInterruptedWrite(const std::string& path,
                                                               const std::string& root);

}  // namespace imagepin::rewrite
