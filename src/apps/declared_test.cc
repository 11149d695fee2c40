#include "apps/declared.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/files.h"
#include "yaml/parser.h"

namespace imagepin::apps {
namespace {

using base::Severity;
using Root = std::vector<std::string>;
using Strings = std::vector<std::string>;

struct Declarations {
  std::string text;  // the parsed text, kept alive for the Documents' views
  std::vector<DeclaredApplication> apps;
  std::vector<base::Diagnostic> notices;
};

// Parses `text` (every document) as the file `path` and reads its declarations.
Declarations Read(std::string text, std::string_view path = "deploy/apps.yaml",
                  const policy::Config& config = {}) {
  Declarations d;
  d.text = std::move(text);
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  bool ok = parser.Parse(
      d.text,
      [&](const yaml::Document& doc) { ReadDeclarations(doc, path, config, &d.apps, &d.notices); },
      &error);
  EXPECT_TRUE(ok) << "test YAML does not parse: " << error.message << " at " << error.line << ":"
                  << error.column;
  return d;
}

// A real manifest from testdata/declared (see SOURCES.md there), displayed as its path there.
Declarations ReadFixture(const std::string& path) {
  std::string text;
  std::string full = IMAGEPIN_SOURCE_DIR "/src/apps/testdata/declared/" + path;
  EXPECT_TRUE(base::ReadFileInto(full, size_t{1} << 20, &text).ok()) << full;
  return Read(std::move(text), path);
}

std::string Messages(const Declarations& d) {
  std::string all;
  for (const base::Diagnostic& n : d.notices) {
    all += std::to_string(n.pos.line) + ":" + std::to_string(n.pos.column) + " " + n.message + "\n";
  }
  return all;
}

// ---- real manifests

TEST(ReadDeclarationsFixtures, ArgoReferenceApplicationReadsSourcesNotSource) {
  // Argo CD's annotated reference sets both; when spec.sources is given, spec.source is ignored.
  Declarations d = ReadFixture("argoproj__argo-cd/docs/operator-manual/application.yaml");
  ASSERT_EQ(d.apps.size(), 1u) << Messages(d);
  const DeclaredApplication& a = d.apps[0];
  EXPECT_EQ(a.kind, "Application");
  EXPECT_EQ(a.name, "guestbook");
  EXPECT_EQ(a.path, "argoproj__argo-cd/docs/operator-manual/application.yaml");
  EXPECT_EQ(a.line, 1);
  EXPECT_EQ(a.column, 1);
  EXPECT_EQ(a.chart, "guestbook");
  EXPECT_EQ(a.chart_source, "path: guestbook");
  EXPECT_TRUE(a.value_files.empty());  // spec.source's values-prod.yaml is not read
  EXPECT_TRUE(a.inline_layers.empty());
  EXPECT_TRUE(a.parameters.empty());
  EXPECT_EQ(a.environment, "");
  ASSERT_EQ(d.notices.size(), 1u) << Messages(d);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].path, "argoproj__argo-cd/docs/operator-manual/application.yaml");
  EXPECT_EQ(d.notices[0].pos.line, 22);  // spec.source's first key
  EXPECT_EQ(d.notices[0].pos.column, 5);
  EXPECT_EQ(d.notices[0].message,
            "Application guestbook sets both spec.source and spec.sources; Argo CD uses "
            "spec.sources");
}

TEST(ReadDeclarationsFixtures, ArgoListGeneratorGoTemplateExpandsEachElement) {
  Declarations d =
      ReadFixture("argoproj__argo-cd/applicationset/examples/list-generator/list-example.yaml");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 2u);
  EXPECT_EQ(d.apps[0].kind, "ApplicationSet");
  EXPECT_EQ(d.apps[0].name, "engineering-dev-guestbook");
  EXPECT_EQ(d.apps[0].chart, "applicationset/examples/list-generator/guestbook/engineering-dev");
  EXPECT_EQ(d.apps[0].line, 11);  // "      - cluster: engineering-dev"
  EXPECT_EQ(d.apps[0].column, 9);
  EXPECT_EQ(d.apps[0].environment, "dev");  // a word of the name
  EXPECT_EQ(d.apps[1].name, "engineering-prod-guestbook");
  EXPECT_EQ(d.apps[1].chart, "applicationset/examples/list-generator/guestbook/engineering-prod");
  EXPECT_EQ(d.apps[1].line, 13);
  EXPECT_EQ(d.apps[1].environment, "");  // "prod" is not "production"
}

