// Bearer tokens per (realm, service, scope), fetched once even when many workers ask at once.
//
// The first caller for a key runs the fetch; callers that arrive while it runs wait and share
// its outcome, error included (so 50 tags of one repository cost one token request, and a
// refused password is refused once, not 50 times). A refusal is kept for the cache's life (one
// run): a later caller gets it too. Only after a temporary failure does a later caller try again.
// A token fetched for many scopes at once (token_batches.h) is Put under each scope it covers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "registry/client.h"
#include "registry/clock.h"

namespace imagepin::registry {

struct TokenKey {
  std::string realm;
  std::string service;
  std::string scope;
  auto operator<=>(const TokenKey&) const = default;
};

struct Token {
  std::string value;  // a secret
  Clock::TimePoint expires;
  Clock::TimePoint fetched;  // set by TokenCache
  // Fetched for many scopes in one request: a 401 with it is no final answer for one scope,
  // which is then asked for alone (auth.h).
  bool bulk = false;
};

// What a registry's 401 to a request carrying a cached token means for that token.
enum class Rejection {
  kStale,  // forgotten (expired early, revoked) or already replaced: fetch again
  kBulk,   // a token fetched for many scopes, forgotten: ask for this scope alone
  kFresh,  // fetched for the rejected request itself: fetching again would only repeat it
};

class TokenCache {
 public:
  using FetchFn = std::function<Result<Token>()>;

  // Expiry and fetch times are read from `clock`, the one the tokens' `expires` is on.
  explicit TokenCache(Clock& clock = Clock::Real()) : clock_(clock) {}

  // The cached, unexpired token for `key`, or the outcome of `fetch` (run at most once at a
  // time per key).
  Result<std::string> Get(const TokenKey& key, const FetchFn& fetch);

  // The cached, unexpired token for `key`, without fetching or waiting; nullopt when none.
  std::optional<std::string> Peek(const TokenKey& key);

  // Stores `token` for `key` (a bulk token for each scope it covers), unless `key` already has
  // an unexpired token or a fetch under way, which stay.
  void Put(const TokenKey& key, Token token);

  // Forgets `key`'s token if it is still `rejected` (a registry 401'd it: expired early,
  // revoked, or a bulk token that does not cover `key` after all); a token another worker
  // already replaced stays. kFresh, forgetting nothing, when `rejected` was fetched for `key`
  // alone at or after `since` (the rejected request's start): a token that request itself
  // obtained, which fetching again would only repeat. A bulk token is always forgotten (kBulk).
  Rejection Invalidate(const TokenKey& key, const std::string& rejected, Clock::TimePoint since);

  // Forgets `key`'s token if it is still `rejected` and a bulk token; whether it did. For a
  // registry's 403, which to a token fetched for `key` alone is a final answer (denied).
  bool ForgetBulk(const TokenKey& key, const std::string& rejected);

 private:
  struct Entry {
    std::optional<Token> token;
    bool fetching = false;
    int generation = 0;                       // completed fetches
    std::optional<RegistryError> last_error;  // of the latest completed fetch
  };
  Clock& clock_;
  std::mutex mutex_;
  std::condition_variable fetched_;
  std::map<TokenKey, Entry> entries_;
};

}  // namespace imagepin::registry
