// Keeping secrets out of what the client says. Every RegistryError a Client returns passes
// through SecretList::Scrub (client.cc), so no error path can forget it: a registry or token
// server that echoes our Authorization header, a password or a token in its error body, or a
// curl message that quotes one, is printed with "[redacted]" in its place.
//
// What is redacted: every secret the client has handled in this run (passwords, identity
// tokens, "user:password", the base64 blob of Basic, bearer tokens, including ones refused as
// malformed), and anything shaped like an Authorization value ("Basic <base64>",
// "Bearer <token>") whether or not we know it.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "registry/client.h"
#include "registry/credentials.h"

namespace imagepin::registry {

inline constexpr char kRedacted[] = "[redacted]";

// Replaces the value of every "Basic <base64>" and "Bearer <token>" (any case) in `text`.
std::string RedactAuthorizationValues(std::string_view text);

// The secrets one Client has handled. Thread-safe.
class SecretList {
 public:
  void Add(std::string_view secret);
  // The password, the identity token, "user:password" and its base64 (what Basic sends).
  void AddCredential(const Credential& credential);

  // `text` with every known secret and every Authorization-shaped value redacted. A message cut
  // short ("...", OneLine) may end in the first part of a secret: that part goes too.
  std::string Redact(std::string_view text) const;
  // Redacts the error's message and code (both can come from a server).
  void Scrub(RegistryError& error) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;  // longest first, so "user:password" goes before "password"
};

}  // namespace imagepin::registry
