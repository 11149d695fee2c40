#include "registry/redact.h"

#include <gtest/gtest.h>

#include "registry/auth.h"

namespace imagepin::registry {
namespace {

TEST(RedactAuthorizationValues, HidesBasicAndBearerValues) {
  EXPECT_EQ(RedactAuthorizationValues("denied for Basic aW1hZ2VwaW46cHc= today"),
            "denied for Basic [redacted] today");
  EXPECT_EQ(RedactAuthorizationValues("Authorization: Bearer eyJhbGci.eyJzdWIi.c2ln"),
            "Authorization: Bearer [redacted]");
  EXPECT_EQ(RedactAuthorizationValues("header was 'bearer   AbC-_~+/=='"),
            "header was 'bearer   [redacted]'");
}

TEST(RedactAuthorizationValues, LeavesProseAlone) {
  for (const char* text : {"bearer challenge without a realm", "Basic auth required",
                           "BasicAuth aGVsbG8=", "the token for a was refused", "Bearer"}) {
    EXPECT_EQ(RedactAuthorizationValues(text), text);
  }
}

TEST(SecretList, RedactsEveryFormOfACredential) {
  SecretList secrets;
  secrets.AddCredential({"alice", "hunter2-pass", "idt-refresh-77"});
  std::string blob = BasicAuthorization({"alice", "hunter2-pass", ""}).substr(6);
  std::string text = secrets.Redact("pw hunter2-pass, pair alice:hunter2-pass, blob " + blob +
                                    ", identity idt-refresh-77");
  EXPECT_EQ(text, "pw [redacted], pair [redacted], blob [redacted], identity [redacted]");
}

TEST(SecretList, RedactsTheStartOfASecretCutOffByOneLine) {
  SecretList secrets;
  secrets.Add("tok3n-0123456789");
  EXPECT_EQ(secrets.Redact("echo of tok3n-0123... (after 2 attempts)"),
            "echo of [redacted]... (after 2 attempts)");
  EXPECT_EQ(secrets.Redact("nothing of it here..."), "nothing of it here...");
}

TEST(SecretList, ScrubsMessageAndCode) {
  SecretList secrets;
  secrets.Add("s3cr3t-token");
  RegistryError error;
  error.message = "refused s3cr3t-token";
  error.code = "Bearer s3cr3t-token";
  error.reference = "app:1";
  secrets.Scrub(error);
  EXPECT_EQ(error.ToString(), "app:1: refused [redacted] (Bearer [redacted])");
}

}  // namespace
}  // namespace imagepin::registry
