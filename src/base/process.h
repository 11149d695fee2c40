// Running a program and reading what it prints, for loading that asks a tool: git, for
// rollback's history (plan/history.h) and check --changed-since's files (scan/changed.h). No shell:
// the arguments go to the program as they are, so nothing in them is expanded or split. Bounded:
// output past `max_output` and a run past `timeout` stop the program (its whole process group).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"

namespace imagepin::base {

struct ProcessOptions {
  size_t max_output = size_t{16} << 20;  // bytes of standard output kept (and of error, apiece)
  std::chrono::milliseconds timeout{30'000};
};

struct ProcessResult {
  int exit_code = -1;      // -1: killed by a signal, or stopped
  std::string out, err;    // standard output and error, each at most max_output bytes
  bool truncated = false;  // stopped: it printed more than max_output
  bool timed_out = false;  // stopped: it ran longer than timeout
};

// Runs argv[0], looked up in PATH, with standard input from /dev/null. An error (kNotFound when
// the program is not installed, kIo otherwise) only when it could not be started.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const ProcessOptions& options = {});

}  // namespace imagepin::base