TEST(ReadDeclarationsFixtures, ArgoListGeneratorFasttemplateExpandsTheSame) {
  Declarations go =
      ReadFixture("argoproj__argo-cd/applicationset/examples/list-generator/list-example.yaml");
  Declarations fast = ReadFixture(
      "argoproj__argo-cd/applicationset/examples/list-generator/list-example-fasttemplate.yaml");
  EXPECT_TRUE(fast.notices.empty()) << Messages(fast);
  ASSERT_EQ(fast.apps.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(fast.apps[i].name, go.apps[i].name);
    EXPECT_EQ(fast.apps[i].chart, go.apps[i].chart);
  }
  EXPECT_EQ(fast.apps[0].line, 9);  // two lines fewer: no goTemplate keys
}

TEST(ReadDeclarationsFixtures, ArgoDesignDocListWithNestedValues) {
  for (std::string path : {"argoproj__argo-cd/applicationset/examples/design-doc/list.yaml",
                           "argoproj__argo-cd/applicationset/examples/design-doc/"
                           "list-fasttemplate.yaml"}) {
    Declarations d = ReadFixture(path);
    EXPECT_TRUE(d.notices.empty()) << path << "\n" << Messages(d);
    ASSERT_EQ(d.apps.size(), 3u) << path;
    EXPECT_EQ(d.apps[0].chart, "guestbook/engineering-dev");
    EXPECT_EQ(d.apps[1].chart, "guestbook/engineering-prod");
    EXPECT_EQ(d.apps[2].name, "finance-preprod-guestbook");
    EXPECT_EQ(d.apps[2].chart, "guestbook/finance-preprod");
    EXPECT_EQ(d.apps[2].chart_source, "path: guestbook/finance-preprod");
  }
}

TEST(ReadDeclarationsFixtures, ArgoMatrixGeneratorIsOneNoticeAndNoApps) {
  Declarations d =
      ReadFixture("argoproj__argo-cd/applicationset/examples/matrix/list-and-git.yaml");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u) << Messages(d);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].pos.line, 13);  // "  - matrix:"
  EXPECT_EQ(d.notices[0].pos.column, 5);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet list-git uses the matrix generator, which imagepin does not expand; "
            "its apps fall back to the values-file convention");
}

TEST(ReadDeclarationsFixtures, ArgoClusterGeneratorIsOneNotice) {
  Declarations d =
      ReadFixture("argoproj__argo-cd/applicationset/examples/cluster/cluster-example.yaml");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u) << Messages(d);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet guestbook uses the clusters generator, which imagepin does not "
            "expand; its apps fall back to the values-file convention");
}

TEST(ReadDeclarationsFixtures, FluxPodinfoFromHelmRepositoryWithInlineValues) {
  Declarations d =
      ReadFixture("fluxcd__flux2-kustomize-helm-example/apps/base/podinfo/release.yaml");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 1u);
  const DeclaredApplication& a = d.apps[0];
  EXPECT_EQ(a.kind, "HelmRelease");
  EXPECT_EQ(a.name, "podinfo");
  EXPECT_EQ(a.chart, "");
  EXPECT_EQ(a.chart_source, "podinfo podinfo");  // no version: whatever the repository's latest
  EXPECT_TRUE(a.value_files.empty());
  ASSERT_EQ(a.inline_layers.size(), 1u);
  EXPECT_EQ(a.inline_layers[0].role, LayerRole::kInline);
  EXPECT_EQ(a.inline_layers[0].path,
            "fluxcd__flux2-kustomize-helm-example/apps/base/podinfo/release.yaml");
  EXPECT_EQ(a.inline_layers[0].root, (Root{"spec", "values"}));
  EXPECT_FALSE(a.inline_layers[0].root_is_text);
  EXPECT_TRUE(a.inline_layers[0].exists);
  EXPECT_EQ(a.environment, "");
}

