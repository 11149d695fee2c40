#include "registry/token_batches.h"

#include "registry/token_scopes.h"

namespace imagepin::registry {

void TokenBatches::Plan(const std::string& host, const std::vector<std::string>& scopes,
                        size_t max_count) {
  std::lock_guard lock(mutex_);
  Host& planned = hosts_[host];
  std::vector<std::string> fresh;
  std::set<std::string> seen;
  for (const std::string& scope : scopes) {
    if (planned.batch_of.contains(scope) || !seen.insert(scope).second) continue;
    fresh.push_back(scope);
  }
  if (fresh.size() < 2 || max_count < 2) return;
  for (std::vector<std::string>& scopes_of_batch : BatchScopes(fresh, max_count)) {
    size_t index = planned.batches.size();
    for (const std::string& scope : scopes_of_batch) planned.batch_of[scope] = index;
    Batch batch;
    batch.scopes = std::move(scopes_of_batch);
    planned.batches.push_back(std::move(batch));
  }
}

void TokenBatches::Fetch(const std::string& host, const std::string& scope, const FetchFn& fetch) {
  std::unique_lock lock(mutex_);
  auto host_it = hosts_.find(host);
  if (host_it == hosts_.end()) return;
  Host& planned = host_it->second;
  auto it = planned.batch_of.find(scope);
  if (it == planned.batch_of.end() || planned.excluded.contains(scope)) return;
  Batch& batch = planned.batches[it->second];  // stays put: a deque, a map
  while (batch.fetching) {
    // Rather than idle while another thread asks for this batch, ask for a later one nobody
    // has asked yet: the workers reach it soon, and the token requests then overlap instead
    // of queueing one batch after another. Only once the host granted a bulk request: the
    // first one tells whether its token server takes them at all.
    Batch* ahead = planned.bulk_granted && !planned.disabled ? NextUnasked(planned) : nullptr;
    if (ahead == nullptr) {
      done_.wait(lock);
      continue;
    }
    Run(lock, planned, *ahead, fetch);
  }
  if (planned.disabled) return;
  if (batch.asked && (!batch.serves_until || *batch.serves_until > clock_.Now())) return;
  Run(lock, planned, batch, fetch);
}

void TokenBatches::AskAhead(const std::string& host, const FetchFn& fetch) {
  std::unique_lock lock(mutex_);
  auto host_it = hosts_.find(host);
  if (host_it == hosts_.end()) return;
  Host& planned = host_it->second;
  // One thread at a time asks ahead, batch after batch: its token requests then overlap the
  // other workers' manifest requests, and a token server is not sent every batch at once.
  if (planned.asking_ahead) return;
  planned.asking_ahead = true;
  while (planned.bulk_granted && !planned.disabled) {
    Batch* next = NextUnasked(planned);
    if (next == nullptr) break;
    Run(lock, planned, *next, fetch);
  }
  planned.asking_ahead = false;
}

TokenBatches::Batch* TokenBatches::NextUnasked(Host& planned) {
  for (Batch& batch : planned.batches) {
    if (!batch.asked && !batch.fetching) return &batch;
  }
  return nullptr;
}

void TokenBatches::Run(std::unique_lock<std::mutex>& lock, Host& planned, Batch& batch,
                       const FetchFn& fetch) {
  std::vector<std::string> ask;
  for (const std::string& member : batch.scopes) {
    if (!planned.excluded.contains(member)) ask.push_back(member);
  }
  if (ask.empty()) {  // every scope asks alone: nothing to ask in bulk
    batch.asked = true;
    batch.serves_until.reset();
    return;
  }
  batch.fetching = true;
  lock.unlock();
  std::optional<Clock::TimePoint> serves_until = fetch(ask);
  lock.lock();
  batch.fetching = false;
  batch.asked = true;
  batch.serves_until = serves_until;
  if (serves_until) planned.bulk_granted = true;
  done_.notify_all();
}

void TokenBatches::Exclude(const std::string& host, const std::string& scope) {
  std::lock_guard lock(mutex_);
  hosts_[host].excluded.insert(scope);
}

void TokenBatches::Disable(const std::string& host) {
  std::lock_guard lock(mutex_);
  hosts_[host].disabled = true;
}

}  // namespace imagepin::registry
