// The registry client: resolves image references to manifest digests over the OCI distribution
// API (Docker Registry v2), with auth, retries and concurrency. This header is the contract the
// commands (resolve, bump, pin, verify, promote --verify) are written against.
//
// Thread safety: one Client is used from one thread; ResolveAll runs up to max_concurrency
// resolutions at once on worker threads whose requests share one libcurl multi handle (one
// connection cache; HTTP/2 multiplexing over TLS) and returns when all are done.
// How it works, and the one thing to know about schemes: README.md in this folder.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "ref/platform.h"
#include "ref/reference.h"
#include "registry/credentials.h"

namespace imagepin::registry {

class Clock;      // clock.h
class Transport;  // transport.h

enum class ErrorKind {
  kNotFound,          // 404, MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN
  kUnauthorized,      // 401 after auth was tried, UNAUTHORIZED
  kDenied,            // 403, DENIED
  kTooManyRequests,   // 429, TOOMANYREQUESTS (temporary)
  kServer,            // 5xx (temporary)
  kNetwork,           // connection refused/reset, DNS (temporary)
  kTls,               // certificate verification failed
  kDeadline,          // the total deadline passed
  kDigestMismatch,    // sha256 of the body is not the digest the registry named
  kBadResponse,       // unparseable manifest, missing digest, body over the size cap
  kInsecureRefused,   // plain HTTP asked for a host that is not loopback or listed insecure
  kPlatformsMissing,  // a required platform is absent (or the tag is not an index)
  kCredentials,       // a credentials file or helper failed (the message names it, never a secret)
  kInvalidReference,  // the reference names no registry host (or a mirror is malformed)
};

// "not-found", "unauthorized", ...: stable, for JSON output and scripts.
const char* KindName(ErrorKind kind);

struct RegistryError {
  ErrorKind kind = ErrorKind::kBadResponse;
  int http_status = 0;     // 0 when no response arrived
  std::string code;        // the spec's error code ("MANIFEST_UNKNOWN"), empty when none
  bool temporary = false;  // worth retrying: connection failures, 5xx, 429
  std::string reference;   // what was being resolved, as the user wrote it
  std::string message;     // one line, never a secret

  // "ghcr.io/acme/api:main: manifest unknown (HTTP 404 MANIFEST_UNKNOWN)"
  std::string ToString() const;