TEST(ReadDeclarationsFixtures, FluxCertManagerChartRefInThirdDocument) {
  Declarations d = ReadFixture(
      "fluxcd__flux2-kustomize-helm-example/infrastructure/controllers/cert-manager.yaml");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 1u);  // the Namespace and the OCIRepository are not read
  const DeclaredApplication& a = d.apps[0];
  EXPECT_EQ(a.name, "cert-manager");
  EXPECT_EQ(a.chart, "");
  EXPECT_EQ(a.chart_source, "OCIRepository cert-manager");
  EXPECT_EQ(a.line, 23);
  ASSERT_EQ(a.inline_layers.size(), 1u);
  EXPECT_EQ(a.inline_layers[0].document, 2);  // the leading "---" starts document 0
}

TEST(ReadDeclarationsFixtures, FluxKustomizePatchWithoutChartIsANote) {
  Declarations d =
      ReadFixture("fluxcd__flux2-kustomize-helm-example/apps/production/podinfo-values.yaml");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].pos.line, 1);
  EXPECT_EQ(d.notices[0].message,
            "HelmRelease podinfo names no chart (spec.chart.spec.chart or spec.chartRef), as a "
            "kustomize patch does; skipped");
}

// ---- Argo CD Application

TEST(ReadDeclarations, IgnoresOtherDocumentsSilently) {
  Declarations d = Read(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
---
apiVersion: app.k8s.io/v1beta1
kind: Application
metadata: {name: not-argo}
spec: {}
---
- a list
---
)");
  EXPECT_TRUE(d.apps.empty());
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
}

TEST(ReadDeclarations, MultiSourceValuesRefIsRootRelative) {
  // As docs/user-guide/multiple_sources.md writes it.
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: prometheus
spec:
  sources:
  - repoURL: 'https://prometheus-community.github.io/helm-charts'
    chart: prometheus
    targetRevision: 15.7.1
    helm:
      valueFiles:
      - $values/charts/prometheus/values.yaml
      - $values/./envs/../envs/dev/prometheus.yaml
  - repoURL: 'https://git.example.com/org/value-files.git'
    targetRevision: dev
    ref: values
)");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 1u);  // the ref-only source is no application
  EXPECT_EQ(d.apps[0].chart, "");
  EXPECT_EQ(d.apps[0].chart_source,
            "https://prometheus-community.github.io/helm-charts prometheus@15.7.1");
  EXPECT_EQ(d.apps[0].value_files,
            (Strings{"charts/prometheus/values.yaml", "envs/dev/prometheus.yaml"}));
}

TEST(ReadDeclarations, UnknownRefIsAnErrorAndTheFileIsDropped) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  sources:
  - path: charts/api
    helm:
      valueFiles: [$vals/a.yaml, values.yaml]
  - {repoURL: 'https://git.example.com/v.git', ref: values}
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].value_files, (Strings{"charts/api/values.yaml"}));
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kError);
  EXPECT_EQ(d.notices[0].pos.line, 8);
  EXPECT_EQ(d.notices[0].pos.column, 20);
  EXPECT_EQ(d.notices[0].message,
            "Application api: value file $vals/a.yaml names $vals, which is the ref of no "
            "source; dropped");
}

TEST(ReadDeclarations, SingleSourceValueFilesAreRelativeToThePath) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source:
    repoURL: https://github.com/acme/gitops.git
    path: ./sources/charts//api/
    helm:
      valueFiles:
      - values-prod.yaml
      - ../../values/env/staging/api.yaml
      - /sources/values/_shared/api.yaml
)");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].chart, "sources/charts/api");
  EXPECT_EQ(d.apps[0].chart_source, "path: ./sources/charts//api/");
  EXPECT_EQ(d.apps[0].value_files,
            (Strings{"sources/charts/api/values-prod.yaml", "sources/values/env/staging/api.yaml",
                     "sources/values/_shared/api.yaml"}));
}

TEST(ReadDeclarations, ValueFileLeavingTheRepositoryIsDropped) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source:
    path: charts/api
    helm:
      valueFiles:
      - ../../../etc/passwd
      - values.yaml
      - /
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].value_files, (Strings{"charts/api/values.yaml"}));
  ASSERT_EQ(d.notices.size(), 2u);
  EXPECT_EQ(d.notices[1].message,
            "Application api: value file / is the repository's root, not a file; dropped");
  EXPECT_EQ(d.notices[0].severity, Severity::kError);
  EXPECT_EQ(d.notices[0].pos.line, 9);
  EXPECT_EQ(d.notices[0].pos.column, 9);
  EXPECT_EQ(d.notices[0].message,
            "Application api: value file ../../../etc/passwd leaves the repository; dropped");
}

