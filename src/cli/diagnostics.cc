#include "cli/diagnostics.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "policy/first_party.h"
#include "report/display.h"

namespace imagepin::cli {

void PrintDiagnostic(const base::Diagnostic& d) {
  // Paths and messages can carry bytes from files and servers: escape control characters so
  // that nothing raw reaches the terminal.
  std::string where = "imagepin: ";
  if (!d.path.empty()) {
    where = base::MakeError(base::ErrorCode::kInternal, "", report::Displayable(d.path), d.pos)
                .ToString();  // "path:line:col: "
  }
  fmt::print(stderr, "{}{}: {}{}\n", where, d.severity == base::Severity::kNote ? "note" : "error",
             report::Displayable(d.message),
             d.rule.empty() ? std::string() : fmt::format(" [{}]", d.rule));
}

void PrintConfigNotes(const policy::Config& config) {
  static bool printed = false;
  std::string notice = policy::FirstPartyNotice(config);
  if (printed || notice.empty()) return;
  printed = true;
  fmt::print(stderr, "note: {}\n", report::Displayable(notice));
}

void PrintDiagnostics(std::span<const base::Diagnostic> diagnostics) {
  for (const base::Diagnostic& d : diagnostics) PrintDiagnostic(d);
}

void PrintError(const base::Error& error) { PrintDiagnostic(base::Diagnostic::From(error)); }

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
