// A registry and token server that attack the client, scripted on loopback: header injection
// through a token, a realm or a redirect, and error bodies that echo our secrets. Each test
// checks what reached the wire (the server's record of request heads), not only the error.
#include <gtest/gtest.h>

#include <string>

#include "ref/reference.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "registry/http_transport.h"
#include "registry/scripted_server_test_util.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::registry {
namespace {

constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr char kUser[] = "imagepin";
constexpr char kPassword[] = "SECRETPASS-7d1e";

std::string Response(int status, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " Scripted\r\n" + headers +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string Manifest200() {
  return std::string("HTTP/1.1 200 OK\r\nDocker-Content-Digest: ") + kDigest +
         "\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
         "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

std::string BearerChallenge(const std::string& realm) {
  return Response(401, "WWW-Authenticate: Bearer realm=\"" + realm + "\",service=\"svc\"\r\n",
                  R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
}

bool IsTokenRequest(const std::string& head) { return head.starts_with("GET /token"); }

size_t CountContaining(const std::vector<std::string>& heads, const std::string& text) {
  size_t n = 0;
  for (const std::string& head : heads) n += head.find(text) != std::string::npos;
  return n;
}

// A client that talks plain HTTP to `host` as the registry "scripted.test"; with `credentials`,
// a docker config in `dir` holds kUser / kPassword for it.
ClientOptions OptionsFor(const std::string& host, const testing::TempDir& dir,
                         bool credentials = false) {
  dir.Write("docker/config.json",
            credentials ? R"({"auths":{")" + host + R"(":{"auth":")" +
                              BasicAuthorization({kUser, kPassword, ""}).substr(6) + R"("}}})"
                        : std::string("{}"));
  CredentialSources sources;
  sources.docker_config_dir = dir.str() + "/docker";
  ClientOptions options;
  options.credentials = std::make_shared<CredentialStore>(sources);
  options.mirrors = {{"scripted.test", "http://" + host}};
  options.retry.max_attempts = 1;
  return options;
}

ref::Reference Ref(const std::string& text) { return ref::ParseReference(text).value(); }

// A registry asking for a bearer token from its own /token, which answers `token_body`.
struct TokenScript {
  explicit TokenScript(std::string token_body)
      : server([this](const std::string& head) { return Answer(head); }),
        body(std::move(token_body)) {}
  std::string Answer(const std::string& head) const {
    if (IsTokenRequest(head)) return Response(200, "", body);
    if (HasAuthorization(head)) return Manifest200();
    return BearerChallenge("http://" + server.host() + "/token");
  }
  ScriptedServer server;
  std::string body;
};

TEST(HostileServer, TokenWithCrLfIsRefusedBeforeItIsSent) {
  TokenScript script(R"({"token":"abc\r\nX-Injected: yes"})");
  testing::TempDir dir;
  Client client(OptionsFor(script.server.host(), dir));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kBadResponse) << manifest.error().ToString();
  EXPECT_EQ(manifest.error().ToString().find("X-Injected"), std::string::npos);
  std::vector<std::string> heads = script.server.heads();
  EXPECT_EQ(CountContaining(heads, "X-Injected"), 0u) << "the injected header reached the wire";
  ASSERT_EQ(heads.size(), 2u) << "the 401 and the token request; the manifest never again";
  EXPECT_TRUE(IsTokenRequest(heads[1]));
}

TEST(HostileServer, TokensOutsideTheBearerCharsetAreRefused) {
  for (const char* token : {"a b", "a\\tb", "a\\u0000b", "caf\\u00e9", "a,b", "a\\\"b", "==="}) {
    SCOPED_TRACE(token);
    TokenScript script(std::string(R"({"token":")") + token + R"("})");
    testing::TempDir dir;
    Client client(OptionsFor(script.server.host(), dir));
    Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.error().kind, ErrorKind::kBadResponse);
    EXPECT_EQ(CountContaining(script.server.heads(), "Bearer"), 0u);
  }
}

