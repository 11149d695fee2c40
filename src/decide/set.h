// What `imagepin set ENV REFERENCE` (and `imagepin rollback`, which writes the same way) decides:
// whether REFERENCE may be written at all (a digest, no floating tag, a first-party repository),
// which fields it goes to (holds aside), and, once the registry has answered for the digest
// (it exists; a multi-arch index with the configured platforms), the edits. Fail fast: any
// problem and nothing is written. Pure: cli/cmd_set.cc and cmd_rollback.cc load, ask the
// registry, apply and report around it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
#include "plan/set.h"
#include "policy/config.h"
#include "ref/reference.h"
#include "registry/client.h"
#include "rewrite/edit.h"

namespace imagepin::decide {

// REFERENCE as set takes it: a valid reference with a digest (`repo@sha256:…` or
// `repo:tag@sha256:…`), a tag (if any) that check would accept beside the digest (IP002: no
// floating tag), and a first-party repository (set writes first-party image.ref fields only).
// Errors are kInvalidArgument, one sentence each (exit 2).
base::Result<ref::Reference> ParseSetReference(std::string_view text, const policy::Config& config);

// The targets set writes: an error (kInvalidArgument, exit 2) when there are none ("no field of
// REPO in ENV"), or when an app of `apps` has none.
base::Status RequireTargets(const plan::SetTargets& found, const ref::Reference& reference,
                            std::string_view environment, const std::vector<std::string>& apps);

struct SetOutcome {
  const plan::RefTarget* target = nullptr;
  const policy::Hold* hold = nullptr;  // a live hold names it
  bool written_held = false;           // held, and written anyway (--ignore-holds)
  bool would_change = false;           // its edit changes the file, written or not
  bool changed = false;                // its edit is written (false for a run writing nothing)
  std::string new_value;               // what it is (or would be) written as; empty when held
};

struct SetDecision {
  std::vector<SetOutcome> outcomes;           // one per target, in the targets' order
  std::vector<rewrite::Edit> edits;           // what to write: none when failed
  std::vector<base::Diagnostic> diagnostics;  // the finder's problems, the registry's failure
  bool failed = false;                        // nothing is written: exit 3

  int Changed() const;
  int WouldChange() const;
  int Unchanged() const;  // written as they already were
  int Held() const;       // held and not written
};

// For each target, the live hold that names it (bump.holds), or null. `today`: YYYY-MM-DD.
std::vector<const policy::Hold*> SetHolds(const plan::SetTargets& found,
                                          const std::vector<policy::Hold>& holds,
                                          std::string_view today);

// What to ask the registry: repository@digest (the tag is not what is checked), with platforms;
// nothing when no field is to be written (every one held), so a held set asks nothing.
std::optional<ref::Reference> DigestToCheck(const plan::SetTargets& found,
                                            const ref::Reference& reference,
                                            const std::vector<const policy::Hold*>& held,
                                            bool ignore_holds);

// `checked` answers DigestToCheck (nullopt when it asked nothing). The digest must exist and be
// an index holding every platform of `platforms` (decide/platforms.h, as bump and verify say
// it); otherwise, or on a problem of the finder or an edit that cannot be planned, nothing is
// written. `command` names the edits ("set", "rollback").
SetDecision DecideSet(const plan::SetTargets& found, const ref::Reference& reference,
                      const std::vector<const policy::Hold*>& held, bool ignore_holds,
                      const std::optional<registry::Result<registry::Manifest>>& checked,
                      const std::vector<std::string>& platforms, std::string_view command);

}  // namespace imagepin::decide
