#include "policy/exceptions.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

#include "base/glob.h"
#include "policy/holds.h"
#include "policy/rules.h"

namespace imagepin::policy {
namespace {

bool Covers(const Exception& ex, const Finding& f) {
  if (ex.rule_id != f.rule_id) return false;
  if (!base::GlobMatch(ex.path_glob, f.path)) return false;
  if (!ex.key_glob.empty() && !base::GlobMatch(ex.key_glob, f.key_path, '.')) return false;
  if (!ex.ref_glob.empty() && !base::GlobMatch(ex.ref_glob, f.reference)) return false;
  return true;
}

}  // namespace

std::string TodayUtc() {
  auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%d}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
}

bool Expired(const Exception& ex, std::string_view today) {
  return !ex.expires.empty() && ex.expires < today;  // ISO dates compare correctly as strings
}

void SuppressExcepted(const Config& config, std::string_view today,
                      std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    for (const Exception& ex : config.exceptions) {
      if (!Expired(ex, today) && Covers(ex, f)) {
        f.suppression = Suppression{ex.reason, ex.expires, config.path, ex.line};
        break;
      }
    }
  }
}

void AppendExpiredExceptions(const Config& config, std::string_view today,
                             std::vector<Finding>* findings) {
  for (size_t i = 0; i < config.exceptions.size(); ++i) {
    const Exception& ex = config.exceptions[i];
    if (!Expired(ex, today)) continue;
    Finding f = NewFinding("IP007");
    f.message = fmt::format(
        "exception for {} on {} expired on {}: fix the findings it covered, "
        "or renew it with a new reason",
        ex.rule_id, ex.path_glob, ex.expires);
    f.path = config.path;
    f.line = ex.expires_line;
    f.column = ex.expires_column;
    f.source_line = ex.expires_source_line;
    f.key_path = fmt::format("exceptions[{}].expires", i);
    findings->push_back(std::move(f));
  }
}

void ApplyExceptions(const Config& config, std::string_view today, std::vector<Finding>* findings) {
  SuppressExcepted(config, today, findings);
  AppendExpiredExceptions(config, today, findings);
  AppendExpiredHolds(config, today, findings);  // IP016: the same kind of stale config
}

}  // namespace imagepin::policy
