#include "policy/finding.h"

#include <algorithm>
#include <tuple>

namespace imagepin::policy {

void SortFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.line, a.column, a.rule_id) <
           std::tie(b.path, b.line, b.column, b.rule_id);
  });
}

}  // namespace imagepin::policy
