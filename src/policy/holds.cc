#include "policy/holds.h"

#include <fmt/format.h>

#include "policy/rules.h"
#include "ref/reference.h"

namespace imagepin::policy {

bool HoldExpired(const Hold& hold, std::string_view today) {
  return !hold.until.empty() && hold.until < today;  // ISO dates compare correctly as strings
}

bool HoldNames(const Hold& hold, const HoldSubject& subject) {
  if (hold.environment != subject.environment) return false;
  if (!hold.app.empty()) return hold.app == subject.app;
  // Bump names a repository as written ("acme/api"), promote normalised
  // ("docker.io/acme/api"): the config stores the normalised form, so compare that.
  base::Result<ref::Reference> parsed = ref::ParseReference(std::string(subject.repository));
  if (!parsed.ok()) return hold.written == subject.repository;
  return hold.repository == parsed->Repository();
}

const Hold* FindHold(const std::vector<Hold>& holds, const HoldSubject& subject,
                     std::string_view today) {
  for (const Hold& hold : holds) {
    if (!HoldExpired(hold, today) && HoldNames(hold, subject)) return &hold;
  }
  return nullptr;
}

void AppendExpiredHolds(const Config& config, std::string_view today,
                        std::vector<Finding>* findings) {
  for (size_t i = 0; i < config.bump.holds.size(); ++i) {
    const Hold& hold = config.bump.holds[i];
    if (!HoldExpired(hold, today)) continue;
    Finding f = NewFinding("IP016");
    f.message = fmt::format(
        "hold on {} in {} expired on {}: bump and promote write it again; remove the hold, or "
        "renew it with a new reason",
        hold.app.empty() ? hold.written : hold.app, hold.environment, hold.until);
    f.path = config.path;
    f.line = hold.until_line;
    f.column = hold.until_column;
    f.source_line = hold.until_source_line;
    f.key_path = fmt::format("bump.holds[{}].until", i);
    findings->push_back(std::move(f));
  }
}

}  // namespace imagepin::policy
