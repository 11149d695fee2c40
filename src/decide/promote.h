// `imagepin promote --verify`: before anything is written, every promoted digest must exist in
// its registry, and first-party ones must hold the required platforms. Pure: the command asks
// the registry for PromotedDigests and hands the answers here.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "plan/promote.h"
#include "policy/config.h"
#include "ref/reference.h"
#include "registry/client.h"

namespace imagepin::decide {

// Holds (bump.holds) on the target environment: a promotion that would change a held value is
// marked with its hold and, unless `ignore_holds`, moved from `promotions` to `held`, so that
// nothing writes it. A held value already current stays a promotion (there is nothing to keep
// out). `today` is YYYY-MM-DD (UTC): an expired hold holds nothing.
plan::PromotePlan ApplyHolds(plan::PromotePlan plan, const std::vector<policy::Hold>& holds,
                             std::string_view target_environment, std::string_view today,
                             bool ignore_holds);

// repository@digest of each promotion, in the plan's order (an empty Reference where the
// repository does not parse: its lookup fails and says so).
std::vector<ref::Reference> PromotedDigests(const plan::PromotePlan& plan);

// One error per promotion whose digest failed to resolve or lacks a required platform (rule
// IP009); none means --verify passed. `results[i]` answers PromotedDigests(plan)[i].
std::vector<base::Diagnostic> CheckPromotedDigests(
    const plan::PromotePlan& plan, const std::vector<registry::Result<registry::Manifest>>& results,
    const std::vector<std::string>& platforms);

}  // namespace imagepin::decide
