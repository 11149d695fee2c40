#include "decide/bump.h"

#include <fmt/format.h>

#include <algorithm>

#include "decide/lookup.h"
#include "decide/platforms.h"

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

BumpDecision DecideBump(const plan::BumpTargets& found,
                        const std::vector<registry::Result<registry::Manifest>>& resolved,
                        const std::vector<std::string>& platforms, bool keep_going) {
  BumpDecision d;
  d.diagnostics = found.problems;
  d.failed = !found.problems.empty();
  for (size_t i = 0; i < found.targets.size(); ++i) {
    BumpOutcome& o = d.outcomes.emplace_back();
    o.target = &found.targets[i];
    Judge(resolved[i], platforms, &o);
    if (!o.failure.empty()) {
      d.failed = true;
      d.diagnostics.push_back(FailureAt(*o.target, o.failure));
      continue;
    }
    base::Result<rewrite::Edit> edit = plan::BumpEdit(*o.target, o.new_digest);
    if (!edit.ok()) {
      d.failed = true;
      o.failure = edit.error().message;
      d.diagnostics.push_back(base::Diagnostic::From(edit.error()));
      continue;
    }
    o.would_change = !edit->IsNoOp();
    d.edits.push_back(std::move(*edit));
  }
  d.write_nothing = d.failed && !keep_going;
  if (d.write_nothing) d.edits.clear();
  for (BumpOutcome& o : d.outcomes) o.changed = o.would_change && !d.write_nothing;
  return d;
}

}  // namespace imagepin::decide
