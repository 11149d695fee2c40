#include "apps/rules.h"

#include <fmt/format.h>

#include "base/glob.h"
#include "policy/evaluate.h"
#include "policy/rules.h"
#include "ref/reference.h"

namespace imagepin::apps {
namespace {

using yaml::kNoNode;
using yaml::NodeId;

// The key node whose value is `value` in mapping `m`: findings about a mapping point at its key.
NodeId KeyNodeOf(const yaml::Document& doc, NodeId m, NodeId value) {
  m = doc.Resolve(m);
  if (m == kNoNode || doc.node(m).kind != yaml::NodeKind::kMapping) return kNoNode;
  for (NodeId k = doc.node(m).first_child; k != kNoNode;) {
    NodeId v = doc.node(k).next_sibling;
    if (v == kNoNode) break;
    if (doc.Resolve(v) == value) return k;
    k = doc.node(v).next_sibling;
  }
  return kNoNode;
}

class AppEvaluator {
 public:
  AppEvaluator(const policy::Config& config, const Application& app, const LayeredValues& values,
               std::vector<policy::Finding>* out)
      : config_(config), app_(app), values_(values), out_(out) {}

  const Layer& layer(int i) const { return app_.layers[static_cast<size_t>(i)]; }

  // "sources/values/_shared/x.yaml:7": where a part was written.
  std::string Where(const Part& part) const {
    return fmt::format("{}:{}", layer(part.layer).path, part.value.line);
  }

  policy::Finding& Add(std::string_view rule, int at_layer, int line, int column,
                       std::string source_line, std::string key_path, std::string message,
                       std::string reference) {
    policy::Finding f = policy::NewFinding(rule);
    f.path = layer(at_layer).path;
    f.line = line;
    f.column = column;
    f.source_line = std::move(source_line);
    f.key_path = std::move(key_path);
    f.message = std::move(message);
    f.reference = std::move(reference);
    out_->push_back(std::move(f));
    return out_->back();
  }

  // A finding at the `image:` key of `image` in layer `at`, or at the file when that layer
  // does not write it.
  void AddAtImageKey(std::string_view rule, int at, const EffectiveImage& image,
                     std::string message) {
    const yaml::Document* doc = values_.doc(at);
    if (doc != nullptr) {
      LayeredValues alone({{doc, RootOf(at)}});
      LayeredValue v = alone.Find(image.path);
      if (v.present()) {
        yaml::SegmentPath parent_path(image.path.begin(), image.path.end() - 1);
        LayeredValue parent = alone.Find(parent_path);
        NodeId key = KeyNodeOf(*doc, parent.node, v.node);
        NodeId at_node = key != kNoNode ? key : v.node;
        const yaml::Node& n = doc->node(at_node);
        Add(rule, at, static_cast<int>(n.line) + 1, static_cast<int>(n.column) + 1,
            std::string(doc->LineAt(n.begin)), image.key_path, std::move(message), image.reference);
        return;
      }
    }
    Add(rule, at, 0, 0, {}, image.key_path, std::move(message), image.reference);
  }

  NodeId RootOf(int layer_index) const {
    for (const auto& [i, node] : values_.Root().maps) {
      if (i == layer_index) return node;
    }
    return kNoNode;
  }

  // The highest layer that exists and is not the chart's: where a person edits this app.
  int TopEditableLayer() const {
    for (int i = static_cast<int>(app_.layers.size()) - 1; i >= 0; --i) {
      if (layer(i).exists && layer(i).role != LayerRole::kChart && values_.doc(i) != nullptr) {
        return i;
      }
    }
    return -1;
  }

