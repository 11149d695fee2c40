#include "yaml/key_path.h"

#include <nlohmann/json.hpp>

namespace imagepin::yaml {
namespace {

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  auto is_alpha = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (!is_alpha(key[0])) return false;
  for (char c : key) {
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

void AppendKey(std::string& text, std::string_view key) {
  if (IsIdentifier(key)) {
    if (!text.empty()) text += '.';
    text += key;
  } else {
    // A JSON string literal is an unambiguous, familiar way to quote an odd key.
    text += '[';
    text += nlohmann::json(std::string(key))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += ']';
  }
}

}  // namespace

void KeyPath::PushKey(std::string_view key) {
  AppendKey(text_, key);
  ends_.push_back(text_.size());
}

void KeyPath::PushIndex(size_t index) {
  text_ += '[';
  text_ += std::to_string(index);
  text_ += ']';
  ends_.push_back(text_.size());
}

std::string JoinKeyPath(std::string_view base, std::string_view key) {
  std::string text(base);
  AppendKey(text, key);
  return text;
}

std::string PrintKeyPath(const SegmentPath& path) {
  KeyPath printed;
  for (const PathSegment& s : path) {
    s.is_index() ? printed.PushIndex(static_cast<size_t>(s.index)) : printed.PushKey(s.key);
  }
  return printed.str();
}

}  // namespace imagepin::yaml
