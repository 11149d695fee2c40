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
      out->push_back(FindingAt(lookup, "IP009",
                               fmt::format("first-party image {}", lookup.platforms_missing)));
    }
  }
}

}  // namespace imagepin::policy
