// The text report: compiler-style diagnostics ("path:line:col: error: message [id name]") with
// a source snippet and caret, then suppressed findings, then a one-line summary.
#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"

namespace imagepin::report {
namespace {

using policy::Finding;

// SGR escape sequences (ECMA-48). Plain strings rather than fmt/color.h so the exact bytes are
// fixed here and in the tests, whatever the fmt version.
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kBoldRed = "\x1b[1;31m";
constexpr std::string_view kBoldYellow = "\x1b[1;33m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kReset = "\x1b[0m";

// The line number gutter is at least this wide, as in clang and gcc ("    5 | ").
constexpr int kMinGutterWidth = 5;

std::string Paint(bool color, std::string_view style, std::string_view text) {
  if (!color) return std::string(text);
  return fmt::format("{}{}{}", style, text, kReset);
}

// "path:line:col", leaving out what is unknown (0), like base::Error::ToString.
std::string Location(const Finding& finding) {
  std::string location = finding.path;
  if (finding.line > 0) {
    location += fmt::format(":{}", finding.line);
    if (finding.column > 0) location += fmt::format(":{}", finding.column);
  }
  return location;
}

// Messages are one line by contract, but an exception reason written as a YAML block scalar ("|")
// keeps its line breaks. Each run of line breaks becomes one space so every entry stays one line.
std::string OneLine(std::string_view text) {
  std::string out;
  bool in_break = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      in_break = true;
      continue;
    }
    if (in_break && !out.empty()) out += ' ';
    in_break = false;
    out += c;
  }
  return out;
}

std::string RuleLabel(const Finding& finding) {
  return fmt::format("[{} {}]", finding.rule_id, finding.rule_name);
}

// The whitespace that puts a caret under 1-based `column` of `line`. Columns count code points,
// so every UTF-8 lead byte (anything but a 10xxxxxx continuation byte) starts a new column. Tabs
// are copied rather than replaced by a space so the caret lines up whatever the tab width.
std::string CaretPrefix(std::string_view line, int column) {
  std::string prefix;
  int code_points = 0;
  for (char c : line) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    if (code_points == column - 1) break;
    prefix += c == '\t' ? '\t' : ' ';
    ++code_points;
  }
  // A column past the end of the line (e.g. a missing value at end of line) still gets a caret.
  if (code_points < column - 1) prefix.append(column - 1 - code_points, ' ');
  return prefix;
}

void WriteSnippet(const Finding& finding, std::ostream& out) {
  std::string_view source = finding.source_line;
  if (!source.empty() && source.back() == '\r') source.remove_suffix(1);  // CRLF files
  std::string number = std::to_string(finding.line);
  int width = std::max<int>(kMinGutterWidth, static_cast<int>(number.size()));
  out << fmt::format("{:>{}} | {}\n", number, width, source);
  if (finding.column > 0) {
    out << fmt::format("{:>{}} | {}^\n", "", width, CaretPrefix(source, finding.column));
  }
}

void WriteFinding(const Finding& finding, bool color, std::ostream& out) {
  bool error = finding.severity == policy::Severity::kError;
  out << Paint(color, kBold, Location(finding)) << ": "
      << Paint(color, error ? kBoldRed : kBoldYellow, policy::SeverityName(finding.severity))
      << ": " << OneLine(finding.message) << ' ' << RuleLabel(finding) << '\n';
  if (finding.line > 0 && !finding.source_line.empty()) WriteSnippet(finding, out);
}

void WriteSuppressed(const Finding& finding, bool color, std::ostream& out) {
  const policy::Suppression& suppression = *finding.suppression;
  std::string exception = "exception: " + OneLine(suppression.reason);
  if (!suppression.expires.empty()) exception += ", expires " + suppression.expires;
  std::string line = fmt::format("{}: suppressed: {} {} ({})", Location(finding),
                                 OneLine(finding.message), RuleLabel(finding), exception);
  out << Paint(color, kDim, line) << '\n';
}

}  // namespace

void WriteText(const std::vector<Finding>& findings, const RunSummary& summary,
               const ReportOptions& options, std::ostream& out) {
  // What needs fixing first; suppressed findings are a reminder, so they come after.
  for (const Finding& finding : findings) {
    if (!finding.suppression.has_value()) WriteFinding(finding, options.color, out);
  }
  for (const Finding& finding : findings) {
    if (finding.suppression.has_value()) WriteSuppressed(finding, options.color, out);
  }

  Counts counts = CountFindings(findings);
  std::string_view summary_style = counts.errors > 0     ? kRed
                                   : counts.warnings > 0 ? kYellow
                                                         : kGreen;
  out << Paint(options.color, summary_style, SummaryLine(counts, summary)) << '\n';
}

}  // namespace imagepin::report
