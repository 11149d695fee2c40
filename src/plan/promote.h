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
#include "plan/environments.h"
#include "policy/config.h"
#include "rewrite/edit.h"

namespace imagepin::plan {

struct PromoteOptions {
  std::vector<std::string> only;  // service file stems or repositories; empty: everything
};

// One service promoted (or already current).
struct Promotion {
  std::string service;
  std::string repository;  // normalized, e.g. ghcr.io/acme/api
  const EnvironmentField* source = nullptr;
  const EnvironmentField* target = nullptr;
  std::string digest;      // the source's digest, now the target's
  std::string tag;         // the readable tag travelling with it, may be empty
  std::string old_digest;  // the target's digest before, may be empty
  bool first_party = false;
  std::vector<rewrite::Edit> edits;  // empty or no-ops when the target is current
  bool Changes() const;
};

// A field that is in one environment but not the other: listed for a person to decide. A note:
// "<reference> is not in <other> (key <key path>): not promoted" (or "left as it is").
struct Unmatched : base::Diagnostic {
  std::string environment;  // where the field is
  std::string key_path;
  std::string reference;
};

struct PromotePlan {
  std::vector<Promotion> promotions;
  std::vector<Unmatched> only_in_source;
  std::vector<Unmatched> only_in_target;
  // Why a promotion is refused, rule "IP001", "IP002", "IP003" when check would report it; any
  // refusal means nothing is written.
  std::vector<base::Diagnostic> refusals;
};

PromotePlan PlanPromotion(const EnvironmentImages& source, const EnvironmentImages& target,
                          const policy::Config& config, const PromoteOptions& options);

// All edits of the plan, for ApplyEdits.
std::vector<rewrite::Edit> PromoteEdits(const PromotePlan& plan);

}  // namespace imagepin::plan
