// Small helpers for the commands' JSON output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "plan/bump.h"
#include "report/json_text.h"

namespace imagepin::cli {

using report::StringOrNull;

// Keys whose values are file paths, which need not be UTF-8 (docs/json-schema.md).
inline bool IsPathKey(std::string_view key) { return key == "path" || key == "relative"; }

// `value` with every file path that is not valid UTF-8 repaired as the findings JSON does it:
// U+FFFD for the bad bytes, and beside it `<key>Bytes`, the base64 of the exact name.
inline nlohmann::ordered_json WithPathBytes(const nlohmann::ordered_json& value) {
  if (value.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& item : value) out.push_back(WithPathBytes(item));
    return out;
  }
  if (!value.is_object()) return value;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, item] : value.items()) {
    if (IsPathKey(key) && item.is_string()) {
      report::SetPath(out, key, item.get_ref<const std::string&>());
    } else {
      out[key] = WithPathBytes(item);
    }
  }
  return out;
}

// How every command prints JSON: paths repaired (WithPathBytes), and never an exception for text
// that is not UTF-8 (U+FFFD instead), which would abort the program halfway through its output.
inline std::string DumpJson(const nlohmann::ordered_json& value, int indent = 2) {
  return report::DumpJson(WithPathBytes(value), indent);
}

// Where a first-party image.ref field is and whose, as bump, set and rollback print it: its
// environment, service, path, line, column, key path, repository and digest before ("old").
inline nlohmann::ordered_json RefTargetJson(const plan::RefTarget& t) {
  nlohmann::ordered_json j;
  j["environment"] = t.environment;
  j["service"] = t.service;
  j["path"] = t.file.display_path;
  j["line"] = t.ref.line;
  j["column"] = t.ref.column;
  j["keyPath"] = t.key_path;
  j["repository"] = t.repository;
  return j;
}

}  // namespace imagepin::cli
