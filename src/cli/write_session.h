// What every writing command (bump, pin, promote) does before it reads the repository, and how
// it writes the PR body: one place, so no command can forget a step.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/apply.h"
#include "rewrite/repository_lock.h"

namespace imagepin::cli {

struct WriteSession {
  rewrite::RepositoryLock lock;  // held until the command returns
  rewrite::ApplyOptions apply;   // root and journal set; dry_run as asked
};

// Takes the repository lock (refusing if another run holds it), then — unless `dry_run` —
// finishes or undoes a write that a killed run left in the journal, saying so on standard error.
// Prints the reason and returns nothing on failure (the command exits 3).
std::optional<WriteSession> BeginWriting(const std::string& root, std::string_view command,
                                         bool dry_run);

// The PR body (--summary-md) is written last, atomically (temporary file, fsync, rename), and
// only by a run that succeeded; RemoveSummary at the start of a run makes sure a failed run
// leaves no earlier body behind to be mistaken for its result. Both print any failure.
bool RemoveSummary(const std::string& path);
bool WriteSummary(const std::string& path, const std::string& text);

// The end of every writing command: applies `edits` (all or nothing), then, when `summary_path`
// is set and `write_summary`, writes the PR body that `summary` makes. Returns how many files were
// written, or nothing after printing a failure (the command exits 3).
std::optional<int> ApplyAndSummarize(const std::vector<rewrite::Edit>& edits,
                                     const WriteSession& session, const std::string& summary_path,
                                     bool write_summary,
                                     const std::function<std::string()>& summary);

// "1 file written", "3 files written".
std::string FilesWritten(int files);

}  // namespace imagepin::cli
