#include "plan/values_charts.h"

#include <filesystem>
#include <set>

#include "apps/chart_check.h"
#include "apps/check.h"
#include "apps/discover.h"

namespace imagepin::plan {

ValuesCharts LoadValuesCharts(const policy::Config& config, const std::string& root, unsigned jobs,
                              std::vector<base::Diagnostic>* notices) {
  std::vector<apps::Application> applications = apps::FindApplications(config, root, notices);
  auto is_chart = [&](const std::string& dir) {
    std::error_code ec;
    return !dir.empty() &&
           std::filesystem::exists(std::filesystem::path(root) / dir / "Chart.yaml", ec);
  };
  std::set<std::string> dirs;
  for (const apps::Application& app : applications) {
    if (is_chart(app.chart)) dirs.insert(app.chart);
  }
  std::vector<std::string> list(dirs.begin(), dirs.end());
  std::vector<apps::CheckedChart> checked = apps::CheckCharts(config, root, list, jobs);
  std::map<std::string, std::vector<std::string>> reads;
  for (apps::CheckedChart& c : checked) reads[c.dir] = std::move(c.facts.image_values);
  ValuesCharts out;
  auto add = [&](const std::string& path, const std::string& chart) {
    std::vector<ChartReads>& charts = out[path];
    for (const ChartReads& c : charts) {
      if (c.chart == chart) return;
    }
    auto it = reads.find(chart);
    charts.push_back({it == reads.end() ? std::string() : chart,
                      it == reads.end() ? std::vector<std::string>() : it->second});
  };
  for (const apps::Application& app : applications) {
    for (const apps::Layer& layer : app.layers) {
      if (!layer.exists || !layer.root.empty() || layer.role == apps::LayerRole::kParameters ||
          layer.role == apps::LayerRole::kInline)
        continue;
      add(layer.path, app.chart);
    }
  }
  for (const std::string& dir : list) add(apps::ChartValuesPath(dir), dir);
  return out;
}

}  // namespace imagepin::plan
