#include "apps/chart_rules.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tmpl/test_charts.h"

namespace imagepin::apps {
namespace {

using Strings = std::vector<std::string>;

struct Judged {
  Strings findings;  // "path:line:col RULE message"
  Strings notices;   // "path:line:col message"
  ChartFacts facts;
};

Judged Judge(std::vector<tmpl::ChartFile> files, bool first_party) {
  tmpl::ChartTemplates chart = tmpl::ChartTemplates::Parse(std::move(files));
  for (const base::Error& e : chart.errors()) ADD_FAILURE() << e.ToString();
  tmpl::ContainerAnalysis analysis = tmpl::AnalyseContainers(chart);
  std::vector<policy::Finding> findings;
  std::vector<base::Diagnostic> notices;
  Judged j;
  j.facts = EvaluateChartTemplates(policy::Config{}, "charts/acme", first_party, chart, analysis,
                                   &findings, &notices);
  for (const policy::Finding& f : findings) {
    j.findings.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) +
                         " " + f.rule_id + " " + f.message);
  }
  for (const base::Diagnostic& d : notices) {
    j.notices.push_back(d.path + ":" + std::to_string(d.pos.line) + ":" +
                        std::to_string(d.pos.column) + " " + d.message);
  }
  return j;
}

std::string Deployment(std::string_view containers) {
  return "kind: Deployment\nspec:\n  template:\n    spec:\n" + std::string(containers);
}

TEST(ValuesPathOf, StripsValuesAndScopesSubchartsButNotGlobal) {
  EXPECT_EQ(yaml::PrintKeyPath(ValuesPathOf("templates/a.yaml", ".Values.image.tag")), "image.tag");
  EXPECT_EQ(yaml::PrintKeyPath(ValuesPathOf("charts/redis/templates/a.yaml", ".Values.image.tag")),
            "redis.image.tag");
  EXPECT_EQ(yaml::PrintKeyPath(ValuesPathOf("charts/a/charts/b/templates/x.yaml", ".Values.p")),
            "a.b.p");
  EXPECT_EQ(yaml::PrintKeyPath(
                ValuesPathOf("charts/redis/templates/a.yaml", ".Values.global.imageRegistry")),
            "global.imageRegistry");
  EXPECT_TRUE(ValuesPathOf("templates/a.yaml", ".Values.extra[].image").empty());
  EXPECT_TRUE(ValuesPathOf("templates/a.yaml", ".Chart.Name").empty());
  EXPECT_TRUE(ValuesPathOf("templates/a.yaml", ".Values").empty());
}

