// Whether to colour output: only on a terminal, never with NO_COLOR (https://no-color.org).
#pragma once

#include <string>

namespace imagepin::cli {

// `mode` is "auto", "always" or "never"; "auto" colours a TTY unless NO_COLOR is set or
// TERM=dumb.
bool UseColor(const std::string& mode, int fd);

}  // namespace imagepin::cli
