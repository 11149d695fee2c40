// Printing errors to standard error the way compilers do.
#pragma once

#include "base/result.h"

namespace imagepin::cli {

// "path:line:col: error: message", or "imagepin: error: message" when the error has no file.
void PrintError(const base::Error& error);

// The exit code for an error that stops a command: usage (2) when the user named something that
// is wrong or not there (an environment, a directory, a config value), runtime (3) otherwise.
int ExitCodeFor(const base::Error& error);

}  // namespace imagepin::cli
