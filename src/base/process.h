// Running a program as a subprocess: argv as given (no shell, so nothing in an argument is ever
// interpreted), its output read in full up to a cap. For `git`, which imagepin asks about a
// repository's history and changed files; credential helpers have their own runner (registry),
// which bounds time on the registry's clock.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"

namespace imagepin::base {

struct ProcessOutput {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;  // at most 4 KiB: for an error message
};

// Runs argv[0] (searched in PATH) with stdin from /dev/null until it exits. Output beyond
// `max_output` bytes stops it (the process is killed) and is an error, as is a program that
// cannot be started (its name in the message).
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, size_t max_output);

}  // namespace imagepin::base
