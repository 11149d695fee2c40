#include "apps/chart_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "policy/evaluate.h"
#include "policy/rules.h"
#include "scan/scanner.h"

namespace imagepin::apps {
namespace {

bool EndsWithSegment(std::string_view read, std::string_view segment) {
  return read.size() > segment.size() + 1 && read.ends_with(segment) &&
         read[read.size() - segment.size() - 1] == '.';
}

// The parts of an image a chart composes: a first-party chart takes one .ref instead.
bool IsSplitPart(std::string_view read) {
  for (std::string_view part : {"repository", "tag", "registry", "digest"}) {
    if (EndsWithSegment(read, part)) return true;
  }
  return false;
}

std::string Shown(const tmpl::Expr& e) {
  std::string text = e.text.size() > 80 ? e.text.substr(0, 77) + "..." : e.text;
  return text;
}

class ChartEvaluator {
 public:
  ChartEvaluator(const policy::Config& config, const std::string& chart_dir,
                 const tmpl::ChartTemplates& chart, std::vector<policy::Finding>* findings,
                 std::vector<base::Diagnostic>* notices)
      : config_(config), dir_(chart_dir), chart_(chart), findings_(findings), notices_(notices) {}

  std::string PathOf(const std::string& file) const {
    return dir_.empty() || dir_ == "." ? file : dir_ + "/" + file;
  }

  std::string LineOf(const std::string& file, int line) const {
    for (const tmpl::TemplateFile& f : chart_.files()) {
      if (f.path != file) continue;
      std::string_view s = f.source;
      for (int i = 1; i < line; ++i) {
        size_t nl = s.find('\n');
        if (nl == std::string_view::npos) return {};
        s.remove_prefix(nl + 1);
      }
      s = s.substr(0, s.find('\n'));
      if (s.ends_with('\r')) s.remove_suffix(1);
      return std::string(s);
    }
    return {};
  }

  // "container \"app\" (initContainers of Job, templates/job.yaml)"
  static std::string Describe(const tmpl::Container& c) {
    std::string name = c.name ? (c.name->literal ? *c.name->literal : c.name->text) : "";
    std::string kind = c.workload_kind.empty() ? "a pod template" : c.workload_kind;
    if (c.is_hook) kind += " hook";
    return fmt::format("container{} ({} of {}, {})", name.empty() ? "" : " \"" + name + "\"",
                       tmpl::ContainerListName(c.list), kind, c.template_path);
  }

  void Add(std::string_view rule, const std::string& file, int line, int column,
           std::string key_path, std::string message, std::string reference = {}) {
    policy::Finding f = policy::NewFinding(rule);
    f.path = PathOf(file);
    f.line = line;
    f.column = column;
    f.source_line = LineOf(file, line);
    f.key_path = std::move(key_path);
    f.message = std::move(message);
    f.reference = std::move(reference);
    findings_->push_back(std::move(f));
  }

  // At the container's first key, after its "- ", as for containers in manifests.
  void AddAtContainer(std::string_view rule, const tmpl::Container& c, std::string message) {
    std::string line = LineOf(c.file, c.line);
    int column = c.column;
    size_t dash = static_cast<size_t>(c.column - 1);
    if (dash < line.size() && line[dash] == '-') {
      size_t key = line.find_first_not_of(' ', dash + 1);
      if (key != std::string::npos) column = static_cast<int>(key) + 1;
    }
    Add(rule, c.file, c.line, column, std::string(tmpl::ContainerListName(c.list)),
        std::move(message));
  }

  void AddAtExpr(std::string_view rule, const tmpl::Container& c, const tmpl::Expr& e,
                 std::string_view key, std::string message, std::string reference = {}) {
    Add(rule, e.file, e.line, e.column, fmt::format("{}.{}", tmpl::ContainerListName(c.list), key),
        std::move(message), std::move(reference));
  }

  void NotAnalysable(const std::string& file, int line, int column, std::string reason) {
    notices_->push_back(base::Diagnostic::Note(PathOf(file), {line, column},
                                               "not analysable: " + std::move(reason)));
  }

  // A literal image in a template is a reference like any other (IP001, IP002, IP003).
  void JudgeLiteralImage(const tmpl::Container& c, const tmpl::Expr& e) {
    scan::FileScan scan;
    scan::ImageField field;
    field.form = scan::FieldForm::kString;
    field.key_path = fmt::format("{}.image", tmpl::ContainerListName(c.list));
    field.line = e.line;
    field.column = e.column;
    field.source_line = LineOf(e.file, e.line);
    field.reference = *e.literal;
    field.ref.present = true;
    field.ref.value = *e.literal;
    field.ref.line = e.line;
    field.ref.column = e.column;
    field.ref.source_line = field.source_line;
    scan.fields.images.push_back(std::move(field));
    policy::EvaluateFile(config_, PathOf(e.file), scan, findings_);
  }

