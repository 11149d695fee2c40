// The image classes of docs/rules.md ("What counts as an image") on the smallest inputs that
// show each, and the guards that keep look-alikes out. Real files for each class are in
// real_classes_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "scan/extract.h"
#include "scan/scanner.h"
#include "yaml/parser.h"

namespace imagepin::scan {
namespace {

// Every field of every document of `text`, scanned as the file `name` (embedded text and
// mentions included).
std::vector<ImageField> Fields(std::string_view text, std::string_view name = "values.yaml") {
  yaml::StreamParser parser;
  FileScan scan = ScanContents(text, name, false, &parser);
  EXPECT_NE(scan.status, FileStatus::kProblem) << text;
  return scan.fields.images;
}

// "line reference" of each field, in order: what a reader would check first.
std::vector<std::string> Seen(const std::vector<ImageField>& fields) {
  std::vector<std::string> out;
  for (const ImageField& f : fields)
    out.push_back(std::to_string(ReferencePosition(f).first) + " " + f.reference);
  return out;
}

using Lines = std::vector<std::string>;

TEST(ImageClasses, SplitMappingsNestedTwoLevelsUnderImage) {
  auto fields = Fields(
      "image:\n"                       // 1
      "  longhorn:\n"                  // 2
      "    engine:\n"                  // 3
      "      repository: lh/engine\n"  // 4
      "      tag: v1.7.0\n"            // 5
      "    ui:\n"                      // 6
      "      repository: lh/ui\n"      // 7
      "      tag: v1.7.0\n");          // 8
  EXPECT_EQ(Seen(fields), (Lines{"3 lh/engine:v1.7.0", "6 lh/ui:v1.7.0"}));
  EXPECT_EQ(fields[0].key_path, "image.longhorn.engine");
  EXPECT_EQ(fields[0].tag.line, 5);
}

TEST(ImageClasses, SplitMappingUnderAKeyNotNamedImage) {
  auto fields = Fields(
      "csi:\n"
      "  cephcsi:\n"
      "    repository: quay.io/cephcsi/cephcsi\n"
      "    tag: v3.12.0\n");
  EXPECT_EQ(Seen(fields), (Lines{"2 quay.io/cephcsi/cephcsi:v3.12.0"}));
  EXPECT_EQ(fields[0].form, FieldForm::kSplit);
}

TEST(ImageClasses, ChartDependenciesAndRepositoryUrlsAreNotImages) {
  EXPECT_TRUE(Fields("dependencies:\n"
                     "  - name: library\n"
                     "    version: 1.0.0\n"
                     "    repository: file://../library\n"
                     "  - name: redis\n"
                     "    version: 18.1.0\n"
                     "    repository: https://charts.bitnami.com/bitnami\n"
                     "    tag: cache\n",
                     "Chart.yaml")
                  .empty());
  EXPECT_TRUE(Fields("snapshot:\n  repository: oci://example.com/charts\n  tag: x\n").empty());
}

TEST(ImageClasses, SharedImagesPrefixIsNotAnImage) {
  // `{{ .Values.images.repository }}/<service>:{{ .Values.images.tag }}`
  EXPECT_TRUE(Fields("images:\n  repository: gcr.io/acme/demo\n  tag: \"\"\n").empty());
}

TEST(ImageClasses, AnAnchorOnlyMergedIntoAnImageIsNotAnImageOfItsOwn) {
  auto fields = Fields(
      "base: &base\n"
      "  repository: bitnami/redis\n"
      "  tag: 7.2.4\n"
      "image:\n"
      "  <<: *base\n"
      "  tag: 7.2.5\n");
  EXPECT_EQ(Seen(fields), (Lines{"4 bitnami/redis:7.2.5"}));
}

TEST(ImageClasses, ArgoCdKustomizeImagesPointAtTheReferenceAfterTheOldName) {
  auto fields = Fields(
      "apiVersion: argoproj.io/v1alpha1\n"
      "kind: Application\n"
      "spec:\n"
      "  source:\n"
      "    kustomize:\n"
      "      images:\n"
      "        - quay.io/acme/e2e:0.2\n"
      "        - my-app=gcr.io/acme/my-app:0.1\n");
  EXPECT_EQ(Seen(fields), (Lines{"7 quay.io/acme/e2e:0.2", "8 gcr.io/acme/my-app:0.1"}));
  EXPECT_EQ(fields[1].form, FieldForm::kKustomize);
  EXPECT_EQ(fields[1].ref.column, 18);  // after `- my-app=`
  EXPECT_EQ(fields[1].ref.raw, "gcr.io/acme/my-app:0.1");
  EXPECT_EQ(fields[1].tag.value, "0.1");
}

TEST(ImageClasses, ArgoCdSourceOverrideFilesAreReadByName) {
  std::string text = "kustomize:\n  images:\n    - quay.io/acme/e2e:0.3\n";
  EXPECT_EQ(Seen(Fields(text, "apps/.argocd-source-web.yaml")), (Lines{"3 quay.io/acme/e2e:0.3"}));
  EXPECT_TRUE(Fields(text, "apps/web.yaml").empty()) << "only Argo CD reads this shape";
}

TEST(ImageClasses, ImagesMappingOfNamesToReferences) {
  auto fields = Fields(
      "images:\n"
      "  operator: ghcr.io/acme/operator\n"
      "  webhook: ghcr.io/acme/webhook:v1.2.0\n"
      "  enabled: true\n");
  EXPECT_EQ(Seen(fields), (Lines{"2 ghcr.io/acme/operator", "3 ghcr.io/acme/webhook:v1.2.0"}));
  auto shared = Fields("images:\n  operator: ghcr.io/acme/operator\n  tag: v2.0.0\n");
  EXPECT_EQ(Seen(shared), (Lines{"2 ghcr.io/acme/operator:v2.0.0"}));
  EXPECT_EQ(shared[0].form, FieldForm::kSplit);
}

TEST(ImageClasses, SiblingImageTagKey) {
  auto fields = Fields(
      "image: docker.elastic.co/elasticsearch/elasticsearch\n"
      "imageTag: 8.5.1\n");
  EXPECT_EQ(Seen(fields), (Lines{"1 docker.elastic.co/elasticsearch/elasticsearch:8.5.1"}));
  EXPECT_EQ(fields[0].tag.line, 2);
}

TEST(ImageClasses, IstioHubAndTagWithGlobalDefaults) {
  auto fields = Fields(
      "pilot:\n"                            // 1
      "  hub: \"\"\n"                       // 2
      "  tag: \"\"\n"                       // 3
      "  image: pilot\n"                    // 4
      "global:\n"                           // 5
      "  hub: docker.io/istio\n"            // 6
      "  tag: latest\n"                     // 7
      "  proxy:\n"                          // 8
      "    image: proxyv2\n"                // 9
      "gateway:\n"                          // 10
      "  image: gcr.io/acme/gateway:1.0\n"  // 11: a `/`: used as written
  );
  EXPECT_EQ(Seen(fields),
            (Lines{"4 docker.io/istio/pilot:latest", "9 docker.io/istio/proxyv2:latest",
                   "11 gcr.io/acme/gateway:1.0"}));
  EXPECT_EQ(fields[0].tag.line, 7) << "IP002 points at the tag the chart takes";
}

TEST(ImageClasses, TraefikImageTagRegistryMappingUnderAnyKey) {
  auto fields = Fields(
      "images:\n"             // 1
      "  proxy:\n"            // 2
      "    image: traefik\n"  // 3
      "    tag: latest\n"     // 4
      "    registry: docker.io/library\n"
      "exporter:\n"                    // 6
      "  enabled: false\n"             // 7
      "  image: ghcr.io/o/exporter\n"  // 8
      "  tag: v1.75.0\n");             // 9
  EXPECT_EQ(Seen(fields),
            (Lines{"2 docker.io/library/traefik:latest", "8 ghcr.io/o/exporter:v1.75.0"}));
}

TEST(ImageClasses, CertManagerComposesRegistryNamespaceAndName) {
  auto fields = Fields(
      "imageRegistry: quay.io\n"
      "imageNamespace: jetstack\n"
      "image:\n"
      "  name: cert-manager-controller\n"
      "  repository: \"\"\n"
      "webhook:\n"
      "  image:\n"
      "    name: cert-manager-webhook\n"
      "defaultPackageImage:\n"
      "  name: trust-pkg-debian\n"
      "  repository: \"\"\n");
  EXPECT_EQ(Seen(fields), (Lines{"3 quay.io/jetstack/cert-manager-controller",
                                 "7 quay.io/jetstack/cert-manager-webhook",
                                 "9 quay.io/jetstack/trust-pkg-debian"}));
}

TEST(ImageClasses, NotImagesRegistryAloneAndANamedVolume) {
  EXPECT_TRUE(Fields("global:\n  image:\n    registry: \"\"\n").empty());
  EXPECT_TRUE(Fields("image:\n  registry: otel\n  tag: \"\"\n").empty());
  EXPECT_TRUE(Fields("persistence:\n  backingImage:\n    name: ~\n    enable: false\n").empty());
  EXPECT_TRUE(Fields("spec:\n  rbd:\n    pool: kube\n    image: foo\n").empty());
}

TEST(ImageClasses, KoAndYttPlaceholdersAreTemplated) {
  auto fields = Fields(
      "image: ko://github.com/acme/cmd/controller\n"
      "sidecar:\n"
      "  image: #@ data.values.sidecar_image\n"
      "queue-sidecar-image: ko://knative.dev/serving/cmd/queue\n");
  EXPECT_EQ(Seen(fields),
            (Lines{"1 ko://github.com/acme/cmd/controller", "3 #@ data.values.sidecar_image",
                   "4 ko://knative.dev/serving/cmd/queue"}));
  for (const ImageField& f : fields) EXPECT_TRUE(f.templated) << f.reference;
}

TEST(ImageClasses, SkaffoldBuildArtifactsAreNotImages) {
  EXPECT_TRUE(Fields("apiVersion: skaffold/v3\n"
                     "kind: Config\n"
                     "build:\n"
                     "  artifacts:\n"
                     "    - image: emailservice\n"
                     "      context: src/emailservice\n",
                     "skaffold.yaml")
                  .empty());
}

TEST(ImageClasses, HelmUnittestSetIsValuesAndAssertsAreNot) {
  auto fields = Fields(
      "suite: controller\n"                                // 1
      "tests:\n"                                           // 2
      "  - it: uses a custom image\n"                      // 3
      "    set:\n"                                         // 4
      "      global.image.registry: custom.registry.io\n"  // 5: a registry alone
      "      controller.image.image: custom/controller\n"  // 6
      "      controller.image.tag: v1.0.0\n"               // 7
      "      sidecar.image: busybox:1.36\n"                // 8
      "    asserts:\n"                                     // 9
      "      - equal:\n"                                   // 10
      "          path: spec.template.spec.containers[0].image\n"
      "          value: custom/controller:v1.0.0\n"
      "      - contains:\n"
      "          content:\n"
      "            image: busybox\n");
  EXPECT_EQ(Seen(fields), (Lines{"8 busybox:1.36", "6 custom/controller:v1.0.0"}));
  EXPECT_EQ(fields[1].key_path, R"(tests[0].set["controller.image"])");
}

TEST(ImageClasses, PrefixedPartNamesContainerRegistryImageNameImageTag) {
  auto fields = Fields(
      "clusterAgent:\n"
      "  sidecar:\n"
      "    containerRegistry: gcr.io/datadoghq\n"
      "    imageName: agent\n"
      "    imageTag: 7.52.0\n");
  EXPECT_EQ(Seen(fields), (Lines{"2 gcr.io/datadoghq/agent:7.52.0"}));
  // Among other settings, the parts point at the name, as an `image` beside a `tag` does.
  auto mixed = Fields(
      "agentSidecarInjection:\n"
      "  enabled: true\n"
      "  containerRegistry: gcr.io/datadoghq\n"
      "  imageName: agent\n"
      "  imageTag: 7.52.0\n");
  EXPECT_EQ(Seen(mixed), (Lines{"4 gcr.io/datadoghq/agent:7.52.0"}));
}

TEST(ImageClasses, AnEmptyImageOverrideIsListedAsTheDefault) {
  auto fields = Fields("images:\n  overrides:\n    registrationImage: \"\"\n");
  ASSERT_EQ(Seen(fields), (Lines{"3 "}));
  EXPECT_TRUE(fields[0].partial) << "the chart's or operator's default applies: nothing to judge";
  // A switch about an image, and a flattened table's dotted key, are not image settings.
  EXPECT_TRUE(Fields("otel:\n  useStandaloneImage: \"\"\n").empty());
  EXPECT_TRUE(Fields("datadog.otelCollector.useStandaloneImage: \"\"\n").empty());
}

TEST(ImageClasses, ASplitLeftEmptyIsTheChartsDefault) {
  // Rook's `toolbox: {repository: , tag: }`: the chart falls back to its cephImage.
  auto fields = Fields("toolbox:\n  enabled: false\n  repository:\n  tag:\n");
  ASSERT_EQ(Seen(fields), (Lines{"1 "}));
  EXPECT_TRUE(fields[0].partial);
  auto untagged = Fields("csi:\n  cephcsi:\n    repository: quay.io/cephcsi/cephcsi\n    tag:\n");
  EXPECT_EQ(Seen(untagged), (Lines{"2 quay.io/cephcsi/cephcsi"}));
}

TEST(ImageClasses, ATemplateOutsideAChartKeepsItsLiteralImages) {
  auto fields = Fields(
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "spec:\n"
      "  template:\n"
      "    spec:\n"
      "      containers:\n"
      "      - name: registration\n"
      "        image: {{ .RegistrationImage }}\n"
      "      {{- if .AwsCli }}\n"
      "      - name: aws\n"
      "        image: amazon/aws-cli:latest\n"
      "      {{- end }}\n",
      "manifests/klusterlet.yaml");
  EXPECT_EQ(Seen(fields), (Lines{"8 {{ .RegistrationImage }}", "11 amazon/aws-cli:latest"}));
  EXPECT_TRUE(fields[0].templated);
  EXPECT_FALSE(fields[1].templated) << "judged: a literal image is an image in a template too";
}

TEST(ImageClasses, AliasesListEveryPathThatReachesAnAnchoredImage) {
  auto fields = Fields(
      "image: &image\n"
      "  repository: grafana/enterprise-logs\n"
      "  tag: v1.5.2\n"
      "loki:\n"
      "  image: *image\n"
      "gateway:\n"
      "  image: *image\n");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].key_path, "image");
  EXPECT_EQ(fields[0].aliases, (std::vector<std::string>{"loki.image", "gateway.image"}));
}

