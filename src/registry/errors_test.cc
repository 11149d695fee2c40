#include "registry/errors.h"

#include <gtest/gtest.h>

namespace imagepin::registry {
namespace {

TEST(ParseErrorBody, ReadsSpecErrors) {
  auto errors = ParseErrorBody(
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}},)"
      R"({"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]})");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, "MANIFEST_UNKNOWN");
  EXPECT_EQ(errors[0].message, "manifest unknown");
  EXPECT_EQ(errors[1].code, "NAME_UNKNOWN");
}

TEST(ParseErrorBody, IgnoresBodiesThatAreNotErrorLists) {
  for (const char* body : {"", "not json", "[]", R"({"errors":"x"})", R"({"errors":[1,"a"]})",
                           "<html>502 Bad Gateway</html>"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(ParseErrorBody(body).empty());
  }
}

TEST(KindFor, MapsCodesBeforeStatuses) {
  struct Case {
    int status;
    const char* code;
    ErrorKind kind;
  };
  for (const Case& c : std::initializer_list<Case>{
           {404, "MANIFEST_UNKNOWN", ErrorKind::kNotFound},
           {404, "NAME_UNKNOWN", ErrorKind::kNotFound},
           {404, "", ErrorKind::kNotFound},
           {401, "UNAUTHORIZED", ErrorKind::kUnauthorized},
           {401, "", ErrorKind::kUnauthorized},
           {403, "DENIED", ErrorKind::kDenied},
           {403, "TOOMANYREQUESTS", ErrorKind::kTooManyRequests},
           {429, "", ErrorKind::kTooManyRequests},
           {500, "", ErrorKind::kServer},
           {503, "UNAVAILABLE", ErrorKind::kServer},
           {408, "", ErrorKind::kNetwork},
           {400, "MANIFEST_INVALID", ErrorKind::kBadResponse},
           {302, "", ErrorKind::kBadResponse},
       }) {
    SCOPED_TRACE(std::to_string(c.status) + " " + c.code);
    EXPECT_EQ(KindFor(c.status, c.code), c.kind);
  }
}

TEST(ErrorFromResponse, MarksOnlyServerAndRateLimitErrorsTemporary) {
  EXPECT_TRUE(ErrorFromResponse(503, "", "r").temporary);
  EXPECT_TRUE(ErrorFromResponse(429, "", "r").temporary);
  EXPECT_FALSE(ErrorFromResponse(404, "", "r").temporary);
  EXPECT_FALSE(ErrorFromResponse(401, "", "r").temporary);
  EXPECT_FALSE(ErrorFromResponse(403, "", "r").temporary);
}

TEST(ErrorFromResponse, TakesCodeAndMessageFromTheBody) {
  RegistryError error = ErrorFromResponse(
      404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})",
      "ghcr.io/acme/api:main");
  EXPECT_EQ(error.kind, ErrorKind::kNotFound);
  EXPECT_EQ(error.code, "MANIFEST_UNKNOWN");
  EXPECT_EQ(error.http_status, 404);
  EXPECT_EQ(error.ToString(),
            "ghcr.io/acme/api:main: manifest unknown (HTTP 404 MANIFEST_UNKNOWN)");
}

TEST(ErrorFromResponse, ExplainsAnEmptyBody) {
  RegistryError error = ErrorFromResponse(503, "", "app:1");
  EXPECT_EQ(error.ToString(), "app:1: registry server error (HTTP 503)");
}

TEST(ErrorFromResponse, KeepsServerMessagesOnOneShortLine) {
  std::string long_message(500, 'x');
  RegistryError error = ErrorFromResponse(
      500, R"({"errors":[{"code":"UNKNOWN","message":"line1\nline2)" + long_message + R"("}]})",
      "");
  EXPECT_EQ(error.message.find('\n'), std::string::npos);
  EXPECT_LE(error.message.size(), 210u);
}

TEST(KindName, IsStableForEveryKind) {
  EXPECT_STREQ(KindName(ErrorKind::kNotFound), "not-found");
  EXPECT_STREQ(KindName(ErrorKind::kDigestMismatch), "digest-mismatch");
  EXPECT_STREQ(KindName(ErrorKind::kInsecureRefused), "insecure-refused");
  EXPECT_STREQ(KindName(ErrorKind::kPlatformsMissing), "platforms-missing");
  EXPECT_STREQ(KindName(ErrorKind::kCredentials), "credentials");
}

}  // namespace
}  // namespace imagepin::registry