  // IP012: a first-party chart's image is `required` .Values…ref, directly or via a helper.
  void CheckImageContract(const tmpl::Container& c) {
    if (!c.image) {
      if (!c.opaque.empty()) {
        NotAnalysable(c.file, c.line, c.column,
                      fmt::format("the image of {} may come from {}", Describe(c), c.opaque[0]));
      } else {
        AddAtContainer("IP012", c,
                       fmt::format("{} has no image: render image: {{{{ required \"image.ref is "
                                   "required\" .Values.image.ref }}}}",
                                   Describe(c)));
      }
      return;
    }
    const tmpl::Expr& e = *c.image;
    if (e.literal) {
      AddAtExpr(
          "IP012", c, e, "image",
          fmt::format("{} has the literal image \"{}\" in a first-party chart: take it from "
                      "a value, {{{{ required \"image.ref is required\" .Values.image.ref }}}}",
                      Describe(c), *e.literal),
          *e.literal);
      return;
    }
    std::vector<std::string> parts, refs;
    for (const std::string& read : e.reads) {
      if (IsSplitPart(read)) parts.push_back(read);
      if (EndsWithSegment(read, "ref")) refs.push_back(read);
    }
    if (!parts.empty()) {
      std::string list;
      for (const std::string& p : parts) list += (list.empty() ? "" : ", ") + p;
      AddAtExpr("IP012", c, e, "image",
                fmt::format("{} composes its image from {} in a first-party chart: render one "
                            "required .Values…ref ({{{{ required \"image.ref is required\" "
                            ".Values.image.ref }}}})",
                            Describe(c), list));
      return;
    }
    if (refs.empty()) {
      if (!e.undecided.empty()) {
        NotAnalysable(e.file, e.line, e.column,
                      fmt::format("the image of {}: {}", Describe(c), e.undecided[0]));
        return;
      }
      AddAtExpr(
          "IP012", c, e, "image",
          fmt::format("{} renders its image from {} in a first-party chart, not from a "
                      "required .Values…ref",
                      Describe(c), e.reads.empty() ? Shown(e) : fmt::format("{}", e.reads[0])));
      return;
    }
    if (!e.required) {
      AddAtExpr("IP012", c, e, "image",
                fmt::format("{} renders {} without required: an environment that does not set "
                            "it renders an empty image instead of failing; use {{{{ required "
                            "\"{} is required\" {} }}}}",
                            Describe(c), refs[0], refs[0].substr(8), refs[0]));
    }
  }

  // IP013 where the template alone decides: no key, or a literal other than the policy. A
  // value read is left to each application's stack (ChartFacts).
  void CheckPullPolicy(const tmpl::Container& c, ChartFacts* facts) {
    const std::string& policy = config_.pull_policy;
    if (!c.pull_policy) {
      if (!c.opaque.empty()) {
        NotAnalysable(
            c.file, c.line, c.column,
            fmt::format("the imagePullPolicy of {} may come from {}", Describe(c), c.opaque[0]));
        return;
      }
      AddAtContainer("IP013", c,
                     fmt::format("{} has no imagePullPolicy: Kubernetes then picks Always for "
                                 ":latest or untagged images; add imagePullPolicy: {}",
                                 Describe(c), policy));
      return;
    }
    const tmpl::Expr& e = *c.pull_policy;
    if (e.literal) {
      if (*e.literal != policy) {
        AddAtExpr(
            "IP013", c, e, "imagePullPolicy",
            fmt::format("{} renders imagePullPolicy: {}; set {}", Describe(c), *e.literal, policy));
      }
      return;
    }
    bool defaults_to_policy =
        std::find(e.defaults.begin(), e.defaults.end(), policy) != e.defaults.end();
    if (e.reads.empty()) {
      if (!defaults_to_policy) {
        NotAnalysable(e.file, e.line, e.column,
                      fmt::format("the imagePullPolicy of {} is {}{}", Describe(c), Shown(e),
                                  e.undecided.empty() ? "" : ": " + e.undecided[0]));
      }
      return;
    }
    // The first value read is the one the policy comes from (`.Values.x | default "…"`).
    yaml::SegmentPath path = ValuesPathOf(c.template_path, e.reads[0]);
    if (path.empty()) {
      if (!defaults_to_policy) {
        NotAnalysable(e.file, e.line, e.column,
                      fmt::format("the imagePullPolicy of {} reads {}, a value per list item",
                                  Describe(c), e.reads[0]));
      }
      return;
    }
    ChartValueUse use;
    use.printed = yaml::PrintKeyPath(path);
    use.path = std::move(path);
    use.at = fmt::format("{}:{}", PathOf(e.file), e.line);
    use.subchart = c.template_path.starts_with("charts/");
    use.defaults_to_policy = defaults_to_policy;
    facts->pull_policies.push_back(std::move(use));
  }

