#include "cli/diagnostics.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "report/display.h"

namespace imagepin::cli {

void PrintError(const base::Error& error) {
  // Paths and messages can carry bytes from files and servers: escape control characters so
  // that nothing raw reaches the terminal.
  if (error.path.empty()) {
    fmt::print(stderr, "imagepin: error: {}\n", report::Displayable(error.message));
    return;
  }
  base::Error located = error;
  located.message.clear();
  located.path = report::Displayable(error.path);
  std::string where = located.ToString();  // "path:line:col: "
  fmt::print(stderr, "{}error: {}\n", where, report::Displayable(error.message));
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