TEST(ReadDeclarations, ChartPathLeavingTheRepositorySkipsTheObject) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source: {path: charts/../../api}
)");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kError);
  EXPECT_EQ(d.notices[0].pos.line, 5);
  EXPECT_EQ(d.notices[0].pos.column, 18);
  EXPECT_EQ(d.notices[0].message,
            "Application api: path charts/../../api leaves the repository; skipped");
}

TEST(ReadDeclarations, HelmRepositoryChartWinsOverPathAndItsRelativeFilesAreNotOurs) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: redis}
spec:
  source:
    repoURL: https://user:s3cret@charts.example.com/stable
    chart: redis
    path: ignored
    targetRevision: 17.3.0
    helm:
      valueFiles: [values-prod.yaml, 'https://token@example.com/v.yaml']
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].chart, "");
  EXPECT_EQ(d.apps[0].chart_source, "https://charts.example.com/stable redis@17.3.0");
  EXPECT_TRUE(d.apps[0].value_files.empty());
  ASSERT_EQ(d.notices.size(), 2u) << Messages(d);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].message,
            "Application redis: value file values-prod.yaml is inside the Helm repository's "
            "chart, not this repository; dropped");
  EXPECT_EQ(d.notices[1].message,
            "Application redis: a value file is a URL, which imagepin does not fetch; dropped");
}

TEST(ReadDeclarations, ValuesObjectWinsOverValues) {
  // Argo CD's ValuesYAML: valuesObject replaces values; they are never both applied.
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source:
    path: charts/api
    helm:
      valueFiles: [values-prod.yaml]
      values: |
        image: {tag: "1"}
      valuesObject:
        image: {tag: "2"}
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].value_files, (Strings{"charts/api/values-prod.yaml"}));
  ASSERT_EQ(d.apps[0].inline_layers.size(), 1u);
  const Layer& l = d.apps[0].inline_layers[0];
  EXPECT_EQ(l.root, (Root{"spec", "source", "helm", "valuesObject"}));
  EXPECT_FALSE(l.root_is_text);
  EXPECT_EQ(l.path, "deploy/apps.yaml");
  EXPECT_EQ(l.document, 0);
}

TEST(ReadDeclarations, ValuesTextIsATextLayerIndexedInSources) {
  Declarations d = Read(R"(---
kind: ConfigMap
apiVersion: v1
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  sources:
  - {repoURL: 'https://git.example.com/v.git', ref: values}
  - path: charts/api
    helm:
      values: |
        image: {tag: "1"}
)");
  ASSERT_EQ(d.apps.size(), 1u);
  ASSERT_EQ(d.apps[0].inline_layers.size(), 1u);
  const Layer& l = d.apps[0].inline_layers[0];
  EXPECT_EQ(l.root, (Root{"spec", "sources", "1", "helm", "values"}));
  EXPECT_TRUE(l.root_is_text);
  EXPECT_EQ(l.document, 1);
  EXPECT_EQ(d.apps[0].line, 5);
}

TEST(ReadDeclarations, ParametersAndIgnoreMissingValueFilesInOrder) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source:
    path: charts/api
    helm:
      ignoreMissingValueFiles: true
      parameters:
      - name: image.tag
        value: "1.2.3"
      - name: "ingress.annotations.kubernetes\\.io/tls-acme"
        value: "true"
        forceString: true
      - name: replicas
)");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_TRUE(d.apps[0].ignore_missing_value_files);
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(d.apps[0].parameters,
            (std::vector<P>{{"image.tag", "1.2.3"},
                            {"ingress.annotations.kubernetes\\.io/tls-acme", "true"},
                            {"replicas", ""}}));
}

TEST(ReadDeclarations, MergeKeysAndAliasesAreFollowed) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source:
    <<: {path: charts/api}
    helm:
      valueFiles: &files [a.yaml]
  destination: {namespace: *files}
)");
  // destination.namespace is an alias of a list: malformed, so nothing is half-read.
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].message,
            "Application api: spec.destination.namespace is not a string; skipped");
  Declarations ok = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api}
spec:
  source:
    <<: {path: charts/api}
    helm:
      valueFiles: &files [a.yaml]
  sources: ~
)");
  ASSERT_EQ(ok.apps.size(), 1u) << Messages(ok);
  EXPECT_EQ(ok.apps[0].chart, "charts/api");
  EXPECT_EQ(ok.apps[0].value_files, (Strings{"charts/api/a.yaml"}));
}

