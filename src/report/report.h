// Reports: the same findings as text, JSON, SARIF 2.1.0 or GitHub workflow annotations.
// Each writer prints every finding (suppressed ones included, marked as such) in the given order.
// With a baseline (check --baseline), findings carry a BaselineState: text and GitHub output leave
// out the unchanged (baselined) ones and count them in the summary; JSON and SARIF keep them,
// marked. kAbsent findings (fixed since the baseline, appended by the caller after the sorted
// findings) are SARIF "absent" results only.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "policy/finding.h"

namespace imagepin::report {

// What the run covered, for summaries.
struct RunSummary {
  std::string tool_version;   // e.g. "0.1.0"
  int files_scanned = 0;      // YAML files read and parsed (or attempted)
  int templates_skipped = 0;  // Helm templates recognised and not checked
  int image_fields = 0;       // image fields found
  double elapsed_seconds = 0;
  int applications = 0;          // (app, environment) pairs judged on their merged values
  int templates_analysed = 0;    // chart templates read statically
  int not_analysable = 0;        // places in them the analysis could not decide
  bool baseline = false;         // compared with a baseline (check --baseline)
  int fixed_since_baseline = 0;  // baseline entries (counted) that no finding matched
};

struct ReportOptions {
  bool color = false;  // ANSI colour in text output (only on a TTY, never with NO_COLOR)
};

// Counts by severity; a suppressed finding counts only as suppressed, and a baselined one
// (kUnchanged) only as baselined, whatever its severity. kAbsent findings are not counted.
struct Counts {
  int errors = 0;
  int warnings = 0;
  int suppressed = 0;
  int baselined = 0;
};
Counts CountFindings(const std::vector<policy::Finding>& findings);

// The one-line run summary shared by the text and GitHub reports (no colour, no line break), e.g.
// "imagepin: 3 errors, 1 warning, 2 suppressed, 5 baselined in 1329 files (29 templates skipped),
// 3433 images, 0.21s" or "imagepin: no findings in 1329 files, 3433 images, 0.21s".
std::string SummaryLine(const Counts& counts, const RunSummary& summary);

void WriteText(const std::vector<policy::Finding>& findings, const RunSummary& summary,
               const ReportOptions& options, std::ostream& out);
void WriteJson(const std::vector<policy::Finding>& findings, const RunSummary& summary,
               std::ostream& out);
void WriteSarif(const std::vector<policy::Finding>& findings, const RunSummary& summary,
                std::ostream& out);
void WriteGithub(const std::vector<policy::Finding>& findings, const RunSummary& summary,
                 std::ostream& out);

}  // namespace imagepin::report
