#include "scan/file_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

#include "base/glob.h"

namespace imagepin::scan {
namespace fs = std::filesystem;
namespace {

// `*.yaml` or `*.yml`, as fs::path::extension() sees it: a leading dot starts no extension, so
// a file named `.yaml` has none. (String checks: this runs for every file in the tree.)
bool IsYamlName(const fs::path& p) {
  const std::string& path = p.native();
  size_t slash = path.rfind('/');
  std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  return (name.ends_with(".yaml") && name.size() > 5) ||
         (name.ends_with(".yml") && name.size() > 4);
}

// Helm charts keep Go templates in <chart>/templates/; they are not YAML until rendered.
class ChartTemplateDetector {
 public:
  // The answer depends only on the file's directory, and a walk lists a directory's files
  // together: remember the last directory's answer rather than walking up again per file.
  bool IsTemplate(const fs::path& file) {
    const std::string& path = file.native();
    size_t slash = path.rfind('/');
    std::string_view dir = std::string_view(path).substr(0, slash == std::string::npos ? 0 : slash);
    if (!has_last_ || dir != last_dir_) {
      last_dir_ = dir;
      last_answer_ = IsTemplateUncached(file);
      has_last_ = true;
    }
    return last_answer_;
  }

  // values.yaml beside a Chart.yaml: the chart's defaults, judged through its applications.
  bool IsChartValues(const fs::path& file) {
    std::string name = file.filename().string();
    return (name == "values.yaml" || name == "values.yml") && HasChartFile(file.parent_path());
  }

 private:
  bool IsTemplateUncached(const fs::path& file) {
    for (fs::path dir = file.parent_path(); !dir.empty() && dir.has_relative_path();
         dir = dir.parent_path()) {
      if (dir.filename() == "templates" && HasChartFile(dir.parent_path())) return true;
      if (dir == dir.parent_path()) break;
    }
    return false;
  }

  bool HasChartFile(const fs::path& dir) {
    auto [it, inserted] = cache_.try_emplace(dir.string(), false);
    if (inserted) it->second = scan::HasChartFile(dir);
    return it->second;
  }
  std::map<std::string, bool> cache_;
  bool has_last_ = false;
  std::string last_dir_;
  bool last_answer_ = false;
};

// `file` relative to `root` when it lies below it (lexically: no symlink resolution, which
// would cost syscalls per file), otherwise `file` as given.
std::string Relative(const fs::path& file, const fs::path& root) {
  fs::path rel = file.lexically_normal().lexically_relative(root.lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return file.lexically_normal().generic_string();
  return rel.generic_string();
}

// Relative(file, root) for a `file` found below `start`, given `start_rel` = Relative(start, root).
std::string RelativeBelow(const fs::path& file, const fs::path& start, const std::string& start_rel,
                          const fs::path& root) {
  const std::string& prefix = start.native();
  std::string_view rest = file.native();
  if (start_rel.empty() || rest.substr(0, prefix.size()) != prefix) return Relative(file, root);
  rest.remove_prefix(prefix.size());
  bool separated = (!prefix.empty() && prefix.back() == '/') || (!rest.empty() && rest[0] == '/');
  while (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  if (!separated || rest.empty()) return Relative(file, root);
  if (start_rel == ".") return std::string(rest);
  std::string rel = start_rel;
  if (rel.back() != '/') rel += '/';
  rel += rest;
  return rel;
}

bool IsBelow(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

base::Error ListingProblem(const fs::path& path, std::string message) {
  return base::MakeError(base::ErrorCode::kIo, std::move(message), path.generic_string());
}

// Walks `start`, calling `visit(path)` for every regular file whose name `wanted` takes (a YAML
// name, for scopes). Nothing is
// skipped silently: a directory that cannot be listed is a problem, and so is a symlink whose
// target leaves `root` (a canonical path), which is never read. A symlinked directory inside the
// repository is walked where the link is, once, unless its target lies inside `start` (its files
// are listed where they really are), which also keeps link loops finite. Directories are walked
// with an explicit stack: no recursion, whatever the depth.
template <typename Wanted, typename Visit>
void WalkFiles(const fs::path& start, const fs::path& root, std::vector<base::Error>* problems,
               Wanted wanted, Visit visit) {
  std::error_code ec;
  const fs::path start_real = fs::canonical(start, ec);
  if (ec) {
    problems->push_back(ListingProblem(start, "cannot list: " + ec.message()));
    return;
  }
  if (!IsBelow(start_real, root)) {
    problems->push_back(
        ListingProblem(start, "symlink leads outside the repository: not read, never written"));
    return;
  }
  std::set<fs::path> linked_dirs_walked;
  std::vector<fs::path> pending{start};
  while (!pending.empty()) {
    fs::path dir = std::move(pending.back());
    pending.pop_back();
    fs::directory_iterator it(dir, ec);
    if (ec) {
      problems->push_back(ListingProblem(dir, "cannot list: " + ec.message()));
      ec.clear();
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) {
        problems->push_back(ListingProblem(dir, "cannot list: " + ec.message()));
        ec.clear();
        break;
      }
      const fs::directory_entry& entry = *it;
      const bool yaml_name = wanted(entry.path());
      if (entry.is_symlink(ec)) {
        fs::path target = fs::canonical(entry.path(), ec);
        if (ec) {
          // A broken or looping link: listed, so that reading it fails loudly (IP000).
          ec.clear();
          if (yaml_name) visit(entry.path());
          continue;
        }
        bool is_dir = fs::is_directory(target, ec);
        if (!is_dir && !yaml_name) continue;
        if (!IsBelow(target, root)) {
          problems->push_back(ListingProblem(
              entry.path(), "symlink leads outside the repository: not read, never written"));
          continue;
        }
        if (!is_dir) {
          visit(entry.path());
        } else if (!IsBelow(target, start_real) && linked_dirs_walked.insert(target).second) {
          pending.push_back(entry.path());
        }
        continue;
      }
      if (entry.is_directory(ec)) {
        // Version-control and tool directories never hold deployable values.
        const std::string& path = entry.path().native();
        std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
        if (name != ".git" && name != "node_modules") pending.push_back(entry.path());
        continue;
      }
      if (yaml_name) visit(entry.path());
    }
  }
}

}  // namespace

bool InScope(const Scope& scope, const std::string& rel) {
  auto matches = [&](const std::string& g) { return base::GlobMatch(g, rel); };
  return std::any_of(scope.include.begin(), scope.include.end(), matches) &&
         std::none_of(scope.exclude.begin(), scope.exclude.end(), matches);
}

bool HasChartFile(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "Chart.yaml", ec) || fs::exists(dir / "Chart.yml", ec);
}

std::vector<FileEntry> ListScope(const std::string& root, const Scope& scope,
                                 std::vector<base::Error>* problems) {
  std::set<std::string> seen;
  std::vector<FileEntry> files;
  ChartTemplateDetector templates;
  fs::path root_path(root);
  std::error_code root_ec;
  const fs::path root_real = fs::canonical(root_path, root_ec);
  std::set<std::string> walked;
  auto excluded = [&](const std::string& rel) {
    return std::any_of(scope.exclude.begin(), scope.exclude.end(),
                       [&](const std::string& g) { return base::GlobMatch(g, rel); });
  };
  for (const std::string& pattern : scope.include) {
    std::string prefix(base::GlobStaticPrefix(pattern));
    // Walk each distinct top directory once; nested prefixes are covered by their parent.
    if (!walked.insert(prefix).second) continue;
    fs::path start = prefix.empty() ? root_path : root_path / prefix;
    std::error_code ec;
    if (fs::is_regular_file(start, ec)) {
      // A literal file name in scope.
      std::string rel = Relative(start, root_path);
      if (excluded(rel) || !seen.insert(rel).second) continue;
      if (!IsBelow(fs::canonical(start, ec), root_real)) {
        problems->push_back(
            ListingProblem(rel, "symlink leads outside the repository: not read, never written"));
        continue;
      }
      files.push_back(
          {start.string(), rel, templates.IsTemplate(start), templates.IsChartValues(start)});
      continue;
    }
    if (!fs::is_directory(start, ec)) continue;  // an absent default directory is not an error
    // Walked files are `start/<names>`, and names hold no `.`/`..` segments, so each file's
    // relative path is start's plus the rest: one lexical normalisation per walk, not per file.
    const std::string start_rel = Relative(start, root_path);
    WalkFiles(start, root_real, problems, IsYamlName, [&](const fs::path& file) {
      std::string rel = RelativeBelow(file, start, start_rel, root_path);
      if (!InScope(scope, rel) || !seen.insert(rel).second) return;
      files.push_back(
          {file.string(), rel, templates.IsTemplate(file), templates.IsChartValues(file)});
    });
  }
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.display_path < b.display_path; });
  return files;
}

