// The chart contract read from a chart's templates (tmpl::AnalyseContainers), no helm: IP012 (a
// first-party chart takes every image from a required .Values…ref), IP013 (every container
// renders imagePullPolicy: IfNotPresent), a literal image in a template judged like any
// reference; and ChartFacts, the .Values paths whose effective value only an application's
// stack knows (a pull policy, a tag put into labels: IP013 and IP014 in rules.h).
//
// What a newcomer gets wrong: what the analysis cannot tell is a notice ("not analysable"),
// never a finding and never a pass; and a template is upstream's file in a vendored chart, so
// a value it reads is judged where a values layer sets it, not at the template.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "policy/config.h"
#include "policy/finding.h"
#include "tmpl/chart.h"
#include "tmpl/containers.h"
#include "yaml/key_path.h"

namespace imagepin::apps {

// A .Values path a template reads for a pull policy or into labels.
struct ChartValueUse {
  yaml::SegmentPath path;  // in the chart's values: image.pullPolicy; a subchart's under its name
  std::string printed;     // "image.pullPolicy"
  std::string at;          // where the template reads it: "sources/charts/x/templates/a.yaml:20"
  // Read by a subchart's template: its own values.yaml (not in the app's stack) may set it.
  bool subchart = false;
  bool defaults_to_policy = false;  // `| default "IfNotPresent"`: unset is fine
};

struct ChartFacts {
  std::vector<ChartValueUse> pull_policies;
  std::vector<ChartValueUse> label_tags;  // …tag paths read under labels/annotations/selectors
  // The .Values paths the containers' images read (every branch), printed ("image.ref",
  // "sub.image.tag"), sorted, each once: whether `migrate` may write `image.ref` for the chart.
  std::vector<std::string> image_values;
};

// The .Values path a template of `template_path` (chart-relative) means by `read`
// (".Values.image.tag"): a subchart's template reads its own values, under the subchart's name
// in the parent's (global stays global). Empty for a range element (".Values.x[].y").
yaml::SegmentPath ValuesPathOf(std::string_view template_path, std::string_view read);

// Appends the findings and notices of one chart's templates; `chart_dir` is the chart's
// directory from the repository root, `first_party` whether IP012 applies. Returns the facts
// for the per-application rules.
ChartFacts EvaluateChartTemplates(const policy::Config& config, const std::string& chart_dir,
                                  bool first_party, const tmpl::ChartTemplates& chart,
                                  const tmpl::ContainerAnalysis& analysis,
                                  std::vector<policy::Finding>* findings,
                                  std::vector<base::Diagnostic>* notices);

}  // namespace imagepin::apps
