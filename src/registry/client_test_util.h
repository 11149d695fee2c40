// Helpers for tests that drive a Client: references, and credential stores that never read
// the developer's own docker config.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ref/reference.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "registry/credentials.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::registry {

inline ref::Reference Ref(const std::string& text) {
  base::Result<ref::Reference> parsed = ref::ParseReference(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed.value() : ref::Reference{};
}

// A store that finds nothing, so no test reads the developer's own docker config.
inline std::shared_ptr<const CredentialStore> NoCredentials() {
  return std::make_shared<CredentialStore>(CredentialSources{});
}

// A docker config.json in `dir` holding `auth_entry` for `host`.
inline std::shared_ptr<const CredentialStore> StoreFor(const testing::TempDir& dir,
                                                       const std::string& host,
                                                       const nlohmann::json& auth_entry) {
  nlohmann::json config = {{"auths", {{host, auth_entry}}}};
  dir.Write("docker/config.json", config.dump());
  CredentialSources sources;
  sources.docker_config_dir = dir.str() + "/docker";
  return std::make_shared<CredentialStore>(sources);
}

inline nlohmann::json PasswordEntry(const std::string& user, const std::string& password) {
  std::string basic = BasicAuthorization({user, password, ""});
  return {{"auth", basic.substr(std::string("Basic ").size())}};
}

inline ClientOptions PlainOptions() {
  ClientOptions options;
  options.credentials = NoCredentials();
  return options;
}

// Plain options with retries that wait milliseconds, not seconds.
inline ClientOptions FastRetries() {
  ClientOptions options = PlainOptions();
  options.retry.initial_backoff = std::chrono::milliseconds(20);
  options.retry.max_backoff = std::chrono::milliseconds(100);
  return options;
}

}  // namespace imagepin::registry
