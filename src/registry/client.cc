#include "registry/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "registry/auth.h"
#include "registry/clock.h"
#include "registry/endpoint.h"
#include "registry/errors.h"
#include "registry/http_transport.h"
#include "registry/redact.h"
#include "registry/requester.h"
#include "registry/resolver.h"
#include "registry/sender.h"

namespace imagepin::registry {
namespace {

// What identifies a resolution: the repository and the tag (":latest" when none) or digest
// (which wins over a tag, as it does for a pull).
std::string ResolutionKey(const ref::Reference& reference) {
  std::string key = reference.domain + "/" + reference.path;
  if (reference.has_digest()) return key + "@" + reference.digest;
  return key + ":" + (reference.has_tag() ? reference.tag : std::string("latest"));
}

}  // namespace

class Client::Impl {
 public:
  explicit Impl(ClientOptions options)
      : options_(std::move(options)), clock_(options_.clock ? *options_.clock : Clock::Real()) {
    if (!options_.credentials) {
      options_.credentials =
          std::make_shared<CredentialStore>(CredentialSources::FromEnvironment(), clock_);
    }
    if (!options_.transport) options_.transport = MakeHttpTransport();
    sender_ = std::make_unique<Sender>(*options_.transport, options_, counters_, clock_);
    authenticator_ =
        std::make_unique<Authenticator>(options_.credentials, options_, *sender_, secrets_, clock_);
    requester_ = std::make_unique<Requester>(*sender_, *authenticator_, clock_);
  }

  // A deadline on this Client's clock.
  Deadline StartDeadline() { return Deadline(options_.retry.deadline, clock_); }

  Result<Manifest> Resolve(const ref::Reference& reference, bool want_platforms,
                           const Deadline& deadline) {
    std::string key = ResolutionKey(reference);
    {
      std::lock_guard lock(cache_mutex_);
      // A result with platforms answers a question without them too.
      for (bool with : {true, want_platforms}) {
        auto it = cache_.find({key, with});
        if (it != cache_.end()) return it->second;
      }
    }
    Result<Manifest> result = ResolveUncached(reference, want_platforms, deadline);
    // A deadline belongs to one call; everything else (retries already spent) is the answer
    // for the life of this Client.
    if (result.ok() || result.error().kind != ErrorKind::kDeadline) {
      std::lock_guard lock(cache_mutex_);
      cache_.insert_or_assign({key, want_platforms}, result);
    }
    return result;
  }

  std::vector<Result<Manifest>> ResolveAll(const std::vector<ref::Reference>& references,
                                           bool want_platforms, const ProgressFn& progress) {
    // Distinct resolutions, each with the input positions it answers.
    std::vector<size_t> first_of;                // job → input index
    std::vector<std::vector<size_t>> positions;  // job → input indexes
    std::map<std::string, size_t> job_of;
    for (size_t i = 0; i < references.size(); ++i) {
      auto [it, inserted] = job_of.emplace(ResolutionKey(references[i]), first_of.size());
      if (inserted) {
        first_of.push_back(i);
        positions.emplace_back();
      }
      positions[it->second].push_back(i);
    }
    ExpectRepositories(references, first_of);
    Deadline deadline = StartDeadline();
    std::vector<std::optional<Result<Manifest>>> answers(first_of.size());
    std::mutex mutex;
    std::condition_variable changed;
    size_t done = 0;
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t job = next++; job < first_of.size(); job = next++) {
        Result<Manifest> result = Resolve(references[first_of[job]], want_platforms, deadline);
        std::lock_guard lock(mutex);
        answers[job] = std::move(result);
        done += positions[job].size();
        changed.notify_all();
      }
    };
    size_t workers = std::min<size_t>(std::max(options_.max_concurrency, 1u), first_of.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < workers; ++i) threads.emplace_back(work);
    // Progress is reported from the caller's thread, so callers need no locking.
    size_t reported = 0;
    while (reported < references.size()) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return done > reported; });
      reported = done;
      lock.unlock();
      if (progress) progress(reported, references.size());
    }
    for (std::thread& thread : threads) thread.join();

    std::vector<std::optional<Result<Manifest>>> out(references.size());
    for (size_t job = 0; job < first_of.size(); ++job) {
      for (size_t index : positions[job]) out[index] = *answers[job];
    }
    std::vector<Result<Manifest>> results;
    results.reserve(references.size());
    for (auto& slot : out) results.push_back(std::move(*slot));
    return results;
  }

  ClientStats Stats() const {
    ClientStats stats;
    stats.manifest_requests = counters_.manifest_requests.load();
    stats.token_requests = counters_.token_requests.load();
    stats.retries = counters_.retries.load();
    stats.connections = counters_.connections.load();
    stats.http2_responses = counters_.http2_responses.load();
    return stats;
  }

 private:
  // Tells the authenticator which repositories each endpoint host will be asked for, in the
  // order the workers take them, so that their tokens can be fetched in batches.
  void ExpectRepositories(const std::vector<ref::Reference>& references,
                          const std::vector<size_t>& first_of) {
    std::map<std::string, std::vector<std::string>> by_host;
    for (size_t index : first_of) {
      const ref::Reference& reference = references[index];
      Result<Endpoint> endpoint = SelectEndpoint(reference.domain, options_);
      if (endpoint.ok()) by_host[endpoint->host].push_back(reference.path);
    }
    for (const auto& [host, repositories] : by_host) {
      authenticator_->ExpectRepositories(host, repositories);
    }
  }

  // The libcurl transport with the options' user agent and trust store. An unreadable ca_file
  // is kept as setup_error_, every resolution's answer.
  std::shared_ptr<Transport> MakeHttpTransport() {
    HttpTransport::Options transport_options;
    transport_options.user_agent = options_.user_agent;
    if (!options_.ca_file.empty()) {
      base::Result<std::string> bundle = BuildCaBundle(options_.ca_file);
      if (bundle.ok()) {
        transport_options.ca_bundle_pem = std::move(bundle.value());
      } else {
        setup_error_ = RegistryError::Tls("reading the CA file: " + bundle.error().ToString());
      }
    }
    return std::make_shared<HttpTransport>(std::move(transport_options));
  }

  Result<Manifest> ResolveUncached(const ref::Reference& reference, bool want_platforms,
                                   const Deadline& deadline) {
    Result<Manifest> result =
        setup_error_ ? Result<Manifest>(*setup_error_)
                     : ResolveManifest(*requester_, options_, reference, want_platforms, deadline);
    if (result.ok()) return result;
    RegistryError error = result.error();
    error.reference = reference.Short();
    // The one way out for every error, whichever layer made it: secrets are redacted here.
    secrets_.Scrub(error);
    return error;
  }

  ClientOptions options_;  // first: its transport and clock outlive all that use them
  Clock& clock_;
  Counters counters_;
  SecretList secrets_;  // before authenticator_, which adds to it
  std::optional<RegistryError> setup_error_;
  std::unique_ptr<Sender> sender_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<Requester> requester_;
  std::mutex cache_mutex_;
  std::map<std::pair<std::string, bool>, Result<Manifest>> cache_;
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

Result<Manifest> Client::Resolve(const ref::Reference& reference, bool want_platforms) {
  return impl_->Resolve(reference, want_platforms, impl_->StartDeadline());
}

std::vector<Result<Manifest>> Client::ResolveAll(const std::vector<ref::Reference>& references,
                                                 bool want_platforms, const ProgressFn& progress) {
  return impl_->ResolveAll(references, want_platforms, progress);
}

ClientStats Client::stats() const { return impl_->Stats(); }

}  // namespace imagepin::registry
