// Diagnostic: a problem a command reports that is not a policy finding — a reference bump cannot
// resolve, a file promote leaves alone, a value pin skips. One type for every command, so that
// each prints them the same way ("path:line:col: error: message [rule]", cli/diagnostics.h) and
// decisions can return them as data.
#pragma once

#include <string>

#include "base/result.h"

namespace imagepin::base {

enum class Severity { kNote, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string path;  // as displayed; empty when the problem is not about a file
  SourcePos pos;     // 0 where unknown: "path: error: …"
  std::string message;
  std::string rule;  // "IP002" when a rule of docs/rules.md says so; else empty

  static Diagnostic Error(std::string path, SourcePos pos, std::string message,
                          std::string rule = {}) {
    return {Severity::kError, std::move(path), pos, std::move(message), std::move(rule)};
  }
  static Diagnostic Note(std::string path, SourcePos pos, std::string message) {
    return {Severity::kNote, std::move(path), pos, std::move(message), {}};
  }
  // An Error stopping a command, reported as a diagnostic.
  static Diagnostic From(const base::Error& error) {
    return Error(error.path, error.pos, error.message);
  }
};

}  // namespace imagepin::base