  void CheckImageRef() {
    if (!RequiresImageRef(config_, app_, values_)) return;
    LayeredValue ref = values_.Find({{"image", -1}, {"ref", -1}});
    bool set =
        ref.kind == LayeredValue::Kind::kScalar && !values_.doc(ref.layer)->Value(ref.node).empty();
    if (set) return;
    // The environment's own overlay, where image.ref belongs; the file that should exist when
    // there is none.
    int overlay = -1;
    std::string missing;
    for (int i = static_cast<int>(app_.layers.size()) - 1; i >= 0; --i) {
      // The environment's own layers: its overlay, or what an Argo CD/Flux object adds.
      LayerRole role = layer(i).role;
      if (role == LayerRole::kChart || role == LayerRole::kGlobal || role == LayerRole::kShared) {
        continue;
      }
      if (layer(i).exists && values_.doc(i) != nullptr) {
        overlay = i;
        break;
      }
      if (missing.empty()) missing = layer(i).path;
    }
    std::string required = ChartRequiresImageRef(app_, values_)
                               ? fmt::format("the chart {} requires it", app_.chart)
                               : std::string("applications.requireRef requires it");
    EffectiveImage image;  // pointed at the `image:` key where the layer has one
    image.path = {{"image", -1}};
    image.key_path = "image.ref";
    if (overlay >= 0) {
      AddAtImageKey("IP010", overlay, image,
                    fmt::format("{} has no image.ref in {}: {}; set image.ref here", app_.name,
                                app_.environment, required));
      return;
    }
    int at = TopEditableLayer();
    if (at < 0) return;
    AddAtImageKey(
        "IP010", at, image,
        missing.empty()
            ? fmt::format("{} has no image.ref in {}: {}", app_.name, app_.environment, required)
            : fmt::format("{} has no image.ref in {}: {}; {} does not exist, create it "
                          "with image.ref",
                          app_.name, app_.environment, required, missing));
  }

  // IP011: a later layer names another image (registry, repository, tag) but the digest comes
  // from below it.
  void CheckMixedLayers(const EffectiveImage& image) {
    if (image.form != SiteForm::kSplit || !image.digest.present()) return;
    int digest_layer = image.digest.layer;
    if (image.tag.value.value.find('@') != std::string::npos) {
      digest_layer = std::max(digest_layer, image.tag.layer);  // `tag: x@sha256:…` pins itself
    }
    const Part* changed = nullptr;
    for (const Part* part : {&image.registry, &image.repository, &image.tag}) {
      if (part->present() && part->layer > digest_layer &&
          (changed == nullptr || part->layer >= changed->layer)) {
        changed = part;
      }
    }
    if (changed == nullptr) return;
    // What the digest was written for: the image as the layers up to the digest's compose it.
    std::vector<LayerDoc> below;
    for (int i = 0; i <= image.digest.layer; ++i) below.push_back({values_.doc(i), RootOf(i)});
    std::vector<EffectiveImage> then = FindEffectiveImages(LayeredValues(below), {image.path});
    std::string was_for = then.empty() ? std::string("another image") : then[0].reference;
    Add("IP011", changed->layer, changed->value.line, changed->value.column,
        std::string(values_.doc(changed->layer)->LineAt(changed->value.begin)),
        yaml::JoinKeyPath(image.key_path, changed->key),
        fmt::format("{} set here to \"{}\", but the digest is inherited from {}, which was for "
                    "{}: the digest pins another image; set the digest in this layer too",
                    changed->key, changed->value.value, Where(image.digest), was_for),
        image.reference);
  }

  // IP005: a chart default policy that no layer overrides.
  void CheckChartPullPolicy(const EffectiveImage& image) {
    const Part& p = image.pull_policy;
    if (!p.present() || layer(p.layer).role != LayerRole::kChart) return;
    if (p.value.value == config_.pull_policy) return;
    int at = TopEditableLayer();
    if (at < 0) return;
    std::string key =
        image.form == SiteForm::kString
            ? yaml::JoinKeyPath(
                  yaml::PrintKeyPath(yaml::SegmentPath(image.path.begin(), image.path.end() - 1)),
                  p.key)
            : yaml::JoinKeyPath(image.key_path, p.key);
    AddAtImageKey("IP005", at, image,
                  fmt::format("set {}: {} here; the chart default is {} at {}", key,
                              config_.pull_policy, p.value.value, Where(p)));
  }

  // IP001 on a reference that only the merge composes: the layer on top sets the tag (say) and
  // a lower one the repository, so no single file shows that nothing pins it.
  void CheckEffectivePin(const EffectiveImage& image) {
    if (image.form != SiteForm::kSplit || image.partial) return;
    int top = image.TopLayer();
    if (top < 0 || layer(top).role == LayerRole::kChart || image.repository.layer == top) return;
    base::Result<ref::Reference> parsed = ref::ParseReference(image.reference);
    if (!parsed.ok() || parsed->has_digest()) return;
    std::string repository = image.repository.value.value;
    AddAtImageKey("IP001", top, image,
                  fmt::format("image {} is not pinned by digest: its repository comes from {} and "
                              "no layer sets a digest; set digest here",
                              image.reference, Where(image.repository)));
  }

