#include "cli/diagnostics.h"

#include <fmt/format.h>

#include <cstdio>

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

}  // namespace imagepin::cli