  // Named constructors for the errors a layer makes itself; the ones an HTTP error response
  // means come from ErrorFromResponse (errors.h). `message` is one line and never a secret.
  // Only Network can be temporary: nothing else is worth retrying.
  static RegistryError Unauthorized(std::string message, int http_status = 0,
                                    std::string code = "");
  static RegistryError Network(std::string message, bool temporary);
  static RegistryError Tls(std::string message);
  static RegistryError DeadlinePassed(std::string message);
  static RegistryError DigestMismatch(std::string message);
  static RegistryError BadResponse(std::string message);
  static RegistryError InsecureRefused(std::string message);
  static RegistryError Credentials(std::string message);
  static RegistryError InvalidReference(std::string message);
  // For `reference`: what was asked for resolves, but to an image without a required platform.
  static RegistryError PlatformsMissing(std::string reference, std::string message);
};

template <typename T>
using Result = base::Result<T, RegistryError>;

// The platform grammar is ref's (one for the config and the registry).
using ref::ParsePlatform;
using ref::Platform;

// Media types, for Accept headers and classification.
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kDockerManifestList[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";

struct Manifest {
  std::string digest;      // "sha256:<64 hex>": what the tag (or digest) points at
  std::string media_type;  // Content-Type of the manifest
  int64_t size = 0;        // bytes
  bool is_index = false;   // OCI index or Docker manifest list
  // Of an index, when platforms were asked for; attestation entries (unknown/unknown) left out.
  std::vector<Platform> platforms;
  // When platforms were asked for (the body was read): an index's entries' digests, and the
  // org.opencontainers.image.revision annotation (the body's own, or, for an index without
  // one, the one its platform entries all carry; manifest.h), empty when absent.
  std::vector<std::string> children;
  std::string revision;
};

// The platforms of `required` ("linux/amd64") that `manifest` lacks; a single-arch manifest
// lacks all of them. A required platform without a variant matches any variant; arm64's "v8"
// is its default variant, so linux/arm64 and linux/arm64/v8 match each other.
std::vector<std::string> MissingPlatforms(const Manifest& manifest,
                                          const std::vector<std::string>& required);

// Every number here is a default a caller can override (flags, config); why each is what it is
// stands beside it. README.md in this folder has the whole retry story.
struct RetryPolicy {
  // Attempts in all, the first included: three retries ride out a registry restart or a
  // load-balancer blip (seconds), and 4 x 30 s still fits inside a CI step.
  int max_attempts = 4;
  // The first retry waits up to 250 ms: long enough for a dropped connection to be re-opened,
  // short enough that a lone 503 costs nothing visible. Each retry doubles the cap (full jitter).
  std::chrono::milliseconds initial_backoff{250};
  // Caps the doubling: 250, 500, 1000, 2000, 4000 ms. Beyond 4 s a registry is down, not busy.
  std::chrono::milliseconds max_backoff{4000};
  // Docker Hub's rate-limit Retry-After is often minutes or hours; waiting that long inside a
  // CI run helps nobody, so a longer Retry-After is a failure, not a wait.
  std::chrono::seconds max_retry_after{20};
  // The whole Resolve/ResolveAll call: a check must not hang a pipeline on a dead registry.
  std::chrono::seconds deadline{60};
  // TCP + TLS set-up; on a healthy network this takes milliseconds, 10 s covers a slow VPN.
  std::chrono::seconds connect_timeout{10};
  // One request; a manifest is a few KiB, so 30 s only trips on a stalled server.
  std::chrono::seconds request_timeout{30};
};

struct ClientOptions {
  // Extra trust anchors (PEM), added to the system store (not replacing it); empty: system
  // store only. Unreadable: every request fails with kTls naming the file.
  std::string ca_file;
  // Hosts ("host" or "host:port") where plain HTTP is allowed, as loopback always is: https is
  // tried first and plain HTTP used when the server does not speak TLS (endpoint.h).
  std::vector<std::string> insecure_hosts;
  // Registry host → endpoint "host[:port]" (or "http://..."/"https://..." to fix the scheme).
  std::map<std::string, std::string> mirrors;
  RetryPolicy retry;
  // The OCI distribution spec lets registries refuse manifests over 4 MiB; a bigger body is
  // not a manifest anyone can pull.
  size_t max_manifest_bytes = size_t{4} << 20;
  // Concurrent resolutions in ResolveAll: 8 in flight hide the round trip (about 30 ms to a
  // public registry, so ~250 look-ups a second) while keeping the connection set small (or
  // one HTTP/2 connection busy) and far from registries' per-client request limits.
  unsigned max_concurrency = 8;
  // ResolveAll asks a token server for the pull scopes of this many repositories of one host in
  // one request (README.md, "Tokens in bulk"); 1 asks for each alone. 25 keeps both ends small.
  // The URL: a scope parameter is its name plus about 26 bytes (1.2 KB for 25 names like
  // acme/svc-01-worker), and token_scopes.h caps them at 2,000 bytes whatever this says. The
  // token, which every manifest request then carries: a JWT's access claim grows by about 100
  // bytes a repository (measured on tests/registry's issuer: 2.2 KB for one scope, 4.6 KB for
  // 25), a little over half of the 8 KiB header line nginx and Apache accept by default.
  // 200 repositories cost 8 token requests instead of 200.
  size_t max_scopes_per_token_request = 25;
  std::string user_agent = "imagepin";
  // Where credentials come from; FromEnvironment() (on `clock`) when not set.
  std::shared_ptr<const CredentialStore> credentials;
  // The seams (leveldb's Env), for tests. `clock`: what retries sleep on and the deadline and
  // token lifetimes are read from; Clock::Real() when not set. A CredentialStore built by hand
  // should be given the same clock, as the deadline it is handed is on it. `transport`: what
  // performs each HTTP exchange; when not set, the libcurl HttpTransport with `ca_file` and
  // `user_agent` (which a transport given here makes its own business).
  std::shared_ptr<Clock> clock;
  std::shared_ptr<Transport> transport;
};

// Counts, for benchmarks and tests ("requests per image ≤ 2 plus one token per repository").
struct ClientStats {
  // HEAD + GET on /v2/<name>/manifests/, retries and 401s included; attempts that failed in
  // the TLS handshake (the https probe of a plain-HTTP loopback registry) carried no request.
  int manifest_requests = 0;
  int token_requests = 0;
  int retries = 0;
  int connections = 0;      // new connections opened
  int http2_responses = 0;  // responses that came over HTTP/2 (TLS endpoints that offer it)
};

// Called after each finished resolution: done so far, total.
using ProgressFn = std::function<void(size_t done, size_t total)>;

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Resolves one reference: a tag (or a digest: a HEAD by digest proves it exists) to its
  // manifest. HEAD with all four media types in Accept, GET when the digest header is missing.
  // With `want_platforms` and an index, GETs the body, checks its sha256 against the digest and
  // lists its platforms.
  Result<Manifest> Resolve(const ref::Reference& reference, bool want_platforms);

  // Resolves many references concurrently; each distinct one is asked once. Results are in
  // input order.
  std::vector<Result<Manifest>> ResolveAll(const std::vector<ref::Reference>& references,
                                           bool want_platforms, const ProgressFn& progress = {});

  ClientStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imagepin::registry
