#include "registry/sender.h"

#include <fmt/format.h>

#include <ctime>

#include "registry/endpoint.h"
#include "registry/errors.h"
#include "registry/url.h"

namespace imagepin::registry {
namespace {

// How close to the deadline a timed-out request counts as having hit it (see Send).
constexpr std::chrono::milliseconds kDeadlineSlack{100};

// Registries redirect at most once or twice (to blob storage or a CDN); more than 5 hops is a
// loop or a misconfiguration.
constexpr int kMaxRedirects = 5;

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool IsTemporaryStatus(int status) { return IsTemporary(KindFor(status, "")); }

RegistryError DeadlineError(std::string_view during) {
  return RegistryError::DeadlinePassed(fmt::format("deadline passed {}", during));
}

}  // namespace

RegistryError TransportError(const HttpResponse& response) {
  std::string message = OneLine(response.failure_message);
  switch (response.failure) {
    case TransportFailure::kConnect:
    case TransportFailure::kTimeout:
      return RegistryError::Network(std::move(message), /*temporary=*/true);
    case TransportFailure::kTlsHandshake:
    case TransportFailure::kTlsVerify:
      return RegistryError::Tls(std::move(message));
    case TransportFailure::kTooLarge:
      return RegistryError::BadResponse(std::move(message));
    case TransportFailure::kOther:
    case TransportFailure::kNone:
      break;
  }
  return RegistryError::Network(std::move(message), /*temporary=*/false);
}

Sender::Sender(Transport& transport, const ClientOptions& options, Counters& counters, Clock& clock)
    : transport_(transport),
      options_(options),
      counters_(counters),
      clock_(clock),
      random_(std::random_device{}()) {}

double Sender::UnitRandom() {
  std::lock_guard lock(random_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

Result<HttpResponse> Sender::Send(HttpRequest request, const Deadline& deadline, RequestKind kind,
                                  TransportFailure* last_failure) {
  const RetryPolicy& policy = options_.retry;
  int redirects = 0;
  int attempt = 0;
  while (true) {
    if (deadline.Passed()) return DeadlineError("before the request was sent");
    // Checked on every hop: a redirect brings a new URL of the server's choosing.
    if (!CanSend(request)) {
      return RegistryError::BadResponse(
          "refused to send a request whose URL or headers, taken from a server's answer, hold "
          "control characters or bytes that are not ASCII");
    }
    std::chrono::milliseconds left = deadline.Remaining();
    request.timeout = std::min<std::chrono::milliseconds>(policy.request_timeout, left);
    request.connect_timeout = std::min<std::chrono::milliseconds>(policy.connect_timeout, left);
    HttpResponse response = transport_.Perform(request);
    // A failed TLS handshake never carried the request, so it is not counted as one.
    bool sent = response.failure != TransportFailure::kTlsHandshake &&
                response.failure != TransportFailure::kTlsVerify;
    if (sent && kind == RequestKind::kManifest) ++counters_.manifest_requests;
    if (sent && kind == RequestKind::kToken) ++counters_.token_requests;
    counters_.connections += response.new_connections;
    if (response.http_version == 20) ++counters_.http2_responses;
    if (last_failure != nullptr) *last_failure = response.failure;

    RegistryError error;
    std::optional<std::chrono::seconds> retry_after;
    if (response.failure != TransportFailure::kNone) {
      // The request's own timeout is clipped to the deadline, and curl may fire it a few
      // milliseconds early: a timeout that leaves next to nothing of the deadline is the
      // deadline's doing, whatever the clock says.
      if (response.failure == TransportFailure::kTimeout &&
          (deadline.Passed() || deadline.Remaining() < kDeadlineSlack)) {
        return DeadlineError("waiting for the registry");
      }
      error = TransportError(response);
    } else if (IsRedirect(response.status) && !response.Header("location").empty()) {
      if (++redirects > kMaxRedirects) {
        return RegistryError::BadResponse(fmt::format("more than {} redirects", kMaxRedirects));
      }
      base::Result<UrlParts> from = ParseUrl(request.url);
      base::Result<UrlParts> to = ResolveRedirect(request.url, response.Header("location"));
      if (!from.ok() || !to.ok()) {
        return RegistryError::BadResponse("redirect to a malformed location");
      }
      if (to->scheme == "http" && !PlainHttpAllowed(to->host_port, options_)) {
        return RegistryError::InsecureRefused(
            fmt::format("redirect to plain HTTP at {} refused", to->host_port));
      }
      if (!SameOrigin(*from, *to)) SetAuthorization(request, "");
      if (response.status == 303 && request.method != "HEAD") request.method = "GET";
      request.url = to->url;
      continue;  // a redirect is not a retry
    } else if (IsTemporaryStatus(response.status)) {
      error = ErrorFromResponse(response.status, response.body, "");
      retry_after = ParseRetryAfter(response.Header("retry-after"), std::time(nullptr));
    } else {
      return response;
    }

    if (!error.temporary) return error;
    if (++attempt >= policy.max_attempts) {
      error.message += fmt::format(" (after {} attempts)", attempt);
      return error;
    }
    std::chrono::milliseconds delay = FullJitterBackoff(attempt - 1, policy, UnitRandom());
    if (retry_after) {
      if (*retry_after > policy.max_retry_after) {
        error.message += fmt::format(" (Retry-After {}s is over the {}s limit)",
                                     retry_after->count(), policy.max_retry_after.count());
        return error;
      }
      delay = *retry_after;
    }
    if (delay >= deadline.Remaining()) {
      error.message += " (no time left before the deadline to retry)";
      return error;
    }
    ++counters_.retries;
    clock_.SleepFor(delay);
  }
}

}  // namespace imagepin::registry
