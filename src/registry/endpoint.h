// Where requests for a registry go, and over which scheme.
//
// - Docker Hub's name "docker.io" (and the legacy "index.docker.io") is served at
//   registry-1.docker.io.
// - ClientOptions::mirrors sends a registry's requests to another endpoint; references and
//   results keep the registry's name. Credentials are looked up for the host actually
//   contacted (the mirror), so one registry's secrets never go to another.
// - Schemes: https, verified, everywhere; plain HTTP only for loopback (localhost,
//   127.0.0.0/8, ::1) and ClientOptions::insecure_hosts. For those, as Docker and
//   go-containerregistry do, https is tried first and plain HTTP used when the server does not
//   speak TLS; a certificate that fails verification is an error, never a reason to drop to
//   plain HTTP. A mirror written "http://host" or "https://host" uses that scheme only, and
//   "http://" to any other host is refused (kInsecureRefused).
#pragma once

#include <string>
#include <string_view>

#include "registry/client.h"

namespace imagepin::registry {

enum class SchemePolicy {
  kHttps,          // https only
  kHttpsThenHttp,  // https; plain HTTP when the server does not speak TLS
  kHttp,           // plain HTTP only (an explicit "http://" mirror to an allowed host)
};

struct Endpoint {
  std::string registry;         // the reference's domain: "docker.io", "ghcr.io"
  std::string host;             // where requests go, "host[:port]": "registry-1.docker.io"
  std::string credential_host;  // which credentials apply: "docker.io", or the mirror's host
  SchemePolicy scheme = SchemePolicy::kHttps;
};

// The endpoint for `registry` (a reference's domain). Errors: kInvalidReference for an empty
// or malformed registry, kInsecureRefused for an "http://" mirror to a host not allowed.
Result<Endpoint> SelectEndpoint(std::string_view registry, const ClientOptions& options);

// "host[:port]" → "host" (brackets of an IPv6 literal removed, lower-cased).
std::string HostWithoutPort(std::string_view host_port);

// localhost, 127.0.0.0/8 or ::1, with or without a port.
bool IsLoopback(std::string_view host_port);

// Loopback, or listed in insecure_hosts (as "host" or "host:port", any case).
bool PlainHttpAllowed(std::string_view host_port, const ClientOptions& options);

}  // namespace imagepin::registry
