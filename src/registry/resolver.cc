#include "registry/resolver.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "base/sha256.h"
#include "registry/endpoint.h"
#include "registry/errors.h"
#include "registry/manifest.h"

namespace imagepin::registry {
namespace {

RegistryError Mismatch(std::string_view named, std::string_view computed) {
  return RegistryError::DigestMismatch(
      fmt::format("manifest body hashes to {}, not the {} the registry named", computed, named));
}

bool IsSha256(std::string_view digest) { return digest.starts_with("sha256:"); }

int64_t ContentLength(const HttpResponse& response) {
  std::string text = response.Header("content-length");
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

// What one GET of a manifest told us.
struct Fetched {
  std::string body;
  std::string digest;      // the header's when it verified, else sha256 of the body
  std::string media_type;  // Content-Type, or the body's mediaType when that is not known
};

Result<Fetched> GetManifest(Requester& requester, const Endpoint& endpoint,
                            const ref::Reference& reference, const std::string& path,
                            const ClientOptions& options, const Deadline& deadline) {
  HttpRequest request;
  request.method = "GET";
  request.headers = {"Accept: " + ManifestAcceptHeader()};
  request.max_body_bytes = options.max_manifest_bytes;
  Result<HttpResponse> response =
      requester.Request(endpoint, reference.path, request, path, deadline, RequestKind::kManifest);
  if (!response.ok()) return response.error();
  if (response->status != 200) return ErrorFromResponse(response->status, response->body, "");
  Fetched fetched;
  fetched.body = std::move(response->body);
  std::string computed = base::Sha256Digest(fetched.body);
  std::string named = response->Header("docker-content-digest");
  if (ref::IsValidDigest(named) && IsSha256(named) && named != computed) {
    return Mismatch(named, computed);
  }
  // A digest in another algorithm cannot be checked here; keep the registry's word for it.
  fetched.digest = ref::IsValidDigest(named) && !IsSha256(named) ? named : computed;
  fetched.media_type = response->Header("content-type");
  if (!IsKnownManifestMediaType(fetched.media_type)) {
    Result<IndexContents> contents = ParseManifestBody(fetched.body);
    if (contents.ok() && !contents->media_type.empty()) fetched.media_type = contents->media_type;
  }
  return fetched;
}

}  // namespace

std::string ManifestAcceptHeader() {
  return fmt::format("{}, {}, {}, {}", kOciIndex, kDockerManifestList, kOciManifest,
                     kDockerManifest);
}

Result<Manifest> ResolveManifest(Requester& requester, const ClientOptions& options,
                                 const ref::Reference& reference, bool want_platforms,
                                 const Deadline& deadline) {
  Result<Endpoint> endpoint = SelectEndpoint(reference.domain, options);
  if (!endpoint.ok()) return endpoint.error();
  std::string identifier = reference.has_digest() ? reference.digest
                           : reference.has_tag()  ? reference.tag
                                                  : std::string("latest");
  const std::string path = "/v2/" + reference.path + "/manifests/" + identifier;

  Manifest manifest;
  std::optional<Fetched> fetched;
  auto fetch = [&]() -> Result<bool> {
    Result<Fetched> got = GetManifest(requester, *endpoint, reference, path, options, deadline);
    if (!got.ok()) return got.error();
    fetched = std::move(got.value());
    manifest.digest = fetched->digest;
    manifest.media_type = fetched->media_type;
    manifest.size = static_cast<int64_t>(fetched->body.size());
    return true;
  };
  if (want_platforms) {
    // One GET answers both questions: the digest (the header, checked against the body's
    // sha256) and the platforms. HEAD and then GET by digest would be two requests per image,
    // and registries that rate-limit (Docker Hub) count the GET either way.
    if (Result<bool> got = fetch(); !got.ok()) return got.error();
  } else {
    HttpRequest head;
    head.method = "HEAD";
    head.headers = {"Accept: " + ManifestAcceptHeader()};
    Result<HttpResponse> headed =
        requester.Request(*endpoint, reference.path, head, path, deadline, RequestKind::kManifest);
    if (!headed.ok()) return headed.error();
    if (headed->status == 401) return ErrorFromResponse(401, headed->body, "");
    if (headed->status == 200) {
      manifest.digest = headed->Header("docker-content-digest");
      manifest.media_type = headed->Header("content-type");
      manifest.size = ContentLength(*headed);
    }
    if (headed->status != 200 || !ref::IsValidDigest(manifest.digest) ||
        !IsKnownManifestMediaType(manifest.media_type)) {
      // A HEAD error has no body to name the spec's code, and a HEAD without a digest header
      // leaves the body as the only source of the digest.
      if (Result<bool> got = fetch(); !got.ok()) return got.error();
    }
  }
  if (reference.has_digest() && manifest.digest != reference.digest &&
      manifest.digest.substr(0, manifest.digest.find(':')) ==
          reference.digest.substr(0, reference.digest.find(':'))) {
    return Mismatch(reference.digest, manifest.digest);
  }
  manifest.is_index = IsIndexMediaType(manifest.media_type);
  if (!want_platforms) return manifest;
  if (!manifest.is_index) {
    // The body is here already: its revision annotation costs nothing more.
    Result<IndexContents> contents = ParseManifestBody(fetched->body);
    if (contents.ok()) manifest.revision = std::move(contents->revision);
    return manifest;
  }

  // want_platforms always fetched the body above.
  if (IsSha256(manifest.digest) && base::Sha256Digest(fetched->body) != manifest.digest) {
    return Mismatch(manifest.digest, base::Sha256Digest(fetched->body));
  }
  Result<IndexContents> contents = ParseManifestBody(fetched->body);
  if (!contents.ok()) return contents.error();
  if (!contents->is_index)
    return RegistryError::BadResponse("index media type but no manifests list");
  manifest.platforms = std::move(contents->platforms);
  manifest.children = std::move(contents->children);
  manifest.revision = std::move(contents->revision);
  return manifest;
}

}  // namespace imagepin::registry
