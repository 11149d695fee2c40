// Embedded manifests: YAML documents written as the text of a scalar — a ConfigMap or Secret
// whose data holds a manifest (Cluster API's ClusterResourceSet), a kubeadm `files[].content`
// static Pod, a Helm value `extraManifests: |`, a kustomize `patch: |`. Their image fields are
// found as in any document and reported in the outer file, at the outer line and column.
//
// Which scalars: those of several lines whose text has `apiVersion:` and `kind:`, or an image
// key (`image:`, `…Image:`); a string test over the scalar, no parse, so the hot path pays a few
// memchr calls per multi-line scalar. Text that parses to a mapping or a list is then a document;
// text that does not parse (a script, an INI file) is not one and holds nothing. Text with `{{`
// is a template, not YAML: its `image:` lines are read one by one (a literal reference judged,
// a templated one listed as a template), nothing else. Argo CD's `helm.values` text is a values
// layer that src/apps reads and judges: not read here.
//
// Positions: a literal block (`|`) keeps the text's bytes, each line indented, so a position in
// the text maps to one in the file, and a scalar on one line keeps its exact bytes (Scalar::raw
// is what the file holds: a rewrite can replace it). A folded (`>`) or quoted scalar changes
// the bytes (folding, escapes): every position maps to the outer scalar itself and no scalar in
// it is rewritable (Scalar::rewritable). Key paths read `outer|inner`, with the inner document's
// number when it is not the first (`data.data|2|spec.template.spec.containers[0]`).
//
// Nesting: a text in a text is read too, kMaxEmbeddedNesting levels deep, each parse bounded by
// what is left of ParseLimits::max_depth; deeper texts are not read.
#pragma once

#include <string_view>

#include "scan/image_field.h"
#include "yaml/document.h"
#include "yaml/parser.h"

namespace imagepin::scan {

inline constexpr int kMaxEmbeddedNesting = 3;

// The cheap test: several lines, and `apiVersion:` with `kind:`, or an image key followed by a
// blank or the line's end.
bool MayHoldEmbeddedYaml(std::string_view text);

// Appends to `out` the image fields, mentions and pull-policy keys of the documents embedded in
// `doc`'s scalars, mapped to `doc`'s positions. `nesting` is 0 for a file's own document.
void ExtractEmbeddedFields(const yaml::Document& doc, const yaml::ParseLimits& limits, int nesting,
                           DocumentFields* out);

// The `image:` lines of a template's text (a file outside a chart's templates/ that holds `{{`
// and does not parse: an operator's manifest template), each a string field at the file's own
// line and column: a literal reference is judged, a `{{ }}` one listed as templated. None is
// rewritable (a template is edited by hand).
void ExtractTemplateImageLines(std::string_view text, DocumentFields* out);

}  // namespace imagepin::scan
