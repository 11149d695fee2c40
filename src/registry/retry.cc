#include "registry/retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "base/strings.h"

namespace imagepin::registry {

std::chrono::milliseconds Deadline::Remaining() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - clock_->Now());
  return std::max(left, std::chrono::milliseconds(0));
}

std::chrono::milliseconds BackoffCap(int retry, const RetryPolicy& policy) {
  // Doubling past 2^20 cannot matter (max_backoff is seconds), and keeps the shift defined.
  int exponent = std::clamp(retry, 0, 20);
  auto grown = policy.initial_backoff * (int64_t{1} << exponent);
  return std::min(grown, policy.max_backoff);
}

std::chrono::milliseconds FullJitterBackoff(int retry, const RetryPolicy& policy,
                                            double unit_random) {
  double unit = std::clamp(unit_random, 0.0, 1.0);
  auto cap = BackoffCap(retry, policy);
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(cap.count()) * unit));
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::time_t now) {
  value = base::TrimSpace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    // More than 9 digits is over 30 years: clamp rather than overflow; the caller's
    // max_retry_after turns it into a failure anyway.
    if (value.size() > 9) return std::chrono::seconds(999'999'999);
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  std::string text(value);
  std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return std::chrono::seconds(std::max<std::time_t>(0, when - now));
}

}  // namespace imagepin::registry
