#include "registry/auth.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "registry/auth_challenge.h"
#include "registry/errors.h"
#include "registry/token_scopes.h"
#include "registry/url.h"

namespace imagepin::registry {
namespace {

// A 401's error: our words, the status and the spec code the registry sent with it.
RegistryError Unauthorized(const HttpResponse& response, std::string message) {
  return RegistryError::Unauthorized(std::move(message), 401,
                                     FirstSpecCode(ParseErrorBody(response.body)));
}

// The strings a token response offers as the token, valid or not: all are secrets.
std::vector<std::string> OfferedTokens(std::string_view body) {
  std::vector<std::string> out;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return out;
  for (const char* field : {"token", "access_token", "refresh_token"}) {
    auto it = doc.find(field);
    if (it != doc.end() && it->is_string()) out.push_back(it->get<std::string>());
  }
  return out;
}

}  // namespace

bool IsBearerToken(std::string_view token) {
  size_t end = token.find_last_not_of('=');
  if (end == std::string_view::npos) return false;  // empty, or padding alone
  for (char c : token.substr(0, end + 1)) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("-._~+/").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string PullScope(const std::string& repository) {
  return "repository:" + repository + ":pull";
}

std::string BasicAuthorization(const Credential& credential) {
  std::string plain = credential.username + ":" + credential.password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                               reinterpret_cast<const unsigned char*>(plain.data()),
                               static_cast<int>(plain.size()));
  encoded.resize(static_cast<size_t>(std::max(length, 0)));
  return "Basic " + encoded;
}

Result<Token> ParseTokenResponse(std::string_view body, Clock::TimePoint now) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return RegistryError::BadResponse("token response is not a JSON object");
  Token token;
  for (const char* field : {"token", "access_token"}) {
    auto it = doc.find(field);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      token.value = it->get<std::string>();
      break;
    }
  }
  if (token.value.empty()) return RegistryError::BadResponse("token response holds no token");
  if (!IsBearerToken(token.value)) {
    // A CR LF in it would end the Authorization header and start one of the server's choosing.
    return RegistryError::BadResponse(
        "token response holds a token that is not a valid bearer token (characters outside "
        "RFC 6750's b64token); refused, not sent");
  }
  // Docker's token spec: expires_in defaults to 60 seconds when omitted. A server's number is
  // clamped before any arithmetic (9223372036854775807 * 900 overflows).
  int64_t expires_in = 60;
  if (auto it = doc.find("expires_in"); it != doc.end()) {
    if (it->is_number_unsigned()) {
      expires_in =
          static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), kMaxTokenLifetime.count()));
    } else if (it->is_number_integer()) {
      expires_in = it->get<int64_t>();
    }
  }
  expires_in =
      std::clamp<int64_t>(expires_in, kMinTokenLifetime.count(), kMaxTokenLifetime.count());
  // Use it for 90% of its life, so a token is not sent in its last seconds while clocks and
  // network delay disagree about when it ends.
  auto lifetime = std::chrono::milliseconds(expires_in * 900);
  token.expires = now + lifetime;
  return token;
}

Authenticator::Authenticator(std::shared_ptr<const CredentialStore> credentials,
                             const ClientOptions& options, Sender& sender, SecretList& secrets,
                             Clock& clock)
    : credentials_(std::move(credentials)),
      options_(options),
      sender_(sender),
      secrets_(secrets),
      clock_(clock),
      tokens_(clock),
      batches_(clock) {}

void Authenticator::ExpectRepositories(const std::string& host,
                                       const std::vector<std::string>& repositories) {
  std::vector<std::string> scopes;
  scopes.reserve(repositories.size());
  for (const std::string& repository : repositories) scopes.push_back(PullScope(repository));
  batches_.Plan(host, scopes, options_.max_scopes_per_token_request);
}

