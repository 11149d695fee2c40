#include "tmpl/containers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tmpl/test_charts.h"

namespace imagepin::tmpl {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

const fs::path kSharedCharts = fs::path(IMAGEPIN_SOURCE_DIR) / "../shared/charts";

using testing::Analyse;
using testing::Analysed;
using testing::Describe;
using testing::ListChart;
using testing::ReadAll;

TEST(AnalyseContainers, DeploymentWithLiteralKind) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 80
        - image: nginx:1.25
          name: side
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  EXPECT_TRUE(r.not_analysable.empty()) << Describe(r);
  const Container& app = r.containers[0];
  EXPECT_EQ(app.template_path, "templates/deploy.yaml");
  EXPECT_EQ(app.file, "templates/deploy.yaml");
  EXPECT_EQ(app.line, 9);
  EXPECT_EQ(app.column, 9);
  EXPECT_EQ(app.list, ContainerList::kContainers);
  EXPECT_EQ(app.workload_kind, "Deployment");
  EXPECT_FALSE(app.is_hook);
  ASSERT_TRUE(app.name && app.name->literal);
  EXPECT_EQ(*app.name->literal, "app");
  ASSERT_TRUE(app.image);
  EXPECT_FALSE(app.image->literal);
  EXPECT_EQ(app.image->text, R"("{{ .Values.image.repository }}:{{ .Values.image.tag }}")");
  EXPECT_EQ(app.image->reads, (Strings{".Values.image.repository", ".Values.image.tag"}));
  EXPECT_EQ(app.image->pipelines.size(), 2u);
  EXPECT_EQ(app.image->file, "templates/deploy.yaml");
  EXPECT_EQ(app.image->line, 10);
  EXPECT_EQ(app.image->column, 18);
  ASSERT_TRUE(app.pull_policy && app.pull_policy->literal);
  EXPECT_EQ(*app.pull_policy->literal, "IfNotPresent");
  EXPECT_EQ(app.pull_policy->line, 11);
  EXPECT_EQ(app.pull_policy->column, 28);
  const Container& side = r.containers[1];
  EXPECT_EQ(side.line, 15);
  ASSERT_TRUE(side.image && side.image->literal);
  EXPECT_EQ(*side.image->literal, "nginx:1.25");
  EXPECT_FALSE(side.pull_policy);
}

