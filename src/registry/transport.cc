#include "registry/transport.h"

#include <algorithm>

#include "base/strings.h"

namespace imagepin::registry {

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (base::EqualsIgnoringCase(key, name)) return value;
  }
  return std::string();
}

std::string HttpResponse::JoinedHeader(std::string_view name) const {
  std::string out;
  for (const auto& [key, value] : headers) {
    if (!base::EqualsIgnoringCase(key, name)) continue;
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

bool IsVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool CanSend(const HttpRequest& request) {
  if (request.url.empty() || !IsVisibleAscii(request.url)) return false;
  for (const std::string& header : request.headers) {
    size_t colon = header.find(':');
    if (colon == 0 || colon == std::string::npos) return false;
    if (!IsVisibleAscii(std::string_view(header).substr(0, colon))) return false;
    bool printable = std::all_of(header.begin() + static_cast<std::ptrdiff_t>(colon), header.end(),
                                 [](char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; });
    if (!printable) return false;
  }
  return true;
}

void SetAuthorization(HttpRequest& request, std::string_view value) {
  constexpr std::string_view kName = "authorization";
  std::erase_if(request.headers, [&](const std::string& header) {
    size_t colon = header.find(':');
    return colon != std::string::npos &&
           base::EqualsIgnoringCase(std::string_view(header).substr(0, colon), kName);
  });
  if (!value.empty()) request.headers.push_back("Authorization: " + std::string(value));
}

}  // namespace imagepin::registry
