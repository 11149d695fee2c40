#include "registry/endpoint.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/strings.h"

namespace imagepin::registry {
namespace {

bool ValidHostPort(std::string_view host_port) {
  if (host_port.empty()) return false;
  return std::all_of(host_port.begin(), host_port.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-._:[]").find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string HostWithoutPort(std::string_view host_port) {
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    return base::AsciiLower(
        host_port.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  // More than one ':' without brackets is a bare IPv6 literal with no port.
  if (std::count(host_port.begin(), host_port.end(), ':') > 1) return base::AsciiLower(host_port);
  return base::AsciiLower(host_port.substr(0, host_port.find(':')));
}

bool IsLoopback(std::string_view host_port) {
  std::string host = HostWithoutPort(host_port);
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool PlainHttpAllowed(std::string_view host_port, const ClientOptions& options) {
  if (IsLoopback(host_port)) return true;
  std::string exact = base::AsciiLower(host_port);
  std::string host = HostWithoutPort(host_port);
  for (const std::string& insecure : options.insecure_hosts) {
    std::string entry = base::AsciiLower(insecure);
    if (entry == exact || entry == host) return true;
  }
  return false;
}

Result<Endpoint> SelectEndpoint(std::string_view registry, const ClientOptions& options) {
  if (!ValidHostPort(registry)) {
    return RegistryError::InvalidReference("reference has no registry host");
  }
  Endpoint endpoint;
  endpoint.registry = std::string(registry);
  endpoint.host = endpoint.registry;
  endpoint.credential_host = endpoint.registry;
  if (endpoint.registry == "docker.io" || endpoint.registry == "index.docker.io") {
    endpoint.registry = "docker.io";
    endpoint.host = "registry-1.docker.io";
    endpoint.credential_host = "docker.io";
  }
  auto mirror = options.mirrors.find(endpoint.registry);
  if (mirror == options.mirrors.end()) {
    endpoint.scheme = PlainHttpAllowed(endpoint.host, options) ? SchemePolicy::kHttpsThenHttp
                                                               : SchemePolicy::kHttps;
    return endpoint;
  }
  std::string_view target = mirror->second;
  std::optional<SchemePolicy> explicit_scheme;
  if (target.starts_with("https://")) {
    explicit_scheme = SchemePolicy::kHttps;
    target.remove_prefix(8);
  } else if (target.starts_with("http://")) {
    explicit_scheme = SchemePolicy::kHttp;
    target.remove_prefix(7);
  }
  while (!target.empty() && target.back() == '/') target.remove_suffix(1);
  if (!ValidHostPort(target)) {
    return RegistryError::InvalidReference(
        fmt::format("mirror for {} is not a host[:port]", endpoint.registry));
  }
  endpoint.host = std::string(target);
  endpoint.credential_host = endpoint.host;
  bool plain_allowed = PlainHttpAllowed(endpoint.host, options);
  if (explicit_scheme == SchemePolicy::kHttp && !plain_allowed) {
    return RegistryError::InsecureRefused(
        fmt::format("plain HTTP to mirror {} refused: not loopback and not listed "
                    "in insecure hosts",
                    endpoint.host));
  }
  endpoint.scheme =
      explicit_scheme.value_or(plain_allowed ? SchemePolicy::kHttpsThenHttp : SchemePolicy::kHttps);
  return endpoint;
}

}  // namespace imagepin::registry