TEST(ChartImageContract, ARequiredRefWithIfNotPresentPasses) {
  Judged j = Judge({{"templates/d.yaml", Deployment(R"(      initContainers:
        - name: migrate
          image: {{ required "image.ref is required" .Values.migrations.image.ref }}
          imagePullPolicy: IfNotPresent
      containers:
        - name: app
          image: {{ include "acme.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
)")},
                    {"templates/_helpers.tpl", R"({{- define "acme.image" -}}
{{ required "image.ref is required" .Values.image.ref }}
{{- end }})"}},
                   true);
  EXPECT_TRUE(j.findings.empty()) << ::testing::PrintToString(j.findings);
  EXPECT_TRUE(j.notices.empty()) << ::testing::PrintToString(j.notices);
  ASSERT_EQ(j.facts.pull_policies.size(), 1u);
  EXPECT_EQ(j.facts.pull_policies[0].printed, "image.pullPolicy");
  EXPECT_EQ(j.facts.pull_policies[0].at, "charts/acme/templates/d.yaml:12");
  EXPECT_FALSE(j.facts.pull_policies[0].subchart);
}

TEST(ChartImageContract, WithoutRequiredACompositionOrALiteralIsIP012) {
  Judged j = Judge({{"templates/d.yaml", Deployment(R"(      containers:
        - name: a
          image: {{ .Values.image.ref | quote }}
          imagePullPolicy: IfNotPresent
        - name: b
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: IfNotPresent
        - name: c
          image: ghcr.io/acme/c:main
          imagePullPolicy: IfNotPresent
)")}},
                   true);
  ASSERT_EQ(j.findings.size(), 5u) << ::testing::PrintToString(j.findings);
  EXPECT_EQ(j.findings[0].rfind("charts/acme/templates/d.yaml:7:18 IP012 container \"a\"", 0), 0u)
      << j.findings[0];
  EXPECT_NE(j.findings[0].find("without required"), std::string::npos);
  EXPECT_EQ(j.findings[1].rfind("charts/acme/templates/d.yaml:10:18 IP012", 0), 0u);
  EXPECT_NE(j.findings[1].find(".Values.image.repository, .Values.image.tag"), std::string::npos);
  // The literal: judged as a reference (no digest, floating tag) and as the contract.
  EXPECT_EQ(j.findings[2].rfind("charts/acme/templates/d.yaml:13:18 IP001", 0), 0u)
      << j.findings[2];
  EXPECT_EQ(j.findings[3].rfind("charts/acme/templates/d.yaml:13:18 IP002", 0), 0u)
      << j.findings[3];
  EXPECT_EQ(j.findings[4].rfind("charts/acme/templates/d.yaml:13:18 IP012", 0), 0u)
      << j.findings[4];
}

TEST(ChartImageContract, AVendoredChartMayComposeButItsLiteralsAreJudged) {
  Judged j = Judge({{"templates/d.yaml", Deployment(R"(      containers:
        - name: a
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: IfNotPresent
        - name: b
          image: busybox:1.36
          imagePullPolicy: IfNotPresent
)")}},
                   false);
  ASSERT_EQ(j.findings.size(), 1u) << ::testing::PrintToString(j.findings);
  EXPECT_EQ(j.findings[0].rfind("charts/acme/templates/d.yaml:10:18 IP001", 0), 0u)
      << j.findings[0];
}

TEST(ChartPullPolicy, AMissingKeyOrALiteralAlwaysIsIP013EvenInAHook) {
  Judged j = Judge({{"templates/job.yaml", R"(kind: Job
metadata:
  annotations:
    "helm.sh/hook": pre-upgrade
spec:
  template:
    spec:
      initContainers:
        - name: wait
          image: {{ required "x" .Values.image.ref }}
      containers:
        - name: migrate
          image: {{ required "x" .Values.image.ref }}
          imagePullPolicy: Always
)"}},
                   true);
  ASSERT_EQ(j.findings.size(), 2u) << ::testing::PrintToString(j.findings);
  EXPECT_EQ(j.findings[0].rfind("charts/acme/templates/job.yaml:9:11 IP013 container \"wait\" "
                                "(initContainers of Job hook, templates/job.yaml) has no "
                                "imagePullPolicy",
                                0),
            0u)
      << j.findings[0];
  EXPECT_EQ(
      j.findings[1].rfind("charts/acme/templates/job.yaml:14:28 IP013 container \"migrate\"", 0),
      0u)
      << j.findings[1];
  EXPECT_NE(j.findings[1].find("renders imagePullPolicy: Always"), std::string::npos);
}

TEST(ChartPullPolicy, EveryBranchOfAnIfIsJudged) {
  Judged j = Judge({{"templates/d.yaml", Deployment(R"(      containers:
        - name: a
          {{- if .Values.debug }}
          image: busybox:latest
          imagePullPolicy: Always
          {{- else }}
          image: busybox:1.36@sha256:1111111111111111111111111111111111111111111111111111111111111111
          imagePullPolicy: IfNotPresent
          {{- end }}
)")}},
                   false);
  ASSERT_EQ(j.findings.size(), 3u) << ::testing::PrintToString(j.findings);
  EXPECT_EQ(j.findings[0].rfind("charts/acme/templates/d.yaml:8:18 IP001", 0), 0u);
  EXPECT_EQ(j.findings[1].rfind("charts/acme/templates/d.yaml:8:18 IP002", 0), 0u);
  EXPECT_EQ(j.findings[2].rfind("charts/acme/templates/d.yaml:9:28 IP013", 0), 0u);
}

TEST(ChartPullPolicy, ADefaultToThePolicyIsKeptForTheAppsAndSubchartsAreMarked) {
  Judged j = Judge({{"charts/sub/templates/d.yaml", Deployment(R"(      containers:
        - name: a
          image: busybox:1.36@sha256:1111111111111111111111111111111111111111111111111111111111111111
          imagePullPolicy: {{ .Values.image.pullPolicy | default "IfNotPresent" }}
)")}},
                   false);
  EXPECT_TRUE(j.findings.empty()) << ::testing::PrintToString(j.findings);
  ASSERT_EQ(j.facts.pull_policies.size(), 1u);
  EXPECT_EQ(j.facts.pull_policies[0].printed, "sub.image.pullPolicy");
  EXPECT_TRUE(j.facts.pull_policies[0].subchart);
  EXPECT_TRUE(j.facts.pull_policies[0].defaults_to_policy);
}

TEST(ChartTemplatesNotAnalysable, WhatCannotBeToldIsANoticeNeverAFinding) {
  Judged j = Judge({{"templates/d.yaml", Deployment(R"(      containers:
        - name: a
          {{- toYaml .Values.main | nindent 10 }}
        {{- toYaml .Values.sidecars | nindent 8 }}
)")}},
                   true);
  EXPECT_TRUE(j.findings.empty()) << ::testing::PrintToString(j.findings);
  ASSERT_EQ(j.notices.size(), 3u) << ::testing::PrintToString(j.notices);
  for (const std::string& n : j.notices) {
    EXPECT_NE(n.find("not analysable: "), std::string::npos) << n;
  }
  EXPECT_NE(j.notices[0].find("toYaml .Values.sidecars"), std::string::npos) << j.notices[0];
}

TEST(ChartTagInLabelsFacts, TagsReadIntoLabelsThroughAHelperAreKeptWithTheirLine) {
  Judged j = Judge({{"templates/_helpers.tpl", R"({{- define "x.labels" -}}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/name: {{ .Values.nameOverride }}
{{- end }})"},
                    {"templates/d.yaml", R"(kind: Deployment
metadata:
  labels:
    {{- include "x.labels" . | nindent 4 }}
spec:
  template:
    spec:
      containers:
        - name: a
          image: busybox:1.36@sha256:1111111111111111111111111111111111111111111111111111111111111111
          imagePullPolicy: IfNotPresent
)"}},
                   false);
  ASSERT_EQ(j.facts.label_tags.size(), 1u);
  EXPECT_EQ(j.facts.label_tags[0].printed, "image.tag");
  EXPECT_EQ(j.facts.label_tags[0].at, "charts/acme/templates/_helpers.tpl:2");
}

// ---- Which rules fire on the real charts of src/tmpl/testdata (see its SOURCES.md), judged as
// vendored charts (none declares image.ref). Checked by hand against the templates.

Judged JudgeReal(const std::string& dir) {
  return Judge(
      tmpl::testing::ListChart(std::string(IMAGEPIN_SOURCE_DIR) + "/src/tmpl/testdata/" + dir),
      false);
}

TEST(ChartRulesOnRealCharts, PodinfoTestPodsUseLiteralUnpinnedImagesWithoutAPolicy) {
  Judged j = JudgeReal("stefanprodan__podinfo/charts/podinfo");
  // Seven helm test Pods (templates/tests/*.yaml): a literal image with a tag and no digest
  // (IP001), and no imagePullPolicy (IP013). The chart's own containers read .Values.
  int ip001 = 0, ip013 = 0;
  for (const std::string& f : j.findings) {
    EXPECT_NE(f.find("charts/acme/templates/tests/"), std::string::npos) << f;
    ip001 += f.find(" IP001 ") != std::string::npos;
    ip013 += f.find(" IP013 ") != std::string::npos;
  }
  EXPECT_EQ(ip001, 7) << ::testing::PrintToString(j.findings);
  EXPECT_EQ(ip013, 7) << ::testing::PrintToString(j.findings);
  EXPECT_EQ(j.findings.size(), 14u);
  EXPECT_TRUE(j.notices.empty()) << ::testing::PrintToString(j.notices);
}

TEST(ChartRulesOnRealCharts, IngressNginxExtraModulesHaveNoPullPolicy) {
  Judged j = JudgeReal("kubernetes__ingress-nginx/charts/ingress-nginx");
  // The "extraModules" define writes initContainers with image: but no imagePullPolicy; the
  // DaemonSet and the Deployment both include it (check reports the place once).
  ASSERT_FALSE(j.findings.empty());
  for (const std::string& f : j.findings) {
    EXPECT_EQ(f.rfind("charts/acme/templates/_helpers.tpl:242:3 IP013", 0), 0u) << f;
  }
  EXPECT_EQ(j.notices.size(), 4u) << ::testing::PrintToString(j.notices);
}

TEST(ChartRulesOnRealCharts, ChartsThatReadEveryPolicyFromValuesOnlyHandOverFacts) {
  for (const char* dir :
       {"grafana__alloy/operations/helm/charts/alloy", "bitnami__charts/bitnami/redis",
        "cert-manager__cert-manager/deploy/charts/cert-manager",
        "argoproj__argo-helm/charts/argo-cd",
        "prometheus-community__helm-charts/charts/kube-state-metrics"}) {
    Judged j = JudgeReal(dir);
    EXPECT_TRUE(j.findings.empty()) << dir << ::testing::PrintToString(j.findings);
    EXPECT_FALSE(j.facts.pull_policies.empty()) << dir;
  }
  // Alloy: .Values.image.tag is put into app.kubernetes.io/version by alloy.labels.
  Judged alloy = JudgeReal("grafana__alloy/operations/helm/charts/alloy");
  ASSERT_EQ(alloy.facts.label_tags.size(), 1u);
  EXPECT_EQ(alloy.facts.label_tags[0].printed, "image.tag");
  EXPECT_EQ(alloy.facts.label_tags[0].at, "charts/acme/templates/_helpers.tpl:61");
  // Redis reads its pull policies through common.images.pullPolicy-style values of its own.
  Judged redis = JudgeReal("bitnami__charts/bitnami/redis");
  bool master = false;
  for (const ChartValueUse& use : redis.facts.pull_policies) {
    master |= use.printed == "master.image.pullPolicy" || use.printed == "image.pullPolicy";
  }
  EXPECT_TRUE(master);
}

}  // namespace
}  // namespace imagepin::apps
