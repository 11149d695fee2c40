// AnalyseContainers on whole public charts (testdata/, see SOURCES.md) and one chart of the
// benchmark generator. Every expectation below was read off the template text by hand: the line
// and column of each container's "-", of its image: and imagePullPolicy: values, the .Values
// paths those read (through the defines named), and where the analysis must say it cannot tell.
// Reads are compared as sets: which paths a value depends on, not the order they are met in.
// The chart rules (another layer) judge a container by: its pull policy (a literal, a .Values
// path, or absent) and whether its image comes from a `.Values….ref` behind `required`.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tmpl/containers.h"
#include "tmpl/test_charts.h"

// The expectations are designated initializers that leave the other fields at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace imagepin::tmpl {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

const fs::path kTestdata = fs::path(IMAGEPIN_SOURCE_DIR) / "src/tmpl/testdata";

using testing::Analyse;
using testing::Analysed;
using testing::Describe;
using testing::ListChart;
using testing::ReadAll;

Analysed AnalyseChart(const fs::path& root) { return Analyse(ListChart(root)); }

Strings Sorted(Strings v) {
  std::sort(v.begin(), v.end());
  return v;
}

// One value (image: or imagePullPolicy:) as written.
struct WantExpr {
  int line = 0;
  int column = 0;
  std::string file;                    // empty: the container's file
  std::optional<std::string> literal;  // set: no action, this value
  Strings reads;                       // as a set
  Strings includes;                    // outermost first
  bool required = false;
  Strings defaults;
};

struct Want {
  std::string template_path;
  std::string file;  // empty: template_path
  int line = 0;
  int column = 0;
  ContainerList list = ContainerList::kContainers;
  std::string kind;
  bool hook = false;
  bool in_range = false;
  std::string name;                    // as written
  std::optional<WantExpr> image;       // nullopt: no image: key
  std::optional<WantExpr> pull;        // nullopt: no imagePullPolicy: (the kubelet's default)
  std::vector<WantExpr> other_images;  // image: again in an {{else}}
};

void ExpectExpr(const char* what, const std::optional<Expr>& got,
                const std::optional<WantExpr>& want, const std::string& file) {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.has_value(), want.has_value()) << (got ? got->text : "absent");
  if (!want) return;
  EXPECT_EQ(got->file, want->file.empty() ? file : want->file);
  EXPECT_EQ(got->line, want->line);
  EXPECT_EQ(got->column, want->column);
  EXPECT_EQ(got->literal, want->literal) << got->text;
  EXPECT_EQ(Sorted(got->reads), Sorted(want->reads)) << got->text;
  EXPECT_EQ(got->includes, want->includes);
  EXPECT_EQ(got->required, want->required);
  EXPECT_EQ(got->defaults, want->defaults);
  EXPECT_TRUE(got->undecided.empty()) << got->undecided[0];
}

// An image read from a first-party style `….ref` key.
bool ReadsRef(const Expr& e) {
  return std::any_of(e.reads.begin(), e.reads.end(), [](const std::string& r) {
    return r.size() > 4 && r.compare(r.size() - 4, 4, ".ref") == 0;
  });
}

void ExpectContainers(const ContainerAnalysis& r, const std::vector<Want>& wants) {
  ASSERT_EQ(r.containers.size(), wants.size()) << Describe(r);
  for (size_t i = 0; i < wants.size(); ++i) {
    const Container& c = r.containers[i];
    const Want& w = wants[i];
    SCOPED_TRACE(w.template_path + ":" + std::to_string(w.line) + " " + w.name);
    std::string file = w.file.empty() ? w.template_path : w.file;
    EXPECT_EQ(c.template_path, w.template_path);
    EXPECT_EQ(c.file, file);
    EXPECT_EQ(c.line, w.line);
    EXPECT_EQ(c.column, w.column);
    EXPECT_EQ(c.list, w.list);
    EXPECT_EQ(c.workload_kind, w.kind);
    EXPECT_EQ(c.is_hook, w.hook);
    EXPECT_EQ(c.in_range, w.in_range);
    if (w.name.empty()) {
      EXPECT_FALSE(c.name);
    } else {
      ASSERT_TRUE(c.name);
      EXPECT_EQ(c.name->text, w.name);
    }
    ExpectExpr("image", c.image, w.image, file);
    ExpectExpr("imagePullPolicy", c.pull_policy, w.pull, file);
    ASSERT_EQ(c.other_images.size(), w.other_images.size());
    for (size_t k = 0; k < w.other_images.size(); ++k) {
      ExpectExpr("other image", c.other_images[k], w.other_images[k], file);
    }
    EXPECT_TRUE(c.other_pull_policies.empty());
    if (c.image) {
      EXPECT_FALSE(ReadsRef(*c.image)) << "no public chart here uses image.ref";
    }
  }
}

std::map<std::string, int> PerTemplate(const ContainerAnalysis& r) {
  std::map<std::string, int> n;
  for (const Container& c : r.containers) ++n[c.template_path];
  return n;
}

// A container list the template leaves to an action: where, which list, the .Values path it
// renders, and whether it goes through tpl.
struct WantNotAnalysable {
  std::string template_path;
  std::string file;  // empty: template_path
  int line = 0;
  int column = 0;
  std::string list;  // "containers", "initContainers"
  std::string reads;
  bool tpl = false;
};

void ExpectNotAnalysable(const ContainerAnalysis& r, const std::vector<WantNotAnalysable>& wants) {
  ASSERT_EQ(r.not_analysable.size(), wants.size()) << Describe(r);
  for (size_t i = 0; i < wants.size(); ++i) {
    const NotAnalysable& n = r.not_analysable[i];
    const WantNotAnalysable& w = wants[i];
    SCOPED_TRACE(n.ToString());
    EXPECT_EQ(n.template_path, w.template_path);
    EXPECT_EQ(n.file, w.file.empty() ? w.template_path : w.file);
    EXPECT_EQ(n.line, w.line);
    EXPECT_EQ(n.column, w.column);
    EXPECT_EQ(n.reason.rfind(w.list + " rendered by ", 0), 0u);
    EXPECT_NE(n.reason.find(" reading " + w.reads), std::string::npos);
    bool tpl = n.reason.size() >= 5 && n.reason.compare(n.reason.size() - 5, 5, "; tpl") == 0;
    EXPECT_EQ(tpl, w.tpl);
  }
}