  ChartFacts Run(bool first_party, const tmpl::ContainerAnalysis& analysis) {
    ChartFacts facts;
    for (const tmpl::NotAnalysable& n : analysis.not_analysable) {
      NotAnalysable(n.file, n.line, n.column, n.reason);
    }
    for (const tmpl::Container& c : analysis.containers) {
      if (c.image && c.image->literal) JudgeLiteralImage(c, *c.image);
      if (first_party) CheckImageContract(c);
      CheckPullPolicy(c, &facts);
      // The values an if/else writes in its other branches: each may be the one rendered.
      for (const tmpl::Expr& e : c.other_images) {
        tmpl::Container branch = c;
        branch.image = e;
        if (e.literal) JudgeLiteralImage(branch, e);
        if (first_party) CheckImageContract(branch);
      }
      for (const tmpl::Expr& e : c.other_pull_policies) {
        tmpl::Container branch = c;
        branch.pull_policy = e;
        CheckPullPolicy(branch, &facts);
      }
    }
    std::set<std::string> image_values;
    auto note_reads = [&](const tmpl::Container& c, const tmpl::Expr& e) {
      for (const std::string& read : e.reads) {
        yaml::SegmentPath path = ValuesPathOf(c.template_path, read);
        if (!path.empty()) image_values.insert(yaml::PrintKeyPath(path));
      }
    };
    for (const tmpl::Container& c : analysis.containers) {
      if (c.image) note_reads(c, *c.image);
      for (const tmpl::Expr& e : c.other_images) note_reads(c, e);
    }
    facts.image_values.assign(image_values.begin(), image_values.end());
    std::set<std::string> seen;
    for (const tmpl::Document& d : analysis.documents) {
      for (const tmpl::LabelRead& read : d.label_sites) {
        if (!EndsWithSegment(read.path, "tag")) continue;
        yaml::SegmentPath path = ValuesPathOf(d.template_path, read.path);
        if (path.empty()) continue;
        std::string printed = yaml::PrintKeyPath(path);
        if (!seen.insert(printed).second) continue;
        ChartValueUse use;
        use.path = std::move(path);
        use.printed = std::move(printed);
        use.at = fmt::format("{}:{}", PathOf(read.file), read.line);
        use.subchart = d.template_path.starts_with("charts/");
        facts.label_tags.push_back(std::move(use));
      }
    }
    return facts;
  }

 private:
  const policy::Config& config_;
  const std::string& dir_;
  const tmpl::ChartTemplates& chart_;
  std::vector<policy::Finding>* findings_;
  std::vector<base::Diagnostic>* notices_;
};

}  // namespace

yaml::SegmentPath ValuesPathOf(std::string_view template_path, std::string_view read) {
  if (read != ".Values" && !read.starts_with(".Values.")) return {};
  if (read.find("[]") != std::string_view::npos) return {};
  yaml::SegmentPath keys;
  for (std::string_view rest = read.substr(std::string_view(".Values").size()); !rest.empty();) {
    rest.remove_prefix(1);  // the "."
    size_t dot = rest.find('.');
    keys.push_back({std::string(rest.substr(0, dot)), -1});
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot);
  }
  if (keys.empty()) return {};
  if (keys[0].key == "global") return keys;  // shared by a chart and its subcharts
  yaml::SegmentPath path;
  for (std::string_view t = template_path; t.starts_with("charts/");) {
    t.remove_prefix(7);
    size_t slash = t.find('/');
    if (slash == std::string_view::npos) break;
    path.push_back({std::string(t.substr(0, slash)), -1});
    t.remove_prefix(slash + 1);
  }
  path.insert(path.end(), keys.begin(), keys.end());
  return path;
}

ChartFacts EvaluateChartTemplates(const policy::Config& config, const std::string& chart_dir,
                                  bool first_party, const tmpl::ChartTemplates& chart,
                                  const tmpl::ContainerAnalysis& analysis,
                                  std::vector<policy::Finding>* findings,
                                  std::vector<base::Diagnostic>* notices) {
  return ChartEvaluator(config, chart_dir, chart, findings, notices).Run(first_party, analysis);
}

}  // namespace imagepin::apps
