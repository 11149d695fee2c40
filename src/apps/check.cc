#include "apps/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "apps/chart_check.h"
#include "apps/discover.h"
#include "apps/effective.h"
#include "apps/load.h"
#include "apps/rules.h"
#include "base/files.h"
#include "policy/evaluate.h"
#include "policy/exceptions.h"
#include "policy/rules.h"
#include "scan/scanner.h"

namespace imagepin::apps {
namespace {

scan::ScanOptions OptionsFor(const policy::Config& config, unsigned jobs) {
  scan::ScanOptions options;
  options.max_file_size = config.max_file_size;
  options.jobs = jobs;
  options.limits.max_depth = config.max_depth;
  return options;
}

// Every file the application model may stack: below the shared dir, the environment dirs, and
// the charts' Chart.yaml and values.yaml.
DiscoveryInput ListInputs(const policy::Config& config, const std::string& root) {
  scan::Scope scope;
  scope.include.push_back(config.shared + "/**");
  for (const policy::Environment& env : config.environments)
    scope.include.push_back(env.path + "/**");
  scope.include.push_back(config.charts + "/**/Chart.yaml");
  scope.include.push_back(config.charts + "/**/values.yaml");
  std::vector<base::Error> problems;  // check reports unlistable dirs in scope already
  DiscoveryInput input;
  for (scan::FileEntry& entry : scan::ListScope(root, scope, &problems)) {
    std::string_view path = entry.display_path;
    if (path.ends_with("/Chart.yaml") && !entry.chart_template) {
      input.charts.emplace_back(
          path.substr(0, path.size() - std::string_view("/Chart.yaml").size()));
    }
    input.files.insert(std::move(entry.display_path));
  }
  std::sort(input.charts.begin(), input.charts.end());
  return input;
}

// A chart's values.yaml, parsed once and shared by every app of the chart.
struct ChartDefaults {
  scan::GroupFile file;
  bool usable = false;  // parsed, with a first document
};

// What one worker hands back for one group.
struct Slot {
  std::vector<policy::Finding> findings;
  std::vector<base::Diagnostic> notices;
  int files_scanned = 0, templates_skipped = 0, image_fields = 0, applications = 0;