constexpr ContainerList kInit = ContainerList::kInitContainers;

// ---- bitnami/redis with its vendored charts/common.

// Every image is {{template/include "redis.<x>.image" .}} → common.images.image with
// (dict "imageRoot" .Values.<x>.image "global" .Values.global): registry (or
// global.imageRegistry), repository, tag, digest. No "chart" key, no AppVersion fallback, no
// required.
WantExpr RedisImage(int line, const std::string& values, const std::string& define) {
  return {.line = line,
          .column = 18,
          .reads = {values + ".registry", ".Values.global.imageRegistry", values + ".repository",
                    values + ".tag", values + ".digest"},
          .includes = {define, "common.images.image"}};
}

WantExpr RedisPull(int line, const std::string& values) {
  return {.line = line, .column = 28, .reads = {values + ".pullPolicy"}};
}

TEST(AnalyseRealCharts, BitnamiRedis) {
  Analysed a = AnalyseChart(kTestdata / "bitnami__charts/bitnami/redis");
  const ContainerAnalysis& r = a.result;
  const std::string master = "templates/master/application.yaml";
  const std::string replicas = "templates/replicas/application.yaml";
  const std::string sentinel = "templates/sentinel/statefulset.yaml";
  EXPECT_EQ(PerTemplate(r),
            (std::map<std::string, int>{{master, 4}, {replicas, 4}, {sentinel, 6}}));
  // master and replicas write `kind: {{ .Values.<x>.kind }}` (Deployment or StatefulSet).
  // sysctl's pull policy is `default "" .Values.sysctl.image.pullPolicy`.
  WantExpr sysctl_pull = {.reads = {".Values.sysctl.image.pullPolicy"}, .defaults = {""}};
  auto sysctl = [&](int line) {
    WantExpr p = sysctl_pull;
    p.line = line;
    p.column = 28;
    return p;
  };
  ExpectContainers(
      r,
      {
          {.template_path = master,
           .line = 113,
           .column = 9,
           .name = "redis",
           .image = RedisImage(114, ".Values.image", "redis.image"),
           .pull = RedisPull(115, ".Values.image")},
          {.template_path = master,
           .line = 278,
           .column = 9,
           .name = "metrics",
           .image = RedisImage(279, ".Values.metrics.image", "redis.metrics.image"),
           .pull = RedisPull(280, ".Values.metrics.image")},
          {.template_path = master,
           .line = 398,
           .column = 9,
           .list = kInit,
           .name = "volume-permissions",
           .image =
               RedisImage(399, ".Values.volumePermissions.image", "redis.volumePermissions.image"),
           .pull = RedisPull(400, ".Values.volumePermissions.image")},
          {.template_path = master,
           .line = 434,
           .column = 9,
           .list = kInit,
           .name = "init-sysctl",
           .image = RedisImage(435, ".Values.sysctl.image", "redis.sysctl.image"),
           .pull = sysctl(436)},
          {.template_path = replicas,
           .line = 111,
           .column = 9,
           .name = "redis",
           .image = RedisImage(112, ".Values.image", "redis.image"),
           .pull = RedisPull(113, ".Values.image")},
          {.template_path = replicas,
           .line = 298,
           .column = 9,
           .name = "metrics",
           .image = RedisImage(299, ".Values.metrics.image", "redis.metrics.image"),
           .pull = RedisPull(300, ".Values.metrics.image")},
          {.template_path = replicas,
           .line = 418,
           .column = 9,
           .list = kInit,
           .name = "volume-permissions",
           .image =
               RedisImage(419, ".Values.volumePermissions.image", "redis.volumePermissions.image"),
           .pull = RedisPull(420, ".Values.volumePermissions.image")},
          {.template_path = replicas,
           .line = 454,
           .column = 9,
           .list = kInit,
           .name = "init-sysctl",
           .image = RedisImage(455, ".Values.sysctl.image", "redis.sysctl.image"),
           .pull = sysctl(456)},
          {.template_path = sentinel,
           .line = 111,
           .column = 9,
           .kind = "StatefulSet",
           .name = "redis",
           .image = RedisImage(112, ".Values.image", "redis.image"),
           .pull = RedisPull(113, ".Values.image")},
          {.template_path = sentinel,
           .line = 338,
           .column = 9,
           .kind = "StatefulSet",
           .name = "sentinel",
           .image = RedisImage(339, ".Values.sentinel.image", "redis.sentinel.image"),
           .pull = RedisPull(340, ".Values.sentinel.image")},
          {.template_path = sentinel,
           .line = 536,
           .column = 9,
           .kind = "StatefulSet",
           .name = "metrics",
           .image = RedisImage(537, ".Values.metrics.image", "redis.metrics.image"),
           .pull = RedisPull(538, ".Values.metrics.image")},
          {.template_path = sentinel,
           .line = 645,
           .column = 9,
           .kind = "StatefulSet",
           .name = "kubectl-shared",
           .image = RedisImage(646, ".Values.kubectl.image", "redis.kubectl.image"),
           .pull = RedisPull(647, ".Values.kubectl.image")},
          {.template_path = sentinel,
           .line = 677,
           .column = 9,
           .list = kInit,
           .kind = "StatefulSet",
           .name = "volume-permissions",
           .image =
               RedisImage(678, ".Values.volumePermissions.image", "redis.volumePermissions.image"),
           .pull = RedisPull(679, ".Values.volumePermissions.image")},
          {.template_path = sentinel,
           .line = 718,
           .column = 9,
           .list = kInit,
           .kind = "StatefulSet",
           .name = "init-sysctl",
           .image = RedisImage(719, ".Values.sysctl.image", "redis.sysctl.image"),
           .pull = sysctl(720)},
      });
  // sidecars and initContainers: include "common.tplvalues.render" (dict "value" … "context" $),
  // which is tpl of the values (the sentinel StatefulSet takes the replica's).
  ExpectNotAnalysable(
      r, {
             {master, "", 389, 9, "containers", ".Values.master.sidecars", true},
             {master, "", 395, 9, "initContainers", ".Values.master.initContainers", true},
             {replicas, "", 409, 9, "containers", ".Values.replica.sidecars", true},
             {replicas, "", 415, 9, "initContainers", ".Values.replica.initContainers", true},
             {sentinel, "", 668, 9, "containers", ".Values.replica.sidecars", true},
             {sentinel, "", 674, 9, "initContainers", ".Values.replica.initContainers", true},
         });
  for (const NotAnalysable& n : r.not_analysable) {
    EXPECT_NE(n.reason.find(" rendered by include \"common.tplvalues.render\" (dict \"value\" "),
              std::string::npos)
        << n.reason;
  }
}

