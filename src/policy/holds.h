// Holds (`bump.holds` in .imagepin.yaml): which hold, if any, keeps a field as it is. A hold
// names an app (the service name bump and promote print) or a repository, and one environment;
// bump skips what it holds and promote will not overwrite it (unless --ignore-holds). A hold
// past its `until` day holds nothing and is itself a finding (IP016), as an expired exception
// is IP007. Pure: the commands pass today's date in.
#pragma once

#include <string_view>
#include <vector>

#include "policy/config.h"
#include "policy/finding.h"

namespace imagepin::policy {

// A field as bump and promote name it.
struct HoldSubject {
  std::string_view app;          // the service name: "api" for .../dev/api.yaml
  std::string_view repository;   // as written or normalised: both match the same hold
  std::string_view environment;  // "dev"
};

// `today` is YYYY-MM-DD (UTC); a hold holds through its `until` day and expires the day after.
bool HoldExpired(const Hold& hold, std::string_view today);

// Whether `hold` names `subject`, expiry aside.
bool HoldNames(const Hold& hold, const HoldSubject& subject);

// The first live hold that names `subject`, or null.
const Hold* FindHold(const std::vector<Hold>& holds, const HoldSubject& subject,
                     std::string_view today);

// IP016 for every expired hold, at its `until` date: check's rule, since the config is what
// check reads; bump and promote only stop honouring it.
void AppendExpiredHolds(const Config& config, std::string_view today,
                        std::vector<Finding>* findings);

}  // namespace imagepin::policy
