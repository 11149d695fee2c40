#include "scan/extract.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "yaml/parser.h"

namespace imagepin::scan {
namespace {

const std::string kDigest =
    "sha256:6c023c2784dd7af8416c28e8a150887aec51824525bd544d099f59d114c447d4";
const std::string kHex = "6c023c2784dd7af8416c28e8a150887aec51824525bd544d099f59d114c447d4";

// Parses `text` (all documents) and extracts the image fields of every document.
DocumentFields Extract(std::string_view text, ExtractOptions options = {}) {
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  DocumentFields out;
  bool ok = parser.Parse(
      text, [&](const yaml::Document& doc) { ExtractImageFields(doc, options, &out); }, &error);
  EXPECT_TRUE(ok) << "test YAML does not parse: " << error.message << " at " << error.line << ":"
                  << error.column;
  return out;
}

TEST(ExtractImageFields, StringWithTagAndDigest) {
  std::string text = "image: nginx:1.27.0@" + kDigest + "\n";
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kString);
  EXPECT_STREQ(FormName(f.form), "string");
  EXPECT_EQ(f.key_path, "image");
  EXPECT_EQ(f.reference, "nginx:1.27.0@" + kDigest);
  EXPECT_EQ(f.document, 0);
  EXPECT_EQ(f.line, 1);
  EXPECT_EQ(f.column, 8);
  EXPECT_EQ(f.source_line, "image: nginx:1.27.0@" + kDigest);
  EXPECT_TRUE(f.ref.present);
  EXPECT_EQ(f.ref.value, f.reference);
  EXPECT_EQ(f.ref.line, 1);
  EXPECT_EQ(f.ref.column, 8);
  EXPECT_EQ(text.substr(f.ref.begin, f.ref.end - f.ref.begin), f.reference);
  EXPECT_FALSE(f.partial);
  EXPECT_FALSE(f.templated);
  EXPECT_FALSE(f.pull_policy_required);
  EXPECT_FALSE(f.pull_policy.present);
  EXPECT_TRUE(out.pull_policies.empty());
}

TEST(ExtractImageFields, QuotedStringPositionIsTheOpeningQuote) {
  DocumentFields out = Extract("metrics:\n  image: \"nginx:1.27.0\"\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.key_path, "metrics.image");
  EXPECT_EQ(f.reference, "nginx:1.27.0");
  EXPECT_EQ(f.line, 2);
  EXPECT_EQ(f.column, 10);
  EXPECT_EQ(f.ref.style, yaml::ScalarStyle::kDoubleQuoted);
}

TEST(ExtractImageFields, RefMappingWithPullPolicy) {
  std::string text =
      "image:\n  ref: ghcr.io/acme/api:3f2a9c1@" + kDigest + "\n  pullPolicy: IfNotPresent\n";
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kRef);
  EXPECT_STREQ(FormName(f.form), "ref");
  EXPECT_EQ(f.key_path, "image.ref");
  EXPECT_EQ(f.reference, "ghcr.io/acme/api:3f2a9c1@" + kDigest);
  EXPECT_EQ(f.line, 2);
  EXPECT_EQ(f.column, 8);
  EXPECT_EQ(f.ref.line, 2);
  EXPECT_EQ(f.ref.column, 8);
  ASSERT_TRUE(f.pull_policy.present);
  EXPECT_EQ(f.pull_policy.value, "IfNotPresent");
  EXPECT_EQ(f.pull_policy.line, 3);
  EXPECT_EQ(f.pull_policy.column, 15);
  EXPECT_EQ(f.pull_policy_key_path, "image.pullPolicy");
  EXPECT_FALSE(f.pull_policy_required);
  // The policy inside the image mapping belongs to the field, not to the loose policy list.
  EXPECT_TRUE(out.pull_policies.empty());
}

TEST(ExtractImageFields, NestedRefUnderAnotherKey) {
  std::string text =
      "worker:\n  replicas: 2\n  image:\n    ref: ghcr.io/acme/worker@" + kDigest + "\n";
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].form, FieldForm::kRef);
  EXPECT_EQ(out.images[0].key_path, "worker.image.ref");
  EXPECT_EQ(out.images[0].reference, "ghcr.io/acme/worker@" + kDigest);
  EXPECT_EQ(out.images[0].line, 4);
  EXPECT_EQ(out.images[0].column, 10);
}