// ---- prometheus-community: kube-state-metrics and prometheus-node-exporter.

TEST(AnalyseRealCharts, PrometheusKubeStateMetrics) {
  Analysed a =
      AnalyseChart(kTestdata / "prometheus-community__helm-charts/charts/kube-state-metrics");
  const ContainerAnalysis& r = a.result;
  const std::string t = "templates/deployment.yaml";
  // `kind: StatefulSet` under {{if .Values.autosharding.enabled}}, `kind: Deployment` under
  // {{else}}: either, so no kind.
  // kube-state-metrics.image: printf of global.imageRegistry or image.registry, repository,
  // (default (printf "v%s" .Chart.AppVersion) .Values.image.tag), and "@" image.sha if set.
  auto ksm = [](std::string v) {
    return Strings{".Values.global.imageRegistry", v + ".registry", v + ".repository", v + ".tag",
                   v + ".sha"};
  };
  ExpectContainers(
      r, {
             {.template_path = t,
              .line = 68,
              .column = 7,
              .name = "{{ template \"kube-state-metrics.name\" . }}",
              .image = WantExpr{.line = 168,
                                .column = 16,
                                .reads = ksm(".Values.image"),
                                .includes = {"kube-state-metrics.image"}},
              .pull = WantExpr{.line = 167, .column = 26, .reads = {".Values.image.pullPolicy"}}},
             {.template_path = t,
              .line = 257,
              .column = 7,
              .name = "kube-rbac-proxy-http",
              .image = WantExpr{.line = 276,
                                .column = 16,
                                .reads = ksm(".Values.kubeRBACProxy.image"),
                                .includes = {"kubeRBACProxy.image"}},
              .pull = WantExpr{.line = 275,
                               .column = 26,
                               .reads = {".Values.kubeRBACProxy.image.pullPolicy"}}},
             {.template_path = t,
              .line = 298,
              .column = 7,
              .name = "kube-rbac-proxy-telemetry",
              .image = WantExpr{.line = 317,
                                .column = 16,
                                .reads = ksm(".Values.kubeRBACProxy.image"),
                                .includes = {"kubeRBACProxy.image"}},
              .pull = WantExpr{.line = 316,
                               .column = 26,
                               .reads = {".Values.kubeRBACProxy.image.pullPolicy"}}},
         });
  ExpectNotAnalysable(r, {
                             {t, "", 59, 7, "initContainers", ".Values.initContainers", false},
                             {t, "", 341, 7, "containers", ".Values.containers", false},
                         });
  int workloads = 0;
  for (const Document& d : r.documents) {
    if (!d.has_pod_template) continue;
    ++workloads;
    EXPECT_EQ(d.template_path, t);
    EXPECT_EQ(d.kind, "");
  }
  EXPECT_EQ(workloads, 1);
}

TEST(AnalyseRealCharts, PrometheusNodeExporter) {
  Analysed a =
      AnalyseChart(kTestdata / "prometheus-community__helm-charts/charts/prometheus-node-exporter");
  const ContainerAnalysis& r = a.result;
  const std::string t = "templates/daemonset.yaml";
  // permission-fix: inside {{with .Values.permissionInitContainer.image}}, image: is written
  // twice, "…:{{ .tag }}@sha256:{{ .sha }}" under {{if .sha}} and without it under {{else}}.
  const std::string pic = ".Values.permissionInitContainer.image";
  const Strings pic_reads = {".Values.global.imageRegistry", pic + ".registry", pic + ".repository",
                             pic + ".tag"};
  Strings pic_sha = pic_reads;
  pic_sha.push_back(pic + ".sha");
  const std::string rbac = ".Values.kubeRBACProxy.image";
  const Strings rbac_reads = {".Values.global.imageRegistry", rbac + ".registry",
                              rbac + ".repository", rbac + ".tag"};
  Strings rbac_sha = rbac_reads;
  rbac_sha.push_back(rbac + ".sha");
  ExpectContainers(
      r,
      {
          {.template_path = t,
           .line = 49,
           .column = 9,
           .list = kInit,
           .kind = "DaemonSet",
           .name = "permission-fix",
           .image = WantExpr{.line = 52, .column = 18, .reads = pic_sha},
           .pull = WantExpr{.line = 57, .column = 28, .reads = {pic + ".pullPolicy"}},
           .other_images = {WantExpr{.line = 54, .column = 18, .reads = pic_reads}}},
          // prometheus-node-exporter.image: image.sha fails; registry (or global.imageRegistry),
          // repository, tag (default "v"+AppVersion), distroless, "@" digest.
          {.template_path = t,
           .line = 99,
           .column = 9,
           .kind = "DaemonSet",
           .name = "node-exporter",
           .image = WantExpr{.line = 100,
                             .column = 18,
                             .reads = {".Values.image.sha", ".Values.image.digest",
                                       ".Values.global.imageRegistry", ".Values.image.registry",
                                       ".Values.image.repository", ".Values.image.tag",
                                       ".Values.image.distroless"},
                             .includes = {"prometheus-node-exporter.image"}},
           .pull = WantExpr{.line = 101, .column = 28, .reads = {".Values.image.pullPolicy"}}},
          // {{range .Values.sidecars}} - {{- toYaml (merge $overwrites . $defaults) }}: an item
          // whose every field is the action's; its image is not read (left to the rules as opaque).
          {.template_path = t, .line = 235, .column = 9, .kind = "DaemonSet", .in_range = true},
          {.template_path = t,
           .line = 238,
           .column = 9,
           .kind = "DaemonSet",
           .name = "kube-rbac-proxy",
           .image = WantExpr{.line = 267, .column = 18, .reads = rbac_sha},
           .pull = WantExpr{.line = 265, .column = 28, .reads = {rbac + ".pullPolicy"}},
           .other_images = {WantExpr{.line = 269, .column = 18, .reads = rbac_reads}}},
      });
  EXPECT_EQ(r.containers[2].opaque,
            Strings{"{{- toYaml (merge $overwrites . $defaults) | nindent 10 }}"});
  ExpectNotAnalysable(r, {{t, "", 46, 9, "initContainers", ".Values.extraInitContainers", false}});
}

