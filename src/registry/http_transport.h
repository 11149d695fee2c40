// One HTTP exchange at a time per caller, many callers at once, over one libcurl multi handle.
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

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace imagepin::registry {

struct HttpRequest {
  std::string method = "GET";  // "GET", "HEAD" or "POST"
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; may hold secrets, never logged
  std::string body;                  // POST body (form encoded)
  size_t max_body_bytes = size_t{4} << 20;
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
};

// Why no complete response arrived.
enum class TransportFailure {
  kNone,
  kConnect,       // refused, reset, DNS, the peer closed mid-response: worth retrying
  kTimeout,       // the request's timeout passed
  kTlsHandshake,  // the TLS handshake failed (a plain-HTTP server answers this way)
  kTlsVerify,     // the certificate did not verify
  kTooLarge,      // the body passed max_body_bytes
  kOther,
};

struct HttpResponse {
  int status = 0;                                            // 0 when failure != kNone
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, in order
  std::string body;
  TransportFailure failure = TransportFailure::kNone;
  std::string failure_message;  // libcurl's words; it never repeats request headers
  int new_connections = 0;      // CURLINFO_NUM_CONNECTS
  int http_version = 0;         // 11 or 20 (or 30), 0 when unknown

  // The first value of header `name` (any case), or empty.
  std::string Header(std::string_view name) const;
  // All values of header `name` joined with ", " (RFC 9110 section 5.3).
  std::string JoinedHeader(std::string_view name) const;
};

// Whether `text` holds only visible ASCII (no controls, spaces or bytes over 0x7e).
bool IsVisibleAscii(std::string_view text);

// Whether `request` can go on the wire as it is: a URL of visible ASCII, and header lines
// "Name: value" of printable ASCII (no CR, LF or other controls, which would end a header and
// start another). URLs and header values carry what servers sent (realms, Locations, tokens);
// a request that fails this is refused, never sent.
bool CanSend(const HttpRequest& request);

// The PEM trust store to use: curl's default bundle followed by `extra_ca_file`, because
// CURLOPT_CAINFO would replace the system store rather than add to it. An error names the file.
base::Result<std::string> BuildCaBundle(const std::string& extra_ca_file);

class HttpTransport {
 public:
  struct Options {
    std::string user_agent = "imagepin";
    std::string ca_bundle_pem;  // empty: curl's default trust store
  };
  explicit HttpTransport(Options options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sends `request` and waits for the whole response. Thread-safe.
  HttpResponse Perform(const HttpRequest& request);

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace imagepin::registry
