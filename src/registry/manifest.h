// Manifest bodies: the digest of their bytes, and the platforms an index lists.
//
// An OCI image index (image-spec image-index.md) and a Docker manifest list (schema2
// "manifest list") have the same shape: {"mediaType": ..., "manifests": [{"digest", "platform":
// {"os", "architecture", "variant"}, "annotations"}]}. BuildKit adds attestation manifests to
// indexes as entries with platform unknown/unknown and the annotation
// vnd.docker.reference.type=attestation-manifest; they are not platforms and are skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "registry/client.h"

namespace imagepin::registry {

// True for the OCI index and Docker manifest list media types (parameters after ';' ignored).
bool IsIndexMediaType(std::string_view media_type);
// True for the four media types imagepin asks for.
bool IsKnownManifestMediaType(std::string_view media_type);

// The annotation a build names its source commit with (image-spec annotations.md).
inline constexpr char kRevisionAnnotation[] = "org.opencontainers.image.revision";

struct IndexContents {
  std::string media_type;             // the body's "mediaType", empty when absent
  bool is_index = false;              // has a "manifests" array (or an index media type)
  std::vector<Platform> platforms;    // attestations left out, in body order
  std::vector<std::string> children;  // an index's entries' digests, attestations included
  // kRevisionAnnotation: the body's own `annotations`; for an index without one, the value its
  // platform entries' descriptors all carry (none when they disagree). Empty when absent.
  std::string revision;
};

// Parses a manifest body far enough to tell an index from a manifest, list an index's
// platforms and children, and read the revision annotation. An error for a body that is not a JSON
// object.
Result<IndexContents> ParseManifestBody(std::string_view body);

// True when `have` satisfies `want`: same os and architecture; a want without a variant
// accepts any variant; arm64's variant "v8" is its default, so "" and "v8" are the same
// (as containerd's platform normalisation has it).
bool PlatformMatches(const Platform& want, const Platform& have);

}  // namespace imagepin::registry