// ---- grafana/alloy: one pod template (controllers/_pod.yaml) for three controllers, the
// containers in containers/_agent.yaml and _watch.yaml, and the image tag in the labels.

TEST(AnalyseRealCharts, GrafanaAlloy) {
  Analysed a = AnalyseChart(kTestdata / "grafana__alloy/operations/helm/charts/alloy");
  const ContainerAnalysis& r = a.result;
  const std::string agent = "templates/containers/_agent.yaml";
  const std::string watch = "templates/containers/_watch.yaml";
  // image: {{ .Values.global.image.registry | default .Values.image.registry }}/
  // {{ .Values.image.repository }}{{ include "alloy.imageId" . }}; alloy.imageId: "@" digest,
  // else ":" tag, else AppVersion.
  auto alloy = [&](const std::string& tp, const std::string& kind) {
    return Want{
        .template_path = tp,
        .file = agent,
        .line = 3,
        .column = 1,
        .kind = kind,
        .name = "alloy",
        .image = WantExpr{.line = 4,
                          .column = 10,
                          .file = agent,
                          .reads = {".Values.global.image.registry", ".Values.image.registry",
                                    ".Values.image.repository", ".Values.image.digest",
                                    ".Values.image.tag"},
                          .includes = {"alloy.imageId"}},
        .pull = WantExpr{.line = 5,
                         .column = 20,
                         .file = agent,
                         .reads = {".Values.global.image.pullPolicy", ".Values.image.pullPolicy"}}};
  };
  const std::string cr = ".Values.configReloader.image";
  auto reloader = [&](const std::string& tp, const std::string& kind) {
    return Want{.template_path = tp,
                .file = watch,
                .line = 4,
                .column = 1,
                .kind = kind,
                .name = "config-reloader",
                .image = WantExpr{.line = 5,
                                  .column = 10,
                                  .file = watch,
                                  .reads = {".Values.global.image.registry", cr + ".registry",
                                            cr + ".repository", cr + ".digest", cr + ".tag"},
                                  .includes = {"config-reloader.imageId"}},
                .pull = WantExpr{.line = 6,
                                 .column = 20,
                                 .file = watch,
                                 .reads = {".Values.global.image.pullPolicy", cr + ".pullPolicy"}}};
  };
  const std::string ds = "templates/controllers/daemonset.yaml";
  const std::string dep = "templates/controllers/deployment.yaml";
  const std::string sts = "templates/controllers/statefulset.yaml";
  ExpectContainers(
      r, {alloy(ds, "DaemonSet"), reloader(ds, "DaemonSet"), alloy(dep, "Deployment"),
          reloader(dep, "Deployment"), alloy(sts, "StatefulSet"), reloader(sts, "StatefulSet")});
  // controller.initContainers and controller.extraContainers: toYaml inside alloy.pod-template,
  // reported where each controller includes it ({{- include "alloy.pod-template" . | nindent 4 }}).
  ExpectNotAnalysable(
      r, {
             {ds, "", 27, 5, "initContainers", ".Values.controller.initContainers", false},
             {ds, "", 27, 5, "containers", ".Values.controller.extraContainers", false},
             {dep, "", 30, 5, "initContainers", ".Values.controller.initContainers", false},
             {dep, "", 30, 5, "containers", ".Values.controller.extraContainers", false},
             {sts, "", 37, 5, "initContainers", ".Values.controller.initContainers", false},
             {sts, "", 37, 5, "containers", ".Values.controller.extraContainers", false},
         });
  for (const NotAnalysable& n : r.not_analysable) {
    EXPECT_NE(
        n.reason.find(
            " rendered by include \"alloy.pod-template\" . | nindent 4 (toYaml . | nindent 4)"),
        std::string::npos)
        << n.reason;
  }
  // Every document labelled by alloy.labels reads .Values.image.tag (and .digest) in
  // `app.kubernetes.io/version: {{ (include "alloy.imageId" .) | trimPrefix … }}`, _helpers.tpl
  // line 61, column 28: the label reuses the image tag.
  int labelled = 0;
  for (const Document& d : r.documents) {
    for (const LabelRead& s : d.label_sites) {
      if (s.path != ".Values.image.tag" && s.path != ".Values.image.digest") continue;
      SCOPED_TRACE(d.template_path + " " + s.path);
      EXPECT_EQ(s.file, "templates/_helpers.tpl");
      EXPECT_EQ(s.line, 61);
      EXPECT_EQ(s.column, 28);
      labelled += s.path == ".Values.image.tag";
    }
  }
  // cluster_service, configmap, the 3 controllers, hpa, ingress, networkpolicy, pdb, rbac (4
  // documents), service, serviceaccount, servicemonitor, vpa: `grep -l alloy.labels templates`.
  EXPECT_EQ(labelled, 17);
  for (const Document& d : r.documents) {
    if (d.template_path != dep) continue;
    EXPECT_EQ(d.kind, "Deployment");
    EXPECT_TRUE(d.has_pod_template);
    EXPECT_NE(std::find(d.label_reads.begin(), d.label_reads.end(), ".Values.image.tag"),
              d.label_reads.end());
  }
  for (const Container& c : r.containers) {
    EXPECT_NE(std::find(c.label_reads.begin(), c.label_reads.end(), ".Values.image.tag"),
              c.label_reads.end());
  }
}

