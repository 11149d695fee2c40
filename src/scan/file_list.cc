#include "scan/file_list.h"

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

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// `*.yaml` or `*.yml`, as fs::path::extension() sees it: a leading dot starts no extension, so
// a file named `.yaml` has none. (String checks: this runs for every file in the tree.)
bool IsYamlName(const fs::path& p) {
  const std::string& path = p.native();
  size_t slash = path.rfind('/');
  std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  return (EndsWith(name, ".yaml") && name.size() > 5) ||
         (EndsWith(name, ".yml") && name.size() > 4);
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
    if (inserted) {
      std::error_code ec;
      it->second = fs::exists(dir / "Chart.yaml", ec) || fs::exists(dir / "Chart.yml", ec);
    }
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

// Walks `dir`, calling `visit` for every regular file (or symlink to one) with a YAML name.
template <typename Visit>
void WalkYaml(const fs::path& dir, std::vector<base::Error>* problems, Visit visit) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    problems->push_back(base::MakeError(base::ErrorCode::kIo, "cannot list: " + ec.message(),
                                        dir.generic_string()));
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      problems->push_back(base::MakeError(base::ErrorCode::kIo, "cannot list: " + ec.message(),
                                          it->path().generic_string()));
      ec.clear();
      continue;
    }
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
      // Version-control and tool directories never hold deployable values.
      std::string name = entry.path().filename().string();
      if (name == ".git" || name == "node_modules") it.disable_recursion_pending();
      continue;
    }
    if (!IsYamlName(entry.path())) continue;
    // Symlinks to files are followed when read; a broken or looping link fails there, loudly.
    if (entry.is_symlink(ec) && entry.is_directory(ec)) continue;
    visit(entry.path());
  }
}

}  // namespace

std::vector<FileEntry> ListScope(const std::string& root, const Scope& scope,
                                 std::vector<base::Error>* problems) {
  std::set<std::string> seen;
  std::vector<FileEntry> files;
  ChartTemplateDetector templates;
  fs::path root_path(root);
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
      if (!excluded(rel) && seen.insert(rel).second)
        files.push_back({start.string(), rel, templates.IsTemplate(start)});
      continue;
    }
    if (!fs::is_directory(start, ec)) continue;  // an absent default directory is not an error
    // Walked files are `start/<names>`, and names hold no `.`/`..` segments, so each file's
    // relative path is start's plus the rest: one lexical normalisation per walk, not per file.
    const std::string start_rel = Relative(start, root_path);
    WalkYaml(start, problems, [&](const fs::path& file) {
      std::string rel = RelativeBelow(file, start, start_rel, root_path);
      bool included = std::any_of(scope.include.begin(), scope.include.end(),
                                  [&](const std::string& g) { return base::GlobMatch(g, rel); });
      if (!included || excluded(rel) || !seen.insert(rel).second) return;
      files.push_back({file.string(), rel, templates.IsTemplate(file)});
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
  for (const std::string& given : paths) {
    fs::path p(given);
    std::error_code ec;
    auto add = [&](const fs::path& file) {
      std::string display = p.is_absolute() || file.is_absolute()
                                ? Relative(fs::absolute(file, ec), fs::absolute(root_path, ec))
                                : Relative(file, root_path);
      if (seen.insert(display).second) {
        files.push_back({file.string(), display, templates.IsTemplate(fs::absolute(file, ec))});
      }
    };
    if (fs::is_directory(p, ec)) {
      WalkYaml(p, problems, add);
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

}  // namespace imagepin::scan
