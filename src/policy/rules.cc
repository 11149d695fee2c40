#include "policy/rules.h"

#include <array>
#include <string>

namespace imagepin::policy {
namespace {

constexpr std::array<RuleInfo, 17> kRules = {{
    {"IP000", "parse-error", Severity::kError,
     "A YAML file in scope does not parse, so its images cannot be checked."},
    {"IP001", "digest-required", Severity::kError,
     "An image reference is not pinned by digest (@sha256:...)."},
    {"IP002", "floating-tag", Severity::kError,
     "An image tag is neither a build SHA nor a semantic version, even if a digest is present."},
    {"IP003", "invalid-reference", Severity::kError,
     "An image reference does not parse, or its digest is malformed."},
    {"IP004", "first-party-split", Severity::kError,
     "A first-party image is set through repository/tag/digest fields instead of one image.ref."},
    {"IP005", "pull-policy", Severity::kError,
     "A container's image pull policy is missing or is not the required policy (IfNotPresent)."},
    {"IP006", "tag-carries-digest", Severity::kWarning,
     "A split image mapping puts the digest inside its tag field; use a digest field instead."},
    {"IP007", "exception-expired", Severity::kError,
     "An exception in .imagepin.yaml is past its expiry date."},
    {"IP008", "digest-not-found", Severity::kError,
     "A pinned digest does not exist in its registry (imagepin verify)."},
    {"IP009", "platforms-missing", Severity::kError,
     "A first-party image is not a multi-arch index with the required platforms (imagepin "
     "verify)."},
    {"IP010", "image-ref-missing", Severity::kError,
     "A first-party app deployed in an environment has no effective image.ref, which its chart "
     "requires."},
    {"IP011", "mixed-layers", Severity::kError,
     "A values layer changes an image's registry, repository or tag but inherits its digest from "
     "a lower layer, so the digest pins another image."},
    {"IP012", "chart-image-contract", Severity::kError,
     "A first-party chart's template renders a container image from something other than a "
     "required .Values…ref value."},
    {"IP013", "chart-pull-policy", Severity::kError,
     "A chart's template renders a container without imagePullPolicy: IfNotPresent, or reads it "
     "from a value that is not IfNotPresent."},
    {"IP014", "tag-in-labels", Severity::kError,
     "A values tag carries a digest and the chart puts that tag into labels, where '@' and ':' "
     "are invalid, so the release fails."},
    {"IP015", "tag-digest-mismatch", Severity::kError,
     "A reference's readable tag now names another digest than the one pinned beside it, or no "
     "longer exists (imagepin verify; a warning for third-party images)."},
    {"IP016", "hold-expired", Severity::kError,
     "A bump hold in .imagepin.yaml is past its until date, so it no longer holds."},
}};

}  // namespace

const char* SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::span<const RuleInfo> AllRules() { return kRules; }

const RuleInfo* FindRule(std::string_view id_or_name) {
  for (const RuleInfo& rule : kRules) {
    if (rule.id == id_or_name || rule.name == id_or_name) return &rule;
  }
  return nullptr;
}

Finding NewFinding(std::string_view id) {
  const RuleInfo* rule = FindRule(id);
  Finding f;
  f.rule_id = std::string(rule->id);
  f.rule_name = std::string(rule->name);
  f.severity = rule->severity;
  return f;
}

std::string RuleDocAnchor(const RuleInfo& rule) {
  std::string anchor = "docs/rules.md#";
  for (char c : rule.id) anchor += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  anchor += '-';
  anchor += rule.name;
  return anchor;
}

}  // namespace imagepin::policy
