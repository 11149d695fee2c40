#include "decide/set.h"

#include <fmt/format.h>

#include <algorithm>

#include "decide/lookup.h"
#include "decide/platforms.h"
#include "policy/first_party.h"
#include "policy/holds.h"
#include "policy/tag_rules.h"

namespace imagepin::decide {
namespace {

base::Error Invalid(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
}

template <typename Pred>
int Count(const std::vector<SetOutcome>& outcomes, Pred pred) {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), pred));
}

}  // namespace

base::Result<ref::Reference> ParseSetReference(std::string_view text,
                                               const policy::Config& config) {
  base::Result<ref::Reference> parsed = ref::ParseReference(text);
  if (!parsed.ok()) {
    return Invalid(fmt::format("invalid reference \"{}\": {}", text, parsed.error().message));
  }
  if (!parsed->has_digest()) {
    return Invalid(fmt::format(
        "\"{}\" has no digest: set writes only a reference pinned by digest (repo@sha256:… or "
        "repo:tag@sha256:…)",
        text));
  }
  if (parsed->has_tag() && policy::ClassifyTag(parsed->tag, config) == policy::TagKind::kFloating) {
    return Invalid(fmt::format(
        "\"{}\": floating tag \"{}\" beside the digest would fail check (IP002); give the digest "
        "alone or with a build SHA or version tag",
        text, parsed->tag));
  }
  if (!policy::IsFirstParty(config, parsed->Repository())) {
    return Invalid(fmt::format(
        "{} is not first-party (firstParty: {}): set writes only first-party image.ref fields",
        parsed->Repository(),
        config.first_party.include.empty()
            ? "none"
            : fmt::format("{}", fmt::join(config.first_party.include, ", "))));
  }
  return parsed;
}

base::Status RequireTargets(const plan::SetTargets& found, const ref::Reference& reference,
                            std::string_view environment, const std::vector<std::string>& apps) {
  if (found.targets.empty()) {
    return Invalid(fmt::format("no field of {} in {}{}", reference.Repository(), environment,
                               apps.empty() ? "" : fmt::format(" for {}", fmt::join(apps, ", "))));
  }
  for (const std::string& app : apps) {
    bool any = std::any_of(found.targets.begin(), found.targets.end(),
                           [&](const plan::RefTarget& t) { return t.service == app; });
    if (!any) {
      return Invalid(
          fmt::format("no field of {} in {} for {}", reference.Repository(), environment, app));
    }
  }
  return {};
}

int SetDecision::Changed() const {
  return Count(outcomes, [](const SetOutcome& o) { return o.changed; });
}
int SetDecision::WouldChange() const {
  return Count(outcomes, [](const SetOutcome& o) { return o.would_change; });
}
int SetDecision::Unchanged() const {
  return Count(outcomes,
               [](const SetOutcome& o) { return !o.new_value.empty() && !o.would_change; });
}
int SetDecision::Held() const {
  return Count(outcomes, [](const SetOutcome& o) { return o.hold != nullptr && !o.written_held; });
}

std::vector<const policy::Hold*> SetHolds(const plan::SetTargets& found,
                                          const std::vector<policy::Hold>& holds,
                                          std::string_view today) {
  std::vector<const policy::Hold*> held;
  for (const plan::RefTarget& t : found.targets) {
    held.push_back(policy::FindHold(holds, {t.service, t.repository, t.environment}, today));
  }
  return held;
}

std::optional<ref::Reference> DigestToCheck(const plan::SetTargets& found,
                                            const ref::Reference& reference,
                                            const std::vector<const policy::Hold*>& held,
                                            bool ignore_holds) {
  for (size_t i = 0; i < found.targets.size(); ++i) {
    if (held[i] == nullptr || ignore_holds) {
      ref::Reference by_digest = reference;
      by_digest.tag.clear();
      return by_digest;
    }
  }
  return std::nullopt;
}

SetDecision DecideSet(const plan::SetTargets& found, const ref::Reference& reference,
                      const std::vector<const policy::Hold*>& held, bool ignore_holds,
                      const std::optional<registry::Result<registry::Manifest>>& checked,
                      const std::vector<std::string>& platforms, std::string_view command) {
  SetDecision d;
  d.diagnostics = found.problems;
  d.failed = !found.problems.empty();
  if (checked.has_value()) {
    ref::Reference asked = reference;
    asked.tag.clear();
    if (!checked->ok()) {
      d.failed = true;
      d.diagnostics.push_back(base::Diagnostic::Error("", {}, DescribeFailure(checked->error())));
    } else if (std::optional<registry::RegistryError> e =
                   RequirePlatforms(**checked, asked, platforms)) {
      d.failed = true;
      d.diagnostics.push_back(base::Diagnostic::Error("", {}, DescribeFailure(*e), "IP009"));
    }
  }
  for (size_t i = 0; i < found.targets.size(); ++i) {
    SetOutcome& o = d.outcomes.emplace_back();
    o.target = &found.targets[i];
    o.hold = held[i];
    if (o.hold != nullptr && !ignore_holds) continue;
    o.written_held = o.hold != nullptr;
    o.new_value = plan::SetValue(*o.target, reference);
    base::Result<rewrite::Edit> edit = plan::SetEdit(*o.target, reference, command);
    if (!edit.ok()) {
      d.failed = true;
      d.diagnostics.push_back(base::Diagnostic::From(edit.error()));
      continue;
    }
    o.would_change = !edit->IsNoOp();
    d.edits.push_back(std::move(*edit));
  }
  if (d.failed) d.edits.clear();
  for (SetOutcome& o : d.outcomes) o.changed = o.would_change && !d.failed;
  return d;
}

}  // namespace imagepin::decide
