#include "decide/promote.h"

#include <fmt/format.h>

#include "decide/lookup.h"
#include "decide/platforms.h"
#include "policy/holds.h"

namespace imagepin::decide {

plan::PromotePlan ApplyHolds(plan::PromotePlan plan, const std::vector<policy::Hold>& holds,
                             std::string_view target_environment, std::string_view today,
                             bool ignore_holds) {
  std::vector<plan::Promotion> kept;
  for (plan::Promotion& p : plan.promotions) {
    if (p.Changes()) {
      p.hold = policy::FindHold(holds, {p.service, p.repository, target_environment}, today);
    }
    if (p.hold != nullptr && !ignore_holds) {
      plan.held.push_back(std::move(p));
    } else {
      kept.push_back(std::move(p));
    }
  }
  plan.promotions = std::move(kept);
  // A source value promote cannot take is no reason to refuse the run when its target is held:
  // that field would be left as it is anyway.
  std::vector<plan::Refusal> refused;
  for (plan::Refusal& r : plan.refusals) {
    const policy::Hold* hold =
        r.service.empty() || ignore_holds
            ? nullptr
            : policy::FindHold(holds, {r.service, r.repository, target_environment}, today);
    if (hold == nullptr) {
      refused.push_back(std::move(r));
      continue;
    }
    base::Diagnostic note = r;
    note.severity = base::Severity::kNote;
    note.message += fmt::format(" (held in {}: not promoted)", target_environment);
    plan.held_refusals.push_back(std::move(note));
  }
  plan.refusals = std::move(refused);
  return plan;
}

std::vector<ref::Reference> PromotedDigests(const plan::PromotePlan& plan) {
  std::vector<ref::Reference> refs;
  for (const plan::Promotion& p : plan.promotions) {
    base::Result<ref::Reference> r = ref::ParseReference(p.repository + "@" + p.digest);
    refs.push_back(r.ok() ? *r : ref::Reference{});
  }
  return refs;
}

std::vector<base::Diagnostic> CheckPromotedDigests(
    const plan::PromotePlan& plan, const std::vector<registry::Result<registry::Manifest>>& results,
    const std::vector<std::string>& platforms) {
  std::vector<base::Diagnostic> errors;
  for (size_t i = 0; i < plan.promotions.size(); ++i) {
    const plan::Promotion& p = plan.promotions[i];
    const std::string& where = p.source_path;
    if (!results[i].ok()) {
      errors.push_back(base::Diagnostic::Error(where, {}, DescribeFailure(results[i].error())));
    } else if (std::string missing =
                   p.first_party ? MissingPlatforms(*results[i], p.repository, platforms) : "";
               !missing.empty()) {
      errors.push_back(base::Diagnostic::Error(where, {}, missing, "IP009"));
    }
  }
  return errors;
}

}  // namespace imagepin::decide
