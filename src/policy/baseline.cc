#include "policy/baseline.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "base/files.h"
#include "base/utf8.h"
#include "policy/rules.h"

namespace imagepin::policy {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kBaselineVersion = 1;
// A count past this is not a real repository's; it keeps sums far from overflow.
constexpr int kMaxCount = 1'000'000'000;

// Keys are compared as the file stores them: JSON holds only UTF-8, so invalid bytes in a path
// become U+FFFD on both sides.
using Key = std::tuple<std::string, std::string, std::string, std::string>;

Key KeyOf(const Finding& f) {
  return {base::ReplaceInvalidUtf8(f.path), f.rule_id, base::ReplaceInvalidUtf8(f.key_path),
          base::ReplaceInvalidUtf8(f.reference)};
}

Key KeyOf(const BaselineEntry& e) { return {e.path, e.rule_id, e.key_path, e.reference}; }

// 1-based line and column of byte `offset` (columns in bytes: nlohmann counts bytes).
base::SourcePos PosAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  base::SourcePos pos{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

base::Error Invalid(const std::string& path, std::string message) {
  return base::MakeError(base::ErrorCode::kConfig, "invalid baseline: " + std::move(message), path);
}

}  // namespace

BaselineMatch MatchBaseline(const std::vector<Finding>& findings, const Baseline& baseline) {
  std::map<Key, int> left;  // what each key still accepts
  for (const BaselineEntry& entry : baseline.entries) left[KeyOf(entry)] += entry.count;
  BaselineMatch match;
  match.states.reserve(findings.size());
  for (const Finding& finding : findings) {
    // Not recordable, so never recorded: a hand-written entry for one must not hide it.
    auto it = CanBaseline(finding) ? left.find(KeyOf(finding)) : left.end();
    if (it != left.end() && it->second > 0) {
      --it->second;
      match.states.push_back(BaselineState::kUnchanged);
      ++match.unchanged_count;
    } else {
      match.states.push_back(BaselineState::kNew);
      ++match.new_count;
    }
  }
  for (const auto& [key, count] : left) {
    if (count <= 0) continue;
    const auto& [path, rule_id, key_path, reference] = key;
    match.absent.push_back({path, rule_id, key_path, reference, count});
    match.absent_count += count;
  }
  return match;
}

std::vector<Finding> AbsentFindings(const BaselineMatch& match) {
  std::vector<Finding> out;
  out.reserve(match.absent.size());
  for (const BaselineEntry& entry : match.absent) {
    Finding f;
    if (const RuleInfo* rule = FindRule(entry.rule_id);
        rule != nullptr && rule->id == entry.rule_id) {
      f = NewFinding(rule->id);
    } else {
      f.rule_id = entry.rule_id;  // a rule this imagepin does not know (renamed, or newer)
      f.severity = Severity::kWarning;
    }
    f.path = entry.path;
    f.key_path = entry.key_path;
    f.reference = entry.reference;
    std::string what = entry.key_path.empty() ? std::string("this file") : entry.key_path;
    if (!entry.reference.empty()) what += " (" + entry.reference + ")";
    f.message = entry.count == 1
                    ? fmt::format("fixed since the baseline: {}", what)
                    : fmt::format("fixed since the baseline: {}, {} times", what, entry.count);
    f.baseline = BaselineState::kAbsent;
    out.push_back(std::move(f));
  }
  return out;
}

bool CanBaseline(const Finding& finding) {
  return !finding.suppression.has_value() && finding.rule_id != "IP000" &&
         finding.rule_id != "IP007";
}

Baseline BaselineOf(const std::vector<Finding>& findings) {
  std::map<Key, int> counts;
  for (const Finding& finding : findings) {
    if (CanBaseline(finding)) ++counts[KeyOf(finding)];
  }
  Baseline baseline;
  for (const auto& [key, count] : counts) {
    const auto& [path, rule_id, key_path, reference] = key;
    baseline.entries.push_back({path, rule_id, key_path, reference, count});
  }
  return baseline;
}

std::string SerializeBaseline(const Baseline& baseline) {
  // Written by hand around compact entries: one line per entry, so that a fixed finding is a
  // one-line deletion in `git diff`.
  std::string out = fmt::format(
      "{{\n  \"tool\": \"imagepin\",\n  \"version\": {},\n  \"findings\": [", kBaselineVersion);
  bool first = true;
  for (const BaselineEntry& entry : baseline.entries) {
    Json line = Json::object();
    line["path"] = entry.path;
    line["ruleId"] = entry.rule_id;
    line["keyPath"] = entry.key_path;
    line["reference"] = entry.reference;
    line["count"] = entry.count;
    out += first ? "\n    " : ",\n    ";
    out += line.dump(-1, ' ', false, Json::error_handler_t::replace);
    first = false;
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

base::Result<Baseline> ParseBaseline(std::string_view text, const std::string& path) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...": keep
    // what follows the position, which we give as the error's own line and column.
    std::string what = e.what();
    size_t colon = what.find(": ", what.find("parse error"));
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    base::Error error = Invalid(path, "not JSON: " + reason);
    error.pos = PosAt(text, e.byte > 0 ? e.byte - 1 : 0);
    return error;
  }
  if (!doc.is_object())
    return Invalid(path, "expected an object with \"version\" and \"findings\"");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) {
    return Invalid(path, "no integer \"version\"");
  }
  if (*version != kBaselineVersion) {
    return Invalid(path, fmt::format("version {} is not supported (this imagepin reads {})",
                                     version->dump(), kBaselineVersion));
  }
  auto findings = doc.find("findings");
  if (findings == doc.end() || !findings->is_array()) return Invalid(path, "no \"findings\" array");

  std::map<Key, int> counts;
  for (size_t i = 0; i < findings->size(); ++i) {
    const Json& item = (*findings)[i];
    std::string where = fmt::format("findings[{}]", i);
    if (!item.is_object()) return Invalid(path, where + " is not an object");
    std::string fields[4];
    const char* names[4] = {"path", "ruleId", "keyPath", "reference"};
    for (int f = 0; f < 4; ++f) {
      auto it = item.find(names[f]);
      if (it == item.end() || !it->is_string()) {
        return Invalid(path, fmt::format("{} has no string \"{}\"", where, names[f]));
      }
      fields[f] = it->get<std::string>();
    }
    if (fields[0].empty() || fields[1].empty()) {
      return Invalid(path, where + " has an empty \"path\" or \"ruleId\"");
    }
    int count = 1;
    if (auto it = item.find("count"); it != item.end()) {
      if (!it->is_number_integer() || *it < 1 || *it > kMaxCount) {
        return Invalid(path,
                       fmt::format("{}.count is not an integer from 1 to {}", where, kMaxCount));
      }
      count = it->get<int>();
    }
    int& total = counts[{fields[0], fields[1], fields[2], fields[3]}];
    total = std::min(kMaxCount, total + count);  // a key written twice: both count
  }
  Baseline baseline;
  for (const auto& [key, count] : counts) {
    const auto& [p, rule_id, key_path, reference] = key;
    baseline.entries.push_back({p, rule_id, key_path, reference, count});
  }
  return baseline;
}

base::Result<Baseline> LoadBaseline(const std::string& path) {
  std::string text;
  if (base::Status read = base::ReadFileInto(path, kMaxBaselineBytes, &text); !read.ok()) {
    return read.error();
  }
  return ParseBaseline(text, path);
}

}  // namespace imagepin::policy
