// Writing findings in the format a user chose, for the commands that report findings (check,
// verify), with the same exit code rule: 1 when an unsuppressed error is among them.
#pragma once

#include <string>
#include <vector>

#include "policy/finding.h"
#include "report/report.h"

namespace imagepin::cli {

// Writes `findings` to standard output as text (coloured per `color`: auto/always/never), json,
// sarif or github. Returns the exit code: kExitOk, kExitFindings, or kExitRuntime when standard
// output cannot be written.
int WriteFindings(const std::string& format, const std::string& color,
                  const std::vector<policy::Finding>& findings, const report::RunSummary& summary);

}  // namespace imagepin::cli