TEST(ReadDeclarations, MalformedObjectsAreErrorsWithPositionAndSkipped) {
  struct Case {
    const char* yaml;
    int line, column;
    const char* message;
  } cases[] = {
      {"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: [1]\n", 4,
       7, "Application a: spec is not a mapping; skipped"},
      {"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
       "  source: {path: c, helm: {valueFiles: x.yaml}}\n",
       5, 40, "Application a: helm.valueFiles is not a list; skipped"},
      {"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
       "  source: {path: c, helm: {valueFiles: [{a: b}]}}\n",
       5, 41, "Application a: a helm.valueFiles item is not a string; skipped"},
      {"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
       "  source: {path: c, helm: {parameters: [x]}}\n",
       5, 41, "Application a: a helm.parameters item is not a mapping; skipped"},
      {"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
       "  sources: {path: c}\n",
       5, 12, "Application a: spec.sources is not a list; skipped"},
      {"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: h}\n"
       "spec: {chart: {spec: {chart: ./c, sourceRef: {kind: GitRepository, name: r}}}, "
       "values: [a]}\n",
       4, 88, "HelmRelease h: spec.values is not a mapping; skipped"},
  };
  for (const Case& c : cases) {
    Declarations d = Read(c.yaml);
    EXPECT_TRUE(d.apps.empty()) << c.yaml;
    ASSERT_EQ(d.notices.size(), 1u) << c.yaml << Messages(d);
    EXPECT_EQ(d.notices[0].severity, Severity::kError) << c.yaml;
    EXPECT_EQ(d.notices[0].pos.line, c.line) << c.yaml;
    EXPECT_EQ(d.notices[0].pos.column, c.column) << c.yaml;
    EXPECT_EQ(d.notices[0].message, c.message) << c.yaml;
  }
}

// ---- ApplicationSet

TEST(ReadDeclarations, ListGeneratorBothPlaceholderStylesAndNestedKeys) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  goTemplate: true
  generators:
  - list:
      elements:
      - env: staging
        values: {chart: api, tag: "7"}
  template:
    metadata:
      name: '{{ .values.chart }}-{{env}}'
    spec:
      source:
        path: charts/{{values.chart}}
        helm:
          valueFiles: ['../../envs/{{- .env -}}/{{ values.chart }}.yaml']
          parameters:
          - {name: '{{.values.chart}}.tag', value: 'v{{ .values.tag }}'}
      destination: {namespace: 'ns-{{ .env }}'}
)");
  EXPECT_TRUE(d.notices.empty()) << Messages(d);
  ASSERT_EQ(d.apps.size(), 1u);
  const DeclaredApplication& a = d.apps[0];
  EXPECT_EQ(a.name, "api-staging");
  EXPECT_EQ(a.chart, "charts/api");
  EXPECT_EQ(a.chart_source, "path: charts/api");
  EXPECT_EQ(a.value_files, (Strings{"envs/staging/api.yaml"}));
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(a.parameters, (std::vector<P>{{"api.tag", "v7"}}));
  EXPECT_EQ(a.environment, "staging");
  EXPECT_EQ(a.line, 9);  // the element
  EXPECT_EQ(a.column, 9);
}

TEST(ReadDeclarations, MissingKeyIsANoticeAtThePlaceholderAndSkipsOnlyThatElement) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  generators:
  - list:
      elements:
      - {env: dev}
      - {nope_not: here}
      - {env: staging}
  template:
    metadata: {name: 'api-{{ .env }}'}
    spec:
      source:
        path: charts/api
        helm: {valueFiles: ['{{ .env }}.yaml', '{{ .nope }}.yaml']}
)");
  ASSERT_EQ(d.apps.size(), 0u) << "every element lacks .nope";
  ASSERT_EQ(d.notices.size(), 3u) << Messages(d);
  EXPECT_EQ(d.notices[0].severity, Severity::kError);
  EXPECT_EQ(d.notices[0].pos.line, 16);
  EXPECT_EQ(d.notices[0].pos.column, 48);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet api: {{ .nope }} is not a key of list element 1; skipped");
  // Element 2 fails first at the name.
  EXPECT_EQ(d.notices[1].pos.line, 12);
  EXPECT_EQ(d.notices[1].message,
            "ApplicationSet api: {{ .env }} is not a key of list element 2; skipped");
  EXPECT_EQ(d.notices[2].message,
            "ApplicationSet api: {{ .nope }} is not a key of list element 3; skipped");

  Declarations some = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  generators:
  - list: {elements: [{env: dev}, {other: x}, {env: staging}]}
  template:
    metadata: {name: 'api-{{env}}'}
    spec: {source: {path: charts/api}}
)");
  ASSERT_EQ(some.apps.size(), 2u);
  EXPECT_EQ(some.apps[0].name, "api-dev");
  EXPECT_EQ(some.apps[1].name, "api-staging");
  ASSERT_EQ(some.notices.size(), 1u);
  EXPECT_EQ(some.notices[0].message,
            "ApplicationSet api: {{env}} is not a key of list element 2; skipped");
}