// ---- kubernetes/ingress-nginx.

TEST(AnalyseRealCharts, IngressNginx) {
  Analysed a = AnalyseChart(kTestdata / "kubernetes__ingress-nginx/charts/ingress-nginx");
  const ContainerAnalysis& r = a.result;
  // {{- with (merge .Values.<x>.image .Values.global.image) }}: each field is either's.
  auto merged = [](const std::string& v, const Strings& fields) {
    Strings out;
    for (const auto& f : fields) {
      out.push_back(v + "." + f);
      out.push_back(".Values.global.image." + f);
    }
    return out;
  };
  const Strings plain = {"repository", "registry", "image", "tag", "digest"};
  // The controller: ingress-nginx.image (.chroot, .image) and ingress-nginx.imageDigest
  // (.chroot, .digestChroot, .digest).
  const Strings controller = {"repository", "registry",     "chroot", "image",
                              "tag",        "digestChroot", "digest"};
  const std::string create = "templates/admission-webhooks/job-patch/job-createSecret.yaml";
  const std::string patch = "templates/admission-webhooks/job-patch/job-patchWebhook.yaml";
  const std::string ds = "templates/controller-daemonset.yaml";
  const std::string dep = "templates/controller-deployment.yaml";
  const std::string backend = "templates/default-backend-deployment.yaml";
  const std::string patch_image = ".Values.controller.admissionWebhooks.patch.image";
  auto module = [&](const std::string& tp, const std::string& kind) {
    // define "extraModules" in a {{range .Values.controller.extraModules}}, given
    // (merge .image $.Values.global.image); it has no imagePullPolicy.
    return Want{
        .template_path = tp,
        .file = "templates/_helpers.tpl",
        .line = 242,
        .column = 1,
        .list = kInit,
        .kind = kind,
        .in_range = true,
        .name = "{{ .name }}",
        .image = WantExpr{.line = 244,
                          .column = 10,
                          .file = "templates/_helpers.tpl",
                          .reads = merged(".Values.controller.extraModules[].image", plain)}};
  };
  ExpectContainers(
      r, {
             {.template_path = create,
              .line = 47,
              .column = 9,
              .kind = "Job",
              .hook = true,
              .name = "create",
              .image = WantExpr{.line = 49, .column = 18, .reads = merged(patch_image, plain)},
              .pull = WantExpr{.line = 51, .column = 28, .reads = {patch_image + ".pullPolicy"}}},
             {.template_path = patch,
              .line = 47,
              .column = 9,
              .kind = "Job",
              .hook = true,
              .name = "patch",
              .image = WantExpr{.line = 49, .column = 18, .reads = merged(patch_image, plain)},
              .pull = WantExpr{.line = 51, .column = 28, .reads = {patch_image + ".pullPolicy"}}},
             {.template_path = ds,
              .line = 80,
              .column = 9,
              .kind = "DaemonSet",
              .name = "{{ .Values.controller.containerName }}",
              .image = WantExpr{.line = 82,
                                .column = 18,
                                .reads = merged(".Values.controller.image", controller),
                                .includes = {"ingress-nginx.image", "ingress-nginx.imageDigest"}},
              .pull =
                  WantExpr{
                      .line = 84, .column = 28, .reads = {".Values.controller.image.pullPolicy"}}},
             module(ds, "DaemonSet"),
             {.template_path = dep,
              .line = 86,
              .column = 9,
              .kind = "Deployment",
              .name = "{{ .Values.controller.containerName }}",
              .image = WantExpr{.line = 88,
                                .column = 18,
                                .reads = merged(".Values.controller.image", controller),
                                .includes = {"ingress-nginx.image", "ingress-nginx.imageDigest"}},
              .pull =
                  WantExpr{
                      .line = 90, .column = 28, .reads = {".Values.controller.image.pullPolicy"}}},
             module(dep, "Deployment"),
             {.template_path = backend,
              .line = 55,
              .column = 9,
              .kind = "Deployment",
              .name = "{{ template \"ingress-nginx.name\" . }}-default-backend",
              .image = WantExpr{.line = 57,
                                .column = 18,
                                .reads = merged(".Values.defaultBackend.image", plain)},
              .pull = WantExpr{.line = 59,
                               .column = 28,
                               .reads = {".Values.defaultBackend.image.pullPolicy"}}},
         });
  ExpectNotAnalysable(
      r, {
             {ds, "", 183, 9, "containers", ".Values.controller.extraContainers", false},
             {ds, "", 188, 9, "initContainers", ".Values.controller.extraInitContainers", true},
             {dep, "", 189, 9, "containers", ".Values.controller.extraContainers", false},
             {dep, "", 194, 9, "initContainers", ".Values.controller.extraInitContainers", true},
         });
}

// ---- cert-manager.

