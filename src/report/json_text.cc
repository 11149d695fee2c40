#include "report/json_text.h"

#include <algorithm>
#include <cstdint>

#include "base/utf8.h"

namespace imagepin::report {

std::string JsonText(std::string_view text) { return base::ReplaceInvalidUtf8(text); }

nlohmann::ordered_json StringOrNull(std::string_view text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(JsonText(text));
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group = (group << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0);
    }
    for (size_t j = 0; j < 4; ++j) {
      out += j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 0x3F] : '=';
    }
  }
  return out;
}

void SetPath(nlohmann::ordered_json& out, const std::string& key, std::string_view path) {
  out[key] = JsonText(path);
  if (!base::IsValidUtf8(path)) out[key + "Bytes"] = Base64(path);
}

std::string DumpJson(const nlohmann::ordered_json& doc, int indent) {
  return doc.dump(indent, ' ', /*ensure_ascii=*/false,
                  nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace imagepin::report
