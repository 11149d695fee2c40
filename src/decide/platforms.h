// The platform rule, decided once: a first-party image must be a multi-arch index holding every
// configured platform (`platforms:`, default linux/amd64 + linux/arm64). bump, verify, promote
// --verify and resolve --platforms all ask here, so they all say the same thing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/client.h"

namespace imagepin::decide {

// Empty when `manifest` holds every platform of `required`; otherwise one sentence naming the
// image by `repository`@digest: "ghcr.io/acme/api@sha256:… is an index that lacks linux/arm64"
// (or "is a single-platform image that lacks linux/amd64, linux/arm64").
std::string MissingPlatforms(const registry::Manifest& manifest, std::string_view repository,
                             const std::vector<std::string>& required);

// The same, as the registry error every command reports the way it reports a failed lookup:
// kind platforms-missing, for the reference that was asked. Empty (no error) when nothing lacks.
std::optional<registry::RegistryError> RequirePlatforms(const registry::Manifest& manifest,
                                                        const ref::Reference& asked,
                                                        const std::vector<std::string>& required);

}  // namespace imagepin::decide
