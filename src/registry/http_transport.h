// The real Transport (transport.h): one HTTP exchange at a time per caller, many callers at
// once, over one libcurl multi handle.
//
// A single transport thread drives a curl multi handle; Perform() queues a request, wakes the
// thread and blocks until the response is complete. The multi handle owns the connection
// cache, so every request of a Client reuses kept-alive connections, and HTTP/2 (offered over
// TLS via ALPN) multiplexes concurrent requests on one connection (CURLOPT_PIPEWAIT makes a new
// request wait for a connection being set up rather than open another).
//
// What a newcomer gets wrong: redirects are not followed here (CURLOPT_FOLLOWLOCATION off), so
// that the caller decides where credentials go; and header names are lower-cased because
// HTTP/2 sends them that way and HTTP/1.1 names are case-insensitive.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "registry/transport.h"

namespace imagepin::registry {

// The PEM trust store to use: curl's default bundle followed by `extra_ca_file`, because
// CURLOPT_CAINFO would replace the system store rather than add to it. An error names the file.
base::Result<std::string> BuildCaBundle(const std::string& extra_ca_file);

class HttpTransport final : public Transport {
 public:
  struct Options {
    std::string user_agent = "imagepin";
    std::string ca_bundle_pem;  // empty: curl's default trust store
  };
  explicit HttpTransport(Options options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sends `request` and waits for the whole response. Thread-safe.
  HttpResponse Perform(const HttpRequest& request) override;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace imagepin::registry
