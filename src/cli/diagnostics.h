// Printing errors to standard error the way compilers do.
#pragma once

#include "base/result.h"

namespace imagepin::cli {

// "path:line:col: error: message", or "imagepin: error: message" when the error has no file.
void PrintError(const base::Error& error);

}  // namespace imagepin::cli
