// `imagepin check` as a library call: choose the files, scan them in parallel, evaluate the
// rules per file, apply exceptions, and return the findings in stable order.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "policy/config.h"
#include "policy/finding.h"
#include "scan/file_list.h"
#include "scan/scanner.h"

namespace imagepin::policy {

struct CheckRequest {
  std::string root = ".";          // the repository root (where .imagepin.yaml is)
  std::vector<std::string> paths;  // explicit files/directories; empty: the configured scope
  bool read_stdin = false;         // check a rendered stream from standard input instead
  unsigned jobs = 0;               // worker threads; 0: one per hardware thread
  std::string today;               // YYYY-MM-DD for exception expiry; empty: today (UTC)
};

struct RunStats {
  int files_scanned = 0;
  int templates_skipped = 0;
  int image_fields = 0;
  int templates_analysed = 0;  // chart templates read statically (apps::RunCheck)
  int not_analysable = 0;      // places in them the analysis could not decide (notices)
};

struct CheckResult {
  std::vector<Finding> findings;  // sorted (SortFindings)
  RunStats stats;
};

// The files a command looks at: the explicit paths, or the configured scope below the root.
// Directories that cannot be listed are returned in `problems`.
base::Result<std::vector<scan::FileEntry>> SelectFiles(const Config& config,
                                                       const CheckRequest& request,
                                                       std::vector<base::Error>* problems);

base::Result<CheckResult> RunCheck(const Config& config, const CheckRequest& request);

// IP000 for a path the listing could not read (a directory, a link leaving the repository).
Finding ProblemFinding(const base::Error& error);

// What every command that reads the scope reports the way `check` does: IP000 for each listing
// problem and for each file (display path, scan) that could not be read or parsed.
void AppendUnreadable(const Config& config, const std::vector<base::Error>& listing_problems,
                      const std::vector<std::pair<std::string, const scan::FileScan*>>& files,
                      std::vector<Finding>* out);

}  // namespace imagepin::policy