TEST(ReadDeclarations, ElementValueWithAPlaceholderIsNotExpandedAgain) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  generators:
  - list: {elements: [{a: '{{ .a }}'}, {a: '{{b}}', b: x}]}
  template:
    metadata: {name: 'api-{{ .a }}'}
    spec: {source: {path: charts/api}}
)");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 2u);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet api: {{ .a }} in list element 1 holds a placeholder itself, which "
            "imagepin does not expand again; skipped");
  EXPECT_EQ(d.notices[1].message,
            "ApplicationSet api: {{ .a }} in list element 2 holds a placeholder itself, which "
            "imagepin does not expand again; skipped");
}

TEST(ReadDeclarations, TemplateLogicAndMapValuesAreNotGuessed) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  generators:
  - list: {elements: [{env: dev, values: {a: b}}]}
  template:
    metadata: {name: "{{ .env | upper }}\t{{ .values }}"}
    spec: {source: {path: "charts/{{ .values }}"}}
)");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet api: {{ .env | upper }} in list element 1 is template logic, which "
            "imagepin does not evaluate; skipped");
  Declarations map = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  generators:
  - list: {elements: [{env: dev, values: {a: b}}]}
  template:
    metadata: {name: "x"}
    spec: {source: {path: "charts/{{ .values }}"}}
)");
  ASSERT_EQ(map.notices.size(), 1u);
  EXPECT_EQ(map.notices[0].message,
            "ApplicationSet api: {{ .values }} is not a string in list element 1; skipped");
}

TEST(ReadDeclarations, PlaceholdersInValuesTextAreCheckedAndNoted) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: api}
spec:
  generators:
  - list: {elements: [{env: dev, tag: "1"}, {env: staging}]}
  template:
    metadata: {name: 'api-{{env}}'}
    spec:
      source:
        path: charts/api
        helm:
          values: |
            image: {tag: "{{ .tag }}"}
)");
  // Element 1 expands (the layer is the template's text, as written); element 2 lacks .tag.
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].name, "api-dev");
  ASSERT_EQ(d.apps[0].inline_layers.size(), 1u);
  EXPECT_EQ(d.apps[0].inline_layers[0].root,
            (Root{"spec", "template", "spec", "source", "helm", "values"}));
  EXPECT_TRUE(d.apps[0].inline_layers[0].root_is_text);
  ASSERT_EQ(d.notices.size(), 2u) << Messages(d);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].pos.line, 13);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet api: helm.values holds placeholders; its inline layer is read as "
            "written, unexpanded");
  EXPECT_EQ(d.notices[1].severity, Severity::kError);
  EXPECT_EQ(d.notices[1].message,
            "ApplicationSet api: {{ .tag }} is not a key of list element 2; skipped");
}

TEST(ReadDeclarations, ControlCharactersInMessagesAreEscaped) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: "a\x1bb"}
spec:
  generators:
  - list: {elements: [{env: dev}]}
  template:
    metadata: {name: "{{ .e\nv }}"}
    spec: {source: {path: charts/api}}
)");
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet a\\x1bb: {{ .e\\x0av }} in list element 1 is template logic, which "
            "imagepin does not evaluate; skipped");
}

TEST(ReadDeclarations, LongTextInMessagesIsCutAtACharacterBoundary) {
  // 119 ASCII bytes, then "é" (2 bytes) across the 120-byte cut: it is left out whole.
  std::string name = std::string(119, 'a') + "\u00e9tail";
  Declarations d = Read("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: \"" +
                        name + "\"}\nspec: 1\n");
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].message,
            "Application " + std::string(119, 'a') + "…: spec is not a mapping; skipped");
}

