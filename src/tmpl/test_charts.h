// For the tmpl tests: a chart directory on disk as ChartTemplates::Parse takes it.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tmpl/chart.h"

namespace imagepin::tmpl::testing {

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every file under `root`, with its path relative to `root`, in a stable order.
inline std::vector<ChartFile> ListChart(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<ChartFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    files.push_back({fs::relative(entry.path(), root).generic_string(), ReadAll(entry.path())});
  }
  std::sort(files.begin(), files.end(),
            [](const ChartFile& a, const ChartFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace imagepin::tmpl::testing
