// `imagepin check` with the application model: every file in scope judged on its own (as
// policy::RunCheck does), and every application judged on its merged values stack, in one pass
// over the files. An application's layers are scanned together by one worker and let go when
// its rules have run, so memory is one application's files per worker, not the repository's.
#pragma once

#include <vector>

#include "apps/application.h"
#include "apps/declared.h"
#include "base/diagnostic.h"
#include "base/result.h"
#include "policy/check.h"
#include "policy/config.h"

namespace imagepin::apps {

struct AppCheckResult {
  policy::CheckResult check;              // findings of both kinds, sorted, no duplicates
  int applications = 0;                   // (app, environment) pairs evaluated
  std::vector<base::Diagnostic> notices;  // discovery's notes (an app it cannot place)
};

// The Argo CD and Flux objects in the files of the configured scope (parsed again, documents
// kept, only where the scan saw such an object: FileScan::fields.application_objects), with the
// reader's notices.
std::vector<DeclaredApplication> ReadDeclaredApplications(const policy::Config& config,
                                                          const std::string& root,
                                                          std::vector<base::Diagnostic>* notices);

// The applications of the repository at `root`: discovery over its shared, environment and
// charts dirs and `declared` (ReadDeclaredApplications when null); notices go to `notices`.
std::vector<Application> FindApplications(
    const policy::Config& config, const std::string& root, std::vector<base::Diagnostic>* notices,
    const std::vector<DeclaredApplication>* declared = nullptr);

base::Result<AppCheckResult> RunCheck(const policy::Config& config,
                                      const policy::CheckRequest& request);

}  // namespace imagepin::apps
