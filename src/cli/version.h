#pragma once

namespace imagepin::cli {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace imagepin::cli
