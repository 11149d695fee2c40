#include "registry/requester.h"

namespace imagepin::registry {

Requester::Requester(Sender& sender, Authenticator& authenticator, Clock& clock)
    : sender_(sender), authenticator_(authenticator), clock_(clock) {}

std::string Requester::KnownScheme(const Endpoint& endpoint) {
  switch (endpoint.scheme) {
    case SchemePolicy::kHttps:
      return "https";
    case SchemePolicy::kHttp:
      return "http";
    case SchemePolicy::kHttpsThenHttp:
      break;
  }
  std::lock_guard lock(mutex_);
  auto it = schemes_.find(endpoint.host);
  return it == schemes_.end() ? std::string() : it->second;
}

Result<HttpResponse> Requester::SendOnce(const Endpoint& endpoint, HttpRequest request,
                                         const std::string& path, const Deadline& deadline,
                                         RequestKind kind) {
  std::string scheme = KnownScheme(endpoint);
  if (!scheme.empty()) {
    request.url = scheme + "://" + endpoint.host + path;
    return sender_.Send(std::move(request), deadline, kind);
  }
  // Undecided: the first request to this host tries https while the others wait for the
  // answer, so the probe happens once, not once per worker.
  std::mutex* probe = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto& slot = probing_[endpoint.host];
    if (!slot) slot = std::make_unique<std::mutex>();
    probe = slot.get();
  }
  std::lock_guard probe_lock(*probe);
  scheme = KnownScheme(endpoint);
  if (!scheme.empty()) {
    request.url = scheme + "://" + endpoint.host + path;
    return sender_.Send(std::move(request), deadline, kind);
  }
  TransportFailure failure = TransportFailure::kNone;
  HttpRequest over_tls = request;
  over_tls.url = "https://" + endpoint.host + path;
  Result<HttpResponse> response = sender_.Send(std::move(over_tls), deadline, kind, &failure);
  // Any response, or a certificate that failed to verify, shows the server speaks TLS; only a
  // failed handshake (a plain-HTTP server answering garbage) sends us to plain HTTP.
  std::string decided;
  if (response.ok() || failure == TransportFailure::kTlsVerify) decided = "https";
  if (!response.ok() && failure == TransportFailure::kTlsHandshake) decided = "http";
  if (!decided.empty()) {
    std::lock_guard lock(mutex_);
    schemes_[endpoint.host] = decided;
  }
  if (decided != "http") return response;
  request.url = "http://" + endpoint.host + path;
  return sender_.Send(std::move(request), deadline, kind);
}

std::unique_lock<std::mutex> Requester::FirstRequestLock(const std::string& host) {
  std::mutex* first = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (answered_.contains(host)) return {};
    auto& slot = first_[host];
    if (!slot) slot = std::make_unique<std::mutex>();
    first = slot.get();
  }
  std::unique_lock first_lock(*first);
  std::lock_guard lock(mutex_);
  if (answered_.contains(host)) return {};  // waited while another request got the answer
  return first_lock;
}

Result<HttpResponse> Requester::Request(const Endpoint& endpoint, const std::string& repository,
                                        HttpRequest request, const std::string& path,
                                        const Deadline& deadline, RequestKind kind) {
  std::unique_lock<std::mutex> first = FirstRequestLock(endpoint.host);
  Result<HttpResponse> response =
      RequestWithAuth(endpoint, repository, std::move(request), path, deadline, kind);
  if (first.owns_lock()) {
    std::lock_guard lock(mutex_);
    answered_.insert(endpoint.host);
  }
  if (first.owns_lock()) first.unlock();
  // Outside the first request's lock, which the other workers wait on: the token requests for
  // the batches ahead then overlap their manifest requests.
  authenticator_.AskAhead(endpoint, deadline);
  return response;
}

Result<HttpResponse> Requester::RequestWithAuth(const Endpoint& endpoint,
                                                const std::string& repository, HttpRequest request,
                                                const std::string& path, const Deadline& deadline,
                                                RequestKind kind) {
  Clock::TimePoint started = clock_.Now();
  Result<std::string> header = authenticator_.HeaderFor(endpoint, repository, deadline);
  if (!header.ok()) return header.error();
  // Each 401 is answered with something better or an error (auth.h), so this ends: nothing or
  // a cached token, then a fresh one; or a bulk token, then the repository's own. The third
  // send is only reached past a bulk token the registry refused.
  constexpr int kMaxSends = 3;
  for (int send = 1;; ++send) {
    SetAuthorization(request, header.value());
    Result<HttpResponse> response = SendOnce(endpoint, request, path, deadline, kind);
    if (response.ok() && response->status == 403 && send < kMaxSends) {
      // A 403 to a bulk token may only mean it lacks this repository: ask for it alone.
      if (std::optional<Result<std::string>> alone =
              authenticator_.AfterForbidden(endpoint, repository, header.value(), deadline)) {
        if (!alone->ok()) return alone->error();
        header = std::move(*alone);
        continue;
      }
    }
    if (!response.ok() || response->status != 401) return response;
    if (send == kMaxSends) {
      return authenticator_.Refused(endpoint, repository, *response, header.value(), deadline);
    }
    header =
        authenticator_.Answer(endpoint, repository, *response, header.value(), started, deadline);
    if (!header.ok()) return header.error();
  }
}

}  // namespace imagepin::registry