  // One file judged on its own, and counted, as policy::RunCheck does.
  void JudgeFile(const policy::Config& config, const scan::GroupFile& file) {
    ++(file.scan.status == scan::FileStatus::kTemplate ? templates_skipped : files_scanned);
    image_fields += static_cast<int>(file.scan.fields.images.size());
    policy::EvaluateFile(config, file.entry->display_path, file.scan, &findings);
  }
};

struct GroupPlan {
  std::vector<scan::FileEntry> files;  // in scope first, then layers outside the scope
  std::vector<char> evaluate;          // per file: judge it on its own (in scope, first use)
  std::vector<scan::FileGroup> groups;
  std::vector<std::vector<size_t>> group_apps;  // per group: indexes into apps
};

// Reads the declarations of one scanned file where its scan saw Argo CD or Flux objects (parsed
// again, with its documents kept: such files are few).
void ReadFileDeclarations(const policy::Config& config, const scan::GroupFile& file,
                          std::vector<DeclaredApplication>* out,
                          std::vector<base::Diagnostic>* notices) {
  if (file.scan.status != scan::FileStatus::kScanned || file.scan.fields.application_objects == 0) {
    return;
  }
  yaml::StreamParser parser(yaml::ParseLimits{config.max_depth});
  std::vector<yaml::Document> documents;
  scan::ScanContents(file.contents, file.entry->display_path, false, &parser, &documents);
  for (const yaml::Document& doc : documents) {
    ReadDeclarations(doc, file.entry->display_path, config, out, notices);
  }
}

// Files under the shared dir or an environment's: the values files the convention stacks.
bool IsValuesPath(const policy::Config& config, std::string_view path) {
  return RoleOfPath(config, path) != LayerRole::kDeclared;
}

}  // namespace

std::vector<DeclaredApplication> ReadDeclaredApplications(const policy::Config& config,
                                                          const std::string& root,
                                                          std::vector<base::Diagnostic>* notices) {
  std::vector<base::Error> problems;  // check reports these; a listing only lists
  std::vector<scan::FileEntry> files = scan::ListScope(root, config.scope, &problems);
  std::erase_if(files,
                [&](const scan::FileEntry& f) { return IsValuesPath(config, f.display_path); });
  std::vector<scan::FileGroup> groups;
  for (size_t i = 0; i < files.size(); ++i) groups.push_back({{i}, false});
  std::vector<std::vector<DeclaredApplication>> found(files.size());
  std::vector<std::vector<base::Diagnostic>> noted(files.size());
  scan::ScanGroups(files, groups, OptionsFor(config, 0),
                   [&](size_t g, std::span<scan::GroupFile> group) {
                     ReadFileDeclarations(config, group[0], &found[g], &noted[g]);
                   });
  std::vector<DeclaredApplication> out;
  for (size_t i = 0; i < files.size(); ++i) {
    std::move(found[i].begin(), found[i].end(), std::back_inserter(out));
    if (notices != nullptr)
      std::move(noted[i].begin(), noted[i].end(), std::back_inserter(*notices));
  }
  return out;
}

std::vector<Application> FindApplications(const policy::Config& config, const std::string& root,
                                          std::vector<base::Diagnostic>* notices,
                                          const std::vector<DeclaredApplication>* declared) {
  DiscoveryInput input = ListInputs(config, root);
  input.declared =
      declared != nullptr ? *declared : ReadDeclaredApplications(config, root, notices);
  // A declared chart may live outside the charts dir: list it where the object says, as the
  // scope is listed (a symlink leaving the repository is not followed).
  for (const DeclaredApplication& d : input.declared) {
    if (d.chart.empty() || std::binary_search(input.charts.begin(), input.charts.end(), d.chart)) {
      continue;
    }
    std::string chart_yaml = d.chart == "." ? "Chart.yaml" : d.chart + "/Chart.yaml";
    scan::Scope chart_scope{{ChartValuesPath(d.chart), chart_yaml}, {}};
    std::vector<base::Error> problems;
    bool has_chart = false;
    for (scan::FileEntry& entry : scan::ListScope(root, chart_scope, &problems)) {
      has_chart |= entry.display_path == chart_yaml;
      input.files.insert(std::move(entry.display_path));
    }
    if (has_chart) {
      input.charts.insert(std::upper_bound(input.charts.begin(), input.charts.end(), d.chart),
                          d.chart);
    }
  }
  Discovery d = DiscoverApplications(config, input);
  if (notices != nullptr)
    std::move(d.notices.begin(), d.notices.end(), std::back_inserter(*notices));
  return std::move(d.apps);
}

base::Result<AppCheckResult> RunCheck(const policy::Config& config,
                                      const policy::CheckRequest& request) {
  AppCheckResult result;
  if (request.read_stdin) {  // a rendered stream has no layers
    base::Result<policy::CheckResult> plain = policy::RunCheck(config, request);
    if (!plain.ok()) return plain.error();
    result.check = std::move(*plain);
    return result;
  }
  std::vector<base::Error> problems;
  base::Result<std::vector<scan::FileEntry>> selected =
      policy::SelectFiles(config, request, &problems);
  if (!selected.ok()) return selected.error();
  std::vector<policy::Finding>& findings = result.check.findings;
  std::vector<DeclaredApplication> declared;
  for (const base::Error& problem : problems) findings.push_back(policy::ProblemFinding(problem));

  scan::ScanOptions options = OptionsFor(config, request.jobs);

  // Pass 1: every file in scope outside the values dirs (manifests), judged alone, and read
  // for the Argo CD and Flux objects that declare applications.
  std::vector<scan::FileEntry> manifests;
  GroupPlan plan;
  std::vector<scan::FileEntry> templates;  // chart templates: read with their chart below
  for (scan::FileEntry& entry : *selected) {
    if (entry.chart_template) {
      templates.push_back(std::move(entry));
      continue;
    }
    (IsValuesPath(config, entry.display_path) ? plan.files : manifests).push_back(std::move(entry));
  }
  std::vector<Slot> slots(manifests.size());
  {
    std::vector<scan::FileGroup> singles;
    for (size_t i = 0; i < manifests.size(); ++i) singles.push_back({{i}, false});
    std::vector<std::vector<DeclaredApplication>> found(manifests.size());
    std::vector<std::vector<base::Diagnostic>> noted(manifests.size());
    scan::ScanGroups(manifests, singles, options, [&](size_t g, std::span<scan::GroupFile> files) {
      slots[g].JudgeFile(config, files[0]);
      ReadFileDeclarations(config, files[0], &found[g], &noted[g]);
    });
    for (size_t i = 0; i < manifests.size() && request.paths.empty(); ++i) {
      std::move(found[i].begin(), found[i].end(), std::back_inserter(declared));
      std::move(noted[i].begin(), noted[i].end(), std::back_inserter(result.notices));
    }
  }
  // The scope's objects declare the applications, whatever explicit paths select: with paths,
  // discovery reads them from the scope itself.
  std::vector<Application> apps = FindApplications(config, request.root, &result.notices,
                                                   request.paths.empty() ? &declared : nullptr);

  // Pass 2: the values files. Groups: one per app name (its layers in every environment), then
  // every other file alone.
  const size_t in_scope = plan.files.size();
  plan.evaluate.assign(plan.files.size(), 1);
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < plan.files.size(); ++i) index.emplace(plan.files[i].display_path, i);
  std::vector<char> grouped(plan.files.size(), 0);
  std::map<std::string, ChartDefaults> charts;
  std::map<std::string, size_t> group_of_name;
  // With explicit paths, the applications those files are layers of (a chart's values.yaml
  // included): `check sources/charts/api` judges what that chart's apps deploy, not every app.
  std::unordered_set<std::string> selected_paths;
  if (!request.paths.empty()) {
    for (const scan::FileEntry& f : plan.files) selected_paths.insert(f.display_path);
    for (const scan::FileEntry& f : manifests) selected_paths.insert(f.display_path);
  }
  for (size_t a = 0; a < apps.size(); ++a) {
    if (!request.paths.empty() &&
        std::none_of(apps[a].layers.begin(), apps[a].layers.end(),
                     [&](const Layer& layer) { return selected_paths.count(layer.path) != 0; })) {
      continue;
    }
    auto [it, fresh] = group_of_name.try_emplace(apps[a].name, plan.groups.size());
    if (fresh) {
      plan.groups.push_back({{}, /*keep_documents=*/true});
      plan.group_apps.emplace_back();
    }
    size_t g = it->second;
    plan.group_apps[g].push_back(a);
    for (const Layer& layer : apps[a].layers) {
      if (!layer.exists) continue;
      if (layer.role == LayerRole::kChart) {
        charts.try_emplace(layer.path);
        continue;
      }
      auto [at, added] = index.try_emplace(layer.path, plan.files.size());
      if (added) {  // a layer outside the scope: read for the merge, not judged alone
        plan.files.push_back({request.root + "/" + layer.path, layer.path, false});
        plan.evaluate.push_back(0);
        grouped.push_back(0);
      }
      std::vector<size_t>& members = plan.groups[g].files;
      if (std::find(members.begin(), members.end(), at->second) != members.end()) continue;
      members.push_back(at->second);
      grouped[at->second] = 1;
    }
  }
  for (size_t i = 0; i < plan.files.size(); ++i) {
    if (!grouped[i]) plan.groups.push_back({{i}, false}), plan.group_apps.emplace_back();
  }

