// A Transport for unit tests: a handler plays the registry (and the token server) and every
// request is recorded, so a test asserts what would have gone on the wire and in what order.
// The libcurl transport itself is tested against real servers (scripted_server_test_util.h,
// tests/registry/).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "registry/transport.h"

namespace imagepin::registry {

class FakeTransport final : public Transport {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  HttpResponse Perform(const HttpRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    return handler_(request);
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  Handler handler_;
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;
};

// A response with `status`, `headers` (lower-case names, as a Transport gives them) and `body`.
inline HttpResponse Answer(int status,
                           std::vector<std::pair<std::string, std::string>> headers = {},
                           std::string body = "") {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  response.body = std::move(body);
  return response;
}

// No response at all: refused, reset, timed out.
inline HttpResponse Failed(TransportFailure failure, std::string message = "scripted failure") {
  HttpResponse response;
  response.failure = failure;
  response.failure_message = std::move(message);
  return response;
}

// The value of `request`'s header `name` (any case), or empty.
inline std::string HeaderOf(const HttpRequest& request, std::string_view name) {
  for (const std::string& header : request.headers) {
    size_t colon = header.find(':');
    if (colon == std::string::npos) continue;
    if (!base::EqualsIgnoringCase(std::string_view(header).substr(0, colon), name)) continue;
    return std::string(base::TrimSpace(std::string_view(header).substr(colon + 1)));
  }
  return std::string();
}

}  // namespace imagepin::registry
