// Turns one file's image fields into findings: the rules IP000-IP006 (IP007 lives with the
// exceptions, which it is about). Pure: no I/O, safe to call from many threads.
#pragma once

#include <string>
#include <vector>

#include "policy/config.h"
#include "policy/finding.h"
#include "policy/first_party.h"  // IsFirstParty, which the rules and planners ask
#include "scan/scanner.h"

namespace imagepin::policy {

// Appends the findings for `scan` of the file displayed as `path`.
void EvaluateFile(const Config& config, const std::string& path, const scan::FileScan& scan,
                  std::vector<Finding>* out);

}  // namespace imagepin::policy