  // The charts' templates: what each renders, judged once per chart; the facts its apps need.
  std::vector<std::string> app_charts;
  for (const std::vector<size_t>& members : plan.group_apps) {
    for (size_t a : members) app_charts.push_back(apps[a].chart);
  }
  // With explicit paths, any selected file names its chart; else only templates add charts
  // (and copying every entry would cost megabytes on a large repository).
  std::vector<scan::FileEntry> chart_files = std::move(templates);
  if (!request.paths.empty()) {
    chart_files.insert(chart_files.end(), plan.files.begin(), plan.files.begin() + in_scope);
    chart_files.insert(chart_files.end(), manifests.begin(), manifests.end());
  }
  std::vector<CheckedChart> checked = CheckCharts(
      config, request.root,
      ChartsToCheck(config, request.root, app_charts, chart_files, !request.paths.empty()),
      request.jobs);
  std::unordered_map<std::string, const ChartFacts*> facts_of;
  for (CheckedChart& chart : checked) {
    facts_of.emplace(chart.dir, &chart.facts);
    result.check.stats.templates_analysed += chart.templates;
    result.check.stats.not_analysable += static_cast<int>(chart.notices.size());
    std::move(chart.findings.begin(), chart.findings.end(), std::back_inserter(findings));
    std::move(chart.notices.begin(), chart.notices.end(), std::back_inserter(result.notices));
  }
  // Each file in scope is judged on its own once, in the first group that holds it.
  std::vector<char> seen(plan.files.size(), 0);
  for (const scan::FileGroup& group : plan.groups) {
    for (size_t f : group.files) {
      plan.evaluate[f] = !seen[f] && f < in_scope;
      seen[f] = 1;
    }
  }

