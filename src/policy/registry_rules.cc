#include "policy/registry_rules.h"

#include <fmt/format.h>

#include <tuple>

#include "policy/rules.h"

namespace imagepin::policy {
namespace {

Finding FindingAt(const PinLookup& lookup, std::string_view rule, std::string message) {
  Finding f = NewFinding(rule);
  const scan::ImageField& field = *lookup.field;
  f.message = std::move(message);
  f.path = lookup.path;
  std::tie(f.line, f.column) = scan::ReferencePosition(field);
  f.source_line = field.ref.present ? field.ref.source_line : field.source_line;
  f.key_path = field.key_path;
  f.document = field.document;
  f.reference = field.reference;
  return f;
}

}  // namespace

void EvaluatePinLookups(const std::vector<PinLookup>& lookups, std::vector<Finding>* out) {
  for (const PinLookup& lookup : lookups) {
    if (!lookup.found) {
      out->push_back(FindingAt(
          lookup, "IP008",
          fmt::format("digest {} does not exist in {}", lookup.digest, lookup.repository)));
    } else if (!lookup.platforms_missing.empty()) {
      out->push_back(
          FindingAt(lookup, "IP009",
                    fmt::format("{} image {}", lookup.first_party ? "first-party" : "third-party",
                                lookup.platforms_missing)));
    }
    if (lookup.tag_state == PinLookup::TagState::kMoved ||
        lookup.tag_state == PinLookup::TagState::kGone) {
      // Upstreams re-push version tags (a rebuilt 1.27 for a base-image CVE): the pin still
      // runs what was reviewed, so for a third-party image it is a warning.
      std::string whose = lookup.first_party ? "" : " (a third-party tag: upstreams re-push them)";
      std::string message =
          lookup.tag_state == PinLookup::TagState::kMoved
              ? fmt::format(
                    "tag \"{}\" of {} now names {}, not the pinned {}: the readable tag "
                    "says another build than the one that runs{}",
                    lookup.tag, lookup.repository, lookup.tag_digest, lookup.digest, whose)
              : fmt::format(
                    "tag \"{}\" of {} is gone from the registry: the readable tag names "
                    "no build, the pinned {} is unconfirmed by it{}",
                    lookup.tag, lookup.repository, lookup.digest, whose);
      Finding f = FindingAt(lookup, "IP015", std::move(message));
      if (!lookup.first_party) f.severity = Severity::kWarning;
      out->push_back(std::move(f));
    }
  }
}

}  // namespace imagepin::policy
