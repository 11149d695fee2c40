// Finding: one policy violation (or warning) at one place in one file. Plain data; the rules
// produce findings, the reports print them. A violation is data, never an Error.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace imagepin::policy {

enum class Severity { kError, kWarning };

// "error" / "warning".
const char* SeverityName(Severity severity);

// The exception from .imagepin.yaml that suppressed a finding.
struct Suppression {
  std::string reason;
  std::string expires;      // YYYY-MM-DD, or empty when the exception never expires
  std::string config_path;  // where the exception is written, for reports
  int config_line = 0;
};

// A finding compared with a baseline (check --baseline; SARIF's result.baselineState, §3.27.24):
// kNone when there is no baseline; kNew: not in it (fails as usual); kUnchanged: recorded in it
// (does not fail); kAbsent: a baseline entry no current finding matched (fixed since: reported,
// never a failure; such a finding has no line).
enum class BaselineState { kNone, kNew, kUnchanged, kAbsent };

struct Finding {
  std::string rule_id;    // stable id, e.g. "IP001"
  std::string rule_name;  // e.g. "digest-required"
  Severity severity = Severity::kError;
  std::string message;  // one line, no trailing period

  std::string path;  // relative to the repository root, '/'-separated; "-" for standard input
  int line = 0;      // 1-based; 0 when the finding is about the whole file
  int column = 0;    // 1-based, in characters
  std::string source_line;  // the text of `line` (no line break), for the caret display

  std::string key_path;   // YAML path inside the document, e.g. "image.ref", may be empty
  int document = 0;       // 0-based index of the YAML document in the file
  std::string reference;  // the image reference the finding is about, may be empty

  std::optional<Suppression> suppression;  // set when an exception covers this finding
  BaselineState baseline = BaselineState::kNone;
};

// Orders findings by path, line, column, rule id: the stable order every report uses.
void SortFindings(std::vector<Finding>& findings);

}  // namespace imagepin::policy