TEST(HostileServer, RealmOutsideVisibleAsciiIsNotRequested) {
  for (std::string path :
       {std::string("/token\xff\xfe"), std::string("/token\x01X: y"), std::string("/to ken")}) {
    SCOPED_TRACE(path);
    std::string realm;
    ScriptedServer server([&](const std::string& head) {
      if (head.starts_with("GET /to")) return Response(200, "", R"({"token":"fine"})");
      return BearerChallenge(realm);
    });
    realm = "http://" + server.host() + path;
    testing::TempDir dir;
    Client client(OptionsFor(server.host(), dir));
    Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.error().kind, ErrorKind::kBadResponse) << manifest.error().ToString();
    EXPECT_EQ(server.heads().size(), 1u) << "no token request to a malformed realm";
  }
}

TEST(HostileServer, ChallengeScopeAndServiceArePercentEncodedIntoTheTokenRequest) {
  std::string host;
  ScriptedServer server([&](const std::string& head) {
    if (IsTokenRequest(head)) return Response(200, "", R"({"token":"fine"})");
    if (HasAuthorization(head)) return Manifest200();
    return Response(401,
                    "WWW-Authenticate: Bearer realm=\"http://" + host +
                        "/token\",service=\"s\x01v c\",scope=\"repository:app:pull\xff&x=1\"\r\n",
                    "");
  });
  host = server.host();
  testing::TempDir dir;
  Client client(OptionsFor(server.host(), dir));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  std::vector<std::string> heads = server.heads();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_TRUE(heads[1].starts_with(
      "GET /token?scope=repository%3Aapp%3Apull%FF%26x%3D1&service=s%01v%20c HTTP/1.1\r\n"))
      << heads[1];
}

// Whether a request head is printable ASCII lines ending in CR LF: no smuggled controls or raw
// bytes over 0x7e.
bool IsCleanHead(const std::string& head) {
  for (size_t i = 0; i < head.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    bool line_end = c == '\r' && i + 1 < head.size() && head[i + 1] == '\n';
    bool after_cr = c == '\n' && i > 0 && head[i - 1] == '\r';
    if (!line_end && !after_cr && (c < 0x20 || c > 0x7e)) return false;
  }
  return true;
}

