// Printing errors to standard error the way compilers do.
#pragma once

#include <span>

#include "base/diagnostic.h"
#include "base/result.h"
#include "policy/config.h"

namespace imagepin::cli {

// "path:line:col: error: message [rule]" (or note:), or "imagepin: error: message" when it is
// about no file. Control characters in the path and message are escaped.
void PrintDiagnostic(const base::Diagnostic& diagnostic);
void PrintDiagnostics(std::span<const base::Diagnostic> diagnostics);

// What the loaded config leaves unsaid and the user should know (no first-party prefix found),
// as "note: …" on stderr, once per run however often a command loads the config.
void PrintConfigNotes(const policy::Config& config);

// An error that stops a command, printed as a diagnostic.
void PrintError(const base::Error& error);

// The exit code for an error that stops a command: usage (2) when the user named something that
// is wrong or not there (an environment, a directory, a config value), runtime (3) otherwise.
int ExitCodeFor(const base::Error& error);

}  // namespace imagepin::cli