TEST(ReadDeclarations, UnsupportedGeneratorIsOneNoticeAndListsStillExpand) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: addons}
spec:
  generators:
  - git: {repoURL: 'https://example.com/r.git', directories: [{path: 'addons/*'}]}
  - clusters: {}
  - list: {elements: [{env: dev}]}
  - pullRequest: {}
  template:
    metadata: {name: 'addons-{{env}}'}
    spec: {source: {path: charts/addons}}
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].name, "addons-dev");
  ASSERT_EQ(d.notices.size(), 1u) << Messages(d);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].pos.line, 6);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet addons uses the git generator, which imagepin does not expand; its "
            "apps fall back to the values-file convention");
}

TEST(ReadDeclarations, ListElementsYamlIsNotExpanded) {
  Declarations d = Read(R"(apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: s}
spec:
  generators:
  - list: {elementsYaml: '{{ .key.components | toJson }}'}
  template: {metadata: {name: x}, spec: {source: {path: c}}}
)");
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet s uses the list (elementsYaml) generator, which imagepin does not "
            "expand; its apps fall back to the values-file convention");
}

TEST(ReadDeclarations, TooManyListElementsAreOneErrorAndNoApps) {
  std::string text =
      "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: big}\nspec:\n"
      "  template: {metadata: {name: 'a-{{n}}'}, spec: {source: {path: c}}}\n"
      "  generators:\n  - list:\n      elements:\n";
  for (int i = 0; i <= 10000; ++i) text += "      - {n: '" + std::to_string(i) + "'}\n";
  Declarations d = Read(text);
  EXPECT_TRUE(d.apps.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kError);
  EXPECT_EQ(d.notices[0].message,
            "ApplicationSet big has 10001 list elements, more than the 10000 imagepin expands; "
            "skipped");
  text.resize(text.rfind("      - {n:"));  // 10,000 is still expanded
  EXPECT_EQ(Read(text).apps.size(), 10000u);
}

// ---- Flux HelmRelease

TEST(ReadDeclarations, FluxLocalChartInGitRepository) {
  Declarations d = Read(R"(apiVersion: helm.toolkit.fluxcd.io/v2beta2
kind: HelmRelease
metadata: {name: api, namespace: flux-system}
spec:
  chart:
    spec:
      chart: ./sources/charts/api
      sourceRef: {kind: GitRepository, name: flux-system}
      valuesFiles:
      - ./sources/charts/api/values.yaml
      - sources/values/env/dev/api.yaml
      - ../outside.yaml
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].chart, "sources/charts/api");
  EXPECT_EQ(d.apps[0].chart_source, "GitRepository flux-system ./sources/charts/api");
  EXPECT_EQ(d.apps[0].value_files,
            (Strings{"sources/charts/api/values.yaml", "sources/values/env/dev/api.yaml"}));
  EXPECT_TRUE(d.apps[0].inline_layers.empty());
  EXPECT_EQ(d.apps[0].environment, "dev");  // from the value file's directory
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kError);
  EXPECT_EQ(d.notices[0].pos.line, 12);
  EXPECT_EQ(d.notices[0].message,
            "HelmRelease api: value file ../outside.yaml leaves the repository; dropped");
}

TEST(ReadDeclarations, FluxHelmRepositoryChartHasNoLocalChartOrFiles) {
  Declarations d = Read(R"(apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata: {name: redis}
spec:
  chart:
    spec:
      chart: redis
      version: 17.x
      sourceRef: {kind: HelmRepository, name: bitnami}
      valuesFiles: [values-production.yaml]
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].chart, "");
  EXPECT_EQ(d.apps[0].chart_source, "bitnami redis@17.x");
  EXPECT_TRUE(d.apps[0].value_files.empty());
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].message,
            "HelmRelease redis: value file values-production.yaml is inside the chart from "
            "bitnami, not this repository; dropped");
}

TEST(ReadDeclarations, FluxChartRefNamesItsSource) {
  Declarations d = Read(R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: api}
spec:
  chartRef: {kind: HelmChart, name: api, namespace: flux-system}
  values: {image: {tag: "1"}}
)");
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].chart, "");
  EXPECT_EQ(d.apps[0].chart_source, "HelmChart flux-system/api");
  ASSERT_EQ(d.apps[0].inline_layers.size(), 1u);
  EXPECT_EQ(d.apps[0].inline_layers[0].root, (Root{"spec", "values"}));
  EXPECT_TRUE(d.notices.empty());
}

