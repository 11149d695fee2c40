// The baseline: findings a repository has accepted for now, so that `check --baseline FILE`
// fails only on new ones. Entries are keyed by path, rule, key path and reference, never by
// line, so edits elsewhere in a file keep them; identical keys are counted (a multiset), so a
// second copy of a baselined violation is new. Matching is pure; LoadBaseline reads the file and
// the CLI writes it (atomically, cmd_check.cc). The format is in docs/json-schema.md#baseline.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/finding.h"

namespace imagepin::policy {

struct BaselineEntry {
  std::string path;
  std::string rule_id;
  std::string key_path;
  std::string reference;
  int count = 1;  // identical findings accepted
};

// Sorted by (path, rule_id, key_path, reference), one entry per key.
struct Baseline {
  std::vector<BaselineEntry> entries;
};

struct BaselineMatch {
  std::vector<BaselineState> states;  // one per finding, in the findings' order
  std::vector<BaselineEntry> absent;  // entries (count = how many) no finding matched
  int new_count = 0;
  int unchanged_count = 0;
  int absent_count = 0;  // sum of absent[].count
};

// Matches findings against the baseline: per key, the first `count` findings (in the given,
// sorted order) are unchanged, any more are new; what is left of an entry is absent. A finding
// CanBaseline refuses is new and takes nothing from an entry.
BaselineMatch MatchBaseline(const std::vector<Finding>& findings, const Baseline& baseline);

// One kAbsent finding per absent entry (whatever its count, so that a hand-edited count cannot
// make millions): rule, path, key path and reference from the entry, no line, the rule's default
// severity, a message that says it was fixed. For the SARIF report's "absent" results.
std::vector<Finding> AbsentFindings(const BaselineMatch& match);

// True for findings a baseline may record. Suppressed findings are left out (an exception that
// expires must fail then, not fall back to the baseline), and so are IP000 (a file that cannot be
// read hides every image in it: baselining it would hide new violations in that file too) and
// IP007 (an exception's expiry is extended in .imagepin.yaml, where a reviewer sees the date).
bool CanBaseline(const Finding& finding);

// The baseline of every finding CanBaseline accepts.
Baseline BaselineOf(const std::vector<Finding>& findings);

// The file: JSON, sorted, one entry per line, so that it diffs well.
std::string SerializeBaseline(const Baseline& baseline);

// Parses a baseline file; `path` names it in errors (with line and column for invalid JSON).
base::Result<Baseline> ParseBaseline(std::string_view text, const std::string& path);

// Reads (at most kMaxBaselineBytes) and parses the file at `path`.
inline constexpr size_t kMaxBaselineBytes = size_t{64} << 20;
base::Result<Baseline> LoadBaseline(const std::string& path);

}  // namespace imagepin::policy
