// Counting findings and the one-line run summary shared by the text and GitHub reports.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (moved here from format.h in fmt 11)

#include <string>
#include <vector>

#include "report/report.h"

namespace imagepin::report {
namespace {

// "1 error", "2 errors": English plurals of the nouns used here all take a plain "s".
std::string Plural(int n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace

Counts CountFindings(const std::vector<policy::Finding>& findings) {
  Counts counts;
  for (const policy::Finding& finding : findings) {
    // An exception moves a finding out of the severity counts: it no longer fails the run.
    if (finding.baseline == policy::BaselineState::kAbsent) continue;  // not a current finding
    if (finding.suppression.has_value()) {
      ++counts.suppressed;
    } else if (finding.baseline == policy::BaselineState::kUnchanged) {
      // Accepted by the baseline: like an exception, it no longer fails the run.
      ++counts.baselined;
    } else if (finding.severity == policy::Severity::kError) {
      ++counts.errors;
    } else {
      ++counts.warnings;
    }
  }
  return counts;
}

std::string SummaryLine(const Counts& counts, const RunSummary& summary) {
  // Zero counts are left out ("1 error in ...", not "1 error, 0 warnings, 0 suppressed in ...").
  std::vector<std::string> parts;
  if (counts.errors > 0) parts.push_back(Plural(counts.errors, "error"));
  if (counts.warnings > 0) parts.push_back(Plural(counts.warnings, "warning"));
  if (counts.suppressed > 0) parts.push_back(fmt::format("{} suppressed", counts.suppressed));
  if (counts.baselined > 0) parts.push_back(fmt::format("{} baselined", counts.baselined));

  std::string line = "imagepin: ";
  line += parts.empty() ? std::string("no findings") : fmt::format("{}", fmt::join(parts, ", "));
  line += " in " + Plural(summary.files_scanned, "file");
  if (summary.templates_skipped > 0) {
    line += fmt::format(" ({} skipped)", Plural(summary.templates_skipped, "template"));
  }
  line += ", " + Plural(summary.image_fields, "image");
  if (summary.applications > 0) line += ", " + Plural(summary.applications, "application");
  if (summary.templates_analysed > 0) {
    line += ", " + Plural(summary.templates_analysed, "template") + " analysed";
    if (summary.not_analysable > 0)
      line += fmt::format(" ({} not analysable)", summary.not_analysable);
  }
  line += fmt::format(", {:.2f}s", summary.elapsed_seconds);
  return line;
}

}  // namespace imagepin::report
