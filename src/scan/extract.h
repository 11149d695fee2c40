// Finds the image fields of one YAML document (see image_field.h for the forms).
#pragma once

#include "scan/image_field.h"
#include "yaml/document.h"

namespace imagepin::scan {

struct ExtractOptions {
  // The file is named kustomization.yaml: its `images:` entries are image fields even when the
  // document does not say `kind: Kustomization` (kustomize does not require it).
  bool kustomization_file = false;
};

// Appends the image fields and pull-policy keys of `doc` to `out`.
void ExtractImageFields(const yaml::Document& doc, const ExtractOptions& options,
                        DocumentFields* out);

}  // namespace imagepin::scan
