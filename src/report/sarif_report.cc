// The SARIF 2.1.0 report (OASIS Static Analysis Results Interchange Format), for GitHub code
// scanning and other SARIF viewers. Section numbers (§) refer to the SARIF 2.1.0 specification;
// tests/data/sarif-schema-2.1.0.json is the official schema the tests validate against.
#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "policy/rules.h"
#include "report/json_text.h"
#include "report/report.h"

namespace imagepin::report {
namespace {

using Json = nlohmann::ordered_json;
using policy::Finding;

constexpr std::string_view kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kInformationUri = "https://github.com/imagepin/imagepin";
// Paths are relative to the repository root; GitHub code scanning resolves %SRCROOT%-relative
// URIs from the checkout. originalUriBaseIds (§3.14.14) is left out: it needs an absolute URI.
constexpr std::string_view kSrcRoot = "%SRCROOT%";
// Fingerprint names are versioned hierarchical strings, "name/vN" (§3.27.17, §3.5.4.2).
constexpr std::string_view kFingerprintKey = "imagepin/v1";

// 64-bit FNV-1a: tiny, and unlike std::hash its values are fixed, so fingerprints stay stable
// across compilers and releases.
constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

uint64_t Fnv1a(std::string_view data, uint64_t hash) {
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  return hash;
}

// Identifies the same problem across runs even when lines move (§3.27.17; GitHub code scanning
// uses partialFingerprints to match alerts between uploads): rule, file, document, YAML key path
// and reference, each followed by a NUL so ("ab", "c") and ("a", "bc") differ.
std::string Fingerprint(const Finding& finding) {
  std::string document = std::to_string(finding.document);
  uint64_t hash = kFnvOffsetBasis;
  for (std::string_view part : {std::string_view(finding.rule_id), std::string_view(finding.path),
                                std::string_view(finding.key_path), std::string_view(document),
                                std::string_view(finding.reference)}) {
    hash = Fnv1a(part, hash);
    hash = Fnv1a(std::string_view("\0", 1), hash);
  }
  return fmt::format("{:016x}", hash);
}

// artifactLocation.uri is a URI reference (§3.4.3, RFC 3986): percent-encode everything outside
// the unreserved set and '/', so paths with spaces, '%', '#', '?' or non-ASCII stay valid. ':' is
// encoded too, or "a:b.yaml" would read as scheme "a". Standard input has no path: "stdin".
std::string PathToUri(const std::string& path) {
  if (path == "-") return "stdin";
  std::string uri;
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    bool keep = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                byte == '~' || byte == '/';
    uri += keep ? std::string(1, c) : fmt::format("%{:02X}", byte);
  }
  return uri;
}

// A location in a file; the region (§3.30) only when the line is known, as startLine and
// startColumn must be >= 1.
Json PhysicalLocation(const std::string& path, int line, int column) {
  Json physical = Json::object();
  physical["artifactLocation"] = {{"uri", PathToUri(path)}, {"uriBaseId", kSrcRoot}};
  if (line > 0) {
    Json region = {{"startLine", line}};
    if (column > 0) region["startColumn"] = column;
    physical["region"] = region;
  }
  return {{"physicalLocation", physical}};
}

const char* Level(policy::Severity severity) {
  return severity == policy::Severity::kError ? "error" : "warning";  // §3.27.10
}

// reportingDescriptor objects (§3.49), one per rule, in AllRules() order so a result's ruleIndex
// (§3.27.6) is the rule's position in the catalogue.
Json RulesJson() {
  Json rules = Json::array();
  for (const policy::RuleInfo& rule : policy::AllRules()) {
    std::string summary(rule.summary);
    std::string anchor = policy::RuleDocAnchor(rule);
    Json descriptor = Json::object();
    descriptor["id"] = rule.id;
    descriptor["name"] = rule.name;
    descriptor["shortDescription"] = {{"text", summary}};
    descriptor["fullDescription"] = {{"text", summary}};
    descriptor["help"] = {
        {"text", fmt::format("{} See {} for an example and the fix.", summary, anchor)}};
    descriptor["defaultConfiguration"] = {{"level", Level(rule.severity)}};
    rules.push_back(std::move(descriptor));
  }
  return rules;
}

std::optional<int> RuleIndex(std::string_view rule_id) {
  auto rules = policy::AllRules();
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].id == rule_id) return static_cast<int>(i);
  }
  return std::nullopt;
}

