// The containers a chart's templates render, found statically: no values, no helm.
//
// Each templates/*.yaml file (not _*.tpl, _*.yaml or NOTES.txt) is rendered into "virtual
// lines": its text as written, actions replaced by holes, except that `include "x" …` (or
// {{template "x"}}) at the start of a line or piped to nindent/indent puts the body of define
// "x" there with that indentation. Both branches of every if/else are kept, range bodies once.
// The lines are then read as YAML by indentation: key paths, "- " items, "---" documents and a
// literal `kind:`. Every "- " item of `containers`, `initContainers` or `ephemeralContainers`
// under a pod template (spec.template.spec, spec.jobTemplate.spec.template.spec, the spec of a
// Pod) is a Container; its name, image and imagePullPolicy are Exprs whose .Values reads are
// followed through includes, dicts passed to them, variables, with and range.
//
// What a newcomer gets wrong: holes are not evaluated. A container list that a hole produces
// (`toYaml .Values.sidecars`, tpl, an undefined or computed include) is a NotAnalysable, never a
// guess; a hole inside a container (`{{ toYaml .Values.extra | nindent 10 }}`) is kept in
// Container::opaque. .Values paths of files under charts/<sub>/ are the subchart's own values.
// Bounded: includes nest at most kMaxIncludeDepth deep and never into a
// define already being expanded, so the work is linear in the templates' size times that bound.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tmpl/ast.h"
#include "tmpl/chart.h"

namespace imagepin::tmpl {

inline constexpr int kMaxIncludeDepth = 16;

// A YAML value as the template writes it: literal text and actions.
struct Expr {
  // Where the value is written (its first byte): the template, or a define's file.
  std::string file;
  int line = 0;
  int column = 0;
  std::string text;                    // as written: "{{ .Values.image.repository }}:{{ … }}"
  std::optional<std::string> literal;  // when there is no action: the value, quotes removed
  // The actions' pipelines, into the ChartTemplates ({{template "x" p}}: p, if any; an inline
  // {{if c}}: c), and each action's source text, "{{ … }}", {{if}}/{{else}}/{{end}} included.
  std::vector<const Pipeline*> pipelines;
  std::vector<std::string> actions;
  // The .Values paths read, each once, in order: ".Values.image.tag"; elements of a range over
  // .Values.x are ".Values.x[]". Followed through includes (and the dicts they are given).
  std::vector<std::string> reads;
  std::vector<std::string> includes;  // the defines followed, outermost first: "redis.image", …
  bool required = false;              // a `required` call is on the way
  std::vector<std::string> defaults;  // literal first arguments of `default`: "latest"
  // What could not be followed: "include \"x\" is not defined", "tpl", a computed include name.
  std::vector<std::string> undecided;
};

enum class ContainerList { kContainers, kInitContainers, kEphemeralContainers };
std::string_view ContainerListName(ContainerList list);  // "containers", …

struct Container {
  std::string template_path;  // the templates/*.yaml file rendered
  // Where the item's "-" is written: template_path, or the file of a define included there.
  std::string file;
  int line = 0;
  int column = 0;
  ContainerList list = ContainerList::kContainers;
  // The document's literal `kind:`, or empty (templated, or different kinds in {{if}}/{{else}}).
  std::string workload_kind;
  bool is_hook = false;   // the document has a literal helm.sh/hook annotation
  bool in_range = false;  // the item is written inside a {{range}}: it may repeat
  std::optional<Expr> name;
  std::optional<Expr> image;
  std::optional<Expr> pull_policy;
  // `image:` / `imagePullPolicy:` written again in the item, in another {{if}}/{{else}} branch
  // (one renders): the other values it may get, in source order; image/pull_policy is the first.
  std::vector<Expr> other_images;
  std::vector<Expr> other_pull_policies;
  // Actions emitting fields of this container that cannot be read (toYaml …), as written.
  std::vector<std::string> opaque;
  // .Values paths the document reads under labels, annotations or spec.selector.
  std::vector<std::string> label_reads;
};

// Where a document reads a .Values path under labels, annotations or spec.selector: the action
// that reads it (in a define's file when the labels come from an include).
struct LabelRead {
  std::string path;  // ".Values.image.tag"
  std::string file;
  int line = 0;
  int column = 0;
};

struct NotAnalysable {
  std::string template_path;
  std::string file;
  int line = 0;
  int column = 0;
  std::string reason;  // "containers rendered by toYaml .Values.sidecars"
  // "templates/a.yaml:40:9: not analysable: containers rendered by toYaml .Values.sidecars"
  std::string ToString() const;
};

// One YAML document a template renders (between "---"s), with or without containers.
struct Document {
  std::string template_path;
  std::string kind;  // literal, or empty (as Container::workload_kind)
  bool is_hook = false;
  bool has_pod_template = false;         // containers or not-analysable lists were found in it
  std::vector<std::string> label_reads;  // as Container::label_reads
  std::vector<LabelRead> label_sites;    // the first place each of label_reads is read
};

struct ContainerAnalysis {
  std::vector<Container> containers;
  std::vector<NotAnalysable> not_analysable;
  std::vector<Document> documents;  // those with a key, in order
  int templates_rendered = 0;       // the templates/*.yaml files rendered (not _*.tpl, NOTES.txt)
};

// Pure; the Exprs point into `chart`, which must outlive the result.
ContainerAnalysis AnalyseContainers(const ChartTemplates& chart);

}  // namespace imagepin::tmpl
