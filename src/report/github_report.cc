// The GitHub report: workflow commands that GitHub Actions turns into annotations on the pull
// request ("::error file=...,line=...,col=...,title=...::message"), then the plain summary line.
// Syntax: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
#include <fmt/format.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/display.h"
#include "report/report.h"

namespace imagepin::report {
namespace {

using policy::Finding;

// Percent-encodes each character of `text` that is in `special` ("%25", "%0A", ...).
std::string Escape(std::string_view text, std::string_view special) {
  std::string out;
  for (char c : text) {
    if (special.find(c) != std::string_view::npos) {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

// Escaping as in the Actions toolkit (packages/core/src/command.ts): the runner decodes these,
// and a raw line break would end the command. Message data (escapeData): '%', CR, LF. The runner
// decodes nothing else, so other control characters from files (an ESC would colour the log)
// are first written as visible escapes ("\x1b", display.h); line breaks in a message are kept,
// as the runner shows them as a multi-line annotation.
std::string EscapeData(std::string_view text) {
  return Escape(Displayable(text, /*keep=*/"\r\n"), "%\r\n");
}

// Property values (escapeProperty) also escape ':' and ',', which delimit the properties.
std::string EscapeProperty(std::string_view text) {
  return Escape(Displayable(text, /*keep=*/"\r\n"), "%\r\n:,");
}

// "file=...,line=...,col=...,title=..."; line and col only when known (0 means unknown).
std::string Properties(const Finding& finding, std::string_view title) {
  std::string out = "file=" + EscapeProperty(finding.path);
  if (finding.line > 0) {
    out += fmt::format(",line={}", finding.line);
    if (finding.column > 0) out += fmt::format(",col={}", finding.column);
  }
  out += ",title=" + EscapeProperty(title);
  return out;
}

// Baselined findings get no annotation: GitHub shows only the first few annotations of a step,
// so hundreds of accepted ones would hide the new one. The summary line counts them.
bool Baselined(const Finding& finding) {
  return finding.baseline == policy::BaselineState::kUnchanged ||
         finding.baseline == policy::BaselineState::kAbsent;
}

}  // namespace

void WriteGithub(const std::vector<Finding>& findings, const RunSummary& summary,
                 std::ostream& out) {
  for (const Finding& finding : findings) {
    if (finding.suppression.has_value() || Baselined(finding)) continue;
    const char* command = finding.severity == policy::Severity::kError ? "error" : "warning";
    std::string title = fmt::format("{} {}", finding.rule_id, finding.rule_name);
    out << fmt::format("::{} {}::{}\n", command, Properties(finding, title),
                       EscapeData(finding.message));
  }
  // Suppressed findings as notices, after the ones to fix (as in the text report), so reviewers
  // still see what an exception hides.
  for (const Finding& finding : findings) {
    if (!finding.suppression.has_value() || Baselined(finding)) continue;
    std::string title = fmt::format("{} {} (suppressed)", finding.rule_id, finding.rule_name);
    std::string message =
        fmt::format("{} \u2014 exception: {}", finding.message, finding.suppression->reason);
    out << fmt::format("::notice {}::{}\n", Properties(finding, title), EscapeData(message));
  }
  out << SummaryLine(CountFindings(findings), summary) << '\n';
}

}  // namespace imagepin::report
