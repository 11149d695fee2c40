#include "cli/registry_flags.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

#include "cli/progress.h"
#include "cli/version.h"

namespace imagepin::cli {
namespace {

// --timeout takes any whole number of seconds from 1 up (what fits an int). CLI11's
// PositiveNumber said so by naming the range of a double: 309 digits, so it is spelled out here.
CLI::Validator WholeSecondsAtLeastOne() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        long long seconds = 0;
        auto [end, ec] = std::from_chars(input.data(), input.data() + input.size(), seconds);
        bool whole = ec == std::errc() && end == input.data() + input.size();
        if (whole && seconds >= 1 && seconds <= std::numeric_limits<int>::max()) return "";
        return fmt::format("must be a whole number of seconds from 1 to {}",
                           std::numeric_limits<int>::max());
      },
      "SECONDS>=1");
}

}  // namespace

void AddRegistryFlags(CLI::App* cmd, RegistryFlags* flags) {
  cmd->add_option("--ca-file", flags->ca_file, "PEM file of extra certificate authorities to trust")
      ->check(CLI::ExistingFile);
  cmd->add_option("--insecure-registry", flags->insecure_hosts,
                  "Registry host to reach over plain HTTP (loopback always may)")
      ->allow_extra_args(false);
  cmd->add_option("--timeout", flags->timeout_seconds,
                  "Seconds all registry requests of the run may take together")
      ->check(WholeSecondsAtLeastOne())
      ->capture_default_str();
  cmd->add_option("--retries", flags->retries,
                  "Attempts per request on temporary errors (429, 5xx, connection failures)")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  cmd->add_option("--concurrency", flags->concurrency, "Registry requests in flight at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress on standard error");
}

registry::ClientOptions MakeClientOptions(const policy::Config& config,
                                          const RegistryFlags& flags) {
  registry::ClientOptions options;
  options.ca_file = flags.ca_file;
  options.insecure_hosts = flags.insecure_hosts;
  for (const policy::RegistrySettings& r : config.registries) {
    if (r.insecure) options.insecure_hosts.push_back(r.host);
    if (!r.mirror.empty()) options.mirrors[r.host] = r.mirror;
  }
  options.retry.deadline = std::chrono::seconds(flags.timeout_seconds);
  options.retry.max_attempts = flags.retries;
  options.max_concurrency = flags.concurrency;
  options.user_agent = fmt::format("imagepin/{}", kVersion);
  return options;
}

std::vector<registry::Result<registry::Manifest>> ResolveWithProgress(
    const policy::Config& config, const RegistryFlags& flags,
    const std::vector<ref::Reference>& refs, bool want_platforms, const char* label) {
  if (refs.empty()) return {};
  registry::Client client(MakeClientOptions(config, flags));
  Progress progress(label, !flags.quiet);
  return client.ResolveAll(refs, want_platforms,
                           [&](size_t done, size_t total) { progress.Update(done, total); });
}

}  // namespace imagepin::cli
