#include "policy/rendered_sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/files.h"
#include "scan/file_list.h"
#include "yaml/document.h"
#include "yaml/parser.h"

namespace imagepin::policy {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSourcePrefix = "# Source: ";

std::string_view Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") + 1 - begin);
}

// A `---` line: the start of a document, whatever follows it on the line.
bool IsDocumentStart(std::string_view line) {
  return line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  for (size_t begin = 0;;) {
    size_t slash = path.find('/', begin);
    parts.push_back(path.substr(begin, slash - begin));
    if (slash == std::string_view::npos) return parts;
    begin = slash + 1;
  }
}

}  // namespace

std::vector<RenderedDocument> FindRenderedSources(std::string_view stream) {
  std::vector<std::string_view> lines = yaml::SplitLines(stream);
  std::vector<RenderedDocument> documents;
  RenderedDocument current;
  bool in_header = true;  // still among the comment and blank lines before the content
  for (size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    std::string_view line = lines[i];
    if (IsDocumentStart(line)) {
      if (number > 1) {
        current.last_line = number - 1;
        documents.push_back(std::move(current));
      }
      current = RenderedDocument{number, 0, {}};
      std::string_view rest = Trim(line.substr(3));
      in_header = rest.empty() || rest.starts_with('#');  // `--- |` starts the content
      continue;
    }
    if (!in_header) continue;
    std::string_view text = Trim(line);
    if (text.empty()) continue;
    if (!text.starts_with('#')) {
      in_header = false;
      continue;
    }
    if (current.source.empty() && line.starts_with(kSourcePrefix)) {
      current.source = std::string(Trim(line.substr(kSourcePrefix.size())));
    }
  }
  if (!lines.empty()) {
    current.last_line = static_cast<int>(lines.size());
    documents.push_back(std::move(current));
  }
  return documents;
}

std::vector<std::string> TemplateCandidates(const ChartIndex& index, std::string_view source) {
  std::vector<std::string> candidates;
  if (source.empty()) return candidates;
  std::vector<std::string_view> parts = SplitPath(source);
  for (std::string_view part : parts) {
    if (part.empty() || part == "." || part == "..") return candidates;  // also "/x": absolute
  }
  // parts[chart] names a chart; the rest of the path is inside it.
  auto add = [&](size_t chart) {
    auto it = index.dirs.find(parts[chart]);
    if (it == index.dirs.end() || chart + 1 >= parts.size()) return;
    std::string rest;
    for (size_t i = chart + 1; i < parts.size(); ++i) {
      if (!rest.empty()) rest += '/';
      rest += parts[i];
    }
    for (const std::string& dir : it->second) {
      std::string candidate = dir;
      candidate.append("/").append(rest);
      if (std::find(candidates.begin(), candidates.end(), candidate) == candidates.end())
        candidates.push_back(std::move(candidate));
    }
  };
  add(0);
  for (size_t chart = 2; chart + 1 < parts.size(); ++chart) {
    if (parts[chart - 1] == "charts") add(chart);
  }
  return candidates;
}

void MapRenderedFindings(const std::vector<RenderedDocument>& documents,
                         const std::map<std::string, std::string, std::less<>>& template_paths,
                         std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    if (f.path != "-" || f.line <= 0) continue;
    // The last document starting at or before the finding's line.
    auto after =
        std::upper_bound(documents.begin(), documents.end(), f.line,
                         [](int line, const RenderedDocument& d) { return line < d.first_line; });
    if (after == documents.begin()) continue;
    const RenderedDocument& document = *std::prev(after);
    if (document.source.empty() || f.line > document.last_line) continue;
    auto mapped = template_paths.find(document.source);
    f.path = mapped != template_paths.end() ? mapped->second : document.source;
    f.message += f.column > 0
                     ? fmt::format(" (line {}, column {} of the rendered stream)", f.line, f.column)
                     : fmt::format(" (line {} of the rendered stream)", f.line);
    f.line = 0;
    f.column = 0;
    f.source_line.clear();
  }
}

ChartIndex LoadChartIndex(const Config& config, const std::string& root) {
  ChartIndex index;
  scan::Scope scope{{config.charts + "/**/Chart.yaml"}, {}};
  std::vector<base::Error> problems;  // a directory that cannot be listed holds no chart to map
  yaml::StreamParser parser;
  std::string contents;
  for (const scan::FileEntry& entry : scan::ListScope(root, scope, &problems)) {
    std::string_view path = entry.display_path;
    if (entry.chart_template || !path.ends_with("/Chart.yaml")) continue;
    std::string dir(path.substr(0, path.size() - std::string_view("/Chart.yaml").size()));
    index.dirs[dir.substr(dir.rfind('/') + 1)].push_back(dir);
    if (!base::ReadFileInto(entry.path, config.max_file_size, &contents).ok()) continue;
    yaml::SyntaxError error;
    parser.Parse(
        contents,
        [&](const yaml::Document& doc) {
          if (doc.index() != 0 || doc.root() == yaml::kNoNode ||
              doc.node(doc.root()).kind != yaml::NodeKind::kMapping)
            return;
          yaml::NodeId name = doc.Resolve(doc.Get(doc.root(), "name"));
          if (name == yaml::kNoNode || doc.node(name).kind != yaml::NodeKind::kScalar) return;
          std::string value(doc.Value(name));
          if (!value.empty() && value.find('/') == std::string::npos)
            index.dirs[value].push_back(dir);
        },
        &error);
  }
  for (auto& [name, dirs] : index.dirs) {
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  }
  return index;
}

std::map<std::string, std::string, std::less<>> ResolveTemplatePaths(
    const ChartIndex& index, const std::string& root,
    const std::vector<RenderedDocument>& documents) {
  std::map<std::string, std::string, std::less<>> paths;
  std::set<std::string_view> tried;
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(root, ec);
  if (ec) return paths;
  for (const RenderedDocument& document : documents) {
    if (document.source.empty() || !tried.insert(document.source).second) continue;
    for (const std::string& candidate : TemplateCandidates(index, document.source)) {
      fs::path full = fs::path(root) / candidate;
      if (!fs::is_regular_file(full, ec)) continue;
      // A link whose target leaves the repository is no file of the repository's.
      fs::path real = fs::weakly_canonical(full, ec);
      if (ec) continue;
      fs::path inside = real.lexically_relative(base);
      if (inside.empty() || *inside.begin() == "..") continue;
      paths.emplace(document.source, candidate);
      break;
    }
  }
  return paths;
}

}  // namespace imagepin::policy