// A suppression object (§3.35). kind "external": the exception lives in .imagepin.yaml, not in
// the analysed file (§3.35.2). status "accepted": an exception is in force once written.
Json SuppressionJson(const policy::Suppression& suppression) {
  Json out = Json::object();
  out["kind"] = "external";
  out["status"] = "accepted";
  out["justification"] = JsonText(suppression.reason);
  if (!suppression.config_path.empty()) {
    out["location"] =
        PhysicalLocation(suppression.config_path, suppression.config_line, /*column=*/0);
  }
  if (!suppression.expires.empty()) out["properties"] = {{"expires", suppression.expires}};
  return out;
}

// result.baselineState (§3.27.24), with a baseline only: "new" (not in the baseline),
// "unchanged" (in it), "absent" (in it, not found in this run: fixed). "updated" is not used:
// a baseline entry has no details that could change while its key stays the same.
const char* BaselineStateName(policy::BaselineState state) {
  switch (state) {
    case policy::BaselineState::kUnchanged:
      return "unchanged";
    case policy::BaselineState::kAbsent:
      return "absent";
    default:
      return "new";
  }
}

Json ResultJson(const Finding& finding, bool baseline) {
  Json result = Json::object();
  result["ruleId"] = finding.rule_id;
  if (std::optional<int> index = RuleIndex(finding.rule_id)) result["ruleIndex"] = *index;
  result["level"] = Level(finding.severity);
  result["message"] = {{"text", JsonText(finding.message)}};
  result["locations"] = Json::array({PhysicalLocation(finding.path, finding.line, finding.column)});
  // An absent result has no document index to hash, so no fingerprint that would match its
  // earlier results; it is left out rather than made up.
  if (finding.baseline != policy::BaselineState::kAbsent) {
    result["partialFingerprints"] = {{kFingerprintKey, Fingerprint(finding)}};
  }
  // §3.27.23: suppressions must be null on every result of a run or on none. imagepin checks every
  // finding against the exceptions, so each result carries the array: empty means "checked, not
  // suppressed", one entry means suppressed by an exception.
  Json suppressions = Json::array();
  if (finding.suppression.has_value()) {
    suppressions.push_back(SuppressionJson(*finding.suppression));
  }
  result["suppressions"] = suppressions;
  if (baseline) result["baselineState"] = BaselineStateName(finding.baseline);
  return result;
}

}  // namespace

void WriteSarif(const std::vector<Finding>& findings, const RunSummary& summary,
                std::ostream& out) {
  Json driver = Json::object();
  driver["name"] = "imagepin";
  driver["version"] = summary.tool_version;
  driver["informationUri"] = kInformationUri;
  driver["semanticVersion"] = summary.tool_version;
  driver["rules"] = RulesJson();

  Json results = Json::array();
  // With a baseline every result carries baselineState, the absent ones included.
  for (const Finding& finding : findings) results.push_back(ResultJson(finding, summary.baseline));

  Json run = Json::object();
  run["tool"] = {{"driver", driver}};
  // Findings are data, not failures: the run succeeded whatever it found (§3.20.14).
  run["invocations"] = Json::array({{{"executionSuccessful", true}}});
  run["columnKind"] = "unicodeCodePoints";  // Finding::column counts characters (§3.14.27)
  run["results"] = results;

  Json log = Json::object();
  log["$schema"] = kSchemaUri;
  log["version"] = "2.1.0";
  log["runs"] = Json::array({run});
  // URIs are percent-encoded byte by byte (lossless); invalid UTF-8 in messages becomes U+FFFD.
  out << DumpJson(log) << '\n';
}

}  // namespace imagepin::report
