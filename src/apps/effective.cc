#include "apps/effective.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "scan/extract.h"

namespace imagepin::apps {
namespace {

using Kind = LayeredValue::Kind;

// The first of `keys` with an effective scalar value in `mapping`, as extraction picks split
// parts (scan/extract.cc): `repository` before `repo`, `digest` before `sha`.
Part FindPart(const LayeredValues& values, const LayeredValue& mapping,
              std::initializer_list<std::string_view> keys) {
  Part part;
  for (std::string_view key : keys) {
    LayeredValue v = values.Child(mapping, {std::string(key), -1});
    if (v.kind != Kind::kScalar) {
      if (v.deleted_by >= 0 && part.deleted_by < 0) part.deleted_by = v.deleted_by;
      continue;
    }
    part.layer = v.layer;
    part.key = std::string(key);
    part.value = scan::MakeScalar(*values.doc(v.layer), v.node, /*with_source_line=*/false);
    return part;
  }
  return part;
}

}  // namespace

const char* SiteFormName(SiteForm form) {
  switch (form) {
    case SiteForm::kString:
      return "string";
    case SiteForm::kRef:
      return "ref";
    case SiteForm::kSplit:
      return "split";
  }
  return "split";
}

int EffectiveImage::TopLayer() const {
  return std::max({ref.layer, registry.layer, repository.layer, tag.layer, digest.layer});
}

void AppendImageSites(const scan::DocumentFields& fields, std::vector<yaml::SegmentPath>* sites) {
  for (const scan::ImageField& f : fields.images) {
    if (f.document != 0 || f.path.empty()) continue;  // Helm reads a values file's first document
    switch (f.form) {
      case scan::FieldForm::kString:
      case scan::FieldForm::kSplit:
        sites->push_back(f.path);
        break;
      case scan::FieldForm::kRef:  // `image.ref`: the site is the `image` mapping
        sites->emplace_back(f.path.begin(), f.path.end() - 1);
        break;
      default:  // containers and kustomize entries are manifests, not values
        break;
    }
  }
  for (const scan::PullPolicyField& p : fields.pull_policies) {
    // `image: {pullPolicy: Always}`: a policy for the image a lower layer names.
    if (p.document != 0 || p.path.size() < 2) continue;
    const yaml::PathSegment& parent = p.path[p.path.size() - 2];
    if (!parent.is_index() && (parent.key == "image" || parent.key.ends_with("Image"))) {
      sites->emplace_back(p.path.begin(), p.path.end() - 1);
    }
  }
}

std::vector<EffectiveImage> FindEffectiveImages(const LayeredValues& values,
                                                std::vector<yaml::SegmentPath> sites) {
  std::sort(sites.begin(), sites.end());
  sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
  std::vector<EffectiveImage> out;
  for (yaml::SegmentPath& path : sites) {
    LayeredValue v = values.Find(path);
    EffectiveImage e;
    e.key_layer = v.layer;
    if (v.kind == Kind::kScalar) {
      // `image: repo:tag@digest`, with its policy beside it (`imagePullPolicy` first).
      e.form = SiteForm::kString;
      e.ref.layer = v.layer;
      e.ref.key = path.back().key;
      e.ref.value = scan::MakeScalar(*values.doc(v.layer), v.node, /*with_source_line=*/false);
      yaml::SegmentPath parent(path.begin(), path.end() - 1);
      e.pull_policy = FindPart(values, values.Find(parent), {"imagePullPolicy", "pullPolicy"});
      e.reference = e.ref.value.value;
    } else if (v.kind == Kind::kMapping) {
      e.pull_policy = FindPart(values, v, {"pullPolicy", "imagePullPolicy"});
      if (Part ref = FindPart(values, v, {"ref"}); ref.present()) {
        e.form = SiteForm::kRef;
        e.ref = std::move(ref);
        e.reference = e.ref.value.value;
      } else {
        e.form = SiteForm::kSplit;
        e.registry = FindPart(values, v, {"registry"});
        e.repository = FindPart(values, v, {"repository", "repo", "image", "name"});
        e.tag = FindPart(values, v, {"tag"});
        e.digest = FindPart(values, v, {"digest", "sha"});
        if (e.digest.key == "sha" && e.digest.value.value.find(':') == std::string::npos) {
          e.digest.value.value = "sha256:" + e.digest.value.value;  // old charts: bare hex
        }
        e.partial = e.repository.value.value.empty();
        e.reference = scan::ComposeSplit(e.registry.value.value, e.repository.value.value,
                                         e.tag.value.value, e.digest.value.value);
      }
    } else {
      continue;
    }
    e.key_path = yaml::PrintKeyPath(path);
    e.path = std::move(path);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace imagepin::apps
