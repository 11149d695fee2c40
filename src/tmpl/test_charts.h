// For the tmpl tests: a chart directory on disk as ChartTemplates::Parse takes it, and a chart
// parsed and analysed in one step.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tmpl/chart.h"
#include "tmpl/containers.h"

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

// The chart must outlive the analysis (Exprs point into it).
struct Analysed {
  std::unique_ptr<ChartTemplates> chart;
  ContainerAnalysis result;
};

// Parses and analyses `files`; a file that does not parse fails the test.
inline Analysed Analyse(std::vector<ChartFile> files) {
  Analysed a;
  a.chart = std::make_unique<ChartTemplates>(ChartTemplates::Parse(std::move(files)));
  for (const base::Error& e : a.chart->errors()) ADD_FAILURE() << e.ToString();
  a.result = AnalyseContainers(*a.chart);
  return a;
}

// One line per container and not-analysable place, for failure messages.
inline std::string Describe(const ContainerAnalysis& r) {
  std::string out;
  for (const Container& c : r.containers) {
    out += c.file + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + " " +
           std::string(ContainerListName(c.list)) + " " + c.workload_kind + " " +
           (c.name ? c.name->text : "-") + " " + (c.image ? c.image->text : "-") + "\n";
  }
  for (const NotAnalysable& n : r.not_analysable) out += n.ToString() + "\n";
  return out;
}

}  // namespace imagepin::tmpl::testing