TEST(HostileServer, RedirectLocationsReachTheWireOnlyAsVisibleAscii) {
  // curl's URL parser refuses controls in a Location and percent-encodes bytes over 0x7f.
  struct Case {
    std::string location;
    size_t requests;  // 1: not followed; 6: followed until the redirect limit
  };
  for (const Case& c : {Case{"/v2/app/a\x01"
                             "b",
                             1},
                        Case{"/v2/app/a\x7f"
                             "b",
                             1},
                        Case{"/v2/app/\xff\xfe", 6}}) {
    SCOPED_TRACE(c.location);
    ScriptedServer server([&](const std::string&) {
      return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + c.location +
             "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    });
    testing::TempDir dir;
    Client client(OptionsFor(server.host(), dir));
    Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
    ASSERT_FALSE(manifest.ok());
    EXPECT_EQ(manifest.error().kind, ErrorKind::kBadResponse) << manifest.error().ToString();
    std::vector<std::string> heads = server.heads();
    EXPECT_EQ(heads.size(), c.requests);
    for (const std::string& head : heads) EXPECT_TRUE(IsCleanHead(head)) << head;
  }
}

TEST(CanSend, RefusesControlsAndNonAsciiInTheUrlOrAnyHeader) {
  HttpRequest request;
  request.url = "https://registry.example/v2/app/manifests/v1";
  request.headers = {"Accept: a, b", "Authorization: Bearer abc.def", "X-Tab: a\tb",
                     // Basic is base64, whatever the credential holds.
                     "Authorization: " + BasicAuthorization({"u\r\nX: y", "p\r\n\x01", ""})};
  EXPECT_TRUE(CanSend(request));
  for (std::string url :
       std::initializer_list<std::string>{"https://r.example/a b", "https://r.example/a\r\nX: y",
                                          "https://r.example/\xff", std::string()}) {
    HttpRequest bad = request;
    bad.url = url;
    EXPECT_FALSE(CanSend(bad)) << url;
  }
  for (std::string header : std::initializer_list<std::string>{
           "Authorization: Bearer abc\r\nX-Injected: yes", "Authorization: Bearer abc\nX: y",
           std::string("Authorization: a\0b", 18), "Authorization: caf\xc3\xa9", "X-Bad Name: v",
           ": v", "NoColon"}) {
    HttpRequest bad = request;
    bad.headers.push_back(header);
    EXPECT_FALSE(CanSend(bad)) << header;
  }
}

// Every form of our secret a registry could echo back.
std::vector<std::string> SecretForms() {
  std::string blob = BasicAuthorization({kUser, kPassword, ""}).substr(6);
  return {kPassword, std::string(kUser) + ":" + kPassword, blob, "Basic " + blob};
}

TEST(HostileServer, ErrorBodyEchoingTheAuthorizationHeaderIsRedacted) {
  std::string blob = BasicAuthorization({kUser, kPassword, ""}).substr(6);
  ScriptedServer server([&](const std::string& head) {
    if (!HasAuthorization(head)) {
      return Response(401, "WWW-Authenticate: Basic realm=\"scripted\"\r\n", "");
    }
    return Response(403, "",
                    R"({"errors":[{"code":"DENIED","message":"denied for Basic )" + blob + " (" +
                        kUser + ":" + kPassword + R"(), raw )" + blob + R"("}]})");
  });
  testing::TempDir dir;
  Client client(OptionsFor(server.host(), dir, /*credentials=*/true));
  for (bool platforms : {false, true}) {  // HEAD then GET, and GET alone
    Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), platforms);
    ASSERT_FALSE(manifest.ok());
    std::string text = manifest.error().ToString();
    EXPECT_EQ(manifest.error().kind, ErrorKind::kDenied) << text;
    for (const std::string& secret : SecretForms()) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in: " << text;
    }
    EXPECT_NE(text.find("denied for Basic [redacted]"), std::string::npos) << text;
  }
}

TEST(HostileServer, TokenServerErrorEchoingTheCredentialsIsRedacted) {
  std::string blob = BasicAuthorization({kUser, kPassword, ""}).substr(6);
  std::string host;
  ScriptedServer server([&](const std::string& head) {
    if (IsTokenRequest(head)) {
      return Response(
          400, "",
          R"({"errors":[{"code":"Basic )" + blob + R"(","message":")" + kPassword + R"("}]})");
    }
    return BearerChallenge("http://" + host + "/token");
  });
  host = server.host();
  testing::TempDir dir;
  Client client(OptionsFor(server.host(), dir, /*credentials=*/true));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), false);
  ASSERT_FALSE(manifest.ok());
  std::string text = manifest.error().ToString();
  for (const std::string& secret : SecretForms()) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in: " << text;
  }
}

TEST(HostileServer, EchoOfARefusedTokenIsRedacted) {
  // The token is well formed but the registry refuses it and quotes it back.
  constexpr char kToken[] = "tok3n-ECHOED-9f2c";
  std::string host;
  ScriptedServer server([&](const std::string& head) {
    if (IsTokenRequest(head))
      return Response(200, "", std::string(R"({"token":")") + kToken + "\"}");
    if (HasAuthorization(head)) {
      return Response(403, "",
                      std::string(R"({"errors":[{"code":"DENIED","message":"token )") + kToken +
                          R"( has no pull right"}]})");
    }
    return BearerChallenge("http://" + host + "/token");
  });
  host = server.host();
  testing::TempDir dir;
  Client client(OptionsFor(server.host(), dir));
  Result<Manifest> manifest = client.Resolve(Ref("scripted.test/app:v1"), true);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kDenied);
  EXPECT_EQ(manifest.error().ToString().find(kToken), std::string::npos)
      << manifest.error().ToString();
}

}  // namespace
}  // namespace imagepin::registry
