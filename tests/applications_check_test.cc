// `imagepin check` on applications, end to end: the real binary on small repositories where the
// mistake is only visible in the merged values — Argo CD's inline values (valuesObject and
// helm.values text), an ApplicationSet generator it cannot expand, a shared file stacked in
// several environments — and the findings' positions, once each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');

class ApplicationsCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write(".imagepin.yaml",
                "version: 1\n"
                "scope:\n"
                "  include: [\"values/**\", \"argocd/**\"]\n"
                "environments:\n"
                "  - {name: dev, path: values/env/dev}\n"
                "  - {name: prod, path: values/env/prod}\n"
                "shared: values/_shared\n"
                "charts: charts\n");
    repo_.Write("charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n");
    repo_.Write("charts/api/values.yaml", "image:\n  ref: \"\"\n  pullPolicy: IfNotPresent\n");
    repo_.Write("values/_shared/tools/kubectl.yaml",
                "image:\n"
                "  repository: bitnami/kubectl\n"
                "  tag: 1.30.1\n"
                "  digest: " +
                    kA +
                    "\n"  // line 4
                    "  pullPolicy: IfNotPresent\n");
  }

  // "path:line:col: severity: message [rule]" lines of the text output.
  std::vector<std::string> Findings(const testing::CommandResult& r) {
    std::vector<std::string> out;
    for (size_t start = 0; start < r.out.size();) {
      size_t end = r.out.find('\n', start);
      std::string line = r.out.substr(start, end - start);
      if (line.find(": error: ") != std::string::npos ||
          line.find(": warning: ") != std::string::npos) {
        out.push_back(line);
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }

  testing::CommandResult Check() {
    return testing::RunCommand({IMAGEPIN_BINARY, "check", "--color", "never", "-C", repo_.str()});
  }

  testing::TempDir repo_;
};

TEST_F(ApplicationsCheckTest, HelmValuesTextOverridingTheTagIsIP011AtTheManifestLine) {
  repo_.Write("argocd/kubectl.yaml",
              "apiVersion: argoproj.io/v1alpha1\n"                             // 1
              "kind: Application\n"                                            // 2
              "metadata: {name: kubectl-prod}\n"                               // 3
              "spec:\n"                                                        // 4
              "  source:\n"                                                    // 5
              "    path: charts/kubectl\n"                                     // 6
              "    helm:\n"                                                    // 7
              "      valueFiles: [../../values/_shared/tools/kubectl.yaml]\n"  // 8
              "      values: |\n"                                              // 9
              "        image:\n"                                               // 10
              "          tag: 1.30.2\n"                                        // 11
              "  destination: {namespace: prod}\n");
  testing::CommandResult r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 1u) << r.out;
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")), "argocd/kubectl.yaml:11:16:");
  EXPECT_NE(findings[0].find("[IP011 mixed-layers]"), std::string::npos) << findings[0];
  EXPECT_NE(findings[0].find("values/_shared/tools/kubectl.yaml:4"), std::string::npos);
  // The caret line is the manifest's own line.
  EXPECT_NE(r.out.find("11 |           tag: 1.30.2"), std::string::npos) << r.out;
}

TEST_F(ApplicationsCheckTest, ValuesObjectSettingImageRefSatisfiesTheChartAndItsAbsenceIsIP010) {
  auto application = [&](const std::string& values_object) {
    return "apiVersion: argoproj.io/v1alpha1\n"
           "kind: Application\n"
           "metadata: {name: api-prod}\n"
           "spec:\n"
           "  source:\n"
           "    path: charts/api\n"
           "    helm:\n"
           "      valuesObject:\n" +
           values_object + "  destination: {namespace: prod}\n";
  };
  repo_.Write("argocd/api.yaml",
              application("        image:\n          ref: ghcr.io/acme/api@" + kB + "\n"));
  testing::CommandResult pass = Check();
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  // api-prod, and the shared kubectl in dev and in prod.
  EXPECT_NE(pass.out.find("3 applications"), std::string::npos) << pass.out;

  repo_.Write("argocd/api.yaml", application("        replicas: 2\n"));
  testing::CommandResult fail = Check();
  EXPECT_EQ(fail.exit_code, 1) << fail.out;
  std::vector<std::string> findings = Findings(fail);
  ASSERT_EQ(findings.size(), 1u) << fail.out;
  EXPECT_NE(findings[0].find("api-prod has no image.ref in prod"), std::string::npos)
      << findings[0];
  EXPECT_NE(findings[0].find("[IP010 image-ref-missing]"), std::string::npos);
}

