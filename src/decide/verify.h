// What `imagepin verify` concludes from the registry's answers: IP008 for a pinned digest the
// registry does not have, IP009 for a first-party image without the required platforms (the
// rules, in policy/registry_rules.h), IP000 for what could not be read, exceptions applied; and
// the lookups that failed for another reason (runtime errors, exit 3). Pure.
#pragma once

#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "plan/workspace.h"
#include "policy/finding.h"
#include "ref/reference.h"
#include "registry/client.h"

namespace imagepin::decide {

// A pinned reference to look up, and where it is written.
struct PinnedImage {
  const plan::ScannedFile* file = nullptr;
  const scan::ImageField* field = nullptr;
  ref::Reference ref;  // repository@digest (the tag, if any, is not what is verified)
  bool first_party = false;
};

// Every reference in the workspace pinned by a digest, in file order. Templates, partial
// references and unpinned ones are check's to report.
std::vector<PinnedImage> CollectPinned(const plan::Workspace& ws);

struct VerifyDecision {
  std::vector<policy::Finding> findings;  // sorted
  std::vector<base::Diagnostic> errors;   // lookups that failed other than "not found"
};

// `results[i]` answers `pinned[i]` (first-party ones asked with their platforms). `today` is
// YYYY-MM-DD, for exceptions: they suppress here, and expired ones are check's to report.
VerifyDecision DecideVerify(const plan::Workspace& ws, const std::vector<PinnedImage>& pinned,
                            const std::vector<registry::Result<registry::Manifest>>& results,
                            std::string_view today);

}  // namespace imagepin::decide
