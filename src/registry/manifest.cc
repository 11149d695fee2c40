#include "registry/manifest.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

namespace imagepin::registry {
namespace {

std::string_view WithoutParameters(std::string_view media_type) {
  media_type = media_type.substr(0, media_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  return media_type;
}

std::string StringField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsAttestation(const nlohmann::json& entry, const Platform& platform) {
  if (platform.os == "unknown" && platform.architecture == "unknown") return true;
  auto annotations = entry.find("annotations");
  return annotations != entry.end() && annotations->is_object() &&
         StringField(*annotations, "vnd.docker.reference.type") == "attestation-manifest";
}

std::string_view NormalVariant(const Platform& platform) {
  if (platform.architecture == "arm64" && platform.variant == "v8") return "";
  return platform.variant;
}

std::string Revision(const nlohmann::json& object) {
  auto annotations = object.find("annotations");
  if (annotations == object.end() || !annotations->is_object()) return "";
  return StringField(*annotations, kRevisionAnnotation);
}

}  // namespace

bool IsIndexMediaType(std::string_view media_type) {
  media_type = WithoutParameters(media_type);
  return media_type == kOciIndex || media_type == kDockerManifestList;
}

bool IsKnownManifestMediaType(std::string_view media_type) {
  media_type = WithoutParameters(media_type);
  return IsIndexMediaType(media_type) || media_type == kOciManifest ||
         media_type == kDockerManifest;
}

Result<IndexContents> ParseManifestBody(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return RegistryError::BadResponse("manifest is not a JSON object");
  IndexContents out;
  out.media_type = StringField(doc, "mediaType");
  auto manifests = doc.find("manifests");
  out.is_index =
      IsIndexMediaType(out.media_type) || (manifests != doc.end() && manifests->is_array());
  out.revision = Revision(doc);
  if (!out.is_index || manifests == doc.end() || !manifests->is_array()) return out;
  // Without the index's own annotation, the revision its platform entries agree on.
  std::optional<std::string> entries_revision;
  for (const nlohmann::json& entry : *manifests) {
    if (!entry.is_object()) continue;
    std::string child = StringField(entry, "digest");
    if (!child.empty()) out.children.push_back(std::move(child));
    auto platform_json = entry.find("platform");
    // An index entry without a platform is some other artifact, not a runnable image.
    if (platform_json == entry.end() || !platform_json->is_object()) continue;
    Platform platform{StringField(*platform_json, "os"),
                      StringField(*platform_json, "architecture"),
                      StringField(*platform_json, "variant")};
    if (platform.os.empty() || platform.architecture.empty()) continue;
    if (IsAttestation(entry, platform)) continue;
    out.platforms.push_back(std::move(platform));
    std::string revision = Revision(entry);
    if (!entries_revision) {
      entries_revision = std::move(revision);
    } else if (*entries_revision != revision) {
      entries_revision = "";
    }
  }
  if (out.revision.empty() && entries_revision) out.revision = *entries_revision;
  return out;
}

bool PlatformMatches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  return want.variant.empty() || NormalVariant(want) == NormalVariant(have);
}

std::vector<std::string> MissingPlatforms(const Manifest& manifest,
                                          const std::vector<std::string>& required) {
  std::vector<std::string> missing;
  for (const std::string& text : required) {
    base::Result<Platform> want = ParsePlatform(text);
    bool present = false;
    if (want.ok() && manifest.is_index) {
      for (const Platform& have : manifest.platforms) {
        present = present || PlatformMatches(*want, have);
      }
    }
    if (!present) missing.push_back(text);
  }
  return missing;
}

}  // namespace imagepin::registry
