#include "decide/bump.h"

#include <fmt/format.h>

#include <algorithm>

#include "decide/lookup.h"
#include "decide/platforms.h"
#include "decide/readable_tag.h"
#include "policy/holds.h"

namespace imagepin::decide {
namespace {

base::Diagnostic FailureAt(const plan::BumpTarget& t, std::string message) {
  return base::Diagnostic::Error(t.file.display_path, {t.ref.line, t.ref.column},
                                 std::move(message));
}

// The new digest, or why there is none.
void Judge(const registry::Result<registry::Manifest>& r, const std::vector<std::string>& platforms,
           BumpOutcome* o) {
  if (!r.ok()) {
    o->failure = DescribeFailure(r.error());
  } else if (std::optional<registry::RegistryError> e =
                 RequirePlatforms(*r, o->target->channel, platforms)) {
    o->failure = DescribeFailure(*e);
  } else {
    o->new_digest = r->digest;
  }
}

}  // namespace

int BumpDecision::Changed() const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [](const BumpOutcome& o) { return o.changed; }));
}

int BumpDecision::WouldChange() const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [](const BumpOutcome& o) { return o.would_change; }));
}

int BumpDecision::Unchanged() const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [](const BumpOutcome& o) {
    return o.failure.empty() && !o.new_digest.empty() && !o.would_change;
  }));
}

int BumpDecision::Failures() const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [](const BumpOutcome& o) { return !o.failure.empty(); }));
}

int BumpDecision::Held() const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [](const BumpOutcome& o) { return o.hold != nullptr; }));
}

std::vector<const policy::Hold*> BumpHolds(const plan::BumpTargets& found,
                                           const std::vector<policy::Hold>& holds,
                                           std::string_view today) {
  std::vector<const policy::Hold*> held;
  for (const plan::BumpTarget& t : found.targets) {
    held.push_back(policy::FindHold(holds, {t.service, t.repository, t.environment}, today));
  }
  return held;
}

std::vector<ref::Reference> ChannelsToResolve(const plan::BumpTargets& found,
                                              const std::vector<const policy::Hold*>& held) {
  std::vector<ref::Reference> channels;
  for (size_t i = 0; i < found.targets.size(); ++i) {
    if (held[i] == nullptr) channels.push_back(found.targets[i].channel);
  }
  return channels;
}

BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going) {
  return DecideBump(found, std::vector<const policy::Hold*>(found.targets.size(), nullptr),
                    resolved, platforms, keep_going);
}

BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<const policy::Hold*>& held,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going) {
  return DecideBump(found, held, resolved, platforms, keep_going, BumpTagging{});
}

BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<const policy::Hold*>& held,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going,
                        const BumpTagging& tagging) {
  BumpDecision d;
  d.diagnostics = found.problems;
  d.failed = !found.problems.empty();
  size_t answer = 0;  // the next of `resolved`: held targets were not asked for
  for (size_t i = 0; i < found.targets.size(); ++i) {
    BumpOutcome& o = d.outcomes.emplace_back();
    o.target = &found.targets[i];
    if (held[i] != nullptr) {
      o.hold = held[i];
      continue;
    }
    const registry::Result<registry::Manifest>& answer_i = resolved[answer++];
    Judge(answer_i, platforms, &o);
    if (!o.failure.empty()) {
      d.failed = true;
      d.diagnostics.push_back(FailureAt(*o.target, o.failure));
      continue;
    }
    if (!tagging.tags.empty()) o.readable_tag = tagging.tags[i].tag;
    base::Result<rewrite::Edit> edit = plan::BumpEdit(*o.target, o.new_digest, o.readable_tag);
    if (!edit.ok()) {
      d.failed = true;
      o.failure = edit.error().message;
      d.diagnostics.push_back(base::Diagnostic::From(edit.error()));
      continue;
    }
    o.would_change = !edit->IsNoOp();
    if (o.would_change) {  // a field already at its digest has nothing to explain
      for (base::Diagnostic& note : ChangedFieldNotes(
               *o.target, tagging.tags.empty() ? nullptr : &tagging.tags[i], o.new_digest,
               answer_i->revision, tagging.old_revisions.empty() ? "" : tagging.old_revisions[i])) {
        o.notes.push_back(note.message);
        d.diagnostics.push_back(std::move(note));
      }
    }
    d.edits.push_back(std::move(*edit));
  }
  d.write_nothing = d.failed && !keep_going;
  if (d.write_nothing) d.edits.clear();
  for (BumpOutcome& o : d.outcomes) o.changed = o.would_change && !d.write_nothing;
  return d;
}

}  // namespace imagepin::decide
