#include "scan/embedded.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scan/scanner.h"
#include "scan/test_util.h"

namespace imagepin::scan {
namespace {

FileScan Scan(std::string_view contents, std::string_view name = "values.yaml") {
  return testing::ScanAs(contents, name);
}

std::vector<const ImageField*> Embedded(const FileScan& scan) {
  std::vector<const ImageField*> out;
  for (const ImageField& f : scan.fields.images) {
    if (f.key_path.find('|') != std::string::npos) out.push_back(&f);
  }
  return out;
}

std::string At(std::string_view contents, const Scalar& s) { return testing::BytesAt(contents, s); }

TEST(MayHoldEmbeddedYaml, NeedsLinesAndAManifestOrAnImageKey) {
  EXPECT_TRUE(MayHoldEmbeddedYaml("apiVersion: v1\nkind: Pod\n"));
  EXPECT_TRUE(MayHoldEmbeddedYaml("sidecar:\n  image: busybox:1.36\n"));
  EXPECT_TRUE(MayHoldEmbeddedYaml("a: 1\nconfigReloaderImage:\n  tag: x\n"));
  EXPECT_FALSE(MayHoldEmbeddedYaml("apiVersion: v1 kind: Pod"));  // one line
  EXPECT_FALSE(MayHoldEmbeddedYaml("#!/bin/sh\ndocker pull image:tag\n"));
  EXPECT_FALSE(MayHoldEmbeddedYaml("[\n  {\"apiVersion\": \"v1\", \"image\": \"x\"}\n]\n"));
}

TEST(EmbeddedFields, ALiteralBlockMapsLineColumnAndExactBytes) {
  const std::string text =
      "apiVersion: v1\n"                      // 1
      "kind: ConfigMap\n"                     // 2
      "data:\n"                               // 3
      "  pod.yaml: |\n"                       // 4
      "    apiVersion: v1\n"                  // 5
      "    kind: Pod\n"                       // 6
      "    spec:\n"                           // 7
      "      containers:\n"                   // 8
      "        - name: app\n"                 // 9
      "          image: \"nginx:1.27.0\"\n"   // 10
      "          imagePullPolicy: Always\n";  // 11
  FileScan scan = Scan(text, "cm.yaml");
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  const ImageField& f = *found[0];
  EXPECT_EQ(f.form, FieldForm::kContainer);
  EXPECT_EQ(f.key_path, "data[\"pod.yaml\"]|spec.containers[0]");
  EXPECT_EQ(f.document, 0);
  EXPECT_TRUE(f.path.empty());  // never a values site
  EXPECT_EQ(f.reference, "nginx:1.27.0");
  EXPECT_EQ(f.line, 9);  // the container's first key
  EXPECT_EQ(f.column, 11);
  EXPECT_EQ(f.ref.line, 10);
  EXPECT_EQ(f.ref.column, 18);
  EXPECT_EQ(f.ref.source_line, "          image: \"nginx:1.27.0\"");
  EXPECT_EQ(At(text, f.ref), "\"nginx:1.27.0\"");
  EXPECT_EQ(f.ref.raw, "\"nginx:1.27.0\"");
  EXPECT_TRUE(f.ref.rewritable);
  EXPECT_EQ(f.pull_policy.line, 11);
  EXPECT_EQ(At(text, f.pull_policy), "Always");
  EXPECT_EQ(f.pull_policy_key_path, "data[\"pod.yaml\"]|spec.containers[0].imagePullPolicy");
  EXPECT_TRUE(f.pull_policy_required);
}

TEST(EmbeddedFields, MultiDocumentTextNumbersItsDocuments) {
  const std::string text =
      "extraManifests: |-\n"
      "  apiVersion: v1\n"
      "  kind: Namespace\n"
      "  ---\n"
      "  apiVersion: apps/v1\n"
      "  kind: Deployment\n"
      "  spec:\n"
      "    template:\n"
      "      spec:\n"
      "        containers:\n"
      "        - image: ghcr.io/acme/api:1.2.3\n";
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->key_path, "extraManifests|1|spec.template.spec.containers[0]");
  EXPECT_EQ(found[0]->ref.line, 11);
  EXPECT_EQ(found[0]->ref.column, 18);
  EXPECT_EQ(At(text, found[0]->ref), "ghcr.io/acme/api:1.2.3");
}

TEST(EmbeddedFields, ValuesTextWithAnImageKeyIsRead) {
  // A chart value holding values for a subchart as text, as `tpl` charts take them.
  const std::string text =
      "sidecars: |\n"
      "  exporter:\n"
      "    image: quay.io/prometheus/node-exporter:v1.8.2\n";
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->form, FieldForm::kString);
  EXPECT_EQ(found[0]->key_path, "sidecars|exporter.image");
  EXPECT_EQ(found[0]->ref.line, 3);
  EXPECT_EQ(found[0]->ref.column, 12);
  EXPECT_TRUE(found[0]->ref.rewritable);
}

