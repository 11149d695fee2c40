// Resolving one reference to a Manifest (OCI distribution spec, "Pulling manifests"), with
// all four manifest media types in Accept (without the index types a registry answers 404 for
// an OCI index, or silently the linux/amd64 child of a Docker list):
//
// - Without want_platforms: HEAD /v2/<name>/manifests/<tag or digest>; Docker-Content-Digest,
//   Content-Type and Content-Length are the answer. GET the same URL when the HEAD failed (its
//   error body carries the spec's code), had no valid digest header (the digest is then sha256
//   of the body) or named no known media type.
// - With want_platforms: one GET of the same URL, never HEAD and then GET by digest. The body
//   must hash to Docker-Content-Digest when that is sha256 (kDigestMismatch otherwise); an
//   index's platforms come from its manifests[] (attestations left out).
//
// Either way, a reference by digest must get that digest back.
#pragma once

#include "ref/reference.h"
#include "registry/client.h"
#include "registry/requester.h"

namespace imagepin::registry {

// The Accept header value: the two index types first.
std::string ManifestAcceptHeader();

Result<Manifest> ResolveManifest(Requester& requester, const ClientOptions& options,
                                 const ref::Reference& reference, bool want_platforms,
                                 const Deadline& deadline);

}  // namespace imagepin::registry
