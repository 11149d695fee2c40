#include "registry/http_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "base/files.h"
#include "base/strings.h"

namespace imagepin::registry {
namespace {

TransportFailure FailureFor(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportFailure::kNone;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportFailure::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFailure::kTlsHandshake;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
      return TransportFailure::kTlsVerify;
    default:
      return TransportFailure::kOther;
  }
}

// One request in flight: owned by the caller's stack frame in Perform(), filled in by the
// transport thread, handed back through `done`.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  curl_slist* header_list = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  bool too_large = false;
  std::promise<void> done;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->response.body.size() + bytes > transfer->request->max_body_bytes) {
    transfer->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();  // a new response (after 100 Continue, say)
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;  // the blank line that ends the block
  std::string name(base::TrimSpace(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  transfer->response.headers.emplace_back(std::move(name),
                                          std::string(base::TrimSpace(line.substr(colon + 1))));
  return bytes;
}

}  // namespace

base::Result<std::string> BuildCaBundle(const std::string& extra_ca_file) {
  // A trust store is a few hundred KiB; 16 MiB is far past any real one.
  constexpr size_t kMaxBundleBytes = size_t{16} << 20;
  std::string extra;
  if (base::Status read = base::ReadFileInto(extra_ca_file, kMaxBundleBytes, &extra); !read.ok()) {
    return read.error();
  }
  if (extra.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "no PEM certificate in the CA file",
                           extra_ca_file);
  }
  std::string bundle;
  CURL* probe = curl_easy_init();
  char* default_path = nullptr;
  if (probe != nullptr && curl_easy_getinfo(probe, CURLINFO_CAINFO, &default_path) == CURLE_OK &&
      default_path != nullptr) {
    // Without a readable system bundle the extra file is the whole store, which is what a
    // private-registry setup wants anyway.
    if (base::ReadFileInto(default_path, kMaxBundleBytes, &bundle).ok()) {
      bundle += "\n";
    } else {
      bundle.clear();
    }
  }
  if (probe != nullptr) curl_easy_cleanup(probe);
  return bundle + extra;
}

class HttpTransport::Loop {
 public:
  explicit Loop(Options options) : options_(std::move(options)) {
    static std::once_flag global_init;
    std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi_ = curl_multi_init();
    share_ = curl_share_init();
    // Only the transport thread touches the share, so it needs no lock callbacks.
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    thread_ = std::thread([this] { Run(); });
  }

  ~Loop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    curl_multi_cleanup(multi_);
    curl_share_cleanup(share_);
  }

  HttpResponse Perform(const HttpRequest& request) {
    Transfer transfer;
    transfer.request = &request;
    std::future<void> done = transfer.done.get_future();
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(&transfer);
    }
    curl_multi_wakeup(multi_);
    done.wait();
    return std::move(transfer.response);
  }

 private:
  void Run() {
    while (true) {
      std::deque<Transfer*> incoming;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        incoming.swap(queue_);
      }
      for (Transfer* transfer : incoming) Start(transfer);
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
        if (message->msg == CURLMSG_DONE) Finish(message->easy_handle, message->data.result);
      }
      // Wakes for socket activity, curl's own timers, or curl_multi_wakeup from Perform().
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  void Start(Transfer* transfer) {
    const HttpRequest& request = *transfer->request;
    CURL* easy = curl_easy_init();
    if (easy == nullptr) {
      transfer->response.failure = TransportFailure::kOther;
      transfer->response.failure_message = "curl_easy_init failed";
      transfer->done.set_value();
      return;
    }
    for (const std::string& header : request.headers) {
      transfer->header_list = curl_slist_append(transfer->header_list, header.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_SHARE, share_);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->header_list);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
    if (!options_.ca_bundle_pem.empty()) {
      curl_blob blob{const_cast<char*>(options_.ca_bundle_pem.data()),
                     options_.ca_bundle_pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (request.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    } else if (request.method != "GET") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_multi_add_handle(multi_, easy);
  }

  void Finish(CURL* easy, CURLcode result) {
    Transfer* transfer = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&transfer));
    HttpResponse& response = transfer->response;
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    response.new_connections = static_cast<int>(connects);
    long version = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    response.http_version = version == CURL_HTTP_VERSION_2_0   ? 20
                            : version == CURL_HTTP_VERSION_3   ? 30
                            : version == CURL_HTTP_VERSION_1_1 ? 11
                                                               : 0;
    if (result == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      response.status = static_cast<int>(status);
    } else {
      response.status = 0;
      response.failure = transfer->too_large ? TransportFailure::kTooLarge : FailureFor(result);
      response.failure_message = transfer->error_buffer[0] != '\0'
                                     ? std::string(transfer->error_buffer)
                                     : std::string(curl_easy_strerror(result));
      if (transfer->too_large) {
        response.failure_message =
            fmt::format("response body over {} bytes", transfer->request->max_body_bytes);
      }
    }
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(transfer->header_list);
    transfer->header_list = nullptr;
    transfer->done.set_value();
  }

  Options options_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::mutex mutex_;
  std::deque<Transfer*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

HttpTransport::HttpTransport(Options options) : loop_(std::make_unique<Loop>(std::move(options))) {}
HttpTransport::~HttpTransport() = default;

HttpResponse HttpTransport::Perform(const HttpRequest& request) { return loop_->Perform(request); }

}  // namespace imagepin::registry