TEST_F(ApplicationsCheckTest, HelmValuesTextThatDoesNotParseIsIP000AndTheAppIsNotJudged) {
  repo_.Write("argocd/api.yaml",
              "apiVersion: argoproj.io/v1alpha1\n"
              "kind: Application\n"
              "metadata: {name: api-prod}\n"
              "spec:\n"
              "  source:\n"
              "    path: charts/api\n"
              "    helm:\n"
              "      values: \"image: [unclosed\"\n"  // line 8, column 15
              "  destination: {namespace: prod}\n");
  testing::CommandResult r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 1u) << r.out;  // no IP010: a stack with a hole is not judged
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")), "argocd/api.yaml:8:15:");
  EXPECT_NE(findings[0].find("[IP000 parse-error]"), std::string::npos) << findings[0];
}

TEST_F(ApplicationsCheckTest, AnUnexpandedGeneratorIsANoteAndItsFilesFallBackToTheConvention) {
  repo_.Write("argocd/set.yaml",
              "apiVersion: argoproj.io/v1alpha1\n"
              "kind: ApplicationSet\n"
              "metadata: {name: tools}\n"
              "spec:\n"
              "  generators:\n"
              "    - git: {repoURL: https://example.com/r.git, revision: HEAD}\n"
              "  template:\n"
              "    metadata: {name: x}\n"
              "    spec: {source: {path: charts/api}}\n");
  repo_.Write("values/env/prod/tools/kubectl.yaml", "image:\n  tag: 1.30.2\n");
  testing::CommandResult r = Check();
  EXPECT_NE(r.err.find("argocd/set.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("git generator"), std::string::npos) << r.err;
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 1u) << r.out;
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")),
            "values/env/prod/tools/kubectl.yaml:2:8:");
}

TEST_F(ApplicationsCheckTest, ASharedMistakeInEveryEnvironmentIsReportedOnce) {
  repo_.Write("charts/alloy/Chart.yaml", "apiVersion: v2\nname: alloy\nversion: 1.0.0\n");
  repo_.Write("charts/alloy/values.yaml",
              "image:\n  repository: grafana/alloy\n  tag: v1.4.0\n  pullPolicy: Always\n");
  repo_.Write("values/_shared/platform/alloy.yaml", "image:\n  digest: " + kB + "\n");
  testing::CommandResult r = Check();
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 1u) << r.out;  // dev and prod stack the same file
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")),
            "values/_shared/platform/alloy.yaml:1:1:");
  EXPECT_NE(findings[0].find("the chart default is Always at charts/alloy/values.yaml:4"),
            std::string::npos)
      << findings[0];
}

TEST_F(ApplicationsCheckTest, HelmParametersAreTheTopLayer) {
  auto application = [&](const std::string& parameters) {
    return "apiVersion: argoproj.io/v1alpha1\n"  // 1
           "kind: Application\n"                 // 2
           "metadata: {name: api-prod}\n"        // 3
           "spec:\n"
           "  source:\n"
           "    path: charts/api\n"
           "    helm:\n"
           "      valuesObject:\n"
           "        image: {pullPolicy: Always}\n"  // 9:28: a layer's own mistake, per-file
           "      parameters:\n" +
           parameters + "  destination: {namespace: prod}\n";
  };
  // Argo CD Image Updater's way: image.ref as a parameter satisfies the chart.
  repo_.Write("argocd/api.yaml",
              application("        - {name: image.ref, value: \"ghcr.io/acme/api@" + kB + "\"}\n" +
                          "        - {name: \"env[0].name\", value: X}\n"));
  testing::CommandResult r = Check();
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 1u) << r.out;
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")), "argocd/api.yaml:9:29:")
      << findings[0];
  EXPECT_NE(findings[0].find("[IP005 pull-policy]"), std::string::npos);
  // A name with list syntax is not read, and says so.
  EXPECT_NE(r.err.find("env[0].name"), std::string::npos) << r.err;

  // Without it, the chart's required image.ref is missing: reported at the top layer, the
  // parameters, which is the object itself; the valuesObject's own finding keeps its place.
  repo_.Write("argocd/api.yaml", application("        - {name: replicas, value: \"2\"}\n"));
  std::vector<std::string> missing = Findings(Check());
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].substr(0, missing[0].find(" error")), "argocd/api.yaml:1:1:") << missing[0];
  EXPECT_NE(missing[0].find("[IP010 image-ref-missing]"), std::string::npos) << missing[0];
  EXPECT_EQ(missing[1].substr(0, missing[1].find(" error")), "argocd/api.yaml:9:29:");
}

TEST_F(ApplicationsCheckTest, ATagParameterOverAnInheritedDigestIsIP011AtTheObject) {
  repo_.Write("argocd/kubectl.yaml",
              "apiVersion: argoproj.io/v1alpha1\n"
              "kind: Application\n"
              "metadata: {name: kubectl-prod}\n"
              "spec:\n"
              "  source:\n"
              "    path: charts/kubectl\n"
              "    helm:\n"
              "      valueFiles: [../../values/_shared/tools/kubectl.yaml]\n"
              "      parameters: [{name: image.tag, value: 1.30.2}]\n"
              "  destination: {namespace: prod}\n");
  std::vector<std::string> findings = Findings(Check());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")), "argocd/kubectl.yaml:1:1:")
      << findings[0];
  EXPECT_NE(findings[0].find("[IP011 mixed-layers]"), std::string::npos) << findings[0];
}

