// One HTTP exchange: the request, the response or why none came, and the Transport interface
// that performs it. The seam between the registry client and the network: Sender drives a
// Transport, Client builds the libcurl one (http_transport.h) unless ClientOptions::transport
// supplies another, which is what unit tests do to script a registry without a socket.
//
// Header names in a response are lower-cased, because HTTP/2 sends them that way and HTTP/1.1
// names are case-insensitive. A Transport never follows redirects: Sender does, so that it
// decides where credentials go.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  std::string failure_message;  // the transport's words; it never repeats request headers
  int new_connections = 0;      // connections opened for this exchange
  int http_version = 0;         // 11 or 20 (or 30), 0 when unknown

  // The first value of header `name` (any case), or empty.
  std::string Header(std::string_view name) const;
  // All values of header `name` joined with ", " (RFC 9110 section 5.3).
  std::string JoinedHeader(std::string_view name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `request` and waits for the whole response, or for the failure that ended it.
  // Thread-safe: many workers perform requests at once.
  virtual HttpResponse Perform(const HttpRequest& request) = 0;
};

// Whether `text` holds only visible ASCII (no controls, spaces or bytes over 0x7e).
bool IsVisibleAscii(std::string_view text);

// Whether `request` can go on the wire as it is: a URL of visible ASCII, and header lines
// "Name: value" of printable ASCII (no CR, LF or other controls, which would end a header and
// start another). URLs and header values carry what servers sent (realms, Locations, tokens);
// a request that fails this is refused, never sent.
bool CanSend(const HttpRequest& request);

// Sets the request's Authorization header to `value`, or drops it when `value` is empty. The
// one place a request loses its credentials: a redirect to another origin, and every new
// attempt with other credentials. The name is matched in any case.
void SetAuthorization(HttpRequest& request, std::string_view value);

}  // namespace imagepin::registry