std::optional<Authenticator::HostChallenge> Authenticator::KnownChallenge(const std::string& host) {
  std::lock_guard lock(mutex_);
  auto it = challenges_.find(host);
  if (it == challenges_.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<Credential>> Authenticator::CredentialFor(const std::string& host,
                                                               const Deadline& deadline) {
  std::lock_guard lock(mutex_);
  auto it = credential_cache_.find(host);
  if (it != credential_cache_.end()) return it->second;
  if (deadline.Passed()) {
    return RegistryError::DeadlinePassed("deadline passed before reading credentials");
  }
  auto found = credentials_->Lookup(host, deadline.at());
  if (!found.ok() && found.error().deadline_passed) {
    // The deadline belongs to this call, not to the host: not cached.
    return RegistryError::DeadlinePassed("deadline passed while reading credentials: " +
                                         found.error().message);
  }
  if (found.ok() && found.value()) secrets_.AddCredential(*found.value());
  Result<std::optional<Credential>> stored =
      found.ok() ? Result<std::optional<Credential>>(found.value())
                 : Result<std::optional<Credential>>(RegistryError::Credentials(
                       "reading credentials: " + found.error().ToString()));
  return credential_cache_.emplace(host, std::move(stored)).first->second;
}

std::optional<Result<std::string>> Authenticator::AfterForbidden(const Endpoint& endpoint,
                                                                 const std::string& repository,
                                                                 const std::string& sent,
                                                                 const Deadline& deadline) {
  if (!sent.starts_with("Bearer ")) return std::nullopt;
  std::optional<HostChallenge> known = KnownChallenge(endpoint.host);
  if (!known || known->scheme != Scheme::kBearer) return std::nullopt;
  std::string scope = PullScope(repository);
  if (!tokens_.ForgetBulk({known->realm, known->service, scope}, sent.substr(7))) {
    return std::nullopt;
  }
  batches_.Exclude(endpoint.host, scope);
  return BearerHeader(endpoint, *known, scope, deadline);
}

void Authenticator::AskAhead(const Endpoint& endpoint, const Deadline& deadline) {
  std::optional<HostChallenge> known = KnownChallenge(endpoint.host);
  if (!known || known->scheme != Scheme::kBearer) return;
  batches_.AskAhead(endpoint.host, [&](const std::vector<std::string>& scopes) {
    return FetchBatch(endpoint, *known, scopes, deadline);
  });
}

Result<std::string> Authenticator::HeaderFor(const Endpoint& endpoint,
                                             const std::string& repository,
                                             const Deadline& deadline) {
  std::optional<HostChallenge> known = KnownChallenge(endpoint.host);
  if (!known) return std::string();
  if (known->scheme == Scheme::kBearer) {
    return BearerHeader(endpoint, *known, PullScope(repository), deadline);
  }
  Result<std::optional<Credential>> credential = CredentialFor(endpoint.credential_host, deadline);
  if (!credential.ok()) return credential.error();
  if (!credential.value() || credential.value()->username.empty()) return std::string();
  return BasicAuthorization(**credential);
}

Result<std::string> Authenticator::Answer(const Endpoint& endpoint, const std::string& repository,
                                          const HttpResponse& unauthorized, const std::string& sent,
                                          Clock::TimePoint started, const Deadline& deadline) {
  std::string header = unauthorized.JoinedHeader("www-authenticate");
  if (header.empty()) return Unauthorized(unauthorized, "authentication required (no challenge)");
  base::Result<std::vector<Challenge>> parsed = ParseChallenges(header);
  if (!parsed.ok()) return Unauthorized(unauthorized, parsed.error().message);
  const Challenge* bearer = nullptr;
  const Challenge* basic = nullptr;
  for (const Challenge& challenge : *parsed) {
    if (challenge.Is("Bearer") && bearer == nullptr) bearer = &challenge;
    if (challenge.Is("Basic") && basic == nullptr) basic = &challenge;
  }
  if (bearer == nullptr && basic == nullptr) {
    return Unauthorized(unauthorized, fmt::format("unsupported authentication scheme {}",
                                                  OneLine(parsed->front().scheme, 40)));
  }
  HostChallenge learned;
  if (bearer != nullptr) {
    learned = {Scheme::kBearer, bearer->Param("realm"), bearer->Param("service")};
    if (learned.realm.empty()) {
      return Unauthorized(unauthorized, "bearer challenge without a realm");
    }
  } else {
    learned.scheme = Scheme::kBasic;
  }
  {
    std::lock_guard lock(mutex_);
    challenges_[endpoint.host] = learned;
  }

  if (learned.scheme == Scheme::kBearer) {
    std::string scope = bearer->Param("scope");
    if (scope.empty()) scope = PullScope(repository);
    if (sent.starts_with("Bearer ")) {
      switch (
          tokens_.Invalidate({learned.realm, learned.service, scope}, sent.substr(7), started)) {
        case Rejection::kFresh:
          return Refused(endpoint, repository, unauthorized, sent, deadline);
        case Rejection::kBulk:
          // An opaque bulk token (or an access claim the registry reads otherwise) does not
          // cover this repository: ask for it alone, once.
          batches_.Exclude(endpoint.host, scope);
          break;
        case Rejection::kStale:
          break;
      }
    }
    return BearerHeader(endpoint, learned, scope, deadline);
  }
  Result<std::optional<Credential>> credential = CredentialFor(endpoint.credential_host, deadline);
  if (!credential.ok()) return credential.error();
  if (!credential.value() || credential.value()->username.empty()) {
    return Unauthorized(unauthorized, fmt::format("authentication required and no credentials "
                                                  "for {}",
                                                  endpoint.credential_host));
  }
  if (sent.starts_with("Basic ")) {
    return Unauthorized(
        unauthorized, fmt::format("the credentials for {} were refused", endpoint.credential_host));
  }
  return BasicAuthorization(**credential);
}

RegistryError Authenticator::Refused(const Endpoint& endpoint, const std::string& repository,
                                     const HttpResponse& unauthorized, const std::string& sent,
                                     const Deadline& deadline) {
  if (sent.starts_with("Basic ")) {
    return Unauthorized(
        unauthorized, fmt::format("the credentials for {} were refused", endpoint.credential_host));
  }
  Result<std::optional<Credential>> credential = CredentialFor(endpoint.credential_host, deadline);
  bool anonymous = credential.ok() && !credential.value();
  if (sent.starts_with("Bearer ")) {
    return Unauthorized(unauthorized,
                        anonymous ? fmt::format("anonymous pull of {} refused and no credentials "
                                                "for {}",
                                                repository, endpoint.credential_host)
                                  : fmt::format("the token for {} was refused: the credentials "
                                                "for {} do not grant pull",
                                                repository, endpoint.credential_host));
  }
  return Unauthorized(unauthorized, "authentication required");
}

Result<std::string> Authenticator::BearerHeader(const Endpoint& endpoint,
                                                const HostChallenge& challenge,
                                                const std::string& scope,
                                                const Deadline& deadline) {
  TokenKey key{challenge.realm, challenge.service, scope};
  if (std::optional<std::string> cached = tokens_.Peek(key)) return "Bearer " + *cached;
  batches_.Fetch(endpoint.host, scope, [&](const std::vector<std::string>& scopes) {
    return FetchBatch(endpoint, challenge, scopes, deadline);
  });
  // Covered by the batch's token now, or asked for alone: no batch, or not covered by it.
  Result<std::string> token =
      tokens_.Get(key, [&] { return FetchToken(endpoint, challenge, {scope}, deadline); });
  if (!token.ok()) return token.error();
  return "Bearer " + token.value();
}

std::optional<Clock::TimePoint> Authenticator::FetchBatch(const Endpoint& endpoint,
                                                          const HostChallenge& challenge,
                                                          const std::vector<std::string>& scopes,
                                                          const Deadline& deadline) {
  Result<Token> token = FetchToken(endpoint, challenge, scopes, deadline);
  if (!token.ok()) {
    // A 4xx is the token server's word on multi-scope requests (or on a URL it finds too
    // long), or a refusal that one scope at a time tells apart per repository (a server may
    // refuse a whole request for one scope it will not grant). Either way, no more batches.
    // Anything else (network, deadline) fails this batch only; its scopes are asked alone.
    int status = token.error().http_status;
    if (status >= 400 && status < 500) batches_.Disable(endpoint.host);
    return std::nullopt;
  }
  token->bulk = true;
  std::optional<std::set<std::string>> granted = GrantedAccess(token->value);
  for (const std::string& scope : scopes) {
    if (granted && !CoversScope(*granted, scope)) {
      batches_.Exclude(endpoint.host, scope);  // a subset is no error (token spec): ask alone
      continue;
    }
    tokens_.Put({challenge.realm, challenge.service, scope}, *token);
  }
  return token->expires;
}

Result<Token> Authenticator::FetchToken(const Endpoint& endpoint, const HostChallenge& challenge,
                                        const std::vector<std::string>& scopes,
                                        const Deadline& deadline) {
  Result<std::optional<Credential>> found = CredentialFor(endpoint.credential_host, deadline);
  if (!found.ok()) return found.error();
  const std::optional<Credential>& credential = found.value();

  // The realm is the server's text and becomes our request line (scope and service are
  // percent-encoded into it): nothing but visible ASCII.
  base::Result<UrlParts> realm = ParseUrl(challenge.realm);
  if (!realm.ok() || !IsVisibleAscii(challenge.realm)) {
    return RegistryError::BadResponse("token realm is not an http(s) URL");
  }
  if (realm->scheme == "http" && !PlainHttpAllowed(realm->host_port, options_)) {
    return RegistryError::InsecureRefused(
        fmt::format("token realm on plain HTTP at {} refused", realm->host_port));
  }
  std::string service =
      challenge.service.empty() ? "" : "&service=" + EscapeQueryValue(challenge.service);

  HttpRequest request;
  request.max_body_bytes = options_.max_manifest_bytes;
  std::optional<Result<HttpResponse>> response;
  if (credential && !credential->identity_token.empty()) {
    // OAuth2 refresh-token grant (Docker token spec, "oauth"): the identity token is the
    // refresh token; the client_id names us, as the spec asks.
    request.method = "POST";
    request.url = challenge.realm;
    request.headers = {"Content-Type: application/x-www-form-urlencoded"};
    request.body = ScopeForm(scopes) + service +
                   "&grant_type=refresh_token&client_id=imagepin&refresh_token=" +
                   EscapeQueryValue(credential->identity_token);
    response = sender_.Send(request, deadline, RequestKind::kToken);
    // A token server without OAuth2 support answers 404; Docker then falls back to GET.
    if (response->ok() && response->value().status == 404) response.reset();
  }
  if (!response) {
    request = HttpRequest();
    request.max_body_bytes = options_.max_manifest_bytes;
    request.url = challenge.realm + (challenge.realm.find('?') == std::string::npos ? "?" : "&") +
                  ScopeQuery(scopes) + service;
    if (credential && !credential->username.empty()) {
      SetAuthorization(request, BasicAuthorization(*credential));
    }
    response = sender_.Send(request, deadline, RequestKind::kToken);
  }
  if (!response->ok()) return response->error();
  const HttpResponse& answer = response->value();
  int status = answer.status;
  if (status == 401 || status == 403) {
    return RegistryError::Unauthorized(
        credential ? fmt::format("the token server refused the credentials for {}",
                                 endpoint.credential_host)
                   : fmt::format("the token server refused anonymous access to {}",
                                 endpoint.credential_host),
        status);
  }
  if (status != 200) {
    RegistryError error = ErrorFromResponse(status, answer.body, "");
    error.message = fmt::format("token server answered HTTP {}", status);
    return error;
  }
  for (const std::string& offered : OfferedTokens(answer.body)) secrets_.Add(offered);
  return ParseTokenResponse(answer.body, clock_.Now());
}

}  // namespace imagepin::registry