  // IP011 for one-scalar references: a layer's image.ref names another repository than the one
  // below it with the very same digest (copied, not resolved): a digest belongs to one image.
  // Another host with the same path is a mirror, which serves the same digests: not this.
  void CheckCopiedDigest(const EffectiveImage& image) {
    if (image.form == SiteForm::kSplit || image.ref.layer <= 0) return;
    std::vector<LayerDoc> below;
    for (int i = 0; i < image.ref.layer; ++i) below.push_back({values_.doc(i), RootOf(i)});
    std::vector<EffectiveImage> then = FindEffectiveImages(LayeredValues(below), {image.path});
    if (then.empty() || then[0].form == SiteForm::kSplit) return;
    base::Result<ref::Reference> now = ref::ParseReference(image.reference);
    base::Result<ref::Reference> was = ref::ParseReference(then[0].reference);
    if (!now.ok() || !was.ok() || !now->has_digest() || now->digest != was->digest ||
        now->path == was->path) {
      return;
    }
    const Part& ref = image.ref;
    Add("IP011", ref.layer, ref.value.line, ref.value.column,
        std::string(values_.doc(ref.layer)->LineAt(ref.value.begin)), image.key_path + ".ref",
        fmt::format("{} names {} with the digest {} pins for {}: a digest belongs to one image; "
                    "resolve this repository's own",
                    ref.key == "ref" ? image.key_path + ".ref" : image.key_path, now->Repository(),
                    Where(then[0].ref), was->Repository()),
        image.reference);
  }

  // IP004 on a first-party image whose repository only the chart's defaults set: the layers
  // above write a tag or digest, so no file shows the split on its own.
  void CheckEffectiveSplit(const EffectiveImage& image) {
    if (image.form != SiteForm::kSplit || image.partial || !image.repository.present()) return;
    if (layer(image.repository.layer).role != LayerRole::kChart) return;
    int top = image.TopLayer();
    if (top < 0 || layer(top).role == LayerRole::kChart) return;
    std::string repository = image.registry.value.value.empty()
                                 ? image.repository.value.value
                                 : image.registry.value.value + "/" + image.repository.value.value;
    if (!policy::IsFirstParty(config_, repository)) return;
    AddAtImageKey("IP004", top, image,
                  fmt::format("first-party image {} is set with repository/tag fields (the "
                              "repository from {}); use one image.ref: {}@sha256:<digest>",
                              repository, Where(image.repository), repository));
  }

  // The scalar value at `v` as written.
  std::string ValueOf(const LayeredValue& v) const {
    return std::string(values_.doc(v.layer)->Value(v.node));
  }

  // A finding at the value node `v` (its layer, line and column).
  void AddAtValue(std::string_view rule, const LayeredValue& v, std::string key_path,
                  std::string message, std::string reference = {}) {
    const yaml::Document* doc = values_.doc(v.layer);
    const yaml::Node& n = doc->node(v.node);
    Add(rule, v.layer, static_cast<int>(n.line) + 1, static_cast<int>(n.column) + 1,
        std::string(doc->LineAt(n.begin)), std::move(key_path), std::move(message),
        std::move(reference));
  }