TEST(AnalyseRealCharts, CertManager) {
  Analysed a = AnalyseChart(kTestdata / "cert-manager__cert-manager/deploy/charts/cert-manager");
  const ContainerAnalysis& r = a.result;
  // image: "{{ template "cert-manager.image" (tuple .Values.<x>.image .Values.imageRegistry
  // .Values.imageNamespace (printf ":%s" .Chart.AppVersion)) }}": the tuple itself, then inside
  // (index . 0) its repository, registry, name (behind required), tag, digest.
  auto image = [](int line, const std::string& v) {
    return WantExpr{
        .line = line,
        .column = 18,
        .reads = {v, ".Values.imageRegistry", ".Values.imageNamespace", v + ".repository",
                  v + ".registry", v + ".name", v + ".tag", v + ".digest"},
        .includes = {"cert-manager.image"},
        .required = true,
        // $imageRegistry / $imageNamespace := index . 1 / 2 | default ""
        .defaults = {""}};
  };
  auto pull = [](int line, const std::string& v) {
    return WantExpr{.line = line, .column = 28, .reads = {v + ".pullPolicy"}};
  };
  // startupapicheck-job.yaml: its helm.sh/hook annotation comes from
  // toYaml .Values.startupapicheck.jobAnnotations, so the template has no literal hook.
  ExpectContainers(r, {
                          {.template_path = "templates/cainjector-deployment.yaml",
                           .line = 78,
                           .column = 9,
                           .kind = "Deployment",
                           .name = "{{ .Chart.Name }}-cainjector",
                           .image = image(79, ".Values.cainjector.image"),
                           .pull = pull(80, ".Values.cainjector.image")},
                          {.template_path = "templates/deployment.yaml",
                           .line = 88,
                           .column = 9,
                           .kind = "Deployment",
                           .name = "{{ .Chart.Name }}-controller",
                           .image = image(89, ".Values.image"),
                           .pull = pull(90, ".Values.image")},
                          {.template_path = "templates/startupapicheck-job.yaml",
                           .line = 59,
                           .column = 9,
                           .kind = "Job",
                           .name = "{{ .Chart.Name }}-startupapicheck",
                           .image = image(60, ".Values.startupapicheck.image"),
                           .pull = pull(61, ".Values.startupapicheck.image")},
                          {.template_path = "templates/webhook-deployment.yaml",
                           .line = 83,
                           .column = 9,
                           .kind = "Deployment",
                           .name = "{{ .Chart.Name }}-webhook",
                           .image = image(84, ".Values.webhook.image"),
                           .pull = pull(85, ".Values.webhook.image")},
                      });
  ExpectNotAnalysable(r, {{"templates/deployment.yaml", "", 222, 9, "containers",
                           ".Values.extraContainers", false}});
}

// ---- argoproj/argo-helm argo-cd.

