// Micro-benchmarks for the per-reference and per-file work of `imagepin check`.
// Run: build/bench/imagepin_micro_bench   (numbers in bench/README.md)
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "policy/config.h"
#include "policy/evaluate.h"
#include "policy/tag_rules.h"
#include "ref/reference.h"
#include "scan/scanner.h"

namespace {

using namespace imagepin;

const std::vector<std::string> kReferences = {
    "ghcr.io/acme/api@sha256:3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f",
    "docker.io/bitnami/"
    "redis:7.2.4-debian-12-r9@sha256:"
    "0f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f",
    "nginx:1.27.0",
    "localhost:5000/team/app:main",
};

void BM_ParseReference(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = ref::ParseReference(kReferences[i++ % kReferences.size()]);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseReference);

void BM_ClassifyTag(benchmark::State& state) {
  policy::Config config;
  const std::vector<std::string> tags = {"v1.2.3", "3f2a9c1", "main", "16.4.0-debian-12-r0"};
  size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(policy::ClassifyTag(tags[i++ % tags.size()], config));
}
BENCHMARK(BM_ClassifyTag);

// A values file shaped like the generator's first-party values: an image, env, resources.
std::string ValuesFile(int env_entries) {
  std::string text =
      "image:\n  ref: \"ghcr.io/acme/api:3f2a9c1@sha256:"
      "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f\"\n"
      "  pullPolicy: IfNotPresent\nreplicaCount: 2\nresources: &res\n  requests: {cpu: 100m, "
      "memory: 128Mi}\nenv:\n";
  for (int i = 0; i < env_entries; ++i) {
    text += fmt::format("  - name: VAR_{}\n    value: \"value-{}\"\n", i, i);
  }
  text += "config: |\n  server:\n    port: 8080\n    image: not-an-image:latest\n";
  return text;
}

// Parse + extract + evaluate one file: the work a check does per file, without I/O.
void BM_ScanAndEvaluateFile(benchmark::State& state) {
  std::string text = ValuesFile(static_cast<int>(state.range(0)));
  policy::Config config;
  yaml::StreamParser parser;
  std::vector<policy::Finding> findings;
  for (auto _ : state) {
    scan::FileScan scan = scan::ScanContents(text, "values.yaml", false, &parser);
    findings.clear();
    policy::EvaluateFile(config, "values.yaml", scan, &findings);
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ScanAndEvaluateFile)->Arg(10)->Arg(100)->Arg(1000);

// A multi-document manifest shaped like the generator's: Deployments with a pod template, labels
// and annotations (keys that are not identifiers), probes and resources, and a Service each.
std::string ManifestFile(int objects) {
  std::string text;
  for (int i = 0; i < objects; ++i) {
    text += fmt::format(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{0}\n  labels:\n"
        "    app.kubernetes.io/name: app-{0}\n    app.kubernetes.io/part-of: shop\n"
        "spec:\n  replicas: 2\n  template:\n    metadata:\n      annotations:\n"
        "        prometheus.io/scrape: \"true\"\n    spec:\n      containers:\n"
        "        - name: app\n          image: ghcr.io/acme/app-{0}:3f2a9c1@sha256:"
        "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f\n"
        "          imagePullPolicy: IfNotPresent\n          ports:\n"
        "          - {{containerPort: 8080, name: http}}\n          readinessProbe:\n"
        "            httpGet: {{path: /healthz, port: http}}\n          resources:\n"
        "            requests: {{cpu: 100m, memory: 128Mi}}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{0}\nspec:\n"
        "  ports:\n  - port: 80\n    targetPort: http\n  selector:\n"
        "    app.kubernetes.io/name: app-{0}\n",
        i);
  }
  return text;
}

// The same for a manifest file: pod-template containers, and many keys that are not fields.
void BM_ScanAndEvaluateManifest(benchmark::State& state) {
  std::string text = ManifestFile(static_cast<int>(state.range(0)));
  policy::Config config;
  yaml::StreamParser parser;
  std::vector<policy::Finding> findings;
  if (scan::ScanContents(text, "app.yaml", false, &parser).fields.images.size() !=
      static_cast<size_t>(state.range(0))) {
    state.SkipWithError("the manifest does not yield one image field per Deployment");
    return;
  }
  for (auto _ : state) {
    scan::FileScan scan = scan::ScanContents(text, "app.yaml", false, &parser);
    findings.clear();
    policy::EvaluateFile(config, "app.yaml", scan, &findings);
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ScanAndEvaluateManifest)->Arg(1)->Arg(20);

// Parsing alone (libyaml's events into Documents; no extraction, no rules) of the same manifest.
void BM_ParseManifest(benchmark::State& state) {
  std::string text = ManifestFile(static_cast<int>(state.range(0)));
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  for (auto _ : state) {
    size_t nodes = 0;
    parser.Parse(
        text, [&](const yaml::Document& doc) { nodes += doc.node_count(); }, &error);
    benchmark::DoNotOptimize(nodes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseManifest)->Arg(20);

}  // namespace

BENCHMARK_MAIN();
