// What `imagepin bump` does with what it found and what the registry answered: per target, the
// new digest or why not; the edits to write; and fail-fast (one failure and nothing is written,
// unless keep_going). Pure: cli/cmd_bump.cc scans, resolves, applies and reports around it.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "plan/bump.h"
#include "registry/client.h"
#include "rewrite/edit.h"

namespace imagepin::decide {

// One target's outcome.
struct BumpOutcome {
  const plan::BumpTarget* target = nullptr;
  std::string new_digest;  // empty when resolution failed
  std::string failure;     // one line, when it failed
  bool changed = false;    // its edit is written (false for every target of a run writing nothing)
  bool would_change = false;  // its edit changes the file, written or not
};

struct BumpDecision {
  std::vector<BumpOutcome> outcomes;          // one per target, in the targets' order
  std::vector<rewrite::Edit> edits;           // what to write: none when write_nothing
  std::vector<base::Diagnostic> diagnostics;  // the finder's problems, then each failure
  bool failed = false;                        // some target could not be bumped: exit 3
  bool write_nothing = false;                 // failed, and not keep_going

  int Changed() const;      // targets whose edit is written
  int WouldChange() const;  // targets whose edit changes the file, written or not
  int Unchanged() const;    // resolved, already at the channel's digest
  int Failures() const;
};

// `resolved[i]` is the registry's answer for `found.targets[i].channel`. A target fails when
// its channel does not resolve, or resolves to something without every platform of `platforms`.
BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going);

}  // namespace imagepin::decide
