// Registry credentials, found where users expect them, in the order Docker and Podman look:
// $DOCKER_CONFIG/config.json (or ~/.docker/config.json): credHelpers for the host, then auths
// (`auth` base64 user:password or `identitytoken`), then credsStore; then $REGISTRY_AUTH_FILE,
// then $XDG_RUNTIME_DIR/containers/auth.json.
//
// A Credential is a secret: it has no printing function, and errors about it never include it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "registry/clock.h"

namespace imagepin::registry {

struct Credential {
  std::string username;
  std::string password;
  // An OAuth2 refresh token (`identitytoken`): exchanged at the token realm with
  // grant_type=refresh_token instead of Basic credentials.
  std::string identity_token;
};

// Where to look; FromEnvironment() reads DOCKER_CONFIG, HOME, REGISTRY_AUTH_FILE,
// XDG_RUNTIME_DIR. Tests build one by hand.
struct CredentialSources {
  std::string docker_config_dir;  // directory holding config.json; empty: none
  std::string registry_auth_file;
  std::string xdg_runtime_dir;
  static CredentialSources FromEnvironment();
};

// Why a lookup failed: a base::Error (its message names the file or helper, never a secret),
// and whether it was the caller's deadline that stopped a credential helper.
struct LookupError : base::Error {
  LookupError(base::Error error) : base::Error(std::move(error)) {}  // NOLINT: implicit
  bool deadline_passed = false;
};

class CredentialStore {
 public:
  // A helper's 30 s bound and the deadline are on `clock` (a test's fake clock suits only
  // helpers that answer at once: the helper itself lives in real time).
  explicit CredentialStore(CredentialSources sources, Clock& clock = Clock::Real());
  static CredentialStore FromEnvironment() {
    return CredentialStore(CredentialSources::FromEnvironment());
  }

  // The credential for a registry host ("ghcr.io", "127.0.0.1:5000"; "docker.io" also matches
  // the legacy "https://index.docker.io/v1/" key). nullopt: anonymous. An error: a config file
  // that exists but does not parse, or a helper that fails (message names the file or helper,
  // never the secret, and never quotes what the helper printed: it may be one). A helper is
  // killed, with its whole process group, after 30 s or at `deadline`, whichever comes first
  // (then `deadline_passed` is set).
  base::Result<std::optional<Credential>, LookupError> Lookup(
      std::string_view host, Clock::TimePoint deadline = Clock::TimePoint::max()) const;

 private:
  CredentialSources sources_;
  Clock* clock_;  // a pointer, so that a store can be copied
};

}  // namespace imagepin::registry
