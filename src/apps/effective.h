// The effective images of one application: for each place its values stack chooses an image
// (an `image:` string, an `image.ref`, a registry/repository/tag/digest mapping), the value Helm
// would merge for every part, and the layer, line and column each part came from.
#pragma once

#include <string>
#include <vector>

#include "apps/layered.h"
#include "scan/image_field.h"
#include "yaml/key_path.h"

namespace imagepin::apps {

// One part of an effective reference as written in the layer that decides it.
struct Part {
  int layer = -1;       // -1: no layer sets it
  std::string key;      // the key that holds it: "repository", "repo", "sha", "imagePullPolicy"
  scan::Scalar value;   // line, column and span in that layer's file
  int deleted_by = -1;  // a layer that wrote `key: null` over it

  bool present() const { return layer >= 0; }
};

enum class SiteForm { kString, kRef, kSplit };

// "string", "ref", "split".
const char* SiteFormName(SiteForm form);

struct EffectiveImage {
  yaml::SegmentPath path;  // the image key: `image`, `metrics.image`
  std::string key_path;    // printed: "metrics.image"
  SiteForm form = SiteForm::kSplit;
  Part ref;  // string and ref forms: the whole reference
  Part registry, repository, tag, digest;
  Part pull_policy;
  int key_layer = -1;     // the highest layer that writes the image key itself
  std::string reference;  // as the chart renders it: registry/repository:tag@digest
  bool partial = false;   // no repository (split form): only the chart's templates know it

  // The highest layer that sets any part of the reference (not the pull policy); -1: none.
  int TopLayer() const;
};

// Where images are chosen in one layer's fields (scanned with ExtractOptions::record_paths):
// the paths of its image keys, and of `image: {pullPolicy: …}` mappings that set only a policy.
void AppendImageSites(const scan::DocumentFields& fields, std::vector<yaml::SegmentPath>* sites);

// The effective image at each of `sites` (deduplicated, in order); a site whose merged value is
// not an image (deleted by `null`, replaced by a list) is left out.
std::vector<EffectiveImage> FindEffectiveImages(const LayeredValues& values,
                                                std::vector<yaml::SegmentPath> sites);

}  // namespace imagepin::apps
