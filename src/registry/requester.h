// One request to a registry endpoint, with the scheme and the auth dance settled:
// picks https or (for loopback/insecure hosts whose server does not speak TLS) plain HTTP,
// sends with what earlier challenges taught, and answers 401s as auth.h says (at most three
// sends: a bulk token the registry refuses costs one more).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "registry/auth.h"
#include "registry/clock.h"
#include "registry/endpoint.h"
#include "registry/retry.h"
#include "registry/sender.h"
#include "registry/transport.h"

namespace imagepin::registry {

class Requester {
 public:
  // `clock` dates each request's start, which tells a token fetched for it from an older one.
  Requester(Sender& sender, Authenticator& authenticator, Clock& clock);

  // Sends `request` (method, headers, body cap; its url is ignored) to `path` on `endpoint`
  // for `repository`. Returns the final response, whatever its status, or an error (auth,
  // transport, retries spent; kUnauthorized when the retry with credentials met a 401 too).
  // Then, before returning, asks for token batches ahead (Authenticator::AskAhead), outside the
  // host's first-request lock: this caller's answer waits for them, the other workers do not.
  Result<HttpResponse> Request(const Endpoint& endpoint, const std::string& repository,
                               HttpRequest request, const std::string& path,
                               const Deadline& deadline, RequestKind kind);

 private:
  // Request without the first-request wait: auth header, send, answer each 401 (at most three
  // sends; a 403 to a bulk token counts as one).
  Result<HttpResponse> RequestWithAuth(const Endpoint& endpoint, const std::string& repository,
                                       HttpRequest request, const std::string& path,
                                       const Deadline& deadline, RequestKind kind);
  // "https", "http", or empty while a loopback/insecure host's scheme is not known yet.
  std::string KnownScheme(const Endpoint& endpoint);
  Result<HttpResponse> SendOnce(const Endpoint& endpoint, HttpRequest request,
                                const std::string& path, const Deadline& deadline,
                                RequestKind kind);

  // Held by the first request to a host until it has its answer (and, behind a 401, its
  // challenge and token), so that the other workers do not each meet their own 401. Empty once
  // the host has answered a request.
  std::unique_lock<std::mutex> FirstRequestLock(const std::string& host);

  Sender& sender_;
  Authenticator& authenticator_;
  Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, std::string> schemes_;                  // host → decided scheme
  std::map<std::string, std::unique_ptr<std::mutex>> probing_;  // host → held while deciding
  std::map<std::string, std::unique_ptr<std::mutex>> first_;  // host → held by its first request
  std::set<std::string> answered_;                            // hosts past their first request
};

}  // namespace imagepin::registry
