#include "ref/platform.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace imagepin::ref {
namespace {

bool IsPart(std::string_view part) {
  auto lower_or_digit = [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return std::islower(c) || std::isdigit(c);
  };
  return !part.empty() && lower_or_digit(part[0]) &&
         std::all_of(part.begin(), part.end(),
                     [&](char c) { return lower_or_digit(c) || c == '_' || c == '.' || c == '-'; });
}

}  // namespace

std::string Platform::ToString() const {
  std::string out = fmt::format("{}/{}", os, architecture);
  if (!variant.empty()) out += "/" + variant;
  return out;
}

base::Result<Platform> ParsePlatform(std::string_view text) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || !std::all_of(parts.begin(), parts.end(), IsPart)) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           fmt::format("invalid platform \"{}\": want os/arch[/variant]", text));
  }
  return Platform{std::string(parts[0]), std::string(parts[1]),
                  parts.size() == 3 ? std::string(parts[2]) : std::string()};
}

}  // namespace imagepin::ref
