#include "scan/mentions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scan/scanner.h"
#include "scan/test_util.h"

namespace imagepin::scan {
namespace {

FileScan Scan(std::string_view contents, std::string_view name = "deploy.yaml") {
  return testing::ScanAs(contents, name);
}

std::vector<const ImageField*> Mentions(const FileScan& scan) {
  std::vector<const ImageField*> out;
  for (const ImageField& f : scan.fields.images) {
    if (f.form == FieldForm::kMention) out.push_back(&f);
  }
  return out;
}

std::string At(std::string_view contents, const Scalar& s) { return testing::BytesAt(contents, s); }

TEST(IsImageEnvName, TheShellConventionOnly) {
  EXPECT_TRUE(IsImageEnvName("RELATED_IMAGE_DB"));
  EXPECT_TRUE(IsImageEnvName("RELATED_IMAGE_0"));
  EXPECT_TRUE(IsImageEnvName("WEBHOOK_IMAGE"));
  EXPECT_FALSE(IsImageEnvName("RELATED_IMAGE_"));
  EXPECT_FALSE(IsImageEnvName("_IMAGE"));
  EXPECT_FALSE(IsImageEnvName("IMAGE"));
  EXPECT_FALSE(IsImageEnvName("related_image_db"));
  EXPECT_FALSE(IsImageEnvName("IMAGE_PULL_POLICY"));
  EXPECT_FALSE(IsImageEnvName("sidecarImage"));
}

TEST(ArgumentReference, FlagsNamedImageOrQualifiedReferences) {
  EXPECT_EQ(ArgumentReference("--config-reloader-image=jimmidyson/configmap-reload:v0.5.0"),
            "jimmidyson/configmap-reload:v0.5.0");
  EXPECT_EQ(ArgumentReference("--image=nginx:1.27.0"), "nginx:1.27.0");
  EXPECT_EQ(ArgumentReference("-pause-image=registry.k8s.io/pause:3.10"),
            "registry.k8s.io/pause:3.10");
  EXPECT_EQ(ArgumentReference("--sidecar-image={{ .Values.sidecar }}"), "{{ .Values.sidecar }}");
  EXPECT_EQ(ArgumentReference("--prometheus-config-reloader=quay.io/prometheus-operator/"
                              "prometheus-config-reloader:v0.93.0"),
            "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0");
  EXPECT_EQ(ArgumentReference("--default=localhost:5000/app@sha256:abc"),
            "localhost:5000/app@sha256:abc");
  // Not references.
  EXPECT_EQ(ArgumentReference("--kubelet-service=kube-system/kubelet"), "");
  EXPECT_EQ(ArgumentReference("--metrics-bind-address=127.0.0.1:8080"), "");
  EXPECT_EQ(ArgumentReference("--config.file=/etc/prometheus/prometheus.yml"), "");
  EXPECT_EQ(ArgumentReference("--web.external-url=https://example.com/prom:9090"), "");
  EXPECT_EQ(ArgumentReference("--registry=ghcr.io/acme"), "");  // no tag, no digest
  EXPECT_EQ(ArgumentReference("--image-pull-policy=Always"), "");
  EXPECT_EQ(ArgumentReference("--enable-image=true"), "");
  EXPECT_EQ(ArgumentReference("--namespace=$(WATCH_NAMESPACE)"), "");
  EXPECT_EQ(ArgumentReference("---image=a/b:c"), "");
  EXPECT_EQ(ArgumentReference("image=a/b:c"), "");
}

TEST(Mentions, EnvValuesNamedLikeImagesInContainers) {
  const std::string text =
      "apiVersion: apps/v1\n"                                           // 1
      "kind: Deployment\n"                                              // 2
      "spec:\n"                                                         // 3
      "  template:\n"                                                   // 4
      "    spec:\n"                                                     // 5
      "      containers:\n"                                             // 6
      "      - name: manager\n"                                         // 7
      "        image: quay.io/acme/operator:v1.2.3\n"                   // 8
      "        env:\n"                                                  // 9
      "        - name: RELATED_IMAGE_DB\n"                              // 10
      "          value: \"quay.io/sclorg/postgresql-15-c9s:latest\"\n"  // 11
      "        - name: WEBHOOK_IMAGE\n"                                 // 12
      "          value: '{{ .Values.webhook }}'\n"                      // 13
      "        - name: SKIP_IMAGE\n"                                    // 14
      "          value: \"true\"\n"                                     // 15
      "        - name: GOGC\n"                                          // 16
      "          value: \"30\"\n";                                      // 17
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Mentions(scan);
  ASSERT_EQ(found.size(), 2u);
  const ImageField& db = *found[0];
  EXPECT_EQ(db.key_path, "spec.template.spec.containers[0].env[0].value");
  EXPECT_EQ(db.reference, "quay.io/sclorg/postgresql-15-c9s:latest");
  EXPECT_EQ(db.ref.line, 11);
  EXPECT_EQ(db.ref.column, 18);
  EXPECT_EQ(db.line, 11);
  EXPECT_EQ(At(text, db.ref), "\"quay.io/sclorg/postgresql-15-c9s:latest\"");
  EXPECT_TRUE(db.ref.rewritable);
  EXPECT_FALSE(db.pull_policy_required);
  EXPECT_EQ(db.workload_kind, "Deployment");
  EXPECT_TRUE(found[1]->templated);
  // The container itself is still its own field.
  EXPECT_EQ(scan.fields.images.size(), 3u);
}

TEST(Mentions, EnvListsInValuesFiles) {
  FileScan scan = Scan(
      "controller:\n"
      "  extraEnv:\n"
      "    - name: RELATED_IMAGE_AGENT\n"
      "      value: ghcr.io/acme/agent:2.0.1\n",
      "values.yaml");
  std::vector<const ImageField*> found = Mentions(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->key_path, "controller.extraEnv[0].value");
  EXPECT_EQ(found[0]->ref.line, 4);
}

TEST(Mentions, ArgumentsKeepTheReferenceSpanInsideTheArgument) {
  const std::string text =
      "containers:\n"                                                              // 1
      "- args:\n"                                                                  // 2
      "  - --kubelet-service=kube-system/kubelet\n"                                // 3
      "  - --config-reloader-image=jimmidyson/configmap-reload:v0.5.0\n"           // 4
      "  - '--sidecar-image=busybox:1.36.1'\n"                                     // 5
      "  - \"--x-image=a/b:\\x31\"\n"                                              // 6
      "  command: [\"/bin/op\", \"--pause-image=registry.k8s.io/pause:3.10\"]\n";  // 7
  FileScan scan = Scan(text, "values.yaml");
  std::vector<const ImageField*> found = Mentions(scan);
  ASSERT_EQ(found.size(), 4u);
  const ImageField& plain = *found[0];
  EXPECT_EQ(plain.key_path, "containers[0].args[1]");
  EXPECT_EQ(plain.reference, "jimmidyson/configmap-reload:v0.5.0");
  EXPECT_EQ(plain.ref.line, 4);
  EXPECT_EQ(plain.ref.column, 29);
  EXPECT_EQ(At(text, plain.ref), "jimmidyson/configmap-reload:v0.5.0");
  EXPECT_EQ(plain.ref.raw, "jimmidyson/configmap-reload:v0.5.0");
  EXPECT_EQ(plain.ref.style, yaml::ScalarStyle::kPlain);
  EXPECT_TRUE(plain.ref.rewritable);
  const ImageField& quoted = *found[1];
  EXPECT_EQ(At(text, quoted.ref), "busybox:1.36.1");
  EXPECT_EQ(quoted.ref.column, 22);
  EXPECT_TRUE(quoted.ref.rewritable);
  const ImageField& escaped = *found[2];
  EXPECT_EQ(escaped.reference, "a/b:1");
  EXPECT_FALSE(escaped.ref.rewritable);  // the bytes are `\x31`, not `1`
  const ImageField& flow = *found[3];
  EXPECT_EQ(flow.key_path, "containers[0].command[1]");
  EXPECT_EQ(At(text, flow.ref), "registry.k8s.io/pause:3.10");
}

TEST(Mentions, DropMentionsLeavesTheRest) {
  FileScan scan = Scan(
      "image: nginx:1.27.0\n"
      "args: [--foo-image=nginx:1.27.0]\n",
      "values.yaml");
  ASSERT_EQ(scan.fields.images.size(), 2u);
  DropMentions(&scan.fields);
  ASSERT_EQ(scan.fields.images.size(), 1u);
  EXPECT_EQ(scan.fields.images[0].form, FieldForm::kString);
}

// ---- Real files (testdata/real-embedded, see SOURCES.md) ----

std::string ReadTestdata(const std::string& name) {
  return testing::ReadTestdata("real-embedded/" + name);
}

std::vector<std::string> LinesAndReferences(const FileScan& scan) {
  std::vector<std::string> out;
  for (const ImageField* f : Mentions(scan))
    out.push_back(std::to_string(f->ref.line) + ":" + std::to_string(f->ref.column) + " " +
                  f->reference);
  return out;
}

TEST(MentionsRealFiles, PrometheusOperatorConfigReloaderFlag) {
  FileScan scan = Scan(ReadTestdata("prometheus-operator-deployment.yaml"));
  EXPECT_EQ(LinesAndReferences(scan),
            std::vector<std::string>{
                "29:40 quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0"});
}

TEST(MentionsRealFiles, OpenStackOperatorRelatedImagesPatch) {
  FileScan scan = Scan(ReadTestdata("designate-manager-default-images.yaml"));
  std::vector<std::string> found = LinesAndReferences(scan);
  ASSERT_EQ(found.size(), 8u);
  EXPECT_EQ(found[0],
            "15:18 quay.io/podified-antelope-centos9/openstack-designate-api:current-podified");
  EXPECT_EQ(found[7],
            "29:18 quay.io/podified-antelope-centos9/openstack-netutils:current-podified");
}

TEST(MentionsRealFiles, QuayOperatorCsvRelatedImages) {
  // In the CSV's install strategy: spec.install.spec.deployments[0]…env. The operator's own
  // `--namespace=$(WATCH_NAMESPACE)` argument is not an image.
  FileScan scan = Scan(ReadTestdata("quay-operator.clusterserviceversion.yaml"), "csv.yaml");
  std::vector<std::string> found = LinesAndReferences(scan);
  std::vector<std::string> expected = {
      "154:32 quay.io/projectquay/quay:latest",
      "156:32 quay.io/projectquay/clair:4.9.0",
      "158:32 quay.io/projectquay/quay-builder:master",
      "160:32 quay.io/projectquay/quay-builder-qemu:main",
      "162:32 quay.io/sclorg/postgresql-13-c9s:latest",
      "164:32 centos/postgresql-10-centos7:latest",
      "166:32 quay.io/sclorg/postgresql-15-c9s:latest",
      "168:32 quay.io/sclorg/postgresql-13-c9s:latest",
      "170:32 quay.io/sclorg/redis-7-c9s:latest",
  };
  EXPECT_EQ(found, expected);
  ASSERT_FALSE(Mentions(scan).empty());
  EXPECT_EQ(Mentions(scan)[0]->key_path,
            "spec.install.spec.deployments[0].spec.template.spec.containers[0].env[5].value");
}

}  // namespace
}  // namespace imagepin::scan
