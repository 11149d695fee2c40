#include "plan/init.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "apps/check.h"
#include "base/files.h"
#include "base/process.h"
#include "base/sha256.h"
#include "plan/init_workflows.h"
#include "plan/insert.h"
#include "plan/workspace.h"
#include "policy/first_party.h"
#include "ref/reference.h"
#include "scan/file_list.h"

namespace imagepin::plan {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  for (size_t at = 0; at <= path.size();) {
    size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > at) out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& segments, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < segments.size(); ++i) {
    if (!out.empty()) out += '/';
    out += segments[i];
  }
  return out;
}

// "a/b" for "a/b/c"; "" for "c".
std::string ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

// `path` is `dir` or lies below it ("" holds everything).
bool IsBelow(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  return path == dir ||
         (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

std::string Below(std::string_view dir, std::string_view name) {
  return dir.empty() ? std::string(name) : fmt::format("{}/{}", dir, name);
}

// An environment name as the config accepts it: letters, digits, `_`, `.`, `-`, starting with a
// letter or digit.
bool IsEnvironmentName(std::string_view name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// Where an environment usually stands in the lanes; unknown names after all of these.
int LaneRank(std::string_view name) {
  static const std::map<std::string_view, int> kRanks = {
      {"local", 0},      {"dev", 1}, {"development", 1}, {"test", 2},     {"testing", 2},
      {"qa", 2},         {"int", 2}, {"integration", 2}, {"staging", 3},  {"stage", 3},
      {"stg", 3},        {"uat", 3}, {"preprod", 4},     {"pre-prod", 4}, {"prod", 5},
      {"production", 5}, {"prd", 5}};
  auto it = kRanks.find(name);
  return it == kRanks.end() ? 6 : it->second;
}

bool IsEnvDirName(std::string_view s) { return s == "env" || s == "envs" || s == "environments"; }

void DetectEnvironments(const InitInput& input, InitDetection* out) {
  // env root → environment name → files below it.
  std::map<std::string, std::map<std::string, size_t>> roots;
  auto add = [&](std::string_view path) {
    std::vector<std::string_view> segments = Segments(path);
    for (size_t i = 0; i + 2 < segments.size(); ++i) {
      if (!IsEnvDirName(segments[i]) || !IsEnvironmentName(segments[i + 1])) continue;
      ++roots[Join(segments, i + 1)][std::string(segments[i + 1])];
      return;
    }
  };
  for (const std::string& f : input.files) add(f);
  for (const std::string& f : input.declared_value_files) add(f);
  const std::pair<const std::string, std::map<std::string, size_t>>* best = nullptr;
  size_t best_files = 0;
  for (const auto& root : roots) {
    size_t files = 0;
    for (const auto& [name, count] : root.second) files += count;
    // Most files wins; on a tie the shorter path (std::map order breaks the rest).
    if (best == nullptr || files > best_files ||
        (files == best_files && root.first.size() < best->first.size())) {
      best = &root;
      best_files = files;
    }
  }
  if (best == nullptr) return;
  out->env_root = best->first;
  for (const auto& [name, count] : best->second) {
    out->environments.push_back({name, Below(out->env_root, name)});
  }
  std::stable_sort(out->environments.begin(), out->environments.end(),
                   [](const policy::Environment& a, const policy::Environment& b) {
                     return LaneRank(a.name) < LaneRank(b.name);
                   });
  std::string shared = Below(ParentOf(out->env_root), "_shared");
  for (const std::string& f : input.files) {
    if (IsBelow(f, shared) && f != shared) {
      out->shared = shared;
      break;
    }
  }
}

void DetectCharts(const InitInput& input, InitDetection* out) {
  std::vector<std::string> dirs;
  for (const std::string& f : input.files) {
    std::string dir = ParentOf(f);
    if (f == "Chart.yaml" || f.ends_with("/Chart.yaml")) dirs.push_back(dir);
  }
  std::sort(dirs.begin(), dirs.end());
  for (const std::string& dir : dirs) {
    // A subchart (<chart>/charts/<sub>) belongs to its parent chart.
    bool nested = std::any_of(out->chart_dirs.begin(), out->chart_dirs.end(),
                              [&](const std::string& c) { return IsBelow(dir, c); });
    if (!nested) out->chart_dirs.push_back(dir);
  }
  if (out->chart_dirs.empty()) return;
  // The nearest dir holding every chart: the common prefix of their parents.
  std::vector<std::string> parents;
  for (const std::string& c : out->chart_dirs) parents.push_back(ParentOf(c));
  std::vector<std::string_view> common = Segments(parents.front());  // views into `parents`
  size_t n = common.size();
  for (const std::string& p : parents) {
    std::vector<std::string_view> s = Segments(p);
    size_t i = 0;
    while (i < n && i < s.size() && s[i] == common[i]) ++i;
    n = i;
  }
  out->charts = Join(common, n);
}

void DetectScope(const InitInput& input, InitDetection* out) {
  std::string values = out->env_root.empty() ? "" : ParentOf(out->env_root);
  std::vector<std::string> include;
  if (!out->env_root.empty()) include.push_back(Below(values, "**"));
  const std::string base = ParentOf(values);
  auto covered = [&](std::string_view path) {
    if (!out->env_root.empty() && IsBelow(path, values)) return true;
    if (path.starts_with(".github/")) return true;
    if (!out->charts.empty() && IsBelow(path, out->charts)) return true;
    return std::any_of(out->chart_dirs.begin(), out->chart_dirs.end(),
                       [&](const std::string& c) { return IsBelow(path, c); });
  };
  std::set<std::string> more;
  auto add = [&](std::string_view path) {
    if (covered(path)) return;
    std::vector<std::string_view> segments = Segments(path);
    size_t depth = IsBelow(path, base) && !base.empty() ? Segments(base).size() : 0;
    if (segments.size() <= depth + 1) {
      more.insert(std::string(path));  // a file directly in that dir: itself
    } else {
      more.insert(Join(segments, depth + 1) + "/**");
    }
  };
  for (const InitReference& r : input.references) add(r.path);
  for (const std::string& f : input.declared_in) add(f);
  include.insert(include.end(), more.begin(), more.end());
  out->scope_include = std::move(include);
}

// "registry/namespace/" of a repository with at least two path components, or nothing.
std::optional<std::string> NamespacePrefix(const ref::Reference& r) {
  size_t slash = r.path.find('/');
  if (r.domain.empty() || slash == std::string::npos) return std::nullopt;
  std::string ns = r.path.substr(0, slash);
  if (r.domain == "docker.io" && ns == "library") return std::nullopt;
  return fmt::format("{}/{}/", r.domain, ns);
}

void DetectFirstParty(const InitInput& input, InitDetection* out) {
  std::vector<DetectedPrefix>& prefixes = out->first_party;
  auto add = [&](std::string prefix, std::string why) {
    for (DetectedPrefix& p : prefixes) {
      if (p.prefix == prefix) {
        p.why += "; " + why;
        return;
      }
    }
    prefixes.push_back({std::move(prefix), std::move(why)});
  };
  std::vector<std::string> owners;
  if (std::optional<std::string> owner = policy::GitHubOwnerFromRemote(input.origin_url)) {
    add(fmt::format("ghcr.io/{}/", *owner),
        fmt::format("git remote origin (github.com/{})", *owner));
    owners.push_back(*owner);
  }
  if (!input.github_owner.empty()) {
    std::string owner = input.github_owner;
    std::transform(owner.begin(), owner.end(), owner.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ref::ParseReference(fmt::format("ghcr.io/{}/x", owner)).ok()) {
      add(fmt::format("ghcr.io/{}/", owner), "GITHUB_REPOSITORY_OWNER");
      if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
    }
  }
  // image.ref values: how first-party images are written (IP004). Counted per prefix, in the
  // order first seen.
  std::vector<std::pair<std::string, size_t>> from_refs;
  std::map<std::string, size_t> from_owner;
  for (const InitReference& r : input.references) {
    base::Result<ref::Reference> parsed = ref::ParseReference(r.reference);
    if (!parsed.ok()) continue;
    std::optional<std::string> prefix = NamespacePrefix(*parsed);
    if (!prefix) continue;
    if (r.ref_form) {
      auto it = std::find_if(from_refs.begin(), from_refs.end(),
                             [&](const auto& p) { return p.first == *prefix; });
      if (it == from_refs.end()) {
        from_refs.emplace_back(*prefix, 1);
      } else {
        ++it->second;
      }
    }
    std::string ns = parsed->path.substr(0, parsed->path.find('/'));
    if (std::find(owners.begin(), owners.end(), ns) != owners.end()) ++from_owner[*prefix];
  }
  for (const auto& [prefix, count] : from_refs) {
    add(prefix, fmt::format("{} image.ref value{}", count, count == 1 ? "" : "s"));
  }
  for (const auto& [prefix, count] : from_owner) {
    if (std::any_of(prefixes.begin(), prefixes.end(),
                    [&](const DetectedPrefix& p) { return p.prefix == prefix; })) {
      continue;
    }
    add(prefix, fmt::format("{} reference{} under the owner", count, count == 1 ? "" : "s"));
  }
}

// A line with its comment at column 34 (or one blank after a longer line).
std::string Line(std::string_view text, std::string_view comment) {
  constexpr size_t kCommentColumn = 33;
  std::string out(text);
  out.append(out.size() < kCommentColumn ? kCommentColumn - out.size() : 1, ' ');
  return out + "# " + std::string(comment) + "\n";
}

}  // namespace

InitDetection DetectInit(const InitInput& input) {
  InitDetection out;
  DetectEnvironments(input, &out);
  DetectCharts(input, &out);
  DetectScope(input, &out);
  DetectFirstParty(input, &out);
  out.declared_applications = input.declared_in.size();
  return out;
}

std::string RenderInitConfig(const InitDetection& d) {
  std::string out;
  out +=
      "# imagepin policy for this repository, written by `imagepin init` from what it found here.\n"
      "# Every key is optional: the ones set were detected, the ones commented out are the\n"
      "# defaults. docs/config.md explains each; `imagepin config` shows what is in effect.\n";
  out += Line("version: 1", "the config schema version; only 1 exists");
  out += "\n";
  out += "scope:\n";
  if (d.scope_include.empty()) {
    out += Line("  # include: [\"sources/values/**\", \"sources/manifests/**\"]",
                "files to check (default; none found)");
    out += Line("  exclude: []", "globs removed from include");
  } else {
    out += Line("  include:", "the files to check: the values and manifests found here");
    for (const std::string& glob : d.scope_include) out += "    - " + ScalarText(glob) + "\n";
    out += Line("  # exclude: []", "globs removed from include");
  }
  out += Line("  # maxFileSize: 8MiB", "larger files are reported and skipped");
  out += Line("  # maxDepth: 256", "deeper nesting is reported (IP000)");
  out +=
      Line("  # mentions: warning", "RELATED_IMAGE_*, --*image= references: off, warning, error");
  out += "\n";
  if (d.environments.empty()) {
    out += "# Promotion lanes, earliest first (none found: the default)\n";
    out += "# environments:\n";
    for (const char* name : {"local", "dev", "staging", "production"}) {
      out += fmt::format("#   - {{name: {0}, path: sources/values/env/{0}}}\n", name);
    }
  } else {
    out += fmt::format(
        "# Promotion lanes, earliest first (the directories under {}/): `imagepin\n"
        "# promote A B` copies A's digests to B. Reorder them if the order is not "
        "yours.\n",
        d.env_root);
    out += "environments:\n";
    for (const policy::Environment& e : d.environments) {
      out += fmt::format("  - name: {}\n    path: {}\n", ScalarText(e.name), ScalarText(e.path));
    }
  }
  if (d.shared.empty()) {
    out += Line("# shared: sources/values/_shared", "values every environment shares (none found)");
  } else {
    out += Line("shared: " + ScalarText(d.shared),
                "values every environment shares, layered under each one's own");
  }
  if (d.charts.empty()) {
    out += Line("# charts: sources/charts", "chart sources (no Chart.yaml found)");
  } else {
    out += Line("charts: " + ScalarText(d.charts),
                fmt::format("chart sources: {} chart{} found", d.chart_dirs.size(),
                            d.chart_dirs.size() == 1 ? "" : "s"));
  }
  out += Line("# applications:", "how values files stack into what each chart gets");
  out += Line("#   layers: [\"{shared}/{path}\", \"{env}/{path}\"]", "lowest first");
  out += Line("#   chart: \"{charts}/**/{name}\"", "where an app's chart is found");
  out += "\n";
  if (d.first_party.empty()) {
    out +=
        "# Repository prefixes of the images you build (none found: set them, e.g.\n"
        "# [\"ghcr.io/your-org/\"]; until then the git remote's owner is used, if on github.com)\n";
    out += "# firstParty: []\n";
  } else {
    out += "# Repository prefixes of the images you build: always one image.ref (IP004)\n";
    out += "firstParty:\n";
    for (const DetectedPrefix& p : d.first_party) {
      out += Line("  - " + ScalarText(p.prefix), p.why);
    }
  }
  out += "\n";
  out += "# tags:\n";
  out += Line("#   allow: []", "extra immutable tag patterns (RE2, the whole tag)");
  out += Line("# pullPolicy: IfNotPresent", "the pull policy every container must set");
  out += Line("# platforms: [linux/amd64, linux/arm64]", "what a first-party index must hold");
  out += "# bump:\n";
  out += Line("#   environments: [local, dev]", "the fast lanes bump writes");
  out += Line("#   channel: main", "the tag each producer moves on every build");
  out += Line("# registries: {}", "per host: mirror, insecure (never credentials)");
  out += Line("# exceptions: []", "accepted findings, each with a reason and an expiry");
  return out;
}

std::vector<InitFile> InitFiles(const InitDetection& detection) {
  std::vector<InitFile> files{{std::string(policy::kConfigFileName), RenderInitConfig(detection)}};
  // image-policy first: the gate, then the lanes.
  for (std::string_view name :
       {"image-policy.yaml", "bump-local-dev-images.yaml", "promote-images.yaml"}) {
    for (const generated::EmbeddedFile& f : generated::kEmbeddedFiles) {
      if (f.name == name)
        files.push_back({fmt::format(".github/workflows/{}", name), std::string(f.contents)});
    }
  }
  return files;
}

base::Result<InitPlan> PlanInit(const std::string& root, const std::vector<InitFile>& files,
                                const std::vector<ExistingFile>& existing, bool force) {
  if (files.empty() || files.front().path != policy::kConfigFileName) {
    return base::MakeError(base::ErrorCode::kInternal, "init: no config to write");
  }
  if (base::Result<policy::Config> loads =
          policy::ParseConfig(files.front().contents, files.front().path);
      !loads.ok()) {
    return base::MakeError(
        base::ErrorCode::kInternal,
        "init wrote a config that does not load (a bug): " + loads.error().ToString());
  }
  InitPlan plan;
  for (size_t i = 0; i < files.size(); ++i) {
    const InitFile& file = files[i];
    const ExistingFile* now =
        i < existing.size() && existing[i].path == file.path ? &existing[i] : nullptr;
    rewrite::Edit edit;
    edit.path = root + "/" + file.path;
    edit.display_path = file.path;
    edit.new_text = file.contents;
    edit.line = edit.column = 1;
    if (now == nullptr || !now->exists) {
      edit.file_sha256 = std::string(rewrite::kFileMustNotExist);
      edit.reason = "init: create " + file.path;
      plan.created.push_back(file.path);
      plan.edits.push_back(std::move(edit));
      continue;
    }
    if (now->contents == file.contents) {
      plan.unchanged.push_back(file.path);
      continue;
    }
    plan.conflicting.push_back(file.path);
    if (!force) continue;
    edit.end = static_cast<uint32_t>(now->contents.size());
    edit.old_text = now->contents;
    edit.file_sha256 = base::Sha256Digest(now->contents);
    edit.reason = "init --force: replace " + file.path;
    plan.edits.push_back(std::move(edit));
  }
  if (!plan.conflicting.empty() && !force) plan.edits.clear();
  return plan;
}

namespace {

// `git -C root remote get-url origin`'s output (its last newline dropped), or nothing: no git,
// no remote, not a repository, or no answer within the bounds.
std::optional<std::string> GitOriginUrl(const std::string& root) {
  base::Result<base::ProcessResult> run = base::RunProcess(
      {"git", "-C", root, "remote", "get-url", "origin"}, {65536, std::chrono::seconds(30)});
  if (!run.ok() || run->truncated || run->timed_out || run->exit_code != 0) return std::nullopt;
  std::string out = std::move(run->out);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

InitInput LoadInitInput(const std::string& root, unsigned jobs, const char* github_owner) {
  InitInput input;
  policy::Config probe;  // the defaults, with the whole repository in scope
  // What init writes is left out, so that a second run sees what the first one saw.
  probe.scope =
      scan::Scope{{"**"}, {".git/**", ".github/**", std::string(policy::kConfigFileName)}};
  std::vector<base::Error> problems;  // an unlistable dir: init proposes from what it can see
  std::vector<scan::FileEntry> entries = scan::ListScope(root, probe.scope, &problems);
  for (const scan::FileEntry& e : entries) input.files.push_back(e.display_path);
  for (const ScannedFile& f : ScanEntries(entries, probe, jobs)) {
    for (const scan::ImageField& field : f.scan.fields.images) {
      if (field.templated || field.partial || field.reference.empty()) continue;
      input.references.push_back(
          {f.entry.display_path, field.reference, field.form == scan::FieldForm::kRef});
    }
  }
  // Argo CD / Flux objects outside the (default) values dirs.
  for (const apps::DeclaredApplication& d : apps::ReadDeclaredApplications(probe, root, nullptr)) {
    if (std::find(input.declared_in.begin(), input.declared_in.end(), d.path) ==
        input.declared_in.end()) {
      input.declared_in.push_back(d.path);
    }
    input.declared_value_files.insert(input.declared_value_files.end(), d.value_files.begin(),
                                      d.value_files.end());
  }
  if (std::optional<std::string> url = GitOriginUrl(root)) {
    input.origin_url = *url;
  } else {
    std::string config;
    if (base::ReadFileInto(root + "/.git/config", 1 << 20, &config).ok()) {
      if (std::optional<policy::RemoteUrl> remote = policy::OriginUrlFromGitConfig(config)) {
        input.origin_url = remote->url;
      }
    }
  }
  if (github_owner != nullptr) input.github_owner = github_owner;
  return input;
}

base::Result<std::vector<ExistingFile>> ReadExisting(const std::string& root,
                                                     const std::vector<InitFile>& files) {
  std::vector<ExistingFile> out;
  for (const InitFile& file : files) {
    ExistingFile now{file.path, false, ""};
    std::string path = root + "/" + file.path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno != ENOENT) {
        return base::MakeError(base::ErrorCode::kIo,
                               std::string("cannot read: ") + std::strerror(errno), file.path);
      }
      out.push_back(std::move(now));
      continue;
    }
    now.exists = true;
    if (base::Status read = base::ReadFileInto(path, size_t{16} << 20, &now.contents); !read.ok()) {
      base::Error error = read.error();
      error.path = file.path;
      return error;
    }
    out.push_back(std::move(now));
  }
  return out;
}

}  // namespace imagepin::plan
