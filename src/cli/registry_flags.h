// Flags every registry-talking command shares (resolve, bump, pin, verify, promote --verify),
// and how they combine with `.imagepin.yaml` (registries:) into the client's options.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "policy/config.h"
#include "registry/client.h"

namespace imagepin::cli {

struct RegistryFlags {
  std::string ca_file;
  std::vector<std::string> insecure_hosts;
  int timeout_seconds = 60;
  int retries = 4;
  unsigned concurrency = 8;
  bool quiet = false;
};

void AddRegistryFlags(CLI::App* cmd, RegistryFlags* flags);

registry::ClientOptions MakeClientOptions(const policy::Config& config, const RegistryFlags& flags);

// Resolves `refs` with a client made from the config and flags, drawing progress labelled
// `label` on standard error unless --quiet.
std::vector<registry::Result<registry::Manifest>> ResolveWithProgress(
    const policy::Config& config, const RegistryFlags& flags,
    const std::vector<ref::Reference>& refs, bool want_platforms, const char* label);

}  // namespace imagepin::cli
