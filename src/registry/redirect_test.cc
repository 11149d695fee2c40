// Redirects and credentials, against a tiny scripted HTTP server on loopback (the real
// registry never redirects manifests, so it cannot show this).
#include <gtest/gtest.h>

#include <functional>

#include "ref/reference.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "registry/scripted_server_test_util.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::registry {
namespace {

constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string Manifest200() {
  return std::string("HTTP/1.1 200 OK\r\nDocker-Content-Digest: ") + kDigest +
         "\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
         "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

std::string Redirect(const std::string& location) {
  return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

// Basic-auth origin: 401 without credentials, else a redirect to `location`.
ScriptedServer::Respond BasicOriginRedirectingTo(std::function<std::string()> location) {
  return [location](const std::string& head) {
    if (!HasAuthorization(head)) {
      return std::string(
          "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"scripted\"\r\n"
          "Content-Length: 0\r\nConnection: close\r\n\r\n");
    }
    if (head.find("/moved ") != std::string::npos) return Manifest200();
    return Redirect(location());
  };
}

// A client that talks plain HTTP to `server` as the registry "scripted.test", with
// credentials for it.
ClientOptions OptionsFor(const ScriptedServer& server, const testing::TempDir& dir) {
  std::string auth = BasicAuthorization({"user", "s3cret-pass", ""}).substr(6);
  dir.Write("docker/config.json",
            R"({"auths":{")" + server.host() + R"(":{"auth":")" + auth + R"("}}})");
  CredentialSources sources;
  sources.docker_config_dir = dir.str() + "/docker";
  ClientOptions options;
  options.credentials = std::make_shared<CredentialStore>(sources);
  // The explicit scheme skips the https probe, which this server would not understand.
  options.mirrors = {{"scripted.test", "http://" + server.host()}};
  options.retry.max_attempts = 1;
  return options;
}

ref::Reference Ref(const std::string& text) { return ref::ParseReference(text).value(); }

TEST(Redirects, CredentialsDoNotFollowToAnotherHost) {
  ScriptedServer elsewhere([](const std::string&) { return Manifest200(); });
  ScriptedServer origin(BasicOriginRedirectingTo(
      [&] { return "http://" + elsewhere.host() + "/v2/app/manifests/v1"; }));
  testing::TempDir dir;
  Client client(OptionsFor(origin, dir));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, kDigest);

  std::vector<std::string> origin_heads = origin.heads();
  ASSERT_EQ(origin_heads.size(), 2u);
  EXPECT_FALSE(HasAuthorization(origin_heads[0]));
  EXPECT_TRUE(HasAuthorization(origin_heads[1])) << "Basic sent after the challenge";
  std::vector<std::string> elsewhere_heads = elsewhere.heads();
  ASSERT_EQ(elsewhere_heads.size(), 1u);
  EXPECT_FALSE(HasAuthorization(elsewhere_heads[0])) << elsewhere_heads[0];
}

TEST(Redirects, CredentialsFollowWithinTheSameOrigin) {
  ScriptedServer* self = nullptr;
  ScriptedServer origin(BasicOriginRedirectingTo([&] { return std::string("/v2/app/moved"); }));
  self = &origin;
  testing::TempDir dir;
  Client client(OptionsFor(origin, dir));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  std::vector<std::string> heads = self->heads();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_NE(heads[2].find("/v2/app/moved "), std::string::npos);
  EXPECT_TRUE(HasAuthorization(heads[2]));
}

TEST(Redirects, PlainHttpToAPublicHostIsRefused) {
  ScriptedServer origin(BasicOriginRedirectingTo(
      [] { return std::string("http://registry.example.com/v2/app/manifests/v1"); }));
  testing::TempDir dir;
  Client client(OptionsFor(origin, dir));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kInsecureRefused);
  EXPECT_EQ(manifest.error().ToString().find("s3cret-pass"), std::string::npos);
}

}  // namespace
}  // namespace imagepin::registry