TEST(ExtractImageFields, SplitMappingComposesRegistryRepositoryTagDigest) {
  std::string text =
      "image:\n"
      "  registry: docker.io\n"
      "  repository: bitnami/redis\n"
      "  tag: 7.2.4-debian-12-r9\n"
      "  digest: " +
      kDigest +
      "\n"
      "  pullPolicy: IfNotPresent\n";
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kSplit);
  EXPECT_STREQ(FormName(f.form), "split");
  EXPECT_EQ(f.key_path, "image");
  EXPECT_EQ(f.reference, "docker.io/bitnami/redis:7.2.4-debian-12-r9@" + kDigest);
  // A split field points at its `image` key.
  EXPECT_EQ(f.line, 1);
  EXPECT_EQ(f.column, 1);
  EXPECT_EQ(f.registry.value, "docker.io");
  EXPECT_EQ(f.repository.value, "bitnami/redis");
  EXPECT_EQ(f.repository.line, 3);
  EXPECT_EQ(f.repository.column, 15);
  EXPECT_EQ(f.tag.value, "7.2.4-debian-12-r9");
  EXPECT_EQ(f.tag.line, 4);
  EXPECT_EQ(f.tag.column, 8);
  EXPECT_EQ(f.digest.value, kDigest);
  EXPECT_EQ(f.digest.line, 5);
  EXPECT_EQ(f.digest.column, 11);
  EXPECT_FALSE(f.ref.present);
  EXPECT_EQ(f.pull_policy.value, "IfNotPresent");
  EXPECT_EQ(f.pull_policy_key_path, "image.pullPolicy");
  EXPECT_FALSE(f.partial);
}

TEST(ExtractImageFields, SplitRepositoryAndTagWithoutDigest) {
  DocumentFields out =
      Extract("image:\n  repository: quay.io/jetstack/cert-manager-controller\n  tag: v1.15.3\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].form, FieldForm::kSplit);
  EXPECT_EQ(out.images[0].reference, "quay.io/jetstack/cert-manager-controller:v1.15.3");
  EXPECT_FALSE(out.images[0].registry.present);
  EXPECT_FALSE(out.images[0].digest.present);
  EXPECT_FALSE(out.images[0].partial);
}

TEST(ExtractImageFields, SplitTagCarryingDigestIsComposedAsWritten) {
  std::string text =
      "image:\n  repository: quay.io/jetstack/cert-manager-controller\n  tag: \"v1.15.3@" +
      kDigest + "\"\n";
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].reference, "quay.io/jetstack/cert-manager-controller:v1.15.3@" + kDigest);
  EXPECT_EQ(out.images[0].tag.value, "v1.15.3@" + kDigest);
  EXPECT_FALSE(out.images[0].digest.present);
}

