#include "apps/chart_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include "apps/layered.h"
#include "base/files.h"
#include "base/glob.h"
#include "policy/check.h"
#include "policy/rules.h"
#include "scan/scanner.h"
#include "tmpl/chart.h"
#include "tmpl/containers.h"

namespace imagepin::apps {
namespace {

// The first-party signal of a chart's own values.yaml: it declares image.ref.
bool DeclaresImageRef(const std::string& root, const std::string& dir, size_t max_file_size) {
  std::string contents;
  if (!base::ReadFileInto(root + "/" + dir + "/values.yaml", max_file_size, &contents).ok()) {
    return false;
  }
  yaml::StreamParser parser(yaml::ParseLimits{});
  std::vector<yaml::Document> documents;
  scan::FileScan scan = scan::ScanContents(contents, dir, false, &parser, &documents);
  if (scan.status != scan::FileStatus::kScanned || documents.empty()) return false;
  const yaml::Document& doc = documents[0];
  yaml::NodeId image = LookupKey(doc, doc.root(), "image");
  yaml::NodeId ref = image == yaml::kNoNode ? yaml::kNoNode : LookupKey(doc, image, "ref");
  return ref != yaml::kNoNode && doc.node(ref).kind == yaml::NodeKind::kScalar;
}

CheckedChart CheckChart(const policy::Config& config, const std::string& root,
                        const std::string& dir) {
  CheckedChart out;
  out.dir = dir;
  out.first_party = DeclaresImageRef(root, dir, config.max_file_size) ||
                    std::any_of(config.applications.first_party_charts.begin(),
                                config.applications.first_party_charts.end(),
                                [&](const std::string& g) { return base::GlobMatch(g, dir); });
  std::vector<base::Error> problems;
  std::vector<tmpl::ChartFile> files;
  const std::string prefix = dir + "/";
  for (const scan::FileEntry& entry : scan::ListChartFiles(root, dir, &problems)) {
    std::string rel = entry.display_path.substr(prefix.size());
    if (!tmpl::IsTemplatePath(rel)) continue;
    tmpl::ChartFile file{std::move(rel), {}};
    if (base::Status read = base::ReadFileInto(entry.path, config.max_file_size, &file.contents);
        !read.ok()) {
      base::Error error = read.error();
      error.path = entry.display_path;
      problems.push_back(std::move(error));
      continue;
    }
    files.push_back(std::move(file));
  }
  for (const base::Error& problem : problems)
    out.findings.push_back(policy::ProblemFinding(problem));
  tmpl::ChartTemplates chart = tmpl::ChartTemplates::Parse(std::move(files));
  for (const base::Error& error : chart.errors()) {
    // A template that does not parse cannot be judged: never a silent pass.
    policy::Finding f = policy::NewFinding("IP000");
    f.path = prefix + error.path;
    f.line = error.pos.line;
    f.column = error.pos.column;
    f.message = "template does not parse: " + error.message;
    out.findings.push_back(std::move(f));
  }
  tmpl::ContainerAnalysis analysis = tmpl::AnalyseContainers(chart);
  out.templates = analysis.templates_rendered;
  out.facts = EvaluateChartTemplates(config, dir, out.first_party, chart, analysis, &out.findings,
                                     &out.notices);
  return out;
}

}  // namespace

std::string ChartOfPath(std::string_view path,
                        const std::function<bool(const std::string&)>& is_chart) {
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir(path.substr(0, slash));
    if (is_chart(dir)) return dir;
  }
  return {};
}

std::vector<std::string> ChartsToCheck(const policy::Config& config, const std::string& root,
                                       const std::vector<std::string>& app_charts,
                                       const std::vector<scan::FileEntry>& selected,
                                       bool explicit_paths) {
  std::unordered_map<std::string, bool> known;
  scan::Scope scope{{config.charts + "/**/Chart.yaml"}, {}};
  std::vector<base::Error> problems;  // check reports unlistable dirs in scope already
  std::vector<std::string> candidates;
  for (const scan::FileEntry& entry : scan::ListScope(root, scope, &problems)) {
    // A chart at the root itself is left out: its templates/ would be the whole repository's.
    if (entry.chart_template || entry.display_path.find('/') == std::string::npos) continue;
    std::string dir = entry.display_path.substr(0, entry.display_path.rfind('/'));
    known[dir] = true;
    candidates.push_back(std::move(dir));
  }
  auto is_chart = [&](const std::string& dir) {
    auto [it, fresh] = known.try_emplace(dir, false);
    if (fresh) {
      std::error_code ec;
      it->second = std::filesystem::is_regular_file(root + "/" + dir + "/Chart.yaml", ec) ||
                   std::filesystem::is_regular_file(root + "/" + dir + "/Chart.yml", ec);
    }
    return it->second;
  };
  // A chart is checked as the top-level chart that holds it (a subchart with its parent).
  auto top = [&](const std::string& dir) {
    std::string t = ChartOfPath(dir + "/Chart.yaml", is_chart);
    return t.empty() ? dir : t;
  };
  std::set<std::string> charts;
  std::set<std::string> wanted;  // with explicit paths
  for (const std::string& chart : app_charts) {
    if (chart.empty() || chart == "." || !is_chart(chart)) continue;
    charts.insert(top(chart));
    wanted.insert(top(chart));
  }
  for (const scan::FileEntry& entry : selected) {
    std::string chart = ChartOfPath(entry.display_path, is_chart);
    if (chart.empty()) continue;
    wanted.insert(chart);
    if (entry.chart_template) charts.insert(chart);
  }
  for (const std::string& dir : candidates) charts.insert(top(dir));
  std::vector<std::string> out;
  for (const std::string& chart : charts) {
    if (!explicit_paths || wanted.count(chart)) out.push_back(chart);
  }
  return out;
}

std::vector<CheckedChart> CheckCharts(const policy::Config& config, const std::string& root,
                                      const std::vector<std::string>& dirs, unsigned jobs) {
  std::vector<CheckedChart> out(dirs.size());
  jobs = jobs ? jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(dirs.size(), 1)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < dirs.size();) {
      out[i] = CheckChart(config, root, dirs[i]);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace imagepin::apps