TEST(AnalyseRealCharts, ArgoCd) {
  Analysed a = AnalyseChart(kTestdata / "argoproj__argo-helm/charts/argo-cd");
  const ContainerAnalysis& r = a.result;
  // {{ default .Values.global.image.repository .Values.<x>.repository }}:
  // {{ default (include "argo-cd.defaultTag" .) .Values.<x>.tag }}; argo-cd.defaultTag is
  // default .Chart.AppVersion .Values.global.image.tag.
  auto argo = [](int line, int column, const std::string& v) {
    return WantExpr{.line = line,
                    .column = column,
                    .reads = {".Values.global.image.repository", v + ".repository",
                              ".Values.global.image.tag", v + ".tag"},
                    .includes = {"argo-cd.defaultTag"}};
  };
  auto plain = [](int line, const std::string& v) {
    return WantExpr{.line = line, .column = 16, .reads = {v + ".repository", v + ".tag"}};
  };
  // {{ default .Values.global.image.imagePullPolicy .Values.<x>.imagePullPolicy }}
  auto pull = [](int line, int column, const std::string& v) {
    return WantExpr{.line = line,
                    .column = column,
                    .reads = {".Values.global.image.imagePullPolicy", v + ".imagePullPolicy"}};
  };
  const std::string ctl_dep = "templates/argocd-application-controller/deployment.yaml";
  const std::string ctl_sts = "templates/argocd-application-controller/statefulset.yaml";
  const std::string appset = "templates/argocd-applicationset/deployment.yaml";
  const std::string commit = "templates/argocd-commit-server/deployment.yaml";
  const std::string notif = "templates/argocd-notifications/deployment.yaml";
  const std::string repo = "templates/argocd-repo-server/deployment.yaml";
  const std::string server = "templates/argocd-server/deployment.yaml";
  const std::string dex = "templates/dex/deployment.yaml";
  const std::string secret_init = "templates/redis-secret-init/job.yaml";
  const std::string redis = "templates/redis/deployment.yaml";
  ExpectContainers(r,
                   {
                       // `- args:` starts the item; image/name follow the args list.
                       {.template_path = ctl_dep,
                        .line = 66,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "{{ .Values.controller.name }}",
                        .image = argo(78, 16, ".Values.controller.image"),
                        .pull = pull(79, 26, ".Values.controller.image")},
                       {.template_path = ctl_sts,
                        .line = 67,
                        .column = 7,
                        .kind = "StatefulSet",
                        .name = "{{ .Values.controller.name }}",
                        .image = argo(79, 16, ".Values.controller.image"),
                        .pull = pull(80, 26, ".Values.controller.image")},
                       {.template_path = appset,
                        .line = 66,
                        .column = 9,
                        .kind = "Deployment",
                        .name = "{{ .Values.applicationSet.name }}",
                        .image = argo(67, 18, ".Values.applicationSet.image"),
                        .pull = pull(68, 28, ".Values.applicationSet.image")},
                       {.template_path = commit,
                        .line = 65,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "{{ .Values.commitServer.name }}",
                        .image = argo(66, 16, ".Values.commitServer.image"),
                        .pull = pull(67, 26, ".Values.commitServer.image")},
                       {.template_path = notif,
                        .line = 67,
                        .column = 9,
                        .kind = "Deployment",
                        .name = "{{ .Values.notifications.name }}",
                        .image = argo(68, 18, ".Values.notifications.image"),
                        .pull = pull(69, 28, ".Values.notifications.image")},
                       {.template_path = repo,
                        .line = 77,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "{{ .Values.repoServer.name }}",
                        .image = argo(78, 16, ".Values.repoServer.image"),
                        .pull = pull(79, 26, ".Values.repoServer.image")},
                       // copyutil reuses the repo-server image.
                       {.template_path = repo,
                        .line = 433,
                        .column = 7,
                        .list = kInit,
                        .kind = "Deployment",
                        .name = "copyutil",
                        .image = argo(438, 16, ".Values.repoServer.image"),
                        .pull = pull(439, 26, ".Values.repoServer.image")},
                       {.template_path = server,
                        .line = 71,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "{{ .Values.server.name }}",
                        .image = argo(72, 16, ".Values.server.image"),
                        .pull = pull(73, 26, ".Values.server.image")},
                       // {{range .Values.server.extensions.extensionList}}, with $.Values inside.
                       {.template_path = server,
                        .line = 477,
                        .column = 7,
                        .list = kInit,
                        .kind = "Deployment",
                        .in_range = true,
                        .name = "{{ .name }}",
                        .image = plain(478, ".Values.server.extensions.image"),
                        .pull = pull(479, 26, ".Values.server.extensions.image")},
                       {.template_path = dex,
                        .line = 73,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "{{ .Values.dex.name }}",
                        .image = plain(74, ".Values.dex.image"),
                        .pull = pull(75, 26, ".Values.dex.image")},
                       {.template_path = dex,
                        .line = 191,
                        .column = 7,
                        .list = kInit,
                        .kind = "Deployment",
                        .name = "copyutil",
                        .image = argo(192, 16, ".Values.dex.initImage"),
                        .pull = pull(193, 26, ".Values.dex.initImage")},
                       // A pre-install,pre-upgrade hook Job.
                       {.template_path = secret_init,
                        .line = 39,
                        .column = 7,
                        .kind = "Job",
                        .hook = true,
                        .name = "secret-init",
                        .image = argo(46, 16, ".Values.redisSecretInit.image"),
                        .pull = pull(47, 26, ".Values.redisSecretInit.image")},
                       {.template_path = redis,
                        .line = 63,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "{{ .Values.redis.name }}",
                        .image = plain(64, ".Values.redis.image"),
                        .pull = pull(65, 26, ".Values.redis.image")},
                       {.template_path = redis,
                        .line = 131,
                        .column = 7,
                        .kind = "Deployment",
                        .name = "metrics",
                        .image = plain(132, ".Values.redis.exporter.image"),
                        .pull = pull(133, 26, ".Values.redis.exporter.image")},
                   });
  // Every component's extraContainers and initContainers: {{- tpl (toYaml .) $ | nindent … }}
  // inside {{- with .Values.<x>.… }}.
  ExpectNotAnalysable(
      r, {
             {ctl_dep, "", 392, 9, "containers", ".Values.controller.extraContainers", true},
             {ctl_dep, "", 396, 9, "initContainers", ".Values.controller.initContainers", true},
             {ctl_sts, "", 412, 9, "containers", ".Values.controller.extraContainers", true},
             {ctl_sts, "", 416, 9, "initContainers", ".Values.controller.initContainers", true},
             {appset, "", 316, 11, "containers", ".Values.applicationSet.extraContainers", true},
             {appset, "", 320, 9, "initContainers", ".Values.applicationSet.initContainers", true},
             {notif, "", 179, 11, "containers", ".Values.notifications.extraContainers", true},
             {notif, "", 183, 9, "initContainers", ".Values.notifications.initContainers", true},
             {repo, "", 430, 9, "containers", ".Values.repoServer.extraContainers", true},
             {repo, "", 451, 9, "initContainers", ".Values.repoServer.initContainers", true},
             {server, "", 468, 9, "containers", ".Values.server.extraContainers", true},
             {server, "", 473, 9, "initContainers", ".Values.server.initContainers", true},
             {dex, "", 188, 9, "containers", ".Values.dex.extraContainers", true},
             {dex, "", 215, 9, "initContainers", ".Values.dex.initContainers", true},
             {redis, "", 181, 9, "containers", ".Values.redis.extraContainers", true},
             {redis, "", 185, 9, "initContainers", ".Values.redis.initContainers", true},
         });
}

// ---- stefanprodan/podinfo.

