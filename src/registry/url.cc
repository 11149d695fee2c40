#include "registry/url.h"

#include <curl/curl.h>

#include <memory>

namespace imagepin::registry {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string GetPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return std::string();
  std::string out(text);
  curl_free(text);
  return out;
}

base::Error BadUrl(std::string_view what) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::string(what));
}

base::Result<UrlParts> Describe(CURLU* url) {
  UrlParts parts;
  parts.scheme = GetPart(url, CURLUPART_SCHEME);
  if (parts.scheme != "http" && parts.scheme != "https") return BadUrl("URL is not http(s)");
  std::string host = GetPart(url, CURLUPART_HOST);
  if (host.empty()) return BadUrl("URL has no host");
  parts.host_port = host + ":" + GetPart(url, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  parts.url = GetPart(url, CURLUPART_URL);
  return parts;
}

}  // namespace

base::Result<UrlParts> ParseUrl(std::string_view url) {
  UrlHandle handle(curl_url());
  std::string text(url);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return BadUrl("malformed URL");
  }
  return Describe(handle.get());
}

base::Result<UrlParts> ResolveRedirect(std::string_view base, std::string_view location) {
  UrlHandle handle(curl_url());
  std::string base_text(base);
  std::string location_text(location);
  // Setting a relative URL on a handle that holds an absolute one resolves it (curl_url_set).
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, base_text.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, location_text.c_str(), 0) != CURLUE_OK) {
    return BadUrl("malformed redirect Location");
  }
  return Describe(handle.get());
}

bool SameOrigin(const UrlParts& a, const UrlParts& b) {
  return a.scheme == b.scheme && a.host_port == b.host_port;
}

std::string EscapeQueryValue(std::string_view value) {
  // Since curl 7.82 the handle argument is unused.
  char* escaped = curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size()));
  if (escaped == nullptr) return std::string();
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

}  // namespace imagepin::registry