base::Result<std::vector<FileEntry>> ListPaths(const std::string& root,
                                               const std::vector<std::string>& paths,
                                               std::vector<base::Error>* problems) {
  std::set<std::string> seen;
  std::vector<FileEntry> files;
  ChartTemplateDetector templates;
  fs::path root_path(root);
  std::error_code root_ec;
  const fs::path root_real = fs::canonical(root_path, root_ec);
  if (root_ec) {
    return base::MakeError(base::ErrorCode::kNotFound,
                           "cannot open the repository root: " + root_ec.message(), root);
  }
  for (const std::string& given : paths) {
    fs::path p(given);
    std::error_code ec;
    // Nothing outside the repository is read: not through a path, not through a link.
    if (fs::path real = fs::weakly_canonical(fs::absolute(p, ec), ec);
        !ec && !IsBelow(real, root_real)) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             fmt::format("outside the repository root {} (set it with -C)", root),
                             given);
    }
    auto add = [&](const fs::path& file) {
      std::string display = p.is_absolute() || file.is_absolute()
                                ? Relative(fs::absolute(file, ec), fs::absolute(root_path, ec))
                                : Relative(file, root_path);
      if (seen.insert(display).second) {
        fs::path absolute = fs::absolute(file, ec);
        files.push_back({file.string(), display, templates.IsTemplate(absolute),
                         templates.IsChartValues(absolute)});
      }
    };
    if (fs::is_directory(p, ec)) {
      WalkFiles(p, root_real, problems, IsYamlName, add);
    } else if (fs::exists(p, ec) || fs::is_symlink(p, ec)) {
      add(p);
    } else {
      return base::MakeError(base::ErrorCode::kNotFound, "no such file or directory", given);
    }
  }
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.display_path < b.display_path; });
  return files;
}

std::vector<FileEntry> ListChartFiles(const std::string& root, const std::string& chart_dir,
                                      std::vector<base::Error>* problems) {
  std::vector<FileEntry> files;
  fs::path root_path(root);
  std::error_code ec;
  const fs::path root_real = fs::canonical(root_path, ec);
  if (ec) return files;
  for (const char* sub : {"templates", "charts"}) {
    fs::path start = root_path / chart_dir / sub;
    if (!fs::is_directory(start, ec)) continue;
    const std::string start_rel = Relative(start, root_path);
    WalkFiles(
        start, root_real, problems, [](const fs::path&) { return true; },
        [&](const fs::path& file) {
          files.push_back(
              {file.string(), RelativeBelow(file, start, start_rel, root_path), true, false});
        });
  }
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.display_path < b.display_path; });
  return files;
}

}  // namespace imagepin::scan
