// libFuzzer target for the application model on arbitrary bytes: the input, split at "\n---\n",
// is a values stack (the first part the chart's values.yaml), merged, searched for effective
// images and judged; every part is also read for Argo CD / Flux objects. Beyond "never crashes"
// (sanitizers) it checks what users rely on: findings point into a layer that exists, every
// effective part names a real layer and a 1-based position, and no declared chart or value file
// leaves the repository (absolute, or a `..` segment).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "apps/declared.h"
#include "apps/effective.h"
#include "apps/rules.h"
#include "scan/scanner.h"

namespace {

using namespace imagepin;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

bool LeavesRepository(std::string_view path) {
  if (path.starts_with("/")) return true;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (path.substr(start, slash - start) == "..") return true;
    start = slash + 1;
  }
  return false;
}

void CheckPart(const apps::Part& part, size_t layers, const char* name) {
  if (!part.present()) return;
  if (static_cast<size_t>(part.layer) >= layers) Fail("part from no layer", name);
  if (part.value.line < 1 || part.value.column < 1) Fail("part position", name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::deque<std::string> texts;
  for (size_t start = 0; start <= input.size() && texts.size() < 8;) {
    size_t cut = input.find("\n---\n", start);
    if (cut == std::string_view::npos) cut = input.size();
    texts.emplace_back(input.substr(start, cut - start));
    start = cut + 5;
  }
  policy::Config config;
  apps::Application app;
  app.name = "apps/api";
  app.environment = "dev";
  app.chart = "charts/api";
  yaml::StreamParser parser;  // fresh, so that every crash reproduces from its input
  std::deque<std::vector<yaml::Document>> documents;
  std::vector<apps::LayerDoc> layers;
  std::vector<yaml::SegmentPath> sites;
  for (size_t i = 0; i < texts.size(); ++i) {
    apps::Layer layer;
    layer.path = i == 0 ? "charts/api/values.yaml" : "layer" + std::to_string(i) + ".yaml";
    layer.role = i == 0 ? apps::LayerRole::kChart
                        : (i % 2 ? apps::LayerRole::kShared : apps::LayerRole::kEnvironment);
    documents.emplace_back();
    scan::FileScan scan = scan::ScanContents(texts[i], layer.path, false, &parser, &documents.back());
    layer.exists = scan.status == scan::FileStatus::kScanned && !documents.back().empty();
    app.layers.push_back(layer);
    if (!layer.exists) {
      layers.push_back({});
      continue;
    }
    layers.push_back({&documents.back()[0], documents.back()[0].root()});
    apps::AppendImageSites(scan.fields, &sites);
    std::vector<apps::DeclaredApplication> declared;
    std::vector<base::Diagnostic> notices;
    for (const yaml::Document& doc : documents.back()) {
      apps::ReadDeclarations(doc, "m/argocd/app.yaml", config, &declared, &notices);
    }
    for (const apps::DeclaredApplication& d : declared) {
      if (LeavesRepository(d.chart)) Fail("declared chart leaves the repository", d.chart);
      for (const std::string& file : d.value_files) {
        if (LeavesRepository(file)) Fail("declared value file leaves the repository", file);
      }
    }
    for (const base::Diagnostic& n : notices) {
      if (n.message.empty()) Fail("empty notice", n.path);
      if (n.message.find('\n') != std::string::npos) Fail("notice spans lines", n.message);
    }
  }
  apps::LayeredValues values(std::move(layers));
  std::vector<apps::EffectiveImage> images = apps::FindEffectiveImages(values, sites);
  for (const apps::EffectiveImage& e : images) {
    for (const apps::Part* p : {&e.ref, &e.registry, &e.repository, &e.tag, &e.digest,
                                &e.pull_policy}) {
      CheckPart(*p, texts.size(), e.key_path.c_str());
    }
  }
  std::vector<policy::Finding> findings;
  apps::EvaluateApplication(config, app, values, images, &findings);
  for (const policy::Finding& f : findings) {
    bool known = false;
    for (const apps::Layer& layer : app.layers) known |= layer.exists && layer.path == f.path;
    if (!known) Fail("finding in a layer that does not exist", f.path);
    if (f.line < 0 || f.column < 0 || f.message.empty()) Fail("finding position", f.path);
  }
  return 0;
}
