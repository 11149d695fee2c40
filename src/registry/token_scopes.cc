#include "registry/token_scopes.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "registry/url.h"

namespace imagepin::registry {
namespace {

// RFC 4648 section 5 (base64url, padding optional as JWTs write it); nullopt on any other byte.
std::optional<std::string> DecodeBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '-' || c == '+') value = 62;
    if (c == '_' || c == '/') value = 63;
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return std::nullopt;  // one character left over: not base64
  return out;
}

size_t ScopeParameterBytes(const std::string& scope) {
  return std::string_view("scope=&").size() + EscapeQueryValue(scope).size();
}

}  // namespace

std::vector<std::vector<std::string>> BatchScopes(const std::vector<std::string>& scopes,
                                                  size_t max_count) {
  std::vector<std::vector<std::string>> batches;
  size_t bytes = 0;
  for (const std::string& scope : scopes) {
    if (scope.empty()) continue;
    size_t size = ScopeParameterBytes(scope);
    if (batches.empty() || batches.back().size() >= std::max<size_t>(max_count, 1) ||
        bytes + size > kMaxTokenScopeBytes) {
      batches.emplace_back();
      bytes = 0;
    }
    batches.back().push_back(scope);
    bytes += size;
  }
  return batches;
}

std::string ScopeQuery(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& scope : scopes) {
    if (!out.empty()) out += "&";
    out += "scope=" + EscapeQueryValue(scope);
  }
  return out;
}

std::string ScopeForm(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& scope : scopes) joined += (joined.empty() ? "" : " ") + scope;
  return "scope=" + EscapeQueryValue(joined);
}

std::optional<std::set<std::string>> GrantedAccess(std::string_view token) {
  size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;  // a JWS compact serialization has exactly three parts
  }
  std::optional<std::string> payload = DecodeBase64Url(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  nlohmann::json claims = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  auto access = claims.find("access");
  if (access == claims.end() || !access->is_array()) return std::nullopt;
  std::set<std::string> granted;
  for (const nlohmann::json& entry : *access) {
    if (!entry.is_object()) continue;
    auto type = entry.find("type");
    auto name = entry.find("name");
    auto actions = entry.find("actions");
    if (type == entry.end() || !type->is_string() || name == entry.end() || !name->is_string() ||
        actions == entry.end() || !actions->is_array()) {
      continue;
    }
    for (const nlohmann::json& action : *actions) {
      if (!action.is_string()) continue;
      granted.insert(type->get<std::string>() + ":" + name->get<std::string>() + ":" +
                     action.get<std::string>());
    }
  }
  return granted;
}

bool CoversScope(const std::set<std::string>& granted, std::string_view scope) {
  // "type:name:actions": the name may hold a ':' (a registry host with a port), the type and
  // the action list do not.
  size_t type_end = scope.find(':');
  size_t actions_start = scope.rfind(':');
  if (type_end == std::string_view::npos || actions_start == type_end) return false;
  std::string resource(scope.substr(0, actions_start));
  if (granted.contains(resource + ":*")) return true;
  std::string_view actions = scope.substr(actions_start + 1);
  bool any = false;
  while (!actions.empty()) {
    size_t comma = actions.find(',');
    std::string_view action = actions.substr(0, comma);
    if (!action.empty()) {
      if (!granted.contains(resource + ":" + std::string(action))) return false;
      any = true;
    }
    if (comma == std::string_view::npos) break;
    actions.remove_prefix(comma + 1);
  }
  return any;
}

}  // namespace imagepin::registry
