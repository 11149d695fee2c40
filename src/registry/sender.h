// Sending one logical request: retries on temporary failures, redirects, the deadline, counts.
//
// Retries (RetryPolicy): only temporary failures are retried (connection refused/reset,
// timeouts, 5xx, 408, 429), at most max_attempts in all, sleeping full-jitter backoff or the
// server's Retry-After (up to max_retry_after; a longer one fails at once). Nothing is retried
// past the deadline, and each attempt's timeout is cut to the time left.
//
// Redirects (3xx with Location) are followed here, up to kMaxRedirects, and the Authorization
// header goes along only when the target has the same origin (scheme, host, port): a registry
// that redirects to blob storage must not hand that storage our token. A redirect to plain
// HTTP is refused unless the target host is loopback or listed insecure.
//
// Both seams come in from the Client: the Transport that performs one exchange, and the Clock
// that retries sleep on and the deadline is read from.
#pragma once

#include <atomic>
#include <mutex>
#include <random>

#include "registry/client.h"
#include "registry/clock.h"
#include "registry/retry.h"
#include "registry/transport.h"

namespace imagepin::registry {

// Counters shared by everything a Client sends; read as ClientStats.
struct Counters {
  std::atomic<int> manifest_requests{0};
  std::atomic<int> token_requests{0};
  std::atomic<int> retries{0};
  std::atomic<int> connections{0};
  std::atomic<int> http2_responses{0};
};

enum class RequestKind { kManifest, kToken, kOther };

// The RegistryError for a transport failure (no HTTP response).
RegistryError TransportError(const HttpResponse& response);

class Sender {
 public:
  Sender(Transport& transport, const ClientOptions& options, Counters& counters, Clock& clock);

  // Sends `request` until it gets a response that is not a temporary failure, and returns
  // it (whatever its status: 401 and 404 are for the caller). An error when attempts, time or
  // redirects run out, or the transport fails for good. `last_failure`, when given, receives
  // the transport failure of the last attempt (kNone when a response arrived).
  Result<HttpResponse> Send(HttpRequest request, const Deadline& deadline, RequestKind kind,
                            TransportFailure* last_failure = nullptr);

 private:
  double UnitRandom();

  Transport& transport_;
  const ClientOptions& options_;
  Counters& counters_;
  Clock& clock_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

}  // namespace imagepin::registry
