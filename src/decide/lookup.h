// How every command states a registry lookup that failed.
#pragma once

#include <string>

#include "registry/client.h"

namespace imagepin::decide {

// "ghcr.io/acme/api:main: not-found: manifest unknown (HTTP 404 MANIFEST_UNKNOWN)": one line,
// the kind first so scripts can match on it.
std::string DescribeFailure(const registry::RegistryError& error);

}  // namespace imagepin::decide
