#include "decide/lookup.h"

#include <fmt/format.h>

namespace imagepin::decide {

std::string DescribeFailure(const registry::RegistryError& error) {
  std::string line =
      fmt::format("{}: {}: {}", error.reference, registry::KindName(error.kind), error.message);
  if (error.http_status != 0) {
    line +=
        fmt::format(" (HTTP {}{}{})", error.http_status, error.code.empty() ? "" : " ", error.code);
  }
  return line;
}

}  // namespace imagepin::decide
