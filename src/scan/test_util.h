// Helpers for the scan tests: scan text as a file named so, read a test file, and the bytes a
// scalar's span covers.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "scan/scanner.h"

namespace imagepin::scan::testing {

inline FileScan ScanAs(std::string_view contents, std::string_view name) {
  yaml::StreamParser parser;
  return ScanContents(contents, name, false, &parser);
}

// A file under src/scan/testdata/, byte for byte.
inline std::string ReadTestdata(std::string_view relative) {
  std::ifstream in(std::string(IMAGEPIN_SOURCE_DIR) + "/src/scan/testdata/" + std::string(relative),
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The bytes of `contents` at the scalar's span: what a rewrite would replace.
inline std::string BytesAt(std::string_view contents, const Scalar& s) {
  return std::string(contents.substr(s.begin, s.end - s.begin));
}

}  // namespace imagepin::scan::testing
