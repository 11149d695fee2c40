// The rules only a registry can answer (IP008, IP009), for `imagepin verify`: the registry's
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
  // For a first-party image that is not an index with the required platforms: the one sentence
  // decide::MissingPlatforms gives ("ghcr.io/acme/api@sha256:… is an index that lacks …").
  std::string platforms_missing;
};

// IP008 for each digest the registry does not have, IP009 for each first-party image without
// the required platforms. Appended in the lookups' order.
void EvaluatePinLookups(const std::vector<PinLookup>& lookups, std::vector<Finding>* out);

}  // namespace imagepin::policy