  // IP013 on a pull policy a chart's template reads from the values: what the stack merges
  // must be the policy. A policy key in a layer (pullPolicy, imagePullPolicy) is IP005's, per
  // file or, for a chart default under an image, per app: reported once, there.
  void CheckChartPullPolicies(const ChartFacts& chart, const std::vector<EffectiveImage>& images) {
    for (const ChartValueUse& use : chart.pull_policies) {
      LayeredValue v = values_.Find(use.path);
      if (v.kind == LayeredValue::Kind::kScalar) {
        std::string value = ValueOf(v);
        if (value == config_.pull_policy) continue;
        const std::string& key = use.path.back().key;
        bool policy_key = key == "pullPolicy" || key == "imagePullPolicy";
        if (layer(v.layer).role != LayerRole::kChart) {
          if (!policy_key) {
            AddAtValue("IP013", v, use.printed,
                       fmt::format("{} is {}, which {} renders as imagePullPolicy; set {}",
                                   use.printed, value, use.at, config_.pull_policy));
          }
          continue;
        }
        const yaml::Node& n = values_.doc(v.layer)->node(v.node);
        bool reported = std::any_of(images.begin(), images.end(), [&](const EffectiveImage& i) {
          return i.pull_policy.layer == v.layer && i.pull_policy.value.line == int(n.line) + 1;
        });
        int at = TopEditableLayer();
        if (reported || at < 0) continue;
        Add("IP013", at, 0, 0, {}, use.printed,
            fmt::format("set {}: {} here; the chart default is {} at {}:{}, which {} renders as "
                        "imagePullPolicy",
                        use.printed, config_.pull_policy, value, layer(v.layer).path, n.line + 1,
                        use.at),
            {});
        continue;
      }
      if (v.present() || use.defaults_to_policy || use.subchart) continue;
      int at = TopEditableLayer();
      if (at < 0) continue;
      Add("IP013", at, 0, 0, {}, use.printed,
          fmt::format("no layer sets {}, which {} renders as imagePullPolicy (empty: Kubernetes "
                      "then picks Always for :latest or untagged images); set {}: {}",
                      use.printed, use.at, use.printed, config_.pull_policy),
          {});
    }
  }

  // IP014: a tag with a digest where the chart's templates put that tag into labels.
  void CheckTagsInLabels(const ChartFacts& chart) {
    for (const ChartValueUse& use : chart.label_tags) {
      LayeredValue v = values_.Find(use.path);
      if (v.kind != LayeredValue::Kind::kScalar) continue;
      std::string value = ValueOf(v);
      if (value.find('@') == std::string::npos) continue;
      std::string parent =
          yaml::PrintKeyPath(yaml::SegmentPath(use.path.begin(), use.path.end() - 1));
      std::string shown = value.size() > 40 ? value.substr(0, 37) + "..." : value;
      AddAtValue("IP014", v, use.printed,
                 fmt::format("tag \"{}\" carries a digest, and the chart puts {} into labels "
                             "({}): a label value allows no '@' or ':', so the release fails; "
                             "put the digest in {}.digest, or use {}.ref",
                             shown, use.printed, use.at, parent.empty() ? "image" : parent,
                             parent.empty() ? "image" : parent));
    }
  }

  void Run(const std::vector<EffectiveImage>& images, const ChartFacts* chart) {
    if (chart != nullptr) {
      CheckChartPullPolicies(*chart, images);
      CheckTagsInLabels(*chart);
    }
    CheckImageRef();
    for (const EffectiveImage& image : images) {
      CheckMixedLayers(image);
      CheckCopiedDigest(image);
      CheckEffectiveSplit(image);
      CheckChartPullPolicy(image);
      CheckEffectivePin(image);
    }
  }

 private:
  const policy::Config& config_;
  const Application& app_;
  const LayeredValues& values_;
  std::vector<policy::Finding>* out_;
};

}  // namespace

bool RequiresImageRef(const policy::Config& config, const Application& app,
                      const LayeredValues& values) {
  for (const std::string& glob : config.applications.require_ref) {
    if (base::GlobMatch(glob, app.name)) return true;
  }
  return ChartRequiresImageRef(app, values);
}

bool ChartRequiresImageRef(const Application& app, const LayeredValues& values) {
  if (app.layers.empty() || app.layers[0].role != LayerRole::kChart) return false;
  const yaml::Document* chart = values.doc(0);
  if (chart == nullptr) return false;
  NodeId image = LookupKey(*chart, chart->root(), "image");
  NodeId ref = image == kNoNode ? kNoNode : LookupKey(*chart, image, "ref");
  return ref != kNoNode && chart->node(ref).kind == yaml::NodeKind::kScalar;
}

void EvaluateApplication(const policy::Config& config, const Application& app,
                         const LayeredValues& values, const std::vector<EffectiveImage>& images,
                         std::vector<policy::Finding>* out, const ChartFacts* chart) {
  AppEvaluator(config, app, values, out).Run(images, chart);
}

}  // namespace imagepin::apps
