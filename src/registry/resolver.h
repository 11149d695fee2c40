// Resolving one reference to a Manifest (OCI distribution spec, "Pulling manifests"):
//
// 1. HEAD /v2/<name>/manifests/<tag or digest>, Accept: all four manifest media types (without
//    the index types a registry answers 404 for an OCI index, or silently the linux/amd64
//    child of a Docker list). Docker-Content-Digest and Content-Type give the answer.
// 2. GET the same URL when the HEAD failed (its error body carries the spec's code), had no
//    usable digest header (the digest is then sha256 of the body), or named no known media type.
// 3. With want_platforms and an index: GET it by digest (unless step 2 already has the body),
//    check sha256(body) == digest, and list its platforms.
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
