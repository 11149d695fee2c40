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

// `today` is YYYY-MM-DD; an exception expires at the end of its `expires` day.
bool Expired(const Exception& exception, std::string_view today);

// Marks the findings a live exception covers as suppressed (the first exception that covers one
// wins). Expired exceptions cover nothing.
void SuppressExcepted(const Config& config, std::string_view today, std::vector<Finding>* findings);

// Appends IP007 for every expired exception, pointing at its `expires` date: check's rule, since
// the config is what check reads; other commands only suppress.
void AppendExpiredExceptions(const Config& config, std::string_view today,
                             std::vector<Finding>* findings);

// Both, and IP016 for expired holds (policy/holds.h): what check does.
void ApplyExceptions(const Config& config, std::string_view today, std::vector<Finding>* findings);

}  // namespace imagepin::policy