TEST(ImageClasses, AliasesOfAMappingHoldingImagesListTheirOwnPaths) {
  auto fields = Fields(
      "defaults: &defaults\n"
      "  web: {image: nginx:1.27.0}\n"
      "  jobs:\n"
      "    - image: busybox:1.36\n"
      "worker: *defaults\n"
      "replicas:\n"
      "  - *defaults\n");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].aliases,
            (std::vector<std::string>{"worker.web.image", "replicas[0].web.image"}));
  EXPECT_EQ(fields[1].aliases,
            (std::vector<std::string>{"worker.jobs[0].image", "replicas[0].jobs[0].image"}));
}

TEST(ImageClasses, AliasPathsStopGrowingInAHostileFile) {
  // 200 images under one anchor, aliased 100 times: 20,000 paths; the listing keeps 10,000.
  std::string text = "base: &base\n";
  for (int i = 0; i < 200; ++i) text += "  c" + std::to_string(i) + ": {image: nginx:1.27.0}\n";
  for (int i = 0; i < 100; ++i) text += "a" + std::to_string(i) + ": *base\n";
  auto fields = Fields(text);
  ASSERT_EQ(fields.size(), 200u);
  size_t listed = 0;
  for (const ImageField& f : fields) listed += f.aliases.size();
  EXPECT_EQ(listed, 10000u);
}

}  // namespace
}  // namespace imagepin::scan
