#include "cli/diagnostics.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"

namespace imagepin::cli {

void PrintError(const base::Error& error) {
  if (error.path.empty()) {
    fmt::print(stderr, "imagepin: error: {}\n", error.message);
    return;
  }
  base::Error located = error;
  located.message.clear();
  std::string where = located.ToString();  // "path:line:col: "
  fmt::print(stderr, "{}error: {}\n", where, error.message);
}

int ExitCodeFor(const base::Error& error) {
  switch (error.code) {
    case base::ErrorCode::kInvalidArgument:
    case base::ErrorCode::kNotFound:
    case base::ErrorCode::kConfig:
      return kExitUsage;
    default:
      return kExitRuntime;
  }
}

}  // namespace imagepin::cli
