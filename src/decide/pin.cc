#include "decide/pin.h"

#include <algorithm>

#include "decide/lookup.h"

namespace imagepin::decide {

PinDecision DecidePin(const plan::PinTargets& found,
                      const std::vector<registry::Result<registry::Manifest>>& resolved) {
  PinDecision d;
  for (size_t i = 0; i < found.targets.size(); ++i) {
    const plan::PinTarget& t = found.targets[i];
    if (!resolved[i].ok()) {
      d.errors.push_back(base::Diagnostic::Error(t.file.display_path,
                                                 {t.scalar.line, t.scalar.column},
                                                 DescribeFailure(resolved[i].error())));
      continue;
    }
    base::Result<rewrite::Edit> edit = plan::PinEdit(t, resolved[i]->digest);
    if (!edit.ok()) {
      d.errors.push_back(base::Diagnostic::From(edit.error()));
      continue;
    }
    d.edits.push_back(std::move(*edit));
    d.digests.push_back(resolved[i]->digest);
  }
  if (d.failed()) d.edits.clear(), d.digests.clear();
  return d;
}

int FloatingTags(const plan::PinTargets& found) {
  return static_cast<int>(std::count_if(found.skipped.begin(), found.skipped.end(),
                                        [](const plan::PinSkip& s) { return s.rule == "IP002"; }));
}

}  // namespace imagepin::decide