TEST(ExtractImageFields, ShaKeyWithoutAlgorithmGetsSha256Prefix) {
  DocumentFields out =
      Extract("image:\n  repository: bitnami/redis\n  tag: 7.2.4\n  sha: " + kHex + "\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].digest.value, "sha256:" + kHex);
  EXPECT_EQ(out.images[0].reference, "bitnami/redis:7.2.4@sha256:" + kHex);
}

TEST(ExtractImageFields, ShaKeyWithAlgorithmIsKept) {
  DocumentFields out = Extract("image:\n  repository: bitnami/redis\n  sha: " + kDigest + "\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].digest.value, kDigest);
  EXPECT_EQ(out.images[0].reference, "bitnami/redis@" + kDigest);
}

TEST(ExtractImageFields, NameAndTagMapping) {
  DocumentFields out = Extract("image:\n  name: library/busybox\n  tag: \"1.36\"\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].form, FieldForm::kSplit);
  EXPECT_EQ(out.images[0].repository.value, "library/busybox");
  EXPECT_EQ(out.images[0].reference, "library/busybox:1.36");
}

TEST(ExtractImageFields, TagOnlyMappingIsPartial) {
  DocumentFields out = Extract("image:\n  tag: x\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kSplit);
  EXPECT_TRUE(f.partial);
  EXPECT_FALSE(f.repository.present);
  EXPECT_EQ(f.tag.value, "x");
  EXPECT_EQ(f.tag.line, 2);
  EXPECT_EQ(f.tag.column, 8);
}

TEST(ExtractImageFields, NamedSplitMappingsUnderImageAreOneFieldEach) {
  DocumentFields out = Extract(
      "image:\n"
      "  busybox:\n"
      "    repository: busybox\n"
      "    tag: \"1.36\"\n"
      "  kubectl:\n"
      "    repository: bitnami/kubectl\n"
      "    tag: 1.30.2\n");
  ASSERT_EQ(out.images.size(), 2u);
  EXPECT_EQ(out.images[0].form, FieldForm::kSplit);
  EXPECT_EQ(out.images[0].key_path, "image.busybox");
  EXPECT_EQ(out.images[0].reference, "busybox:1.36");
  EXPECT_EQ(out.images[0].line, 2);
  EXPECT_EQ(out.images[0].column, 3);
  EXPECT_EQ(out.images[1].key_path, "image.kubectl");
  EXPECT_EQ(out.images[1].reference, "bitnami/kubectl:1.30.2");
  EXPECT_EQ(out.images[1].line, 5);
  EXPECT_EQ(out.images[1].column, 3);
}

TEST(ExtractImageFields, CamelCaseImageKeyIsAStringField) {
  DocumentFields out = Extract("prometheusOperator:\n  configReloaderImage: quay.io/x:v1\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].form, FieldForm::kString);
  EXPECT_EQ(out.images[0].key_path, "prometheusOperator.configReloaderImage");
  EXPECT_EQ(out.images[0].reference, "quay.io/x:v1");
  EXPECT_EQ(out.images[0].line, 2);
  EXPECT_EQ(out.images[0].column, 24);
}

TEST(ExtractImageFields, CamelCaseImageKeyWithProseIsNotAField) {
  DocumentFields out = Extract("helpImage: see the chart README\nuseImage: true\n");
  EXPECT_TRUE(out.images.empty());
}

TEST(ExtractImageFields, TextThatIsNotAnImageFieldIsIgnored) {
  struct Case {
    const char* name;
    const char* yaml;
  };
  const Case cases[] = {
      {"upper-case env var", "env:\n  JOB_RUNNER_IMAGE: x:latest\n"},
      {"imagePullSecrets", "imagePullSecrets:\n  - name: regcred\n  - name: other\n"},
      {"JSON schema", "properties:\n  image: {type: object}\n"},
      {"JSON schema with nested properties",
       "image:\n  type: object\n  properties:\n    repository: {type: string}\n    tag: {type: "
       "string}\n"},
      {"comment", "# image: nginx:latest\nreplicas: 1  # image: foo:latest\n"},
      {"block scalar", "notes: |\n  image: foo:latest\n  image:\n    ref: bar:main\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DocumentFields out = Extract(c.yaml);
    EXPECT_TRUE(out.images.empty())
        << "first: " << (out.images.empty() ? "" : out.images[0].key_path);
  }
}

TEST(ExtractImageFields, NullImageIsNotAField) {
  for (const char* text : {"image:\n", "image: ~\n", "image: null\n", "image:\n  ref:\n"}) {
    SCOPED_TRACE(text);
    DocumentFields out = Extract(text);
    EXPECT_TRUE(out.images.empty());
  }
}

TEST(ExtractImageFields, EmptyQuotedImageIsAFieldWithEmptyReference) {
  DocumentFields out = Extract("image: \"\"\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].reference, "");
  EXPECT_TRUE(out.images[0].ref.present);
}

TEST(ExtractImageFields, AliasReportedOnceAtTheAnchor) {
  // `defaults` is itself a split image (a repository beside a tag): the field is there, and
  // the keys that reach it through the alias are listed beside it, not reported again.
  DocumentFields out = Extract(
      "defaults: &img\n"
      "  repository: a\n"
      "  tag: v1.0.0\n"
      "image: *img\n"
      "worker:\n"
      "  image: *img\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kSplit);
  EXPECT_EQ(f.key_path, "defaults");
  EXPECT_EQ(f.reference, "a:v1.0.0");
  EXPECT_EQ(f.line, 1);
  EXPECT_EQ(f.tag.line, 3);
  EXPECT_EQ(f.aliases, (std::vector<std::string>{"image", "worker.image"}));
}

TEST(ExtractImageFields, AliasOfAnAnchorThatIsNoImageOfItsOwnIsReportedAtTheAnchor) {
  // `{repository}` alone under `defaults` is no image until an image key reaches it.
  DocumentFields out = Extract(
      "defaults: &img\n"
      "  repository: a\n"
      "image: *img\n"
      "worker:\n"
      "  image: *img\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kSplit);
  EXPECT_EQ(f.key_path, "image");
  EXPECT_EQ(f.reference, "a");
  // The anchored mapping starts at its first key, line 2 (not at the alias on line 3).
  EXPECT_EQ(f.line, 2);
  EXPECT_EQ(f.column, 3);
  EXPECT_EQ(f.aliases, (std::vector<std::string>{"worker.image"}));
}

TEST(ExtractImageFields, AnchoredImageAliasedTwiceIsOneField) {
  DocumentFields out = Extract(
      "image: &img nginx:1.27.0\n"
      "sidecar:\n"
      "  image: *img\n"
      "job:\n"
      "  image: *img\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].key_path, "image");
  EXPECT_EQ(out.images[0].reference, "nginx:1.27.0");
  EXPECT_EQ(out.images[0].line, 1);
  EXPECT_EQ(out.images[0].column, 13);
}

TEST(ExtractImageFields, MergeKeyInsideImageMapping) {
  DocumentFields out = Extract(
      "base: &base\n"
      "  repository: bitnami/redis\n"
      "  tag: 7.2.4\n"
      "image:\n"
      "  <<: *base\n"
      "  tag: 7.2.5\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kSplit);
  EXPECT_EQ(f.key_path, "image");
  EXPECT_EQ(f.repository.value, "bitnami/redis");
  EXPECT_EQ(f.tag.value, "7.2.5");
  EXPECT_EQ(f.tag.line, 6);
  EXPECT_EQ(f.reference, "bitnami/redis:7.2.5");
  EXPECT_EQ(f.line, 4);
}

TEST(ExtractImageFields, MergeKeyListEarlierMappingsWin) {
  DocumentFields out = Extract(
      "registry: &registry\n"
      "  registry: docker.io\n"
      "  tag: 1.0.0\n"
      "redis: &redis\n"
      "  repository: bitnami/redis\n"
      "  tag: 7.2.4\n"
      "image:\n"
      "  <<: [*redis, *registry]\n"
      "  digest: \"\"\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.repository.value, "bitnami/redis");
  EXPECT_EQ(f.registry.value, "docker.io");
  EXPECT_EQ(f.tag.value, "7.2.4") << "the first mapping in the merge list wins";
  EXPECT_EQ(f.tag.line, 6);
  EXPECT_EQ(f.reference, "docker.io/bitnami/redis:7.2.4");
}

TEST(ExtractImageFields, DeploymentContainersAndInitContainers) {
  DocumentFields out = Extract(
      "apiVersion: apps/v1\n"                      // 1
      "kind: Deployment\n"                         // 2
      "metadata:\n"                                // 3
      "  name: api\n"                              // 4
      "spec:\n"                                    // 5
      "  template:\n"                              // 6
      "    spec:\n"                                // 7
      "      initContainers:\n"                    // 8
      "        - name: migrate\n"                  // 9
      "          image: ghcr.io/acme/api:1.0.0\n"  // 10
      "          imagePullPolicy: IfNotPresent\n"  // 11
      "      containers:\n"                        // 12
      "        - name: api\n"                      // 13
      "          image: ghcr.io/acme/api:1.0.0\n"  // 14
      "        - image: nginx:1.27.0\n"            // 15
      "          name: proxy\n"                    // 16
      "          imagePullPolicy: Always\n");      // 17
  ASSERT_EQ(out.images.size(), 3u);

  const ImageField& init = out.images[0];
  EXPECT_EQ(init.form, FieldForm::kContainer);
  EXPECT_STREQ(FormName(init.form), "container");
  EXPECT_EQ(init.key_path, "spec.template.spec.initContainers[0]");
  EXPECT_EQ(init.line, 9);
  EXPECT_EQ(init.column, 11);
  EXPECT_EQ(init.source_line, "        - name: migrate");
  EXPECT_EQ(init.reference, "ghcr.io/acme/api:1.0.0");
  EXPECT_EQ(init.ref.line, 10);
  EXPECT_EQ(init.ref.column, 18);
  EXPECT_TRUE(init.pull_policy_required);
  EXPECT_EQ(init.container_kind, "initContainers");
  EXPECT_EQ(init.container_name, "migrate");
  EXPECT_EQ(init.workload_kind, "Deployment");
  ASSERT_TRUE(init.pull_policy.present);
  EXPECT_EQ(init.pull_policy.value, "IfNotPresent");
  EXPECT_EQ(init.pull_policy.line, 11);
  EXPECT_EQ(init.pull_policy.column, 28);
  EXPECT_EQ(init.pull_policy_key_path, "spec.template.spec.initContainers[0].imagePullPolicy");

  const ImageField& api = out.images[1];
  EXPECT_EQ(api.key_path, "spec.template.spec.containers[0]");
  EXPECT_EQ(api.container_kind, "containers");
  EXPECT_EQ(api.container_name, "api");
  EXPECT_EQ(api.line, 13);
  EXPECT_EQ(api.column, 11);
  EXPECT_FALSE(api.pull_policy.present);
  EXPECT_TRUE(api.pull_policy_required);

  const ImageField& proxy = out.images[2];
  EXPECT_EQ(proxy.key_path, "spec.template.spec.containers[1]");
  EXPECT_EQ(proxy.container_name, "proxy");
  EXPECT_EQ(proxy.line, 15);
  EXPECT_EQ(proxy.column, 11);
  EXPECT_EQ(proxy.reference, "nginx:1.27.0");
  EXPECT_EQ(proxy.pull_policy.value, "Always");

  // Container pull policies live on the fields, not in the loose list.
  EXPECT_TRUE(out.pull_policies.empty());
}

TEST(ExtractImageFields, CronJobContainers) {
  DocumentFields out = Extract(
      "apiVersion: batch/v1\n"
      "kind: CronJob\n"
      "metadata: {name: backup}\n"
      "spec:\n"
      "  schedule: \"0 3 * * *\"\n"
      "  jobTemplate:\n"
      "    spec:\n"
      "      template:\n"
      "        spec:\n"
      "          containers:\n"
      "            - name: backup\n"
      "              image: postgres:16.4\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].form, FieldForm::kContainer);
  EXPECT_EQ(out.images[0].key_path, "spec.jobTemplate.spec.template.spec.containers[0]");
  EXPECT_EQ(out.images[0].workload_kind, "CronJob");
  EXPECT_EQ(out.images[0].container_name, "backup");
  EXPECT_EQ(out.images[0].line, 11);
  EXPECT_EQ(out.images[0].column, 15);
  EXPECT_TRUE(out.images[0].pull_policy_required);
}

TEST(ExtractImageFields, BarePodContainersAndEphemeralContainers) {
  DocumentFields out = Extract(
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata: {name: debug}\n"
      "spec:\n"
      "  containers:\n"
      "    - name: shell\n"
      "      image: busybox:1.36\n"
      "  ephemeralContainers:\n"
      "    - name: dbg\n"
      "      image: busybox:1.36\n"
      "      imagePullPolicy: IfNotPresent\n");
  ASSERT_EQ(out.images.size(), 2u);
  EXPECT_EQ(out.images[0].form, FieldForm::kContainer);
  EXPECT_EQ(out.images[0].key_path, "spec.containers[0]");
  EXPECT_EQ(out.images[0].container_kind, "containers");
  EXPECT_EQ(out.images[0].workload_kind, "Pod");
  EXPECT_EQ(out.images[1].form, FieldForm::kContainer);
  EXPECT_EQ(out.images[1].key_path, "spec.ephemeralContainers[0]");
  EXPECT_EQ(out.images[1].container_kind, "ephemeralContainers");
  EXPECT_EQ(out.images[1].container_name, "dbg");
  EXPECT_EQ(out.images[1].line, 9);
  EXPECT_EQ(out.images[1].column, 7);
  EXPECT_TRUE(out.images[1].pull_policy_required);
}

TEST(ExtractImageFields, HelmHookJobContainers) {
  DocumentFields out = Extract(
      "apiVersion: batch/v1\n"
      "kind: Job\n"
      "metadata:\n"
      "  name: migrate\n"
      "  annotations:\n"
      "    \"helm.sh/hook\": pre-install,pre-upgrade\n"
      "    \"helm.sh/hook-delete-policy\": before-hook-creation\n"
      "spec:\n"
      "  template:\n"
      "    spec:\n"
      "      restartPolicy: Never\n"
      "      containers:\n"
      "        - name: migrate\n"
      "          image: ghcr.io/acme/api@" +
      kDigest +
      "\n"
      "          imagePullPolicy: IfNotPresent\n");
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].form, FieldForm::kContainer);
  EXPECT_EQ(out.images[0].key_path, "spec.template.spec.containers[0]");
  EXPECT_EQ(out.images[0].workload_kind, "Job");
  EXPECT_EQ(out.images[0].reference, "ghcr.io/acme/api@" + kDigest);
  EXPECT_EQ(out.images[0].line, 13);
  EXPECT_EQ(out.images[0].column, 11);
}

TEST(ExtractImageFields, ContainersInValuesAreStringFields) {
  // Looks like a pod template, but the document is not a Kubernetes object.
  DocumentFields out = Extract(
      "spec:\n"
      "  template:\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: app\n"
      "          image: nginx:1.27.0\n"
      "          imagePullPolicy: Always\n");
  ASSERT_EQ(out.images.size(), 1u);
  const ImageField& f = out.images[0];
  EXPECT_EQ(f.form, FieldForm::kString);
  EXPECT_EQ(f.key_path, "spec.template.spec.containers[0].image");
  EXPECT_FALSE(f.pull_policy_required);
  EXPECT_TRUE(f.container_kind.empty());
  EXPECT_EQ(f.line, 6);
  EXPECT_EQ(f.column, 18);
  // The sibling imagePullPolicy applies to the field and is also a loose policy key.
  EXPECT_EQ(f.pull_policy.value, "Always");
  EXPECT_EQ(f.pull_policy_key_path, "spec.template.spec.containers[0].imagePullPolicy");
  ASSERT_EQ(out.pull_policies.size(), 1u);
  EXPECT_EQ(out.pull_policies[0].key_path, "spec.template.spec.containers[0].imagePullPolicy");
  EXPECT_EQ(out.pull_policies[0].value.begin, f.pull_policy.begin);
}

TEST(ExtractImageFields, KustomizationImagesWithKind) {
  std::string text =
      "apiVersion: kustomize.config.k8s.io/v1beta1\n"  // 1
      "kind: Kustomization\n"                          // 2
      "resources: [deployment.yaml]\n"                 // 3
      "images:\n"                                      // 4
      "  - name: nginx\n"                              // 5
      "    newTag: 1.27.0\n"                           // 6
      "    digest: " +
      kDigest +
      "\n"                                  // 7
      "  - name: ghcr.io/acme/api\n"        // 8
      "    newName: ghcr.io/acme/api-v2\n"  // 9
      "    newTag: 3f2a9c1\n";              // 10
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), 2u);
  const ImageField& a = out.images[0];
  EXPECT_EQ(a.form, FieldForm::kKustomize);
  EXPECT_STREQ(FormName(a.form), "kustomize");
  EXPECT_EQ(a.key_path, "images[0]");
  EXPECT_EQ(a.line, 5);
  EXPECT_EQ(a.column, 5);
  EXPECT_EQ(a.repository.value, "nginx");
  EXPECT_EQ(a.tag.value, "1.27.0");
  EXPECT_EQ(a.tag.line, 6);
  EXPECT_EQ(a.digest.value, kDigest);
  EXPECT_EQ(a.reference, "nginx:1.27.0@" + kDigest);
  const ImageField& b = out.images[1];
  EXPECT_EQ(b.key_path, "images[1]");
  EXPECT_EQ(b.repository.value, "ghcr.io/acme/api-v2");
  EXPECT_EQ(b.reference, "ghcr.io/acme/api-v2:3f2a9c1");
  EXPECT_FALSE(b.digest.present);
}

TEST(ExtractImageFields, KustomizationImagesByFileNameOption) {
  std::string text = "resources: [deployment.yaml]\nimages:\n  - name: nginx\n    newTag: 1.27.0\n";
  DocumentFields without = Extract(text);
  EXPECT_TRUE(without.images.empty());

  ExtractOptions options;
  options.kustomization_file = true;
  DocumentFields with = Extract(text, options);
  ASSERT_EQ(with.images.size(), 1u);
  EXPECT_EQ(with.images[0].form, FieldForm::kKustomize);
  EXPECT_EQ(with.images[0].key_path, "images[0]");
  EXPECT_EQ(with.images[0].reference, "nginx:1.27.0");
}

TEST(ExtractImageFields, PullPolicyKeysInValuesAreRecorded) {
  DocumentFields out = Extract(
      "pullPolicy: Always\n"
      "sidecar:\n"
      "  imagePullPolicy: Never\n");
  EXPECT_TRUE(out.images.empty());
  ASSERT_EQ(out.pull_policies.size(), 2u);
  EXPECT_EQ(out.pull_policies[0].key_path, "pullPolicy");
  EXPECT_EQ(out.pull_policies[0].value.value, "Always");
  EXPECT_EQ(out.pull_policies[0].value.line, 1);
  EXPECT_EQ(out.pull_policies[0].value.column, 13);
  EXPECT_EQ(out.pull_policies[1].key_path, "sidecar.imagePullPolicy");
  EXPECT_EQ(out.pull_policies[1].value.value, "Never");
  EXPECT_EQ(out.pull_policies[1].value.line, 3);
  EXPECT_EQ(out.pull_policies[1].value.column, 20);
}

TEST(ExtractImageFields, ImageMappingWithOnlyPullPolicyIsAPolicyEntry) {
  DocumentFields out = Extract("image:\n  pullPolicy: Always\n");
  EXPECT_TRUE(out.images.empty());
  ASSERT_EQ(out.pull_policies.size(), 1u);
  EXPECT_EQ(out.pull_policies[0].key_path, "image.pullPolicy");
  EXPECT_EQ(out.pull_policies[0].value.value, "Always");
  EXPECT_EQ(out.pull_policies[0].value.line, 2);
  EXPECT_EQ(out.pull_policies[0].value.column, 15);
}

TEST(ExtractImageFields, TemplateExpressionMarksFieldTemplated) {
  DocumentFields out = Extract(
      "image: \"{{ .Values.image }}\"\n"
      "worker:\n"
      "  image:\n"
      "    repository: \"{{ .Values.repo }}\"\n"
      "    tag: v1.0.0\n"
      "plain:\n"
      "  image: nginx:1.27.0\n");
  ASSERT_EQ(out.images.size(), 3u);
  EXPECT_TRUE(out.images[0].templated);
  EXPECT_EQ(out.images[0].reference, "{{ .Values.image }}");
  EXPECT_TRUE(out.images[1].templated);
  EXPECT_EQ(out.images[1].key_path, "worker.image");
  EXPECT_FALSE(out.images[2].templated);
}

TEST(ExtractImageFields, MultiDocumentStreamRecordsDocumentIndex) {
  DocumentFields out = Extract(
      "image: a:1.0.0\n"
      "---\n"
      "image: b:2.0.0\n"
      "pullPolicy: Always\n"
      "---\n"
      "---\n"
      "image: c:3.0.0\n");
  ASSERT_EQ(out.images.size(), 3u);
  EXPECT_EQ(out.images[0].reference, "a:1.0.0");
  EXPECT_EQ(out.images[0].document, 0);
  EXPECT_EQ(out.images[1].reference, "b:2.0.0");
  EXPECT_EQ(out.images[1].document, 1);
  EXPECT_EQ(out.images[1].line, 3);
  EXPECT_EQ(out.images[2].reference, "c:3.0.0");
  EXPECT_EQ(out.images[2].document, 3);  // the empty document in between counts
  EXPECT_EQ(out.images[2].line, 7);
  ASSERT_EQ(out.pull_policies.size(), 1u);
  EXPECT_EQ(out.pull_policies[0].document, 1);
}

TEST(ExtractImageFields, KubernetesKindDoesNotLeakIntoTheNextDocument) {
  DocumentFields out = Extract(
      "apiVersion: v1\n"
      "kind: Pod\n"
      "spec:\n"
      "  containers:\n"
      "    - name: a\n"
      "      image: busybox:1.36\n"
      "---\n"
      "spec:\n"
      "  containers:\n"
      "    - name: b\n"
      "      image: busybox:1.36\n");
  ASSERT_EQ(out.images.size(), 2u);
  EXPECT_EQ(out.images[0].form, FieldForm::kContainer);
  EXPECT_EQ(out.images[1].form, FieldForm::kString);
  EXPECT_EQ(out.images[1].document, 1);
}

// Bounded time: inputs that were quadratic. The suite's timeout catches a regression (each ran
// for minutes before; milliseconds now).
TEST(ExtractImageFields, ManyImageKeysInOneMappingAreLinear) {
  std::string text = "imagePullPolicy: IfNotPresent\n";
  constexpr int kKeys = 80000;
  for (int i = 0; i < kKeys; ++i) text += "c" + std::to_string(i) + "Image: nginx:1.27.0\n";
  DocumentFields out = Extract(text);
  ASSERT_EQ(out.images.size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(out.images.back().pull_policy.value, "IfNotPresent");
  EXPECT_EQ(out.images.back().pull_policy_key_path, "imagePullPolicy");
}

TEST(ExtractImageFields, SiblingPolicyIsPerMappingWhenMappingsInterleave) {
  DocumentFields out = Extract(
      "aImage: x:1\npullPolicy: Always\nnested: {bImage: y:1, imagePullPolicy: Never}\n"
      "cImage: z:1\n");
  ASSERT_EQ(out.images.size(), 3u);
  EXPECT_EQ(out.images[0].pull_policy.value, "Always");
  EXPECT_EQ(out.images[1].pull_policy.value, "Never");
  EXPECT_EQ(out.images[1].pull_policy_key_path, "nested.imagePullPolicy");
  EXPECT_EQ(out.images[2].pull_policy.value, "Always");
}

TEST(ExtractImageFields, ManyAliasesOfImagesAreLinear) {
  std::string text;
  constexpr int kCount = 50000;
  for (int i = 0; i < kCount; ++i)
    text += "a" + std::to_string(i) + ": {image: &i" + std::to_string(i) + " nginx:1}\n";
  for (int i = 0; i < kCount; ++i)
    text += "b" + std::to_string(i) + ": {image: *i" + std::to_string(i) + "}\n";
  DocumentFields out = Extract(text);
  EXPECT_EQ(out.images.size(), static_cast<size_t>(kCount));  // each reported once, at its anchor
}

}  // namespace
}  // namespace imagepin::scan
