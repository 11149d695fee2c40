#include "decide/platforms.h"

#include <fmt/format.h>

namespace imagepin::decide {

std::string MissingPlatforms(const registry::Manifest& manifest, std::string_view repository,
                             const std::vector<std::string>& required) {
  std::vector<std::string> missing = registry::MissingPlatforms(manifest, required);
  if (missing.empty()) return {};
  return fmt::format("{}@{} is {} that lacks {}", repository, manifest.digest,
                     manifest.is_index ? "an index" : "a single-platform image",
                     fmt::join(missing, ", "));
}

std::optional<registry::RegistryError> RequirePlatforms(const registry::Manifest& manifest,
                                                        const ref::Reference& asked,
                                                        const std::vector<std::string>& required) {
  std::string message = MissingPlatforms(manifest, asked.Repository(), required);
  if (message.empty()) return std::nullopt;
  return registry::RegistryError::PlatformsMissing(asked.Normalized(), std::move(message));
}

}  // namespace imagepin::decide
