// Which tags are immutable enough to stand beside a digest: build SHAs and semantic versions.
#pragma once

#include <string_view>

#include "policy/config.h"

namespace imagepin::policy {

enum class TagKind {
  kBuildSha,          // 7-40 lowercase hex: a commit the image was built from
  kSemanticVersion,   // v1.2.3, 1.6.0-alpine3.20, distroless-v1.33.0, v1.0.0-rc.1+build.5
  kReleaseTimestamp,  // RELEASE.2023-12-23T07-19-11Z: a date and time of day in the tag
  kAllowed,           // matches a tags.allow pattern from the config
  kFloating,          // anything else: main, latest, dev, stable, ...
};

TagKind ClassifyTag(std::string_view tag, const Config& config);

// True for the well-known channel names (latest, main, master, dev, develop, edge, nightly,
// stable), which messages name explicitly.
bool IsWellKnownChannel(std::string_view tag);

}  // namespace imagepin::policy
