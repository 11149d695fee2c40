#include "registry/token_cache.h"

namespace imagepin::registry {

Result<std::string> TokenCache::Get(const TokenKey& key, const FetchFn& fetch) {
  std::unique_lock lock(mutex_);
  Entry& entry = entries_[key];  // std::map references stay valid across inserts
  if (entry.fetching) {
    int waiting_for = entry.generation + 1;
    fetched_.wait(lock, [&] { return entry.generation >= waiting_for; });
    if (entry.last_error) return *entry.last_error;
    if (entry.token) return entry.token->value;
  }
  if (entry.token && entry.token->expires > clock_.Now()) {
    return entry.token->value;
  }
  // A refusal (a wrong password, no pull rights) is this run's answer for the key: a worker
  // arriving after it is told the same rather than asking again. Only a temporary failure
  // (network, 5xx, 429) is worth another request.
  if (entry.last_error && !entry.last_error->temporary) return *entry.last_error;
  entry.fetching = true;
  lock.unlock();
  Result<Token> fetched = fetch();
  lock.lock();
  entry.fetching = false;
  ++entry.generation;
  if (fetched.ok()) {
    entry.token = fetched.value();
    entry.token->fetched = clock_.Now();
    entry.last_error.reset();
  } else {
    entry.token.reset();
    entry.last_error = fetched.error();
  }
  fetched_.notify_all();
  if (!fetched.ok()) return fetched.error();
  return fetched->value;
}

std::optional<std::string> TokenCache::Peek(const TokenKey& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.token) return std::nullopt;
  if (it->second.token->expires <= clock_.Now()) return std::nullopt;
  return it->second.token->value;
}

void TokenCache::Put(const TokenKey& key, Token token) {
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[key];
  if (entry.fetching) return;
  if (entry.token && entry.token->expires > clock_.Now()) return;
  token.fetched = clock_.Now();
  entry.token = std::move(token);
  entry.last_error.reset();
}

Rejection TokenCache::Invalidate(const TokenKey& key, const std::string& rejected,
                                 Clock::TimePoint since) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.token || it->second.token->value != rejected) {
    return Rejection::kStale;  // already gone or replaced: the next Get has something new
  }
  bool bulk = it->second.token->bulk;
  if (!bulk && it->second.token->fetched >= since) return Rejection::kFresh;
  it->second.token.reset();
  return bulk ? Rejection::kBulk : Rejection::kStale;
}

bool TokenCache::ForgetBulk(const TokenKey& key, const std::string& rejected) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.token || !it->second.token->bulk ||
      it->second.token->value != rejected) {
    return false;
  }
  it->second.token.reset();
  return true;
}

}  // namespace imagepin::registry
