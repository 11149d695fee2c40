// Which charts `check` reads the templates of, and reading them: every chart under the charts
// dir, every chart an application deploys, every chart whose templates are in scope (with
// explicit paths, only those that hold a selected file or that a selected app deploys). A chart's
// files are read with the size cap, parsed together with its subcharts' (tmpl::ChartTemplates),
// analysed and judged (chart_rules.h) by one worker, which keeps only the findings and facts.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "apps/chart_rules.h"
#include "base/diagnostic.h"
#include "policy/config.h"
#include "policy/finding.h"
#include "scan/file_list.h"

namespace imagepin::apps {

struct CheckedChart {
  std::string dir;  // from the repository root
  bool first_party = false;
  ChartFacts facts;
  std::vector<policy::Finding> findings;  // IP000 for a template that cannot be read or parsed
  std::vector<base::Diagnostic> notices;  // "not analysable: …"
  int templates = 0;                      // templates/*.yaml rendered and analysed
};

// The chart directory holding `path` (a file below its templates/ or charts/), lifted to the
// chart that vendors it when it is a subchart; empty when `path` is in no chart. `is_chart`
// says whether a directory holds a Chart.yaml.
std::string ChartOfPath(std::string_view path,
                        const std::function<bool(const std::string&)>& is_chart);

// The top-level charts to check (sorted, no subcharts). `selected` are the files check looks
// at; with `explicit_paths`, a chart is checked only when it holds one of them or is among
// `app_charts` (the charts of the applications selected).
std::vector<std::string> ChartsToCheck(const policy::Config& config, const std::string& root,
                                       const std::vector<std::string>& app_charts,
                                       const std::vector<scan::FileEntry>& selected,
                                       bool explicit_paths);

// Reads, analyses and judges each chart, on `jobs` workers (0: one per hardware thread).
std::vector<CheckedChart> CheckCharts(const policy::Config& config, const std::string& root,
                                      const std::vector<std::string>& dirs, unsigned jobs);

}  // namespace imagepin::apps
