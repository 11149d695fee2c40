// Exceptions from .imagepin.yaml: findings they cover are marked suppressed (never dropped), and
// an exception past its expiry date stops covering anything and is itself a finding (IP007).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/config.h"
#include "policy/finding.h"

namespace imagepin::policy {

// Today's date in UTC as YYYY-MM-DD.
std::string TodayUtc();

// Suppresses the findings a live exception covers, and appends IP007 for every expired one.
// `today` is YYYY-MM-DD; an exception expires at the end of its `expires` day.
void ApplyExceptions(const Config& config, std::string_view today, std::vector<Finding>* findings);

}  // namespace imagepin::policy
