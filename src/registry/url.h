// URL helpers over libcurl's URL API (curl_url): resolving a redirect's Location and telling
// whether two URLs share an origin, which decides whether credentials may follow a redirect.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace imagepin::registry {

struct UrlParts {
  std::string scheme;     // "https"
  std::string host_port;  // "registry.io:443" (port always present), "[::1]:5000"
  std::string url;        // the whole URL, normalised by curl
};

// Parses an absolute http(s) URL.
base::Result<UrlParts> ParseUrl(std::string_view url);

// `location` (absolute, or relative as RFC 3986 section 5.2 resolves it) against `base`.
base::Result<UrlParts> ResolveRedirect(std::string_view base, std::string_view location);

// Same scheme, host and port (RFC 6454 origin).
bool SameOrigin(const UrlParts& a, const UrlParts& b);

// Percent-encodes a query parameter value.
std::string EscapeQueryValue(std::string_view value);

}  // namespace imagepin::registry
