// What `imagepin verify` concludes from the registry's answers: IP008 for a pinned digest the
// registry does not have, IP009 for an image without the platforms it requires (`platforms` for
// first-party images, `platformsRequired` per image class), IP015 for a readable tag beside the
// digest that now names another digest or is gone (the rules, in policy/registry_rules.h), IP000
// for what could not be read, exceptions applied; and the lookups that failed for another reason
// (runtime errors, exit 3). Pure.
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
  // What its digest must hold (policy::Config::PlatformsFor): null when nothing is required, so
  // the lookup is a HEAD for existence only.
  const std::vector<std::string>* platforms = nullptr;
  ref::Reference tagged;  // repository:tag, when the reference carries a tag (IP015); else empty
};

// Every reference in the workspace pinned by a digest, in file order. Templates, partial
// references and unpinned ones are check's to report.
std::vector<PinnedImage> CollectPinned(const plan::Workspace& ws);

// The `repository:tag` of every pinned reference that carries a tag, in `pinned` order: what
// the registry is asked about each readable tag (IP015).
std::vector<ref::Reference> TagsToCheck(const std::vector<PinnedImage>& pinned);

// Of the answers to TagsToCheck (asked without platforms, a HEAD each), the tags to ask again
// with platforms (the index body): a tag that names an index other than the pin, where the pin
// may be one of its platforms' manifests. Indexes into `tags`.
std::vector<size_t> TagsToOpen(const std::vector<PinnedImage>& pinned,
                               const std::vector<registry::Result<registry::Manifest>>& tags);

struct VerifyDecision {
  std::vector<policy::Finding> findings;  // sorted
  std::vector<base::Diagnostic> errors;   // lookups that failed other than "not found"
};

// `results[i]` answers `pinned[i]` (asked with platforms where it has some to hold);
// `tag_results[j]` answers TagsToCheck(pinned)[j] (those TagsToOpen named asked again with
// platforms, so their `children` are listed); empty: no tag is judged. `today` is YYYY-MM-DD,
// for exceptions: they suppress here, and expired ones are check's to report.
VerifyDecision DecideVerify(const plan::Workspace& ws, const std::vector<PinnedImage>& pinned,
                            const std::vector<registry::Result<registry::Manifest>>& results,
                            const std::vector<registry::Result<registry::Manifest>>& tag_results,
                            std::string_view today);
VerifyDecision DecideVerify(const plan::Workspace& ws, const std::vector<PinnedImage>& pinned,
                            const std::vector<registry::Result<registry::Manifest>>& results,
                            std::string_view today);

}  // namespace imagepin::decide