TEST_F(ApplicationsCheckTest, AChartsDefaultsAreJudgedThroughItsAppsNotAsAFile) {
  // `image.ref: ""` and a vendored `Always` in a chart's values.yaml are defaults, not mistakes.
  repo_.Write("charts/alloy/Chart.yaml", "apiVersion: v2\nname: alloy\nversion: 1.0.0\n");
  repo_.Write("charts/alloy/values.yaml",
              "image:\n  repository: grafana/alloy\n  tag: v1.4.0\n  pullPolicy: Always\n");
  testing::CommandResult charts = testing::RunCommand(
      {IMAGEPIN_BINARY, "check", "--color", "never", "-C", repo_.str(), repo_.str() + "/charts"});
  EXPECT_EQ(charts.exit_code, 0) << charts.out << charts.err;
  EXPECT_NE(charts.out.find("no findings in 4 files"), std::string::npos) << charts.out;

  // Once an app stacks the chart, its default is that app's finding, at its layer; checking
  // the chart alone judges the apps on it (and only those).
  repo_.Write("values/_shared/platform/alloy.yaml", "image:\n  digest: " + kB + "\n");
  testing::CommandResult r =
      testing::RunCommand({IMAGEPIN_BINARY, "check", "--color", "never", "-C", repo_.str(),
                           repo_.str() + "/charts/alloy"});
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 1u) << r.out;
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")),
            "values/_shared/platform/alloy.yaml:1:1:");
  EXPECT_NE(r.out.find("2 applications"), std::string::npos) << r.out;  // alloy in dev and prod
}

// The chart contract end to end: templates outside the scope are read with their helpers, the
// findings sit on template lines (and, for a tag put into labels, at the values line), and what
// cannot be told is a note on stderr, counted in the summary.
TEST_F(ApplicationsCheckTest, ChartTemplatesAreReadAndJudgedWithTheirApps) {
  repo_.Write("charts/api/templates/_helpers.tpl",
              "{{- define \"api.labels\" -}}\n"
              "app.kubernetes.io/version: {{ .Values.image.tag | quote }}\n"
              "{{- end }}\n");
  repo_.Write("charts/api/templates/deployment.yaml",
              "kind: Deployment\n"
              "metadata:\n"
              "  labels:\n"
              "    {{- include \"api.labels\" . | nindent 4 }}\n"
              "spec:\n"
              "  template:\n"
              "    spec:\n"
              "      initContainers:\n"
              "        - name: wait\n"                      // line 9: no policy
              "          image: {{ .Values.image.ref }}\n"  // line 10: no required
              "          imagePullPolicy: IfNotPresent\n"
              "      containers:\n"
              "        - name: app\n"
              "          image: {{ required \"x\" .Values.image.ref }}\n"
              "          imagePullPolicy: {{ .Values.image.pullPolicy }}\n"
              "        {{- toYaml .Values.sidecars | nindent 8 }}\n");  // line 16
  repo_.Write("values/env/dev/apps/api.yaml",
              "image:\n  ref: ghcr.io/acme/api@" + kA + "\n  tag: v1@" + kB + "\n");
  testing::CommandResult r = Check();
  std::vector<std::string> findings = Findings(r);
  ASSERT_EQ(findings.size(), 2u) << r.out << r.err;
  EXPECT_EQ(findings[0].substr(0, findings[0].find(" error")),
            "charts/api/templates/deployment.yaml:10:18:");
  EXPECT_NE(findings[0].find("[IP012 chart-image-contract]"), std::string::npos) << findings[0];
  EXPECT_EQ(findings[1].substr(0, findings[1].find(" error")), "values/env/dev/apps/api.yaml:3:8:");
  EXPECT_NE(findings[1].find("[IP014 tag-in-labels]"), std::string::npos) << findings[1];
  EXPECT_NE(findings[1].find("charts/api/templates/_helpers.tpl:2"), std::string::npos);
  EXPECT_EQ(r.out.find("IP006"), std::string::npos) << r.out;  // IP014 says it all
  EXPECT_NE(r.err.find("charts/api/templates/deployment.yaml:16:9: note: not analysable: "
                       "containers rendered by toYaml .Values.sidecars"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("1 template analysed (1 not analysable)"), std::string::npos) << r.out;

  repo_.Write("charts/api/templates/job.yaml",
              "kind: Job\n"
              "spec:\n"
              "  template:\n"
              "    spec:\n"
              "      containers:\n"
              "        - name: migrate\n"
              "          image: {{ required \"x\" .Values.image.ref }}\n");
  r = Check();
  EXPECT_NE(r.out.find("charts/api/templates/job.yaml:6:11: error: container \"migrate\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[IP013 chart-pull-policy]"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace imagepin