  // Chart defaults first: few, small, and read by many apps.
  yaml::StreamParser parser(options.limits);
  for (auto& [path, defaults] : charts) {
    scan::GroupFile& file = defaults.file;
    if (base::Status read =
            base::ReadFileInto(request.root + "/" + path, config.max_file_size, &file.contents);
        !read.ok()) {
      file.scan.status = scan::FileStatus::kProblem;
      file.scan.problem = scan::FileProblem{read.error().message, 0, 0, {}};
    } else {
      file.scan = scan::ScanContents(file.contents, path, false, &parser, &file.documents);
    }
    // The chart's defaults are outside the scope, but its apps cannot be judged without them.
    if (file.scan.status == scan::FileStatus::kProblem) {
      policy::EvaluateFile(config, path, file.scan, &findings);
    }
    defaults.usable = file.scan.status == scan::FileStatus::kScanned && !file.documents.empty();
  }

  const size_t first_slot = slots.size();
  slots.resize(first_slot + plan.groups.size());
  scan::ScanGroups(
      plan.files, plan.groups, options, [&](size_t g, std::span<scan::GroupFile> files) {
        Slot& slot = slots[first_slot + g];
        yaml::StreamParser text_parser(options.limits);
        std::unordered_map<std::string_view, const scan::GroupFile*> by_path;
        for (size_t i = 0; i < files.size(); ++i) {
          const scan::GroupFile& file = files[i];
          by_path.emplace(file.entry->display_path, &file);
          size_t f = plan.groups[g].files[i];
          if (plan.evaluate[f]) slot.JudgeFile(config, file);
        }
        for (size_t a : plan.group_apps[g]) {
          const Application& app = apps[a];
          std::vector<LayerDoc> layers;
          std::vector<yaml::SegmentPath> sites;
          std::deque<LoadedSource> texts;  // helm.values layers, parsed here: rare and small
          std::vector<TextOrigin> origins;
          std::vector<base::Diagnostic> text_problems;
          bool judgeable = true;
          for (const Layer& layer : app.layers) {
            const size_t layer_index = layers.size();
            const scan::GroupFile* file = nullptr;
            if (layer.exists && layer.role == LayerRole::kChart) {
              const ChartDefaults& defaults = charts.at(layer.path);
              file = defaults.usable ? &defaults.file : nullptr;
              judgeable &= defaults.file.scan.status != scan::FileStatus::kProblem;
            } else if (layer.exists) {
              auto it = by_path.find(layer.path);
              file = it == by_path.end() ? nullptr : it->second;
              if (file != nullptr && file->scan.status == scan::FileStatus::kProblem) {
                judgeable = false;  // IP000 says why; the app is not evaluated
              }
            }
            if (file == nullptr) {
              layers.push_back({});
            } else if (layer.role == LayerRole::kParameters) {
              TextOrigin origin;
              layers.push_back(LayerFromParameters(app, layer, &text_parser, &texts.emplace_back(),
                                                   &sites, &origin, &slot.notices));
              origin.manifest = file->documents.empty() ? nullptr : &file->documents[0];
              origin.layer = layer_index;
              if (origin.manifest != nullptr) origins.push_back(std::move(origin));
            } else if (layer.role == LayerRole::kInline && layer.root_is_text) {
              TextOrigin origin;
              layers.push_back(LayerFromText(layer, file->documents, &text_parser,
                                             &texts.emplace_back(), &sites, &origin,
                                             &text_problems));
              origin.layer = layer_index;
              if (origin.manifest != nullptr) origins.push_back(std::move(origin));
            } else {
              layers.push_back(LayerFromScan(layer, file->documents, file->scan.fields, &sites));
            }
          }
          for (const base::Diagnostic& p : text_problems) {
            // helm.values text that does not parse: IP000 at the scalar, the app not judged.
            policy::Finding f = policy::NewFinding("IP000");
            f.path = p.path;
            f.line = p.pos.line;
            f.column = p.pos.column;
            f.message = p.message;
            slot.findings.push_back(std::move(f));
            judgeable = false;
          }
          if (!judgeable) {
            slot.notices.push_back(base::Diagnostic::Note(
                {}, {},
                fmt::format("{} in {} is not evaluated: a layer cannot be read or parsed (IP000)",
                            app.name, app.environment)));
            continue;
          }
          ++slot.applications;
          LayeredValues values(std::move(layers));
          size_t before = slot.findings.size();
          auto facts = facts_of.find(app.chart);
          EvaluateApplication(config, origins.empty() ? app : ForEvaluation(app, origins), values,
                              FindEffectiveImages(values, std::move(sites)), &slot.findings,
                              facts == facts_of.end() ? nullptr : facts->second);
          for (const TextOrigin& origin : origins) {
            MapToManifest(origin, slot.findings.begin() + static_cast<ptrdiff_t>(before),
                          slot.findings.end());
          }
        }
      });
  for (Slot& slot : slots) {
    result.check.stats.files_scanned += slot.files_scanned;
    result.check.stats.templates_skipped += slot.templates_skipped;
    result.check.stats.image_fields += slot.image_fields;
    result.applications += slot.applications;
    std::move(slot.notices.begin(), slot.notices.end(), std::back_inserter(result.notices));
    std::move(slot.findings.begin(), slot.findings.end(), std::back_inserter(findings));
  }
  policy::ApplyExceptions(config, request.today.empty() ? policy::TodayUtc() : request.today,
                          &findings);
  policy::SortFindings(findings);
  // An app deployed in several environments from one shared file finds the same thing once
  // per environment: one finding per rule and place.
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [](const policy::Finding& a, const policy::Finding& b) {
                               return a.rule_id == b.rule_id && a.path == b.path &&
                                      a.line == b.line && a.column == b.column;
                             }),
                 findings.end());
  // A tag with a digest is IP006's warning, unless the chart puts it into labels: then IP014's
  // error, at the same tag, says it all.
  std::set<std::tuple<std::string_view, int, int>> in_labels;
  for (const policy::Finding& f : findings) {
    if (f.rule_id == "IP014") in_labels.emplace(f.path, f.line, f.column);
  }
  std::erase_if(findings, [&](const policy::Finding& f) {
    return f.rule_id == "IP006" && in_labels.count({f.path, f.line, f.column});
  });
  return result;
}

}  // namespace imagepin::apps