TEST(AnalyseRealCharts, Podinfo) {
  Analysed a = AnalyseChart(kTestdata / "stefanprodan__podinfo/charts/podinfo");
  const ContainerAnalysis& r = a.result;
  const WantExpr podinfo_pull = {.reads = {".Values.image.pullPolicy"}};
  auto literal = [](int line, const std::string& image) {
    return WantExpr{.line = line, .column = 14, .literal = image};
  };
  auto test_pod = [&](const std::string& file, int line, const std::string& name,
                      const std::string& image) {
    // Helm test hooks (helm.sh/hook: test), literal images, no imagePullPolicy.
    return Want{.template_path = "templates/tests/" + file,
                .line = line,
                .column = 5,
                .kind = "Pod",
                .hook = true,
                .name = name,
                .image = literal(line + 1, image)};
  };
  WantExpr p1 = podinfo_pull, p2 = podinfo_pull;
  p1.line = 40, p1.column = 28;
  p2.line = 25, p2.column = 28;
  ExpectContainers(
      r,
      {
          {.template_path = "templates/deployment.yaml",
           .line = 38,
           .column = 9,
           .kind = "Deployment",
           .name = "{{ .Chart.Name }}",
           .image = WantExpr{.line = 39,
                             .column = 18,
                             .reads = {".Values.image.repository", ".Values.image.tag"}},
           .pull = p1},
          // One Job per enabled hook ({{range $hookType, …}}), with a templated helm.sh/hook
          // value: a hook either way.
          {.template_path = "templates/hooks/job.yaml",
           .line = 23,
           .column = 9,
           .kind = "Job",
           .hook = true,
           .in_range = true,
           .name = "job",
           .image = WantExpr{.line = 24,
                             .column = 18,
                             .reads = {".Values.image.repository", ".Values.image.tag"}},
           .pull = p2},
          {.template_path = "templates/redis/deployment.yaml",
           .line = 28,
           .column = 9,
           .kind = "Deployment",
           .name = "redis",
           .image = WantExpr{.line = 29,
                             .column = 18,
                             .reads = {".Values.redis.repository", ".Values.redis.tag"}},
           .pull = WantExpr{.line = 30, .column = 28, .literal = "IfNotPresent"}},
          test_pod("cache.yaml", 17, "curl", "curlimages/curl:7.69.0"),
          test_pod("fail.yaml", 17, "fault", "alpine:3.11"),
          test_pod("grpc.yaml", 16, "grpc-health-probe", "stefanprodan/grpc_health_probe:v0.3.0"),
          test_pod("jwt.yaml", 16, "tools", "giantswarm/tiny-tools"),
          test_pod("service.yaml", 16, "curl", "curlimages/curl:7.69.0"),
          test_pod("timeout.yaml", 17, "fault", "alpine:3.11"),
          test_pod("tls.yaml", 17, "curl", "curlimages/curl:7.69.0"),
      });
  EXPECT_TRUE(r.not_analysable.empty()) << Describe(r);
  EXPECT_TRUE(r.containers[0].opaque.empty());  // extraEnvs is an env list item
  // podinfo.labels / selectorLabels (podinfo.name, podinfo.fullname) and the pod annotations.
  EXPECT_EQ(r.containers[0].label_reads,
            (Strings{".Values.fullnameOverride", ".Values.nameOverride", ".Values.service.httpPort",
                     ".Values.podAnnotations[]"}));
}

// ---- A chart of the benchmark generator (testdata/generated/, see SOURCES.md): the project's
// own convention, fully analysable.

TEST(AnalyseRealCharts, GeneratedChartAnalysesFully) {
  Analysed a = AnalyseChart(kTestdata / "generated/acme-batch");
  const ContainerAnalysis& r = a.result;
  ASSERT_EQ(r.containers.size(), 3u) << Describe(r);
  EXPECT_TRUE(r.not_analysable.empty()) << Describe(r);
  // {{- range .Values.cronjobs }} --- kind: CronJob … image: {{ .image.ref | default
  // $.Values.image.ref }}, imagePullPolicy: IfNotPresent.
  const Container& cron = r.containers[0];
  EXPECT_EQ(cron.template_path, "templates/cronjobs.yaml");
  EXPECT_EQ(cron.line, 15);
  EXPECT_EQ(cron.column, 13);
  EXPECT_EQ(cron.workload_kind, "CronJob");
  EXPECT_TRUE(cron.in_range);
  ASSERT_TRUE(cron.image);
  EXPECT_EQ(Sorted(cron.image->reads),
            (Strings{".Values.cronjobs[].image.ref", ".Values.image.ref"}));
  EXPECT_FALSE(cron.image->required);
  ASSERT_TRUE(cron.pull_policy && cron.pull_policy->literal);
  EXPECT_EQ(*cron.pull_policy->literal, "IfNotPresent");
  // initContainers (under {{if .Values.migrations.enabled}}): image: {{
  // .Values.migrations.image.ref | quote }}, no required; imagePullPolicy: {{
  // .Values.image.pullPolicy }}.
  const Container& migrations = r.containers[1];
  EXPECT_EQ(migrations.template_path, "templates/deployment.yaml");
  EXPECT_EQ(migrations.line, 31);
  EXPECT_EQ(migrations.list, ContainerList::kInitContainers);
  EXPECT_EQ(migrations.workload_kind, "Deployment");
  ASSERT_TRUE(migrations.name && migrations.name->literal);
  EXPECT_EQ(*migrations.name->literal, "migrations");
  ASSERT_TRUE(migrations.image);
  EXPECT_EQ(migrations.image->line, 32);
  EXPECT_EQ(migrations.image->reads, Strings{".Values.migrations.image.ref"});
  EXPECT_FALSE(migrations.image->required);
  EXPECT_TRUE(migrations.image->includes.empty());
  ASSERT_TRUE(migrations.pull_policy);
  EXPECT_EQ(migrations.pull_policy->reads, Strings{".Values.image.pullPolicy"});
  EXPECT_TRUE(migrations.pull_policy->defaults.empty());
  // The app: image: "{{ include "acme-batch.image" . }}", whose define is
  // {{- required "image.ref must be set (digest-pinned)" .Values.image.ref }};
  // imagePullPolicy: {{ .Values.image.pullPolicy | default "IfNotPresent" }}.
  const Container& app = r.containers[2];
  EXPECT_EQ(app.line, 37);
  EXPECT_EQ(app.list, ContainerList::kContainers);
  EXPECT_EQ(app.name->text, "{{ .Chart.Name }}");
  ASSERT_TRUE(app.image);
  EXPECT_EQ(app.image->line, 38);
  EXPECT_EQ(app.image->reads, Strings{".Values.image.ref"});
  EXPECT_EQ(app.image->includes, Strings{"acme-batch.image"});
  EXPECT_TRUE(app.image->required);
  ASSERT_TRUE(app.pull_policy);
  EXPECT_EQ(app.pull_policy->reads, Strings{".Values.image.pullPolicy"});
  EXPECT_EQ(app.pull_policy->defaults, Strings{"IfNotPresent"});
  for (const Container& c : r.containers) {
    EXPECT_TRUE(c.opaque.empty()) << c.opaque[0];
    EXPECT_TRUE(c.other_images.empty());
  }
}

}  // namespace
}  // namespace imagepin::tmpl
