// Registry authentication, in the order users expect (as Docker does it):
//
// 1. Send the request with whatever an earlier challenge from this host taught us: the cached
//    bearer token for the repository's pull scope (fetched now if the host is known to want
//    one), or Basic credentials for a host that asked for Basic. Nothing for a host not yet
//    heard from.
// 2. On 401, read WWW-Authenticate. Bearer: get a token at the realm for
//    `repository:<name>:pull` (the challenge's scope when it names one), anonymously or with
//    the host's credentials: Basic username/password on a GET, or an identity token exchanged
//    by POST grant_type=refresh_token (OAuth2, Docker's token spec). If the rejected request
//    carried a cached token, that token is dropped and one fresh token fetched. Basic: send the
//    host's credentials, unless they were just refused.
// 3. The caller sends once more; a 401 to a fresh token or to credentials is kUnauthorized.
//
// Tokens in bulk: when the caller announced the repositories it will pull from a host
// (ExpectRepositories, from Client::ResolveAll), a missing token is fetched for its whole batch
// of scopes in one request (token_batches.h) and cached for every scope the token covers. A
// JWT's `access` claim tells which those are (token_scopes.h); the rest are asked for alone.
// An opaque token is taken to cover them all, and a 401 with it on one repository makes that
// repository ask alone (one more send: step 3 then happens after the third), and so does a
// 403 (some registries answer a token without the repository so). A token server
// that answers a batch with a 4xx gets one scope per request from then on.
//
// Credentials are looked up (once per host) only when a challenge needs them. Tokens and
// passwords never appear in errors.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "registry/client.h"
#include "registry/clock.h"
#include "registry/credentials.h"
#include "registry/endpoint.h"
#include "registry/redact.h"
#include "registry/retry.h"
#include "registry/sender.h"
#include "registry/token_batches.h"
#include "registry/token_cache.h"
#include "registry/transport.h"

namespace imagepin::registry {

class Authenticator {
 public:
  // Every credential looked up and every token fetched is added to `secrets`, which the Client
  // redacts from its errors. Token lifetimes are on `clock`.
  Authenticator(std::shared_ptr<const CredentialStore> credentials, const ClientOptions& options,
                Sender& sender, SecretList& secrets, Clock& clock);

  // Announces that `repositories` on endpoint `host` will be pulled soon, so that their pull
  // scopes are asked for in batches of ClientOptions::max_scopes_per_token_request.
  void ExpectRepositories(const std::string& host, const std::vector<std::string>& repositories);

  // After a 403 to `sent`: when `sent` was a bulk token cached for `repository`, that token is
  // dropped and the repository asked for alone from now on, and the header to send again is
  // returned (a registry may answer 403 rather than 401 to a token without the repository).
  // nullopt when the 403 is the answer (any other header: a denial).
  std::optional<Result<std::string>> AfterForbidden(const Endpoint& endpoint,
                                                    const std::string& repository,
                                                    const std::string& sent,
                                                    const Deadline& deadline);

  // After a request to `endpoint`: once its token server granted a bulk request, asks for the
  // batches nobody has asked yet (TokenBatches::AskAhead); at once when there are none, or
  // another thread is at it.
  void AskAhead(const Endpoint& endpoint, const Deadline& deadline);

  // The Authorization header value ("Bearer ...", "Basic ...") to send first, or empty.
  Result<std::string> HeaderFor(const Endpoint& endpoint, const std::string& repository,
                                const Deadline& deadline);

  // The header value to retry with after `unauthorized` (a 401), given what the rejected
  // request, started at `started`, carried (`sent`, possibly empty). An error when there is
  // nothing better to send: no credentials, refused credentials, or a token fetched for this
  // very request.
  Result<std::string> Answer(const Endpoint& endpoint, const std::string& repository,
                             const HttpResponse& unauthorized, const std::string& sent,
                             Clock::TimePoint started, const Deadline& deadline);

  // The error for a 401 to a request that carried `sent` (the header Answer gave): which
  // credentials or token were refused, never their value.
  RegistryError Refused(const Endpoint& endpoint, const std::string& repository,
                        const HttpResponse& unauthorized, const std::string& sent,
                        const Deadline& deadline);

 private:
  enum class Scheme { kBasic, kBearer };
  struct HostChallenge {
    Scheme scheme = Scheme::kBearer;
    std::string realm;
    std::string service;
  };

  std::optional<HostChallenge> KnownChallenge(const std::string& host);
  Result<std::optional<Credential>> CredentialFor(const std::string& host,
                                                  const Deadline& deadline);
  Result<std::string> BearerHeader(const Endpoint& endpoint, const HostChallenge& challenge,
                                   const std::string& scope, const Deadline& deadline);
  Result<std::string> BasicHeader(const Endpoint& endpoint);
  // One token request for `scopes` (several `scope` parameters when there are many).
  Result<Token> FetchToken(const Endpoint& endpoint, const HostChallenge& challenge,
                           const std::vector<std::string>& scopes, const Deadline& deadline);
  // The bulk request of a batch: caches its token for each scope it covers and excludes the
  // others from the batch; until when it serves, or nullopt when it failed.
  std::optional<Clock::TimePoint> FetchBatch(const Endpoint& endpoint,
                                             const HostChallenge& challenge,
                                             const std::vector<std::string>& scopes,
                                             const Deadline& deadline);

  std::shared_ptr<const CredentialStore> credentials_;
  const ClientOptions& options_;
  Sender& sender_;
  SecretList& secrets_;
  Clock& clock_;
  TokenCache tokens_;
  TokenBatches batches_;
  std::mutex mutex_;
  std::map<std::string, HostChallenge> challenges_;  // by endpoint host
  std::map<std::string, Result<std::optional<Credential>>> credential_cache_;
};

// "repository:<name>:pull".
std::string PullScope(const std::string& repository);

// "Basic " + base64("user:password").
std::string BasicAuthorization(const Credential& credential);

// What a token's `expires_in` is clamped to. At least a second, so a zero or negative one does
// not make every request fetch a token; at most a day: a token is re-fetched once a day at
// worst, and no server's number (9223372036854775807) can overflow the arithmetic.
inline constexpr std::chrono::seconds kMinTokenLifetime{1};
inline constexpr std::chrono::seconds kMaxTokenLifetime{24 * 60 * 60};

// Reads a token response (Docker token spec), received at `now`: `token` or, for OAuth2,
// `access_token`; `expires_in` seconds, 60 when absent (the spec's default), clamped to
// [kMinTokenLifetime, kMaxTokenLifetime]. The token must be a valid bearer credential (RFC 6750
// b64token: letters, digits, "-._~+/" then "=" padding): anything else, such as a CR LF that
// would smuggle a header into the request, is kBadResponse, and the message never quotes it.
Result<Token> ParseTokenResponse(std::string_view body, Clock::TimePoint now);

// Whether `token` can be sent as "Authorization: Bearer <token>" (RFC 6750 section 2.1).
bool IsBearerToken(std::string_view token);

}  // namespace imagepin::registry
