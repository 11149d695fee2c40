// Writing the Markdown PR body (--summary-md): a plain file outside the repository's values,
// so an ordinary write; a failure is reported, never silent.
#pragma once

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <string>

namespace imagepin::cli {

// Writes `text` to `path`; on failure prints "imagepin: error: cannot write PATH: reason" and
// returns false.
inline bool WriteSummary(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (out) return true;
  fmt::print(stderr, "imagepin: error: cannot write {}: {}\n", path, std::strerror(errno));
  return false;
}

}  // namespace imagepin::cli