TEST(EmbeddedFields, AFoldedOrEscapedScalarPointsAtItselfAndIsNotRewritable) {
  const std::string text =
      "patch: \"apiVersion: v1\\nkind: Pod\\nspec:\\n  containers:\\n  - name: a\\n"
      "    image: nginx:1.27.0\\n\"\n";
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->reference, "nginx:1.27.0");
  EXPECT_EQ(found[0]->ref.line, 1);
  EXPECT_EQ(found[0]->ref.column, 8);  // the outer scalar
  EXPECT_EQ(found[0]->line, 1);
  EXPECT_FALSE(found[0]->ref.rewritable);
  EXPECT_EQ(found[0]->ref.begin, found[0]->ref.end);  // an empty span: nothing to replace
}

TEST(EmbeddedFields, AScalarOverSeveralLinesIsNotRewritable) {
  // A plain scalar continued on the next line: the file's bytes hold the indentation between.
  const std::string text =
      "manifest: |\n"
      "  apiVersion: v1\n"
      "  kind: Pod\n"
      "  spec:\n"
      "    containers:\n"
      "    - name: a\n"
      "      image: \"nginx:\n"
      "        1.27.0\"\n";
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->ref.line, 7);
  EXPECT_EQ(found[0]->ref.column, 14);
  EXPECT_FALSE(found[0]->ref.rewritable);
}

TEST(EmbeddedFields, CrlfFilesMapToo) {
  const std::string text =
      "cm: |\r\n"
      "  apiVersion: v1\r\n"
      "  kind: Pod\r\n"
      "  spec:\r\n"
      "    containers:\r\n"
      "    - image: nginx:1.27.0\r\n";
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->ref.line, 6);
  EXPECT_EQ(At(text, found[0]->ref), "nginx:1.27.0");
  EXPECT_TRUE(found[0]->ref.rewritable);
}

TEST(EmbeddedFields, ATemplateIsReadLineByLine) {
  const std::string text =
      "extraObjects: |\n"                              // 1
      "  apiVersion: v1\n"                             // 2
      "  kind: Pod\n"                                  // 3
      "  metadata:\n"                                  // 4
      "    name: {{ .Release.Name }}-debug\n"          // 5
      "  spec:\n"                                      // 6
      "    containers:\n"                              // 7
      "      - image: busybox:1.36.1\n"                // 8
      "      - image: \"{{ .Values.tool.image }}\"\n"  // 9
      "        name: tool\n";                          // 10
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]->reference, "busybox:1.36.1");
  EXPECT_FALSE(found[0]->templated);  // a literal reference: judged
  EXPECT_EQ(found[0]->ref.line, 8);
  EXPECT_EQ(found[0]->ref.column, 16);
  EXPECT_FALSE(found[0]->ref.rewritable);  // a template is edited by hand
  EXPECT_TRUE(found[1]->templated);
  EXPECT_EQ(found[1]->ref.line, 9);
  EXPECT_EQ(found[0]->key_path, "extraObjects|image@7");
}

TEST(EmbeddedFields, ArgoHelmValuesTextIsLeftToTheApplicationModel) {
  const std::string text =
      "apiVersion: argoproj.io/v1alpha1\n"
      "kind: Application\n"
      "spec:\n"
      "  source:\n"
      "    helm:\n"
      "      values: |\n"
      "        image:\n"
      "          repository: nginx\n"
      "    plugin:\n"
      "      values: |\n"
      "        image: nginx:1.27.0\n"
      "        x: 1\n";
  FileScan scan = Scan(text, "app.yaml");
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);  // only the one apps does not read
  EXPECT_EQ(found[0]->key_path, "spec.source.plugin.values|image");
}

TEST(EmbeddedFields, TextInTextIsReadAndMapsThroughBothLevels) {
  const std::string text =
      "kind: Secret\n"                      // 1
      "apiVersion: v1\n"                    // 2
      "stringData:\n"                       // 3
      "  data: |\n"                         // 4
      "    apiVersion: v1\n"                // 5
      "    kind: ConfigMap\n"               // 6
      "    data:\n"                         // 7
      "      pod: |\n"                      // 8
      "        apiVersion: v1\n"            // 9
      "        kind: Pod\n"                 // 10
      "        spec:\n"                     // 11
      "          containers:\n"             // 12
      "          - image: nginx:1.27.0\n";  // 13
  FileScan scan = Scan(text);
  std::vector<const ImageField*> found = Embedded(scan);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->key_path, "stringData.data|data.pod|spec.containers[0]");
  EXPECT_EQ(found[0]->ref.line, 13);
  EXPECT_EQ(found[0]->ref.column, 20);
  EXPECT_EQ(At(text, found[0]->ref), "nginx:1.27.0");
  EXPECT_TRUE(found[0]->ref.rewritable);
}

