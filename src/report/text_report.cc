// The text report: compiler-style diagnostics ("path:line:col: error: message [id name]") with
// a source snippet and caret, then suppressed findings, then a one-line summary. Baselined
// findings are only counted there: a repository adopting imagepin may baseline hundreds, and
// listing them would bury the one new finding a reader has to fix.
#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/display.h"
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

// A longer source line is shown as this many characters around the caret, between "…" marks, so
// that a 1 MB line prints as one screen line.
constexpr int kMaxShownChars = 200;
constexpr std::string_view kElided = "\u2026";
// Tabs in source lines are shown as they are (the caret prefix copies them).
constexpr std::string_view kKeepTabs = "\t";

std::string Paint(bool color, std::string_view style, std::string_view text) {
  if (!color) return std::string(text);
  return fmt::format("{}{}{}", style, text, kReset);
}

// "path:line:col", leaving out what is unknown (0), like base::Error::ToString.
std::string Location(const Finding& finding) {
  std::string location = Displayable(finding.path);
  if (finding.line > 0) {
    location += fmt::format(":{}", finding.line);
    if (finding.column > 0) location += fmt::format(":{}", finding.column);
  }
  return location;
}

// Messages are one line by contract, but an exception reason written as a YAML block scalar ("|")
// keeps its line breaks. Each run of line breaks becomes one space so every entry stays one line;
// other control characters (from file names and values) become visible escapes.
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
  return Displayable(out);
}

std::string RuleLabel(const Finding& finding) {
  return fmt::format("[{} {}]", finding.rule_id, finding.rule_name);
}

// A source line as the snippet shows it, and the whitespace that puts a caret under its 1-based
// `column`.
struct ShownLine {
  std::string text;
  std::string caret_prefix;
};

// Columns count code points (and each byte that is not UTF-8), as Finding::column does. A
// character shown as an escape ("\x1b") gets as many spaces as the escape is long; tabs are
// copied rather than replaced by a space so the caret lines up whatever the tab width. A line of
// more than kMaxShownChars characters is cut to that many around the caret.
ShownLine ShowLine(std::string_view line, int column) {
  int total = 0;
  for (std::string_view rest = line; !rest.empty(); ++total) {
    rest.remove_prefix(ShowChar(rest, kKeepTabs).source_bytes);
  }
  int caret = std::max(column - 1, 0);  // 0-based character index of the caret
  int first = 0, last = total;          // the characters shown: [first, last)
  if (total > kMaxShownChars) {
    first = std::clamp(caret - kMaxShownChars / 2, 0, total - kMaxShownChars);
    last = first + kMaxShownChars;
  }

  ShownLine shown;
  if (first > 0) {
    shown.text += kElided;
    shown.caret_prefix += ' ';
  }
  int index = 0;
  for (std::string_view rest = line; index < last; ++index) {
    ShownChar c = ShowChar(rest, kKeepTabs);
    rest.remove_prefix(c.source_bytes);
    if (index < first) continue;
    shown.text += c.text;
    if (index < caret) {
      shown.caret_prefix += c.is_tab ? std::string("\t") : std::string(c.width, ' ');
    }
  }
  if (last < total) shown.text += kElided;
  // A column past the end of the line (e.g. a missing value at end of line) still gets a caret.
  if (caret > total) shown.caret_prefix.append(static_cast<size_t>(caret - total), ' ');
  return shown;
}

void WriteSnippet(const Finding& finding, std::ostream& out) {
  std::string_view source = finding.source_line;
  if (!source.empty() && source.back() == '\r') source.remove_suffix(1);  // CRLF files
  std::string number = std::to_string(finding.line);
  int width = std::max<int>(kMinGutterWidth, static_cast<int>(number.size()));
  ShownLine shown = ShowLine(source, finding.column);
  out << fmt::format("{:>{}} | {}\n", number, width, shown.text);
  if (finding.column > 0) {
    out << fmt::format("{:>{}} | {}^\n", "", width, shown.caret_prefix);
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
  if (!suppression.expires.empty()) exception += ", expires " + Displayable(suppression.expires);
  std::string line = fmt::format("{}: suppressed: {} {} ({})", Location(finding),
                                 OneLine(finding.message), RuleLabel(finding), exception);
  out << Paint(color, kDim, line) << '\n';
}

// In the baseline (counted in the summary) or fixed since it (said on standard error).
bool Baselined(const Finding& finding) {
  return finding.baseline == policy::BaselineState::kUnchanged ||
         finding.baseline == policy::BaselineState::kAbsent;
}

}  // namespace

void WriteText(const std::vector<Finding>& findings, const RunSummary& summary,
               const ReportOptions& options, std::ostream& out) {
  // What needs fixing first; suppressed findings are a reminder, so they come after.
  for (const Finding& finding : findings) {
    if (!finding.suppression.has_value() && !Baselined(finding)) {
      WriteFinding(finding, options.color, out);
    }
  }
  for (const Finding& finding : findings) {
    if (finding.suppression.has_value() && !Baselined(finding)) {
      WriteSuppressed(finding, options.color, out);
    }
  }

  Counts counts = CountFindings(findings);
  std::string_view summary_style = counts.errors > 0     ? kRed
                                   : counts.warnings > 0 ? kYellow
                                                         : kGreen;
  out << Paint(options.color, summary_style, SummaryLine(counts, summary)) << '\n';
}

}  // namespace imagepin::report
