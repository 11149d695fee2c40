// The rules only a registry can answer (IP008, IP009, IP015), for `imagepin verify`: the registry's
// answers come in as plain data, so these rules sit with the others and stay pure. What counts
// as "lacks platforms" is decided once, in decide/platforms.h; here it is only reported.
#pragma once

#include <string>
#include <vector>

#include "policy/finding.h"
#include "scan/image_field.h"

namespace imagepin::policy {

// What the registry said of one pinned reference.
struct PinLookup {
  std::string path;  // the file, as displayed
  const scan::ImageField* field = nullptr;
  std::string repository;  // fully qualified: "ghcr.io/acme/api"
  std::string digest;      // "sha256:…", as pinned
  bool found = true;       // false: the registry says the digest does not exist
  // For an image that is not an index with the platforms it requires (policy::Config::
  // PlatformsFor): the one sentence decide::MissingPlatforms gives ("ghcr.io/acme/api@sha256:…
  // is an index that lacks …").
  std::string platforms_missing;
  bool first_party = false;
  // The readable tag beside the digest (`repo:tag@digest`), empty when there is none, and what
  // the registry says that tag names now.
  std::string tag;
  enum class TagState { kUnchecked, kSame, kMoved, kGone };
  TagState tag_state = TagState::kUnchecked;
  std::string tag_digest;  // kMoved: the digest the tag names now
};

// IP008 for each digest the registry does not have, IP009 for each image without the platforms
// it requires, IP015 for each readable tag that moved or is gone (an error for a first-party
// image, a warning for a third-party one). Appended in the lookups' order.
void EvaluatePinLookups(const std::vector<PinLookup>& lookups, std::vector<Finding>* out);

}  // namespace imagepin::policy
