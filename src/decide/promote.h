// `imagepin promote --verify`: before anything is written, every promoted digest must exist in
// its registry, and first-party ones must hold the required platforms. Pure: the command asks
// the registry for PromotedDigests and hands the answers here.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "plan/promote.h"
#include "ref/reference.h"
#include "registry/client.h"

namespace imagepin::decide {

// repository@digest of each promotion, in the plan's order (an empty Reference where the
// repository does not parse: its lookup fails and says so).
std::vector<ref::Reference> PromotedDigests(const plan::PromotePlan& plan);

// One error per promotion whose digest failed to resolve or lacks a required platform (rule
// IP009); none means --verify passed. `results[i]` answers PromotedDigests(plan)[i].
std::vector<base::Diagnostic> CheckPromotedDigests(
    const plan::PromotePlan& plan, const std::vector<registry::Result<registry::Manifest>>& results,
    const std::vector<std::string>& platforms);

}  // namespace imagepin::decide
