// What `imagepin pin` does with the digests the registry gave for each tag: the edits, or, if any
// tag failed to resolve, nothing at all (all or nothing, like bump). Pure.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "plan/pin.h"
#include "registry/client.h"
#include "rewrite/edit.h"

namespace imagepin::decide {

struct PinDecision {
  std::vector<rewrite::Edit> edits;      // edits[i] pins targets[i]; none when failed
  std::vector<std::string> digests;      // digests[i]: what edits[i] writes
  std::vector<base::Diagnostic> errors;  // resolutions or edits that failed
  bool failed() const { return !errors.empty(); }
};

// `resolved[i]` answers `found.targets[i].resolve`.
PinDecision DecidePin(const plan::PinTargets& found,
                      const std::vector<registry::Result<registry::Manifest>>& resolved);

// Skipped references with a rule (floating tags, IP002): pin exits 1 when there are any.
int FloatingTags(const plan::PinTargets& found);

}  // namespace imagepin::decide
