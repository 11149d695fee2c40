// Text from files in JSON output. File names and YAML values need not be valid UTF-8, which JSON
// strings must be: nlohmann::json's dump() throws (type_error.316) on such bytes, mid-output.
// These helpers make every JSON writer total: strings are repaired with U+FFFD, and a path that
// needed repair also travels as its exact bytes, so a machine can still name the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace imagepin::report {

// `text` when it is valid UTF-8, else with each byte that is not part of a character replaced by
// U+FFFD.
std::string JsonText(std::string_view text);

// The text (repaired as JsonText does), or null when it is empty: JSON output says "none" with
// null, not "", so consumers can tell "none" from a value.
nlohmann::ordered_json StringOrNull(std::string_view text);

// RFC 4648 base64 (standard alphabet, padded).
std::string Base64(std::string_view bytes);

// Sets out[key] to JsonText(path) and, only when `path` is not valid UTF-8, out[key + "Bytes"] to
// the base64 of its exact bytes (right after it, in an ordered_json).
void SetPath(nlohmann::ordered_json& out, const std::string& key, std::string_view path);

// `doc` serialised (pretty-printed with `indent` spaces, or on one line for -1). Never throws:
// strings not yet repaired get U+FFFD for their invalid bytes.
std::string DumpJson(const nlohmann::ordered_json& doc, int indent = 2);

}  // namespace imagepin::report
