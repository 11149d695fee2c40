// Retry arithmetic, kept pure for tests: the deadline, full-jitter backoff and Retry-After.
//
// Full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015): the n-th retry
// sleeps a uniformly random time in [0, min(max_backoff, initial_backoff * 2^n)). Spreading the
// whole interval stops concurrent workers that failed together from retrying together.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string_view>

#include "registry/client.h"
#include "registry/clock.h"

namespace imagepin::registry {

// When a Resolve/ResolveAll call must be finished by, on `clock`.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget, Clock& clock = Clock::Real())
      : clock_(&clock), at_(clock.Now() + budget) {}
  bool Passed() const { return clock_->Now() >= at_; }
  // What is left, never negative.
  std::chrono::milliseconds Remaining() const;
  // When it passes, on the same clock (for waits that are not HTTP requests: credential
  // helpers).
  Clock::TimePoint at() const { return at_; }

 private:
  Clock* clock_;
  Clock::TimePoint at_;
};

// The upper bound of the sleep before retry number `retry` (0 for the first retry).
std::chrono::milliseconds BackoffCap(int retry, const RetryPolicy& policy);

// The full-jitter sleep: `unit_random` in [0, 1) scales BackoffCap.
std::chrono::milliseconds FullJitterBackoff(int retry, const RetryPolicy& policy,
                                            double unit_random);

// Parses Retry-After (RFC 9110 section 10.2.3): delay-seconds, or an HTTP-date (all three
// formats, via curl_getdate) taken relative to `now`. A date in the past means zero.
// nullopt when unparseable.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::time_t now);

}  // namespace imagepin::registry
