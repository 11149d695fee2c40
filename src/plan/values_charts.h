// Loading for `migrate`: which charts deploy each values file, and what those charts' container
// images read (apps::ChartFacts::image_values). Reads the repository: discovery
// (apps::FindApplications) and the charts' templates (apps::CheckCharts).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "policy/config.h"

namespace imagepin::plan {

// A chart a values file is deployed with, and the .Values paths its containers' images read.
struct ChartReads {
  std::string chart;                      // the chart directory; empty: the app's chart is unknown
  std::vector<std::string> image_values;  // ChartFacts::image_values: "image.ref", … (sorted)
};

// For each values file (its path from the root): the charts that read it. A file not listed, or
// listed only with unknown charts, has no chart that can be checked.
using ValuesCharts = std::map<std::string, std::vector<ChartReads>>;

// Every application's whole-file layers, with its chart's reads (a chart directory without a
// Chart.yaml, such as a remote chart, is unknown); a chart's own values.yaml is read by its chart.
// Discovery's notices are appended to `notices`.
ValuesCharts LoadValuesCharts(const policy::Config& config, const std::string& root, unsigned jobs,
                              std::vector<base::Diagnostic>* notices);

}  // namespace imagepin::plan