TEST(AnalyseContainers, InitAndEphemeralContainers) {
  Analysed a = Analyse({{"templates/sts.yaml", R"(kind: StatefulSet
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: busybox:1.36
      containers:
      - name: main
        image: app:1
      ephemeralContainers:
      - name: debug
        image: debug:1
      volumes:
      - name: data
        image: not-a-container
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 3u) << Describe(r);
  EXPECT_EQ(r.containers[0].list, ContainerList::kInitContainers);
  EXPECT_EQ(*r.containers[0].image->literal, "busybox:1.36");
  EXPECT_EQ(r.containers[0].line, 6);
  EXPECT_EQ(r.containers[0].column, 7);
  EXPECT_EQ(r.containers[1].list, ContainerList::kContainers);
  EXPECT_EQ(*r.containers[1].name->literal, "main");
  EXPECT_EQ(r.containers[2].list, ContainerList::kEphemeralContainers);
  EXPECT_EQ(*r.containers[2].name->literal, "debug");
  for (const Container& c : r.containers) EXPECT_EQ(c.workload_kind, "StatefulSet");
}

TEST(AnalyseContainers, CronJobUsesTheJobTemplateShape) {
  Analysed a = Analyse({{"templates/cron.yaml", R"(apiVersion: batch/v1
kind: CronJob
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: {{ .Values.cron.image | quote }}
---
kind: CronJob
spec:
  template:
    spec:
      containers:
        - name: wrong-shape
          image: x
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 1u) << Describe(r);
  const Container& c = r.containers[0];
  EXPECT_EQ(c.workload_kind, "CronJob");
  EXPECT_EQ(*c.name->literal, "job");
  EXPECT_EQ(c.line, 10);
  EXPECT_EQ(c.image->reads, Strings{".Values.cron.image"});
  EXPECT_EQ(c.image->actions, Strings{"{{ .Values.cron.image | quote }}"});
}

TEST(AnalyseContainers, HookJobAndPod) {
  Analysed a = Analyse({{"templates/hooks.yaml", R"(apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: migrate:2
---
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    helm.sh/hook: test
spec:
  containers:
    - name: test
      image: curl:8
---
kind: Job
metadata:
  labels:
    helm.sh/hook: not-an-annotation
spec:
  template:
    spec:
      containers:
        - name: plain
          image: plain:1
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 3u) << Describe(r);
  EXPECT_EQ(r.containers[0].workload_kind, "Job");
  EXPECT_TRUE(r.containers[0].is_hook);
  EXPECT_EQ(r.containers[1].workload_kind, "Pod");
  EXPECT_TRUE(r.containers[1].is_hook);
  EXPECT_EQ(*r.containers[1].image->literal, "curl:8");
  EXPECT_EQ(r.containers[2].workload_kind, "Job");
  EXPECT_FALSE(r.containers[2].is_hook);
}

// Labels and a container list put in place by nindent includes; an image from a define given a
// dict, whose keys map to the .Values paths passed.
TEST(AnalyseContainers, NindentIncludesAndDictArguments) {
  Analysed a = Analyse({
      {"templates/_helpers.tpl", R"({{- define "x.labels" -}}
app: x
version: {{ .Values.image.tag | quote }}
{{- end }}
{{- define "x.image" -}}
{{- $registry := default .imageRoot.registry .global.imageRegistry -}}
{{- printf "%s/%s:%s" $registry .imageRoot.repository (.imageRoot.tag | toString) -}}
{{- end }}
{{- define "x.containers" -}}
- name: main
  image: {{ include "x.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
{{- end }}
{{- define "x.pod" -}}
metadata:
  labels:
    {{- include "x.labels" . | nindent 4 }}
spec:
  containers:
    {{- include "x.containers" . | nindent 4 }}
{{- end }}
)"},
      {"templates/deploy.yaml", R"(kind: Deployment
metadata:
  labels:
    {{- include "x.labels" . | nindent 4 }}
spec:
  template:
    {{- include "x.pod" . | nindent 4 }}
)"},
  });
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 1u) << Describe(r);
  EXPECT_TRUE(r.not_analysable.empty()) << Describe(r);
  const Container& c = r.containers[0];
  EXPECT_EQ(c.template_path, "templates/deploy.yaml");
  EXPECT_EQ(c.file, "templates/_helpers.tpl");
  EXPECT_EQ(c.line, 10);
  EXPECT_EQ(c.column, 1);
  EXPECT_EQ(c.workload_kind, "Deployment");
  EXPECT_EQ(*c.name->literal, "main");
  ASSERT_TRUE(c.image);
  EXPECT_EQ(c.image->includes, Strings{"x.image"});
  // In evaluation order: the parenthesised (.imageRoot.tag | toString) before printf's reads.
  EXPECT_EQ(c.image->reads, (Strings{".Values.image.registry", ".Values.global.imageRegistry",
                                     ".Values.image.tag", ".Values.image.repository"}));
  EXPECT_TRUE(c.image->undecided.empty());
  ASSERT_TRUE(c.pull_policy);
  EXPECT_EQ(c.pull_policy->reads, Strings{".Values.image.pullPolicy"});
  // Inside the define, where the include put it.
  EXPECT_EQ(c.image->file, "templates/_helpers.tpl");
  EXPECT_EQ(c.image->line, 11);
  EXPECT_EQ(c.pull_policy->line, 12);
  EXPECT_EQ(c.pull_policy->column, 20);
  EXPECT_EQ(c.label_reads, Strings{".Values.image.tag"});
  ASSERT_EQ(r.documents.size(), 1u);
  ASSERT_EQ(r.documents[0].label_sites.size(), 1u);
  const LabelRead& site = r.documents[0].label_sites[0];
  EXPECT_EQ(site.path, ".Values.image.tag");
  EXPECT_EQ(site.file, "templates/_helpers.tpl");  // the action that reads it
  EXPECT_EQ(site.line, 3);
  EXPECT_EQ(site.column, 10);
}

TEST(AnalyseContainers, RangeOverExtraContainers) {
  Analysed a = Analyse({{"templates/ds.yaml", R"(kind: DaemonSet
spec:
  template:
    spec:
      containers:
        - name: main
          image: main:1
        {{- range .Values.extraContainers }}
        - name: {{ .name }}
          image: "{{ .image.repository }}:{{ .image.tag | default "latest" }}"
        {{- end }}
        {{- range $i, $c := .Values.sidecars }}
        - name: side-{{ $i }}
          image: {{ $c.image }}
        {{- end }}
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 3u) << Describe(r);
  EXPECT_FALSE(r.containers[0].in_range);
  const Container& extra = r.containers[1];
  EXPECT_TRUE(extra.in_range);
  EXPECT_EQ(extra.line, 9);
  EXPECT_EQ(extra.name->reads, Strings{".Values.extraContainers[].name"});
  EXPECT_EQ(extra.image->reads, (Strings{".Values.extraContainers[].image.repository",
                                         ".Values.extraContainers[].image.tag"}));
  EXPECT_EQ(extra.image->defaults, Strings{"latest"});
  const Container& side = r.containers[2];
  EXPECT_TRUE(side.in_range);
  EXPECT_EQ(side.image->reads, Strings{".Values.sidecars[].image"});
}

TEST(AnalyseContainers, ToYamlContainerListIsNotAnalysable) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: main
          image: main:1
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
        {{- with .Values.sidecars }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      initContainers: {{ toYaml .Values.initContainers | nindent 8 }}
      volumes:
        {{- toYaml .Values.volumes | nindent 8 }}
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 1u) << Describe(r);
  EXPECT_TRUE(r.containers[0].opaque.empty());  // resources: is not the container's level
  ASSERT_EQ(r.not_analysable.size(), 2u) << Describe(r);
  const NotAnalysable& sidecars = r.not_analysable[0];
  EXPECT_EQ(sidecars.file, "templates/deploy.yaml");
  EXPECT_EQ(sidecars.line, 11);
  EXPECT_EQ(sidecars.column, 9);
  EXPECT_EQ(sidecars.ToString(),
            "templates/deploy.yaml:11:9: not analysable: containers rendered by toYaml . | "
            "nindent 8 reading .Values.sidecars");
  EXPECT_EQ(r.not_analysable[1].ToString(),
            "templates/deploy.yaml:13:23: not analysable: initContainers rendered by toYaml "
            ".Values.initContainers | nindent 8 reading .Values.initContainers");
}

TEST(AnalyseContainers, OpaqueFieldsOfAContainer) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: main
          {{- toYaml .Values.main | nindent 10 }}
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 1u) << Describe(r);
  EXPECT_FALSE(r.containers[0].image);
  EXPECT_EQ(r.containers[0].opaque, Strings{"{{- toYaml .Values.main | nindent 10 }}"});
}

TEST(AnalyseContainers, RequiredAndDefault) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: a
          image: {{ required "image.repository is required" .Values.image.repository }}:{{ .Values.image.tag | default "1.0" }}
          imagePullPolicy: {{ default "IfNotPresent" .Values.image.pullPolicy }}
        - name: b
          image: {{ .Values.b.image | default .Chart.AppVersion }}
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  const Container& c = r.containers[0];
  EXPECT_TRUE(c.image->required);
  EXPECT_EQ(c.image->defaults, Strings{"1.0"});
  EXPECT_EQ(c.image->reads, (Strings{".Values.image.repository", ".Values.image.tag"}));
  EXPECT_FALSE(c.pull_policy->required);
  EXPECT_EQ(c.pull_policy->defaults, Strings{"IfNotPresent"});
  EXPECT_EQ(c.pull_policy->reads, Strings{".Values.image.pullPolicy"});
  EXPECT_FALSE(r.containers[1].image->required);
  EXPECT_TRUE(r.containers[1].image->defaults.empty());  // not a literal
  EXPECT_EQ(r.containers[1].image->reads, Strings{".Values.b.image"});
}

TEST(AnalyseContainers, KindNotLiteralStillFindsPodTemplates) {
  Analysed a = Analyse({{"templates/w.yaml", R"(kind: {{ .Values.kind }}
spec:
  template:
    spec:
      containers:
        - name: a
          image: a:1
---
kind: {{ .Values.kind2 }}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: b
              image: b:1
---
kind: ConfigMap
data:
  pod.yaml: |
    spec:
      containers:
        - name: in-a-string
          image: c:1
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  EXPECT_EQ(r.containers[0].workload_kind, "");
  EXPECT_EQ(*r.containers[0].name->literal, "a");
  EXPECT_EQ(*r.containers[1].name->literal, "b");
  ASSERT_EQ(r.documents.size(), 3u);
  EXPECT_TRUE(r.documents[0].has_pod_template);
  EXPECT_TRUE(r.documents[1].has_pod_template);
  EXPECT_EQ(r.documents[2].kind, "ConfigMap");
  EXPECT_FALSE(r.documents[2].has_pod_template);
}

TEST(AnalyseContainers, UnresolvableIncludesAreNotAnalysable) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
        {{- include (printf "%s.containers" .Chart.Name) . | nindent 8 }}
        {{- include "missing.containers" . | nindent 8 }}
        {{- tpl .Values.containersTpl . | nindent 8 }}
)"}});
  const ContainerAnalysis& r = a.result;
  EXPECT_TRUE(r.containers.empty()) << Describe(r);
  ASSERT_EQ(r.not_analysable.size(), 3u) << Describe(r);
  EXPECT_NE(r.not_analysable[0].reason.find("include with a computed name"), std::string::npos)
      << r.not_analysable[0].reason;
  EXPECT_EQ(r.not_analysable[0].line, 6);
  EXPECT_NE(r.not_analysable[1].reason.find("include \"missing.containers\" is not defined"),
            std::string::npos)
      << r.not_analysable[1].reason;
  EXPECT_NE(r.not_analysable[2].reason.find("; tpl"), std::string::npos)
      << r.not_analysable[2].reason;
}

// A define that includes itself, and a chain deeper than kMaxIncludeDepth: both end.
TEST(AnalyseContainers, RecursiveAndDeepIncludesEnd) {
  std::string helpers = R"({{- define "loop" -}}
- name: {{ include "loop" . }}
{{ include "loop" . | nindent 0 }}
{{- end }}
)";
  for (int i = 0; i < 40; ++i) {
    helpers += "{{- define \"d" + std::to_string(i) + "\" -}}\n{{ include \"d" +
               std::to_string(i + 1) + "\" . }}\n{{- end }}\n";
  }
  helpers += "{{- define \"d40\" -}}\n- name: deepest\n{{- end }}\n";
  Analysed a =
      Analyse({{"templates/_helpers.tpl", helpers}, {"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
        {{- include "loop" . | nindent 8 }}
      initContainers:
        {{- include "d0" . | nindent 8 }}
)"}});
  const ContainerAnalysis& r = a.result;
  // The loop's first item is found, its name undecided; the include back into it is not.
  ASSERT_GE(r.containers.size(), 1u) << Describe(r);
  const Container& loop = r.containers[0];
  EXPECT_EQ(loop.list, ContainerList::kContainers);
  ASSERT_TRUE(loop.name);
  EXPECT_EQ(loop.name->undecided, Strings{"include \"loop\" is recursive"});
  bool recursive = false, deep = false;
  for (const NotAnalysable& n : r.not_analysable) {
    recursive = recursive || n.reason.find("recursive include") != std::string::npos;
    deep = deep || n.reason.find("nest too deep") != std::string::npos;
  }
  EXPECT_TRUE(recursive) << Describe(r);
  EXPECT_TRUE(deep) << Describe(r);
  for (const Container& c : r.containers) EXPECT_NE(c.list, ContainerList::kInitContainers);
}

// Each define uses the next four times, 12 deep: 4^12 expansions unbounded; the budget stops it.
TEST(AnalyseContainers, AnIndentPastAnyLayoutIsNotExpanded) {
  // Found by chart_fuzz: `nindent 4111111111111111111` overflowed an int and asked for gigabytes.
  Analysed a =
      Analyse({{"templates/_c.tpl", "{{- define \"c\" -}}\n- name: a\n  image: a:1\n{{- end }}"},
               {"templates/pod.yaml",
                "kind: Pod\nspec:\n  containers:\n"
                "    {{- include \"c\" . | nindent 4111111111111111111 }}\n"
                "    {{- include \"c\" . | nindent 1025 }}\n"}});
  EXPECT_TRUE(a.result.containers.empty()) << Describe(a.result);
  ASSERT_EQ(a.result.not_analysable.size(), 2u) << Describe(a.result);
  EXPECT_NE(a.result.not_analysable[0].reason.find("nindent 4111111111111111111"),
            std::string::npos)
      << a.result.not_analysable[0].reason;
  for (const NotAnalysable& n : a.result.not_analysable) {
    EXPECT_NE(n.reason.find("an indentation past any layout"), std::string::npos) << n.reason;
  }
}

TEST(AnalyseContainers, RenderingPastTheOutputCapIsNotAnalysable) {
  std::string body = "{{- define \"big\" -}}\n";
  for (int i = 0; i < 1000; ++i) body += "k" + std::to_string(i) + ": v\n";
  body += "{{- end }}";
  std::string pod = "kind: Pod\nspec:\n";
  for (int i = 0; i < 6; ++i) pod += "  {{- include \"big\" . | nindent 1000 }}\n";
  Analysed a = Analyse({{"templates/_big.tpl", body}, {"templates/pod.yaml", pod}});
  ASSERT_EQ(a.result.not_analysable.size(), 1u) << Describe(a.result);
  EXPECT_EQ(a.result.not_analysable[0].file, "templates/pod.yaml");
  EXPECT_NE(a.result.not_analysable[0].reason.find("renders more than 4194304 bytes"),
            std::string::npos)
      << a.result.not_analysable[0].reason;
  EXPECT_EQ(a.result.templates_rendered, 1);
}

TEST(AnalyseContainers, ExponentialIncludesAreBounded) {
  std::string helpers;
  for (int i = 0; i < 12; ++i) {
    std::string next = "{{ include \"f" + std::to_string(i + 1) + "\" . | nindent 0 }}";
    helpers += "{{- define \"f" + std::to_string(i) + "\" -}}\n" + std::string(200, '#') + "\n" +
               next + next + next + next + "\n{{- end }}\n";
  }
  helpers += "{{- define \"f12\" -}}\n- name: leaf\n  image: leaf:1\n{{- end }}\n";
  Analysed a = Analyse({{"templates/_helpers.tpl", helpers},
                        {"templates/pod.yaml",
                         "kind: Pod\nspec:\n  containers:\n"
                         "  {{- include \"f0\" . | nindent 2 }}\n"}});
  const ContainerAnalysis& r = a.result;
  EXPECT_GT(r.containers.size(), 0u);
  EXPECT_LT(r.containers.size(), 100000u);
  // One report for the include that expands too far, however many holes it left.
  ASSERT_EQ(r.not_analysable.size(), 1u) << Describe(r).substr(0, 2000);
  EXPECT_EQ(r.not_analysable[0].line, 4);
  EXPECT_NE(r.not_analysable[0].reason.find("beyond the budget"), std::string::npos)
      << r.not_analysable[0].reason;
}

// `indent` at the start of a line and {{template}} place a define's lines too; an include after
// the key (no nindent) and a flow sequence cannot be read.
TEST(AnalyseContainers, IndentTemplateAndMidLineIncludes) {
  Analysed a = Analyse({{"templates/_helpers.tpl", R"({{- define "x.containers" -}}
- name: a
  image: a:1
{{- end }}
{{- define "x.init" }}
        - name: init
          image: init:1
{{- end }})"},
                        {"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
{{ include "x.containers" . | indent 8 }}
      initContainers:
{{- template "x.init" . }}
      ephemeralContainers: {{ include "x.containers" . }}
---
kind: Pod
spec:
  containers: [{name: b, image: "b:1"}]
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  EXPECT_EQ(r.containers[0].list, ContainerList::kContainers);
  EXPECT_EQ(*r.containers[0].image->literal, "a:1");
  EXPECT_EQ(r.containers[0].file, "templates/_helpers.tpl");
  EXPECT_EQ(r.containers[0].line, 2);
  EXPECT_EQ(r.containers[1].list, ContainerList::kInitContainers);
  EXPECT_EQ(*r.containers[1].name->literal, "init");
  EXPECT_EQ(r.containers[1].line, 6);
  EXPECT_EQ(r.containers[1].column, 9);
  ASSERT_EQ(r.not_analysable.size(), 2u) << Describe(r);
  EXPECT_EQ(r.not_analysable[0].ToString(),
            "templates/deploy.yaml:9:28: not analysable: ephemeralContainers rendered by "
            "include \"x.containers\" .; written after the key, its indentation cannot be told");
  EXPECT_EQ(r.not_analysable[1].ToString(),
            "templates/deploy.yaml:13:15: not analysable: containers written as a flow sequence");
}

// Bodies nested deep in each of many nested includes: the walk stops instead of the stack.
TEST(AnalyseContainers, DeepNestingAcrossIncludesEnds) {
  std::string ifs, ends;
  for (int i = 0; i < 400; ++i) {
    ifs += "{{ if .a }}";
    ends += "{{ end }}";
  }
  std::string helpers;
  for (int i = 0; i < 15; ++i) {
    helpers += "{{- define \"n" + std::to_string(i) + "\" -}}\n" + ifs + "{{ include \"n" +
               std::to_string(i + 1) + "\" . | nindent 0 }}" + ends + "\n{{- end }}\n";
  }
  helpers += "{{- define \"n15\" -}}\n- name: deep\n{{- end }}\n";
  Analysed a = Analyse({{"templates/_helpers.tpl", helpers},
                        {"templates/pod.yaml",
                         "kind: Pod\nspec:\n  containers:\n"
                         "  {{- include \"n0\" . | nindent 2 }}\n"}});
  // Past kMaxNesting levels the innermost define is not reached.
  EXPECT_TRUE(a.result.containers.empty()) << Describe(a.result);
}

// An if/else inside a value is part of it (not the literal "AlwaysIfNotPresent"); an if block
// joined to the line before by "{{-" is not.
TEST(AnalyseContainers, InlineIfElseInValues) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: a
          image: "{{ .Values.image.repository }}{{ if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}"
          imagePullPolicy: {{ if .Values.dev }}Always{{ else }}IfNotPresent{{ end }}
          {{- if .Values.securityContext }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          {{- end }}
      {{- if .Values.sidecar.enabled }}
        - name: sidecar
          image: {{ .Values.sidecar.image }}
      {{- end }}
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  const Container& c = r.containers[0];
  EXPECT_EQ(
      c.image->text,
      R"("{{ .Values.image.repository }}{{ if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}")");
  EXPECT_EQ(c.image->reads,
            (Strings{".Values.image.repository", ".Values.image.digest", ".Values.image.tag"}));
  ASSERT_TRUE(c.pull_policy);
  EXPECT_FALSE(c.pull_policy->literal);
  EXPECT_EQ(c.pull_policy->text, "{{ if .Values.dev }}Always{{ else }}IfNotPresent{{ end }}");
  EXPECT_EQ(c.pull_policy->reads, Strings{".Values.dev"});
  EXPECT_TRUE(r.containers[0].opaque.empty());
  EXPECT_EQ(r.containers[1].image->text, "{{ .Values.sidecar.image }}");
  EXPECT_EQ(r.containers[1].image->reads, Strings{".Values.sidecar.image"});
}

TEST(AnalyseContainers, CommentsAreNotValues) {
  Analysed a = Analyse({{"templates/deploy.yaml", R"(kind: Deployment # the app
spec:
  template:
    spec:
      containers: # one
        - name: "a # not a comment"
          image: nginx:1.25 # pinned by hand
          imagePullPolicy: {{ .Values.pullPolicy }} # from values
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 1u) << Describe(r);
  EXPECT_TRUE(r.not_analysable.empty()) << Describe(r);
  const Container& c = r.containers[0];
  EXPECT_EQ(c.workload_kind, "Deployment");
  EXPECT_EQ(*c.name->literal, "a # not a comment");
  EXPECT_EQ(*c.image->literal, "nginx:1.25");
  EXPECT_EQ(c.pull_policy->text, "{{ .Values.pullPolicy }}");
}

TEST(AnalyseContainers, SkipsHelpersAndNotes) {
  const char* pod = R"(kind: Pod
spec:
  containers:
    - name: a
      image: a:1
)";
  Analysed a = Analyse(
      {{"templates/_pod.tpl", pod}, {"templates/NOTES.txt", pod}, {"templates/pod.yaml", pod}});
  ASSERT_EQ(a.result.containers.size(), 1u) << Describe(a.result);
  EXPECT_EQ(a.result.containers[0].template_path, "templates/pod.yaml");
  EXPECT_EQ(a.result.templates_rendered, 1);
}

// kube-state-metrics writes `kind: StatefulSet` under {{if}} and `kind: Deployment` under
// {{else}}: the document is either, so its kind is not told (empty), not the last one written.
TEST(AnalyseContainers, KindInIfElseBranchesIsNotDecided) {
  Analysed a = Analyse({{"templates/w.yaml", R"(apiVersion: apps/v1
{{- if .Values.sharded }}
kind: StatefulSet
{{- else }}
kind: Deployment
{{- end }}
spec:
  template:
    spec:
      containers:
        - name: a
          image: a:1
---
{{- if .Values.x }}
kind: Job
{{- else }}
kind: Job
{{- end }}
spec:
  template:
    spec:
      containers:
        - name: b
          image: b:1
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  EXPECT_EQ(r.containers[0].workload_kind, "");
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(r.documents[0].kind, "");
  EXPECT_EQ(r.containers[1].workload_kind, "Job");  // the same in both branches
  EXPECT_EQ(r.documents[1].kind, "Job");
}

// prometheus-node-exporter writes `image:` once under {{if .sha}} and again under {{else}}: both
// are values the container may get. `image` is the first; the other is kept, not dropped.
TEST(AnalyseContainers, ImageWrittenInIfAndElseKeepsBoth) {
  Analysed a = Analyse({{"templates/ds.yaml", R"(kind: DaemonSet
spec:
  template:
    spec:
      containers:
        - name: a
          {{- if .Values.image.sha }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}@sha256:{{ .Values.image.sha }}"
          imagePullPolicy: Always
          {{- else }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          {{- end }}
        - name: b
          image: b:1
)"}});
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 2u) << Describe(r);
  const Container& c = r.containers[0];
  ASSERT_TRUE(c.image);
  EXPECT_EQ(c.image->line, 8);
  EXPECT_EQ(c.image->reads,
            (Strings{".Values.image.repository", ".Values.image.tag", ".Values.image.sha"}));
  ASSERT_EQ(c.other_images.size(), 1u);
  EXPECT_EQ(c.other_images[0].line, 11);
  EXPECT_EQ(c.other_images[0].reads, (Strings{".Values.image.repository", ".Values.image.tag"}));
  ASSERT_TRUE(c.pull_policy && c.pull_policy->literal);
  EXPECT_EQ(*c.pull_policy->literal, "Always");
  ASSERT_EQ(c.other_pull_policies.size(), 1u);
  EXPECT_EQ(c.other_pull_policies[0].line, 12);
  EXPECT_EQ(c.other_pull_policies[0].reads, Strings{".Values.image.pullPolicy"});
  EXPECT_TRUE(r.containers[1].other_images.empty());
  EXPECT_TRUE(r.containers[1].other_pull_policies.empty());
}

// The whole charts in testdata/ are in real_charts_test.cc.

// ---- Whole charts in ../shared/charts (outside the repository; skipped when absent).

bool HaveShared() { return fs::is_directory(kSharedCharts); }

TEST(AnalyseContainersSharedCharts, RedisImageThroughCommonImagesImage) {
  if (!HaveShared()) GTEST_SKIP() << kSharedCharts << " is not there";
  Analysed a = Analyse(ListChart(kSharedCharts / "bitnami__charts/bitnami/redis"));
  const ContainerAnalysis& r = a.result;
  const Container* redis = nullptr;
  for (const Container& c : r.containers) {
    if (c.template_path == "templates/master/application.yaml" && c.name &&
        c.name->text == "redis") {
      redis = &c;
    }
  }
  ASSERT_NE(redis, nullptr) << Describe(r);
  EXPECT_EQ(redis->image->includes, (Strings{"redis.image", "common.images.image"}));
  EXPECT_EQ(redis->image->reads,
            (Strings{".Values.image.registry", ".Values.global.imageRegistry", ".Values.image.tag",
                     ".Values.image.digest", ".Values.image.repository"}));
  EXPECT_TRUE(redis->image->undecided.empty()) << redis->image->undecided[0];
  EXPECT_EQ(r.containers.size(), 14u) << Describe(r);
  EXPECT_EQ(r.not_analysable.size(), 6u) << Describe(r);
}

TEST(AnalyseContainersSharedCharts, AlloyContainersAndImageTagInLabels) {
  if (!HaveShared()) GTEST_SKIP() << kSharedCharts << " is not there";
  Analysed a = Analyse(ListChart(kSharedCharts / "grafana__alloy/operations/helm/charts/alloy"));
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 6u) << Describe(r);  // 2 each: DaemonSet, Deployment, StatefulSet
  const Container* alloy = nullptr;
  for (const Container& c : r.containers) {
    if (c.workload_kind == "Deployment" && c.name && c.name->text == "alloy") alloy = &c;
  }
  ASSERT_NE(alloy, nullptr) << Describe(r);
  EXPECT_EQ(alloy->file, "templates/containers/_agent.yaml");
  EXPECT_EQ(alloy->template_path, "templates/controllers/deployment.yaml");
  EXPECT_NE(std::find(alloy->image->reads.begin(), alloy->image->reads.end(), ".Values.image.tag"),
            alloy->image->reads.end());
  EXPECT_EQ(alloy->image->includes, Strings{"alloy.imageId"});
  // alloy.labels puts alloy.imageId, so .Values.image.tag, into metadata.labels.
  EXPECT_NE(std::find(alloy->label_reads.begin(), alloy->label_reads.end(), ".Values.image.tag"),
            alloy->label_reads.end());
  EXPECT_EQ(r.not_analysable.size(), 6u) << Describe(r);
}

TEST(AnalyseContainersSharedCharts, CertManagerImageThroughTupleIndex) {
  if (!HaveShared()) GTEST_SKIP() << kSharedCharts << " is not there";
  Analysed a =
      Analyse(ListChart(kSharedCharts / "cert-manager__cert-manager/deploy/charts/cert-manager"));
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 4u) << Describe(r);
  const Container& c = r.containers[1];
  ASSERT_EQ(c.template_path, "templates/deployment.yaml");
  EXPECT_EQ(c.image->includes, Strings{"cert-manager.image"});
  // (tuple .Values.image …) then `index . 0` inside: the fields of .Values.image.
  for (const char* read : {".Values.image.repository", ".Values.image.registry",
                           ".Values.image.name", ".Values.image.tag", ".Values.image.digest",
                           ".Values.imageRegistry", ".Values.imageNamespace"}) {
    EXPECT_NE(std::find(c.image->reads.begin(), c.image->reads.end(), read), c.image->reads.end())
        << read;
  }
  EXPECT_TRUE(c.image->required);  // required "ERROR: image.name must be set …"
}

// Every shared chart: the analysis ends and finds something in each chart with workloads.
TEST(AnalyseContainersSharedCharts, AllCharts) {
  if (!HaveShared()) GTEST_SKIP() << kSharedCharts << " is not there";
  size_t charts = 0, containers = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSharedCharts)) {
    if (entry.path().filename() != "Chart.yaml") continue;
    fs::path root = entry.path().parent_path();
    if (root.parent_path().filename() == "charts" &&
        fs::exists(root.parent_path().parent_path() / "Chart.yaml")) {
      continue;
    }
    SCOPED_TRACE(root.string());
    Analysed a = Analyse(ListChart(root));
    if (root.filename() != "common") {
      EXPECT_FALSE(a.result.containers.empty());
    }
    // An image, or fields rendered opaquely (node-exporter's `- {{- toYaml (merge …) }}`).
    for (const Container& c : a.result.containers) {
      EXPECT_TRUE(c.image || !c.opaque.empty()) << c.file << ":" << c.line;
    }
    ++charts;
    containers += a.result.containers.size();
  }
  EXPECT_GE(charts, 10u);
  EXPECT_GE(containers, 60u);
}
}  // namespace
}  // namespace imagepin::tmpl