TEST(EmbeddedFields, NestingStopsAtTheLimit) {
  // Each level holds the next as a literal block: kMaxEmbeddedNesting levels are read.
  std::string inner = "image: nginx:1.27.0\nx: 1\n";
  for (int level = 0; level < kMaxEmbeddedNesting + 2; ++level) {
    std::string indented;
    std::istringstream lines(inner);
    for (std::string line; std::getline(lines, line);) indented += "  " + line + "\n";
    inner = "image: nginx:1.27." + std::to_string(level + 1) + "\nt: |\n" + indented;
  }
  FileScan scan = Scan(inner);
  int deepest = 0;
  for (const ImageField& f : scan.fields.images) {
    deepest =
        std::max(deepest, static_cast<int>(std::count(f.key_path.begin(), f.key_path.end(), '|')));
  }
  EXPECT_EQ(deepest, kMaxEmbeddedNesting);
}

TEST(EmbeddedFields, TextThatIsNotYamlHoldsNothing) {
  const std::string text =
      "script: |\n"
      "  #!/bin/sh\n"
      "  echo \"image: $IMG\" | tee -a [x\n"
      "ini: |\n"
      "  [Global]\n"
      "  image: = x\n";
  FileScan scan = Scan(text);
  EXPECT_TRUE(Embedded(scan).empty());
  EXPECT_EQ(scan.status, FileStatus::kScanned);
}

// ---- Real files (testdata/real-embedded, see SOURCES.md) ----

std::string ReadTestdata(const std::string& name) {
  return testing::ReadTestdata("real-embedded/" + name);
}

TEST(EmbeddedRealFiles, ClusterApiVsphereTemplate) {
  // kube-vip as a kubeadm static Pod (files[].content), the vSphere CSI driver and the cloud
  // provider as ClusterResourceSet ConfigMaps (data.data, many documents each).
  std::string text = ReadTestdata("capv-cluster-template.yaml");
  FileScan scan = Scan(text, "cluster-template.yaml");
  ASSERT_EQ(scan.status, FileStatus::kScanned);
  std::vector<const ImageField*> found = Embedded(scan);
  std::vector<std::string> where;
  for (const ImageField* f : found) {
    where.push_back(std::to_string(f->ref.line) + " " + f->reference);
    // Every one is a literal block's line: the file holds exactly the scanned bytes.
    EXPECT_TRUE(f->ref.rewritable) << f->key_path;
    EXPECT_EQ(At(text, f->ref), f->ref.raw) << f->key_path;
  }
  std::vector<std::string> expected = {
      "149 ghcr.io/kube-vip/kube-vip:v0.6.4",
      "764 registry.k8s.io/sig-storage/csi-attacher:v4.5.1",
      "783 registry.k8s.io/sig-storage/csi-resizer:v1.10.1",
      "812 registry.k8s.io/csi-vsphere/driver:v3.3.1",
      "843 registry.k8s.io/sig-storage/livenessprobe:v2.12.0",
      "870 registry.k8s.io/csi-vsphere/syncer:v3.3.1",
      "899 registry.k8s.io/sig-storage/csi-provisioner:v4.0.1",
      "917 registry.k8s.io/sig-storage/csi-snapshotter:v7.0.2",
      "964 registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.10.1",
      "1004 registry.k8s.io/csi-vsphere/driver:v3.3.1",
      "1040 registry.k8s.io/sig-storage/livenessprobe:v2.12.0",
      "1110 registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.10.0",
      "1153 registry.k8s.io/csi-vsphere/driver:v3.3.1",
      "1184 registry.k8s.io/sig-storage/livenessprobe:v2.12.0",
      "1421 registry.k8s.io/cloud-pv-vsphere/cloud-provider-vsphere:${CPI_IMAGE_K8S_VERSION}",
  };
  EXPECT_EQ(where, expected);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0]->key_path, "spec.kubeadmConfigSpec.files[0].content|spec.containers[0]");
  EXPECT_EQ(found[0]->ref.column, 20);
  EXPECT_EQ(found[0]->workload_kind, "Pod");
}

TEST(EmbeddedRealFiles, OlmCsvAlmExamplesJsonIsNotRead) {
  // alm-examples is JSON text (`"apiVersion":`): example custom resources, not deployed images.
  FileScan scan = Scan(ReadTestdata("quay-operator.clusterserviceversion.yaml"), "csv.yaml");
  EXPECT_TRUE(Embedded(scan).empty());
}

}  // namespace
}  // namespace imagepin::scan
