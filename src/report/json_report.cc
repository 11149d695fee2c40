// The JSON report: one document, keys in a fixed order, described field by field in
// docs/json-schema.md. Bump kSchemaVersion on any change that is not a pure addition.
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "report/json_text.h"
#include "report/report.h"

namespace imagepin::report {
namespace {

using Json = nlohmann::ordered_json;  // ordered: keys come out in insertion order
using policy::Finding;

constexpr int kSchemaVersion = 1;

Json SuppressionJson(const Finding& finding) {
  if (!finding.suppression.has_value()) return nullptr;
  const policy::Suppression& suppression = *finding.suppression;
  Json out = Json::object();
  out["reason"] = JsonText(suppression.reason);
  out["expires"] = StringOrNull(suppression.expires);
  out["configPath"] = JsonText(suppression.config_path);
  out["configLine"] = suppression.config_line;
  return out;
}

// null without a baseline; "new" or "unchanged" with one.
Json BaselineStateJson(policy::BaselineState state) {
  switch (state) {
    case policy::BaselineState::kNew:
      return "new";
    case policy::BaselineState::kUnchanged:
      return "unchanged";
    default:
      return nullptr;
  }
}

Json FindingJson(const Finding& finding) {
  Json out = Json::object();
  out["ruleId"] = finding.rule_id;
  out["ruleName"] = finding.rule_name;
  out["severity"] = policy::SeverityName(finding.severity);
  out["message"] = JsonText(finding.message);
  SetPath(out, "path", finding.path);  // and "pathBytes" when the name is not UTF-8
  out["line"] = finding.line;
  out["column"] = finding.column;
  out["document"] = finding.document;
  out["keyPath"] = StringOrNull(finding.key_path);
  out["reference"] = StringOrNull(finding.reference);
  out["suppressed"] = finding.suppression.has_value();
  out["suppression"] = SuppressionJson(finding);
  out["baselineState"] = BaselineStateJson(finding.baseline);
  return out;
}

}  // namespace

void WriteJson(const std::vector<Finding>& findings, const RunSummary& summary, std::ostream& out) {
  Counts counts = CountFindings(findings);
  Json doc = Json::object();
  doc["tool"] = "imagepin";
  doc["version"] = summary.tool_version;
  doc["schemaVersion"] = kSchemaVersion;

  Json& totals = doc["summary"] = Json::object();
  totals["errors"] = counts.errors;
  totals["warnings"] = counts.warnings;
  totals["suppressed"] = counts.suppressed;
  totals["baselined"] = counts.baselined;
  // null when no baseline was given, so that 0 means "compared, nothing fixed".
  totals["fixedSinceBaseline"] = summary.baseline ? Json(summary.fixed_since_baseline) : Json();
  totals["filesScanned"] = summary.files_scanned;
  totals["templatesSkipped"] = summary.templates_skipped;
  totals["imageFields"] = summary.image_fields;
  totals["applications"] = summary.applications;
  totals["templatesAnalysed"] = summary.templates_analysed;
  totals["notAnalysable"] = summary.not_analysable;
  totals["elapsedSeconds"] = summary.elapsed_seconds;

  Json& list = doc["findings"] = Json::array();
  for (const Finding& finding : findings) {
    // Fixed since the baseline: counted in the summary, not a finding of this run.
    if (finding.baseline != policy::BaselineState::kAbsent) list.push_back(FindingJson(finding));
  }

  out << DumpJson(doc) << '\n';
}

}  // namespace imagepin::report