TEST(ReadDeclarations, FluxValuesFromIsOneNote) {
  Declarations d = Read(R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: api}
spec:
  chartRef: {kind: OCIRepository, name: api}
  valuesFrom:
  - {kind: ConfigMap, name: api-values}
  - {kind: Secret, name: api-secret-values, valuesKey: token}
)");
  ASSERT_EQ(d.apps.size(), 1u);
  ASSERT_EQ(d.notices.size(), 1u);
  EXPECT_EQ(d.notices[0].severity, Severity::kNote);
  EXPECT_EQ(d.notices[0].pos.line, 7);
  EXPECT_EQ(d.notices[0].message,
            "HelmRelease api takes values from ConfigMaps or Secrets (valuesFrom), which imagepin "
            "cannot read from the repository");
}

// ---- environment

std::string EnvironmentOf(std::string yaml, std::string_view path = "deploy/apps.yaml") {
  Declarations d = Read(std::move(yaml), path);
  EXPECT_EQ(d.apps.size(), 1u) << Messages(d);
  return d.apps.empty() ? "?" : d.apps[0].environment;
}

std::string ArgoApp(std::string_view name, std::string_view destination,
                    std::string_view value_file = "values.yaml") {
  return fmt::format(
      "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {}}}\n"
      "spec:\n  source: {{path: charts/api, helm: {{valueFiles: [{}]}}}}\n"
      "  destination: {}\n",
      name, value_file, destination);
}

TEST(ReadDeclarations, EnvironmentFromTheFirstValueFileInAnEnvironmentDirectory) {
  EXPECT_EQ(EnvironmentOf(
                ArgoApp("api-dev", "{namespace: local}", "/sources/values/env/staging/api.yaml"),
                "clusters/production/apps.yaml"),
            "staging");
}

TEST(ReadDeclarations, EnvironmentFromAPathSegmentOfTheManifest) {
  EXPECT_EQ(EnvironmentOf(ArgoApp("api-dev", "{namespace: local}"), "clusters/production/a.yaml"),
            "production");
  EXPECT_EQ(EnvironmentOf(ArgoApp("api", "{}"), "clusters/production.yaml"), "");
}

TEST(ReadDeclarations, EnvironmentFromTheArgoDestination) {
  EXPECT_EQ(EnvironmentOf(ArgoApp("api-dev", "{namespace: staging}")), "staging");
  EXPECT_EQ(EnvironmentOf(ArgoApp("api-dev", "{name: production, namespace: api}")), "production");
  EXPECT_EQ(EnvironmentOf(ArgoApp("api", "{namespace: staging-api}")), "");
}

TEST(ReadDeclarations, EnvironmentFromFluxNamespaces) {
  std::string release =
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: api, "
      "namespace: NS}\nspec: {chartRef: {kind: OCIRepository, name: api}TARGET}\n";
  auto with = [&](std::string_view ns, std::string_view target) {
    std::string text = release;
    text.replace(text.find("NS"), 2, ns);
    text.replace(text.find("TARGET"), 6, target);
    return text;
  };
  EXPECT_EQ(EnvironmentOf(with("staging", "")), "staging");
  EXPECT_EQ(EnvironmentOf(with("flux-system", ", targetNamespace: local")), "local");
  EXPECT_EQ(EnvironmentOf(with("flux-system", "")), "");
}

TEST(ReadDeclarations, EnvironmentFromAWordOfTheName) {
  EXPECT_EQ(EnvironmentOf(ArgoApp("api-production", "{namespace: api}")), "production");
  EXPECT_EQ(EnvironmentOf(ArgoApp("api-development", "{namespace: devops}")), "");
}

TEST(ReadDeclarations, EnvironmentUsesTheConfiguredEnvironments) {
  policy::Config config;
  config.environments = {{"qa", "deploy/qa/"}, {"prod", "deploy/prod"}};
  Declarations d = Read(ArgoApp("api-prod", "{}", "/deploy/qa/api.yaml"), "x.yaml", config);
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].environment, "qa");
  d = Read(ArgoApp("api-prod", "{}", "/deploy/qa-old/api.yaml"), "x.yaml", config);
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].environment, "prod");
}

}  // namespace
}  // namespace imagepin::apps
