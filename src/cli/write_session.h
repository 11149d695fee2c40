// What every writing command (bump, pin, promote) does before it reads the repository, and how
// it writes the PR body: one place, so no command can forget a step.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

}  // namespace imagepin::cli
