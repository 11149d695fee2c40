// Which pull scopes are asked for together, per registry host, and whether each batch has been
// asked: the plan behind "one token for many repositories" (auth.h).
//
// Client::ResolveAll knows every repository it will pull from a host before the first request,
// so it Plans them: the scopes, in the order the workers take them, cut into batches
// (BatchScopes). The first worker whose scope has no token runs its batch's one token request;
// the others wait for it. Once the host has granted a bulk request (the first one tells whether
// its token server takes them at all), the worker that got it goes on to ask for the batches
// nobody has asked yet, one after another (AskAhead, after its request: the host's first
// request holds the other workers back), while the others send manifest requests; a worker
// that would wait for a batch in flight asks for the next unasked one instead of idling. So
// token requests overlap manifest requests rather than queue before them.
// A batch is asked once per token lifetime: after a failure never again
// (its scopes are asked for alone), and after its token expired once more. Never a loop: every
// path ends in one scope per request, which is what the client did before batches.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/clock.h"

namespace imagepin::registry {

class TokenBatches {
 public:
  explicit TokenBatches(Clock& clock) : clock_(clock) {}

  // Adds batches of at most `max_count` scopes for `host`'s scopes that are in no batch yet.
  // Fewer than two new scopes make no batch: one scope is one request either way.
  void Plan(const std::string& host, const std::vector<std::string>& scopes, size_t max_count);

  // Runs the bulk request. Given the batch's scopes still to ask for (never empty), it fetches
  // and stores one token for them and returns until when that token serves, or nullopt when
  // the request failed.
  using FetchFn = std::function<std::optional<Clock::TimePoint>(const std::vector<std::string>&)>;

  // For `scope` on `host`: runs `fetch` for its batch when that batch has not been asked yet
  // or its token has expired, and waits while another thread runs it. Does nothing when the
  // scope is in no batch, was Excluded, the host Disabled, or the batch's request failed.
  void Fetch(const std::string& host, const std::string& scope, const FetchFn& fetch);

  // `scope` is asked for alone from now on: its batch's token does not cover it (the access
  // claim says so, or the registry refused it).
  void Exclude(const std::string& host, const std::string& scope);

  // Once `host` granted a bulk request: asks for every batch nobody has asked yet, in order,
  // unless another thread already does so; returns at once otherwise. Called after a request
  // (Requester), never inside the host's first request, which the other workers wait for.
  void AskAhead(const std::string& host, const FetchFn& fetch);

  // No more bulk requests to `host`'s token server: it refused one (a 4xx). Every scope is
  // asked for alone from now on.
  void Disable(const std::string& host);

 private:
  struct Batch {
    std::vector<std::string> scopes;
    bool fetching = false;
    bool asked = false;
    std::optional<Clock::TimePoint> serves_until;  // nullopt once asked: the request failed
  };
  struct Host {
    std::deque<Batch> batches;  // a deque: a waiting thread holds a reference across Plan
    std::map<std::string, size_t> batch_of;  // scope → index in batches
    std::set<std::string> excluded;
    bool disabled = false;
    bool bulk_granted = false;  // a bulk request succeeded: later batches may be asked ahead
    bool asking_ahead = false;  // a thread is in AskAhead
  };

  // The first batch of `planned` neither asked nor being asked, or nullptr. Under mutex_.
  static Batch* NextUnasked(Host& planned);
  // Asks for `batch` (its scopes not excluded) with mutex_ released during `fetch`.
  void Run(std::unique_lock<std::mutex>& lock, Host& planned, Batch& batch, const FetchFn& fetch);

  Clock& clock_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::map<std::string, Host> hosts_;
};

}  // namespace imagepin::registry
