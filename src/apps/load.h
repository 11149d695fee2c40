// One application loaded for a person to read (`imagepin apps`, `imagepin explain`): its layer
// files read and scanned, the merged values with provenance, its effective images and the
// findings of its whole-stack rules. `check` judges every app in one pass over the files
// (check.h); this loads one app on its own, and shares with check how a scanned file becomes a
// layer (LayerFromScan).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/application.h"
#include "apps/effective.h"
#include "apps/layered.h"
#include "base/diagnostic.h"
#include "policy/config.h"
#include "policy/finding.h"
#include "scan/image_field.h"
#include "yaml/document.h"
#include "yaml/parser.h"

namespace imagepin::apps {

// The values `layer` takes from its scanned file (`documents` and `fields` of one ScanContents
// with documents kept), and the image sites it writes, appended to `sites` relative to the
// values root. A file layer is its first document (Helm reads no other); an inline layer is the
// mapping at `layer.root` in `layer.document`, decimal segments indexing lists. A layer whose
// root is YAML text (`root_is_text`) cannot be read from the file's tree: empty here, see
// LoadApplication. Empty too when the file has no such document or path.
LayerDoc LayerFromScan(const Layer& layer, const std::vector<yaml::Document>& documents,
                       const scan::DocumentFields& fields, std::vector<yaml::SegmentPath>* sites);

// What LoadApplication read: every Document views its Source's bytes, and both sit behind a
// unique_ptr, so moving a LoadedApplication moves neither.
struct LoadedSource {
  std::string contents;
  std::vector<yaml::Document> documents;
};

// Where a `helm.values` text layer's positions are in its manifest. A literal block (`|`) maps
// line for line, its columns shifted by the block's indentation; any other style maps every
// position to the scalar itself.
struct TextOrigin {
  std::string path;  // the manifest
  // What the layer's findings say before MapToManifest: the manifest's path and a mark, so that
  // findings about another layer of the same manifest (a valuesObject) are left alone.
  std::string evaluated_as;
  size_t layer = 0;          // which of the app's layers
  int line = 0, column = 0;  // the scalar, 1-based
  bool line_for_line = false;
  int indent = 0;
  const yaml::Document* manifest = nullptr;  // for the source lines of mapped findings
};

// A `helm.values` layer (`root_is_text`): the YAML text in the scalar at `layer.root` of the
// manifest's `documents`, parsed into `text` as a values file of its own. Returns its values and
// appends its image sites; empty (and a problem appended, when the text does not parse) when
// there is nothing to read. `origin` says how to map positions back (MapToManifest).
LayerDoc LayerFromText(const Layer& layer, const std::vector<yaml::Document>& documents,
                       yaml::StreamParser* parser, LoadedSource* text,
                       std::vector<yaml::SegmentPath>* sites, TextOrigin* origin,
                       std::vector<base::Diagnostic>* problems);

// Argo CD `helm.parameters` as a layer: `image.ref=ghcr.io/…` is `image: {ref: …}`, later
// names over earlier ones, as `helm --set` applies them. The text is built into `text` and
// parsed; its positions map to the object's line (`origin`). A name with list or escape syntax
// (`a[0].b`, `a\.b`) is not read: a note in `notes`, never a guess.
LayerDoc LayerFromParameters(const Application& app, const Layer& layer, yaml::StreamParser* parser,
                             LoadedSource* text, std::vector<yaml::SegmentPath>* sites,
                             TextOrigin* origin, std::vector<base::Diagnostic>* notes);

// `app` as EvaluateApplication must see it when some layers are text (`origins`): those layers
// named `evaluated_as`.
Application ForEvaluation(const Application& app, const std::vector<TextOrigin>& origins);

// Moves the findings about a text layer (path == origin.evaluated_as) to the manifest's path
// and positions.
void MapToManifest(const TextOrigin& origin, std::vector<policy::Finding>::iterator begin,
                   std::vector<policy::Finding>::iterator end);

struct LoadedApplication {
  Application app;
  std::vector<LayerDoc> layers;  // one per app.layers entry; empty for a missing layer
  LayeredValues values{std::vector<LayerDoc>{}};  // of `layers`
  std::vector<EffectiveImage> images;
  // EvaluateApplication's findings, sorted; none when a layer has a problem (as check does:
  // IP000 says why, and a stack with a hole in it is not judged).
  std::vector<policy::Finding> findings;
  // A layer that exists but could not be read or parsed: path:line:col message.
  std::vector<base::Diagnostic> problems;
  std::vector<base::Diagnostic> notes;  // what was left out of the merge (LayerFromParameters)
  std::vector<std::unique_ptr<LoadedSource>> sources;  // what `layers` point into
  std::vector<TextOrigin> text_origins;                // of its helm.values text layers
};

// Reads and scans `app`'s existing layers below `root` (scope.maxFileSize, scope.maxDepth).
// Findings in a `helm.values` text layer point into its manifest (MapToManifest); the parts of
// effective images keep the text's own positions.
LoadedApplication LoadApplication(const policy::Config& config, const std::string& root,
                                  const Application& app);

}  // namespace imagepin::apps
