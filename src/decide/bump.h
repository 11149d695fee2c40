// What `imagepin bump` does with what it found and what the registry answered: per target, the
// new digest or why not; the edits to write; and fail-fast (one failure and nothing is written,
// unless keep_going). Pure: cli/cmd_bump.cc scans, resolves, applies and reports around it.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "decide/readable_tag.h"
#include "plan/bump.h"
#include "policy/config.h"
#include "registry/client.h"
#include "rewrite/edit.h"

namespace imagepin::decide {

// One target's outcome.
struct BumpOutcome {
  const plan::BumpTarget* target = nullptr;
  std::string new_digest;  // empty when resolution failed
  std::string failure;     // one line, when it failed
  bool changed = false;    // its edit is written (false for every target of a run writing nothing)
  bool would_change = false;           // its edit changes the file, written or not
  const policy::Hold* hold = nullptr;  // set: a hold keeps it as it is (not resolved, no edit)
  std::string readable_tag;        // bump.readableTag: the confirmed tag written beside the digest
  std::vector<std::string> notes;  // why no readable tag; a trailing comment left naming the old
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
  int Held() const;  // targets a hold keeps as they are
};

// For each target, in order, the live hold (bump.holds, policy/holds.h) that keeps it, or null.
// `today` is YYYY-MM-DD (UTC), as for exceptions.
std::vector<const policy::Hold*> BumpHolds(const plan::BumpTargets& found,
                                           const std::vector<policy::Hold>& holds,
                                           std::string_view today);

// The channels to resolve: those of the targets no hold keeps, in order. A held target is not
// asked for, so a hold also keeps bump from failing on a channel that is gone.
std::vector<ref::Reference> ChannelsToResolve(const plan::BumpTargets& found,
                                              const std::vector<const policy::Hold*>& held);

// `resolved[i]` is the registry's answer for `found.targets[i].channel`. A target fails when
// its channel does not resolve, or resolves to something without every platform of `platforms`.
BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going);

// With holds: `held` is BumpHolds' answer and `resolved[i]` answers ChannelsToResolve(found,
// held)[i]. A held target gets an outcome with `hold` set and neither an edit nor a failure.
BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<const policy::Hold*>& held,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going);

// With tagging (decide/readable_tag.h): a confirmed tag is written as `repo:tag@digest`; each of
// ChangedFieldNotes is an outcome note and a note diagnostic.
BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<const policy::Hold*>& held,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going,
                        const BumpTagging& tagging);

}  // namespace imagepin::decide
