// Small helpers for the commands' JSON output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace imagepin::cli {

// The string, or null when it is empty: JSON output says "absent" with null, not "".
inline nlohmann::ordered_json StringOrNull(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

}  // namespace imagepin::cli
