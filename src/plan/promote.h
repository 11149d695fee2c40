// Planning `imagepin promote SOURCE TARGET`: the exact digest that runs in the source
// environment is copied into the same service's value in the target environment (same file
// path relative to the environment directory, same document, same key path, same repository).
// Only the digest travels, with its readable tag if the source has one; nothing is rebuilt or
// re-tagged. Pure: no network, no writing.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
#include "plan/app_images.h"
#include "plan/environments.h"
#include "policy/config.h"
#include "rewrite/edit.h"

namespace imagepin::plan {

struct PromoteOptions {
  std::vector<std::string> only;  // service file stems or repositories; empty: everything
  // A value the target inherits (from `_shared`, …) gets an override in the target's own
  // overlay (an insertion, or a new file); without it, a note and nothing written for it.
  bool write_inherited = false;
};

// One service promoted (or already current).
struct Promotion {
  std::string service;
  std::string repository;                    // normalized, e.g. ghcr.io/acme/api
  const EnvironmentField* source = nullptr;  // null when the source's value is inherited
  const EnvironmentField* target = nullptr;  // null when the target's value is inherited
  std::string source_path;                   // where the source's value is written
  std::string target_path;                   // the file written: the target's own overlay
  int target_line = 0;
  std::string key_path;       // "image.ref"
  bool inherited = false;     // the target inherited the value: the edit adds an override
  bool creates_file = false;  // … in an overlay file that does not exist yet
  std::string digest;         // the source's digest, now the target's
  std::string tag;            // the readable tag travelling with it, may be empty
  std::string old_digest;     // the target's digest before, may be empty
  bool first_party = false;
  std::vector<rewrite::Edit> edits;  // empty or no-ops when the target is current
  // The hold (bump.holds) on the target's value: decide::ApplyHolds sets it, on a promotion it
  // leaves out (PromotePlan::held) or, with --ignore-holds, writes anyway.
  const policy::Hold* hold = nullptr;
  bool Changes() const;
};

// A field that is in one environment but not the other: listed for a person to decide. A note:
// "<reference> is not in <other> (key <key path>): not promoted" (or "left as it is").
struct Unmatched : base::Diagnostic {
  std::string environment;  // where the field is
  std::string key_path;
  std::string reference;
};

// Why a promotion is refused. A refusal of the source's value names whose it is (service and
// repository), so that a hold on the target, which keeps that field out anyway, can release it
// (decide::ApplyHolds); other refusals name nobody.
struct Refusal : base::Diagnostic {
  std::string service;
  std::string repository;  // normalized; empty when the reference does not parse
};

struct PromotePlan {
  std::vector<Promotion> promotions;
  std::vector<Unmatched> only_in_source;
  std::vector<Unmatched> only_in_target;
  // Why a promotion is refused, rule "IP001", "IP002", "IP003" when check would report it; any
  // refusal means nothing is written.
  std::vector<Refusal> refusals;
  // Values the target inherits from another layer, not written (no --write-inherited, or the
  // layer is above the target's overlay, or there is no overlay): one note each, naming the
  // app, the key and the layer.
  std::vector<base::Diagnostic> inherited;
  // Promotions a hold on the target keeps out (decide::ApplyHolds): reported, not written.
  std::vector<Promotion> held;
  // Refusals of a source value whose target a hold keeps (decide::ApplyHolds): notes, since
  // nothing would be written there anyway.
  std::vector<base::Diagnostic> held_refusals;
};

// With `source_apps` and `target_apps` (LoadAppEnvironment of the same two environments), the
// effective values count: a source value inherited from `_shared` is promoted as the effective
// digest, and a target value inherited from another layer is a note (or, with
// write_inherited, an override added to the target's own overlay: plan/insert.h).
PromotePlan PlanPromotion(const EnvironmentImages& source, const EnvironmentImages& target,
                          const policy::Config& config, const PromoteOptions& options,
                          const AppEnvironment* source_apps = nullptr,
                          const AppEnvironment* target_apps = nullptr);

// All edits of the plan, for ApplyEdits; insertions at one point of one file are joined into
// one edit (in plan order).
std::vector<rewrite::Edit> PromoteEdits(const PromotePlan& plan);

}  // namespace imagepin::plan
