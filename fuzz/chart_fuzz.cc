// libFuzzer target for a chart's templates read and judged: tmpl::ChartTemplates::Parse,
// tmpl::AnalyseContainers and apps::EvaluateChartTemplates on arbitrary bytes. The input is one
// or more files, each starting after a line "#FILE <name>" (the first file, before any such
// line, is templates/deployment.yaml), so that includes cross files as in a real chart. Beyond
// "never crashes" and bounded work (sanitizers, the include depth and size limits), it checks
// what check's output relies on: every container, expression, label read, not-analysable place,
// finding and notice names a file of the chart at a line that file has (a finding at line 0 is
// about the whole file), and every finding is one of the chart rules or a reference rule.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "apps/chart_rules.h"
#include "tmpl/chart.h"
#include "tmpl/containers.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& where, long line) {
  std::fprintf(stderr, "invariant violated: %s (%s:%ld)\n", what, where.c_str(), line);
  std::abort();
}

std::vector<imagepin::tmpl::ChartFile> SplitFiles(std::string_view input) {
  std::vector<imagepin::tmpl::ChartFile> files{{"templates/deployment.yaml", {}}};
  for (size_t at = 0; at <= input.size();) {
    size_t nl = input.find('\n', at);
    std::string_view line = input.substr(at, nl == std::string_view::npos ? nl : nl - at);
    if (line.starts_with("#FILE ") && line.size() > 6) {
      files.push_back({std::string(line.substr(6)), {}});
    } else {
      files.back().contents.append(line);
      if (nl != std::string_view::npos) files.back().contents.push_back('\n');
    }
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  imagepin::tmpl::ChartTemplates chart =
      imagepin::tmpl::ChartTemplates::Parse(SplitFiles(input), {64});
  std::map<std::string, long, std::less<>> lines;  // each parsed file's line count
  for (const imagepin::tmpl::TemplateFile& f : chart.files()) {
    long n = 1;
    for (char c : f.source) n += c == '\n';
    lines[f.path] = std::max(lines[f.path], n);
  }
  auto check = [&](const std::string& file, long line, const char* what, bool whole_file_ok) {
    auto it = lines.find(file);
    if (it == lines.end()) Fail(what, file, line);
    if (line > it->second || line < (whole_file_ok ? 0 : 1)) Fail(what, file, line);
  };
  imagepin::tmpl::ContainerAnalysis analysis = imagepin::tmpl::AnalyseContainers(chart);
  for (const imagepin::tmpl::Container& c : analysis.containers) {
    check(c.file, c.line, "container", false);
    for (const auto* e : {&c.image, &c.pull_policy, &c.name}) {
      if (e->has_value()) check((*e)->file, (*e)->line, "expression", false);
    }
  }
  for (const imagepin::tmpl::NotAnalysable& n : analysis.not_analysable) {
    check(n.file, n.line, "not analysable", false);
  }
  for (const imagepin::tmpl::Document& d : analysis.documents) {
    for (const imagepin::tmpl::LabelRead& r : d.label_sites) check(r.file, r.line, "label", false);
  }
  std::vector<imagepin::policy::Finding> findings;
  std::vector<imagepin::base::Diagnostic> notices;
  for (bool first_party : {false, true}) {
    imagepin::apps::EvaluateChartTemplates(imagepin::policy::Config{}, "c", first_party, chart,
                                           analysis, &findings, &notices);
  }
  for (const imagepin::policy::Finding& f : findings) {
    if (!f.path.starts_with("c/")) Fail("finding outside the chart", f.path, f.line);
    check(f.path.substr(2), f.line, "finding", true);
    static const std::string_view kRules[] = {"IP001", "IP002", "IP003", "IP012", "IP013"};
    bool known = false;
    for (std::string_view r : kRules) known |= f.rule_id == r;
    if (!known) Fail("unexpected rule", f.rule_id, f.line);
  }
  for (const imagepin::base::Diagnostic& d : notices) {
    if (!d.path.starts_with("c/")) Fail("notice outside the chart", d.path, d.pos.line);
    check(d.path.substr(2), d.pos.line, "notice", false);
  }
  return 0;
}
