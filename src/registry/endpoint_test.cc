#include "registry/endpoint.h"

#include <gtest/gtest.h>

#include "registry/url.h"

namespace imagepin::registry {
namespace {

TEST(IsLoopback, KnowsLocalhostAndLoopbackRanges) {
  for (const char* host : {"localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:5000",
                           "127.1.2.3:80", "[::1]:5000", "::1", "LOCALHOST:1"}) {
    SCOPED_TRACE(host);
    EXPECT_TRUE(IsLoopback(host));
  }
  for (const char* host : {"ghcr.io", "10.0.0.1:5000", "128.0.0.1", "[::2]:5000",
                           "localhost.example.com", "127.0.0.1.nip.io"}) {
    SCOPED_TRACE(host);
    EXPECT_FALSE(IsLoopback(host));
  }
}

TEST(SelectEndpoint, UsesHttpsForPublicRegistries) {
  ClientOptions options;
  auto endpoint = SelectEndpoint("ghcr.io", options);
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "ghcr.io");
  EXPECT_EQ(endpoint->registry, "ghcr.io");
  EXPECT_EQ(endpoint->credential_host, "ghcr.io");
  EXPECT_EQ(endpoint->scheme, SchemePolicy::kHttps);
}

TEST(SelectEndpoint, SendsDockerHubToRegistry1) {
  ClientOptions options;
  for (const char* name : {"docker.io", "index.docker.io"}) {
    SCOPED_TRACE(name);
    auto endpoint = SelectEndpoint(name, options);
    ASSERT_TRUE(endpoint.ok());
    EXPECT_EQ(endpoint->host, "registry-1.docker.io");
    EXPECT_EQ(endpoint->registry, "docker.io");
    EXPECT_EQ(endpoint->credential_host, "docker.io");
    EXPECT_EQ(endpoint->scheme, SchemePolicy::kHttps);
  }
}

TEST(SelectEndpoint, AllowsPlainHttpForLoopbackAndInsecureHostsOnly) {
  ClientOptions options;
  options.insecure_hosts = {"registry.lan", "build.corp:5000"};
  struct Case {
    const char* registry;
    SchemePolicy scheme;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"localhost:5000", SchemePolicy::kHttpsThenHttp},
           {"127.0.0.1:5000", SchemePolicy::kHttpsThenHttp},
           {"[::1]:5000", SchemePolicy::kHttpsThenHttp},
           {"registry.lan", SchemePolicy::kHttpsThenHttp},
           {"registry.lan:8443", SchemePolicy::kHttpsThenHttp},  // listed without a port
           {"build.corp:5000", SchemePolicy::kHttpsThenHttp},
           {"build.corp:6000", SchemePolicy::kHttps},  // listed with another port
           {"registry.lan.evil.com", SchemePolicy::kHttps},
           {"quay.io", SchemePolicy::kHttps},
       }) {
    SCOPED_TRACE(c.registry);
    auto endpoint = SelectEndpoint(c.registry, options);
    ASSERT_TRUE(endpoint.ok());
    EXPECT_EQ(endpoint->scheme, c.scheme);
  }
}

TEST(SelectEndpoint, RoutesMirroredRegistriesToTheMirror) {
  ClientOptions options;
  options.mirrors = {{"ghcr.io", "127.0.0.1:5000"},
                     {"docker.io", "mirror.corp"},
                     {"quay.io", "https://127.0.0.1:5443/"},
                     {"gcr.io", "http://localhost:5001"}};
  auto ghcr = SelectEndpoint("ghcr.io", options);
  ASSERT_TRUE(ghcr.ok());
  EXPECT_EQ(ghcr->registry, "ghcr.io");
  EXPECT_EQ(ghcr->host, "127.0.0.1:5000");
  EXPECT_EQ(ghcr->credential_host, "127.0.0.1:5000");  // ghcr.io's secrets stay with ghcr.io
  EXPECT_EQ(ghcr->scheme, SchemePolicy::kHttpsThenHttp);

  auto hub = SelectEndpoint("docker.io", options);
  ASSERT_TRUE(hub.ok());
  EXPECT_EQ(hub->host, "mirror.corp");
  EXPECT_EQ(hub->scheme, SchemePolicy::kHttps);

  auto quay = SelectEndpoint("quay.io", options);
  ASSERT_TRUE(quay.ok());
  EXPECT_EQ(quay->host, "127.0.0.1:5443");
  EXPECT_EQ(quay->scheme, SchemePolicy::kHttps);

  auto gcr = SelectEndpoint("gcr.io", options);
  ASSERT_TRUE(gcr.ok());
  EXPECT_EQ(gcr->host, "localhost:5001");
  EXPECT_EQ(gcr->scheme, SchemePolicy::kHttp);
}

TEST(SelectEndpoint, RefusesPlainHttpMirrorToOtherHosts) {
  ClientOptions options;
  options.mirrors = {{"ghcr.io", "http://mirror.corp:5000"}};
  auto endpoint = SelectEndpoint("ghcr.io", options);
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.error().kind, ErrorKind::kInsecureRefused);

  options.insecure_hosts = {"mirror.corp"};
  auto allowed = SelectEndpoint("ghcr.io", options);
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->scheme, SchemePolicy::kHttp);
}

TEST(SelectEndpoint, RejectsReferencesWithoutARegistry) {
  ClientOptions options;
  for (const char* bad : {"", "bad host", "a/b"}) {
    SCOPED_TRACE(bad);
    auto endpoint = SelectEndpoint(bad, options);
    ASSERT_FALSE(endpoint.ok());
    EXPECT_EQ(endpoint.error().kind, ErrorKind::kInvalidReference);
  }
}

TEST(ResolveRedirect, ResolvesRelativeAndAbsoluteLocations) {
  auto relative = ResolveRedirect("https://r.io/v2/a/manifests/t", "/v2/b/manifests/t");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->url, "https://r.io/v2/b/manifests/t");
  EXPECT_EQ(relative->host_port, "r.io:443");
  auto absolute = ResolveRedirect("https://r.io/v2/a", "http://127.0.0.1:9000/blob?sig=1");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->scheme, "http");
  EXPECT_EQ(absolute->host_port, "127.0.0.1:9000");
  EXPECT_FALSE(ResolveRedirect("https://r.io/", "ftp://r.io/x").ok());
}

TEST(SameOrigin, ComparesSchemeHostAndPort) {
  auto a = ParseUrl("https://r.io/v2/");
  auto b = ParseUrl("https://r.io:443/other");
  auto c = ParseUrl("https://r.io:8443/v2/");
  auto d = ParseUrl("http://r.io/v2/");
  auto e = ParseUrl("https://cdn.r.io/v2/");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok() && e.ok());
  EXPECT_TRUE(SameOrigin(*a, *b));
  EXPECT_FALSE(SameOrigin(*a, *c));
  EXPECT_FALSE(SameOrigin(*a, *d));
  EXPECT_FALSE(SameOrigin(*a, *e));
}

}  // namespace
}  // namespace imagepin::registry
