// The rule catalogue: stable ids, names, default severities and one-line descriptions.
// docs/rules.md explains each rule with a bad and a good example; keep the two in step.
#pragma once

#include <span>
#include <string_view>

#include "policy/finding.h"

namespace imagepin::policy {

struct RuleInfo {
  std::string_view id;    // "IP001"
  std::string_view name;  // "digest-required"
  Severity severity;
  std::string_view summary;  // one sentence, for SARIF shortDescription and --help
};

// Every rule, ordered by id.
std::span<const RuleInfo> AllRules();

// The rule with this id ("IP001") or name ("digest-required"); nullptr if none.
const RuleInfo* FindRule(std::string_view id_or_name);

// A finding of rule `id` (which must exist) with its id, name and default severity filled in.
Finding NewFinding(std::string_view id);

// The documentation anchor for a rule, e.g. "docs/rules.md#ip001-digest-required".
std::string RuleDocAnchor(const RuleInfo& rule);

}  // namespace imagepin::policy
