#include "scan/extract.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/utf8.h"
#include "yaml/key_path.h"

namespace imagepin::scan {
namespace {

using yaml::Document;
using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;

constexpr std::string_view kContainerLists[] = {"containers", "initContainers",
                                                "ephemeralContainers"};

// `image`, or a camelCase key ending in `Image` (`configReloaderImage`): charts name secondary
// images that way. `JOB_RUNNER_IMAGE` (an env var) and `imagePullSecrets` are not image keys.
// `image`, a camelCase `…Image` key, or a kebab-case `…-image` one (Knative's ConfigMap keys:
// `queue-sidecar-image`).
bool IsImageKey(std::string_view key) {
  if (key.size() < 5 || key.back() != 'e') return false;  // most keys: one compare
  return key == "image" || (key.size() > 5 && key.ends_with("Image")) ||
         (key.size() > 6 && key.ends_with("-image"));
}

bool IsPullPolicyKey(std::string_view key) {
  return key == "pullPolicy" || key == "imagePullPolicy";
}

// A scalar that could be a reference: not a boolean or number-looking word with spaces.
bool LooksLikeReferenceText(std::string_view v) {
  if (v.empty() || v == "true" || v == "false") return false;
  return v.find_first_of(" \t\n") == std::string_view::npos;
}

// A repository that names a chart source, not an image: Chart.yaml `dependencies` and
// requirements.yaml write `repository: https://…`, `oci://…`, `file://…` or `@alias`.
bool IsChartRepositoryText(std::string_view v) {
  return v.find("://") != std::string_view::npos || v.starts_with("@") || v.starts_with("file:");
}

// The keys of one mapping that the walk asks about, found in one pass over it (this runs for
// every mapping of every file: one scan, a few length-first compares per key).
struct KeyScan {
  yaml::NodeId api_version = yaml::kNoNode, kind = yaml::kNoNode;
  yaml::NodeId repository = yaml::kNoNode, tag = yaml::kNoNode, registry = yaml::kNoNode;
  yaml::NodeId digest = yaml::kNoNode, name = yaml::kNoNode, version = yaml::kNoNode;
  yaml::NodeId hub = yaml::kNoNode, image = yaml::kNoNode, global = yaml::kNoNode;
  yaml::NodeId image_registry = yaml::kNoNode, image_namespace = yaml::kNoNode;
  // DataDog's `{containerRegistry, imageName, imageTag}`.
  yaml::NodeId image_name = yaml::kNoNode, image_tag = yaml::kNoNode;
  yaml::NodeId container_registry = yaml::kNoNode;
};

void NoteKey(std::string_view key, yaml::NodeId v, KeyScan* s) {
  auto first = [&](yaml::NodeId* slot) {
    if (*slot == yaml::kNoNode) *slot = v;
  };
  // Length, then first letter, then the compare: most keys are none of these, and this runs for
  // every key of every file.
  if (key.size() < 3 || key.size() > 17) return;
  switch (key.size() * 128 + static_cast<unsigned char>(key[0])) {
    case 3 * 128 + 't':
      if (key == "tag") first(&s->tag);
      break;
    case 3 * 128 + 'h':
      if (key == "hub") first(&s->hub);
      break;
    case 4 * 128 + 'k':
      if (key == "kind") first(&s->kind);
      break;
    case 4 * 128 + 'n':
      if (key == "name") first(&s->name);
      break;
    case 5 * 128 + 'i':
      if (key == "image") first(&s->image);
      break;
    case 6 * 128 + 'd':
      if (key == "digest") first(&s->digest);
      break;
    case 6 * 128 + 'g':
      if (key == "global") first(&s->global);
      break;
    case 7 * 128 + 'v':
      if (key == "version") first(&s->version);
      break;
    case 8 * 128 + 'r':
      if (key == "registry") first(&s->registry);
      break;
    case 8 * 128 + 'i':
      if (key == "imageTag") first(&s->image_tag);
      break;
    case 9 * 128 + 'i':
      if (key == "imageName") first(&s->image_name);
      break;
    case 10 * 128 + 'a':
      if (key == "apiVersion") first(&s->api_version);
      break;
    case 10 * 128 + 'r':
      if (key == "repository") first(&s->repository);
      break;
    case 13 * 128 + 'i':
      if (key == "imageRegistry") first(&s->image_registry);
      break;
    case 14 * 128 + 'i':
      if (key == "imageNamespace") first(&s->image_namespace);
      break;
    case 17 * 128 + 'c':
      if (key == "containerRegistry") first(&s->container_registry);
      break;
    default:
      break;
  }
}

// Where the walk stands, as keys and list indexes. The printed path (KeyPath) is built only for
// the rare node that becomes a field: printing every key of every file cost more than the walk.
class PathStack {
 public:
  void PushKey(std::string_view key) { segments_.push_back({key, 0, false}); }
  void PushIndex(size_t index) { segments_.push_back({{}, index, true}); }
  void Pop() { segments_.pop_back(); }
  size_t depth() const { return segments_.size(); }
  // The printed path of the first `depth` segments (all of them by default).
  std::string Text(size_t depth = SIZE_MAX) const {
    yaml::KeyPath path;
    for (size_t i = 0; i < std::min(depth, segments_.size()); ++i) {
      const Segment& s = segments_[i];
      s.is_index ? path.PushIndex(s.index) : path.PushKey(s.key);
    }
    return path.str();
  }
  yaml::SegmentPath Segments() const {
    yaml::SegmentPath path;
    path.reserve(segments_.size());
    for (const Segment& s : segments_) {
      path.push_back(s.is_index ? yaml::PathSegment{{}, static_cast<int64_t>(s.index)}
                                : yaml::PathSegment{std::string(s.key), -1});
    }
    return path;
  }

 private:
  struct Segment {
    std::string_view key;  // views a key's value in the Document, or a string literal
    size_t index;
    bool is_index;
  };
  std::vector<Segment> segments_;
};

class Extractor {
 public:
  Extractor(const Document& doc, const ExtractOptions& options, DocumentFields* out)
      : doc_(doc), options_(options), out_(out) {}

  void Run() {
    NodeId root = doc_.root();
    if (root == kNoNode) return;
    if (doc_.node(root).kind == NodeKind::kMapping) {
      kustomization_ =
          options_.kustomization_file || ScalarValue(doc_.Get(root, "kind")) == "Kustomization";
      std::string_view api_version = ScalarValue(doc_.Get(root, "apiVersion"));
      if (api_version.starts_with("argoproj.io/") ||
          api_version.starts_with("helm.toolkit.fluxcd.io/")) {
        ++out_->application_objects;
      }
      std::string_view kind = ScalarValue(doc_.Get(root, "kind"));
      skaffold_ = api_version.starts_with("skaffold/");
      // A helm-unittest suite: `set:` holds values (dotted paths allowed), `asserts:` holds
      // expectations about rendered output, not images anything deploys.
      unittest_ = doc_.Get(root, "suite") != kNoNode && doc_.Get(root, "tests") != kNoNode;
      argo_application_ =
          options_.argocd_source_file || (api_version.starts_with("argoproj.io/") &&
                                          (kind == "Application" || kind == "ApplicationSet"));
    }
    Walk(root, /*pod_spec=*/false, /*parent_key=*/{}, /*key_node=*/kNoNode);
  }

 private:
  std::string_view ScalarValue(NodeId id) const {
    id = doc_.Resolve(id);
    if (id == kNoNode || doc_.node(id).kind != NodeKind::kScalar) return {};
    return doc_.Value(id);
  }

  bool IsScalar(NodeId id) const {
    return id != kNoNode && doc_.node(id).kind == NodeKind::kScalar;
  }
  bool IsMapping(NodeId id) const {
    return id != kNoNode && doc_.node(id).kind == NodeKind::kMapping;
  }
  bool IsCollection(NodeId id) const {
    return id != kNoNode &&
           (doc_.node(id).kind == NodeKind::kMapping || doc_.node(id).kind == NodeKind::kSequence);
  }

  // The keys the walk asks about (KeyScan), the first of each, as Document::Get finds them.
  KeyScan ScanKeys(const yaml::Node& n) const {
    KeyScan scan;
    for (NodeId k = n.first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      if (doc_.node(k).kind == NodeKind::kScalar) NoteKey(doc_.Value(k), v, &scan);
      k = doc_.node(v).next_sibling;
    }
    return scan;
  }

  // A scalar that is set: not absent, not null (through an alias).
  bool IsSetScalar(NodeId id) const {
    id = doc_.Resolve(id);
    return IsScalar(id) && !doc_.IsNull(id);
  }

  // A scalar with a value: set and not empty (`hub: ""` defers to the default, as
  // `{{ .Values.hub | default .Values.global.hub }}` does).
  bool IsNonEmptyScalar(NodeId id) const {
    return IsSetScalar(id) && !doc_.Value(doc_.Resolve(id)).empty();
  }

  // `key` (a KeyScan member) in the nearest enclosing mapping that gives it a value, or in that
  // mapping's `global:` (Istio's `global.hub`/`global.tag`, cert-manager's top-level
  // `imageRegistry`). Only asked for image fields that leave a part to the chart; each `global`
  // is scanned once.
  NodeId FindUp(NodeId KeyScan::*member) {
    for (size_t i = ancestors_.size(); i-- > 0;) {
      const KeyScan& a = ScanOf(ancestors_[i]);
      if (IsNonEmptyScalar(a.*member)) return a.*member;
      NodeId global = doc_.Resolve(a.global);
      if (!IsMapping(global)) continue;
      const KeyScan& g = ScanOf(global);
      if (IsNonEmptyScalar(g.*member)) return g.*member;
    }
    return kNoNode;
  }

  // The KeyScan of mapping `m`, scanned once (FindUp asks it of the walk's ancestors).
  const KeyScan& ScanOf(NodeId m) {
    auto [it, inserted] = key_scans_.try_emplace(m);
    if (inserted) it->second = ScanKeys(doc_.node(m));
    return it->second;
  }

  // Looks up `key` in a mapping, then in mappings merged into it with `<<: *anchor` or
  // `<<: [*a, *b]` (earlier ones win, as the merge-key spec says).
  NodeId Lookup(NodeId mapping, std::string_view key) const {
    NodeId v = doc_.Get(mapping, key);
    if (v != kNoNode) return v;
    NodeId merge = doc_.Get(mapping, "<<");
    if (merge == kNoNode) return kNoNode;
    NodeId target = doc_.Resolve(merge);
    if (IsMapping(target)) return doc_.Get(target, key);
    if (target == kNoNode || doc_.node(target).kind != NodeKind::kSequence) return kNoNode;
    for (NodeId item = doc_.node(target).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling) {
      NodeId merged = doc_.Resolve(item);
      if (!IsMapping(merged)) continue;
      if (NodeId found = doc_.Get(merged, key); found != kNoNode) return found;
    }
    return kNoNode;
  }

  Scalar MakeScalar(NodeId id) const { return scan::MakeScalar(doc_, id); }

  ImageField NewField(FieldForm form, NodeId at) const {
    ImageField f;
    f.form = form;
    f.document = doc_.index();
    f.key_path = path_.Text();
    if (options_.record_paths) f.path = path_.Segments();
    const yaml::Node& n = doc_.node(at);
    f.line = static_cast<int>(n.line) + 1;
    f.column = static_cast<int>(n.column) + 1;
    f.source_line = std::string(doc_.LineAt(n.begin));
    f.workload_kind = std::string(object_kind_);
    return f;
  }

  void Emit(ImageField f) {
    // `ko://module/path` is ko's placeholder, replaced by a built image at build time: like a
    // `{{ }}` template, only the build knows the image.
    f.templated = f.reference.find("{{") != std::string::npos || f.reference.starts_with("ko://");
    out_->images.push_back(std::move(f));
  }

  // Fields reached again through an alias add its path to the anchor's fields (`images` lists
  // every path; the rules see the field once). True if `target` was reported already.
  bool NoteAlias(NodeId target) {
    auto it = anchored_fields_.find(target);
    if (it == anchored_fields_.end()) return false;
    // Fields × aliases can be quadratic in a hostile file (an anchor of 10,000 images aliased
    // 10,000 times): past kMaxAliasPaths per document the listing stops growing.
    for (size_t i = it->second.first; i < it->second.second && alias_paths_ < kMaxAliasPaths;
         ++i, ++alias_paths_)
      out_->images[i].aliases.push_back(path_.Text());
    return true;
  }
  // An anchored mapping or list the walk is in: the fields found inside it, and its path, so
  // that an alias of it (`worker: *defaults`) lists its own path for each of them.
  class AnchorScope {
   public:
    AnchorScope(Extractor* e, NodeId id)
        : e_(e), id_(IsAnchored(e, id) ? id : kNoNode), before_(e->out_->images.size()) {}
    ~AnchorScope() {
      if (id_ == kNoNode || e_->out_->images.size() == before_) return;
      e_->anchored_subtrees_.try_emplace(
          id_, AnchoredSubtree{before_, e_->out_->images.size(), e_->path_.Text()});
    }

   private:
    static bool IsAnchored(Extractor* e, NodeId id) { return e->doc_.node(id).anchor_length != 0; }
    Extractor* e_;
    NodeId id_;
    size_t before_;
  };

  void NoteAliasedSubtree(NodeId target) {
    auto it = anchored_subtrees_.find(target);
    if (it == anchored_subtrees_.end()) return;
    const AnchoredSubtree& a = it->second;
    std::string here = path_.Text();
    for (size_t i = a.first; i < a.last && alias_paths_ < kMaxAliasPaths; ++i, ++alias_paths_) {
      const std::string& path = out_->images[i].key_path;
      out_->images[i].aliases.push_back(here + path.substr(std::min(path.size(), a.path.size())));
    }
  }

  void RememberAnchor(NodeId target, size_t before) {
    // Only an anchored node can be reached again (through an alias): remember just those.
    if (doc_.node(target).anchor_length != 0)
      anchored_fields_.try_emplace(target, before, out_->images.size());
  }

  // `key_node` is the key (or list item) that holds `id`, where a field found here points.
  void Walk(NodeId id, bool pod_spec, std::string_view parent_key, NodeId key_node) {
    if (id == kNoNode) return;
    // Aliases are walked where their anchor is written, never again (no expansion); the paths
    // that reach the anchor's fields through them are listed beside those fields.
    if (doc_.node(id).kind == NodeKind::kAlias) return NoteAliasedSubtree(doc_.Resolve(id));
    const yaml::Node& n = doc_.node(id);
    AnchorScope anchor(this, id);
    if (n.kind == NodeKind::kSequence) {
      size_t i = 0;
      for (NodeId item = n.first_child; item != kNoNode; item = doc_.node(item).next_sibling, ++i) {
        if (!IsCollection(item) && doc_.node(item).kind != NodeKind::kAlias) continue;
        path_.PushIndex(i);
        Walk(item, false, parent_key, item);
        path_.Pop();
      }
      return;
    }
    if (n.kind != NodeKind::kMapping) return;

    // A Kubernetes object (root or a List item): remember its kind for pod-template detection.
    std::string_view saved_kind = object_kind_;
    ancestors_.push_back(id);
    const KeyScan keys = ScanKeys(n);
    bool is_object = IsScalar(keys.api_version) && IsScalar(keys.kind);
    if (is_object) object_kind_ = ScalarValue(keys.kind);
    // The `image:` scalar a loose split took as its repository: not a field of its own.
    NodeId taken_image =
        !is_object && key_node != kNoNode ? LooseSplit(id, key_node, keys) : kNoNode;

    for (NodeId k = n.first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      std::string_view key = ScalarValue(k);
      path_.PushKey(key);
      if (pod_spec && std::find(std::begin(kContainerLists), std::end(kContainerLists), key) !=
                          std::end(kContainerLists)) {
        HandleContainers(v, key);
      } else if (kustomization_ && path_.depth() == 1 && key == "images") {
        HandleKustomizeImages(v);
      } else if (argo_application_ && key == "images" && parent_key == "kustomize") {
        HandleArgoKustomizeImages(v);
      } else if (IsImageKey(key)) {
        // `rbd: {image: …}` is a Ceph block device (RBDVolumeSource), not a container image.
        if (v != taken_image && parent_key != "rbd") HandleImage(k, v, key, id);
      } else if (IsPullPolicyKey(key) && IsScalar(v)) {
        RecordPullPolicy(v);
      } else if (unittest_ && (key == "asserts" || key == "documentSelector")) {
        // helm-unittest's expectations about what the chart renders: not values.
      } else if (skaffold_ && key == "artifacts" && parent_key == "build") {
        // Skaffold's `build.artifacts[].image` names what it builds and tags itself, not a
        // reference anything deploys: not an image field.
      } else if (doc_.node(v).kind == NodeKind::kAlias) {
        NoteAliasedSubtree(doc_.Resolve(v));
      } else if (IsCollection(v)) {  // most values are scalars: nothing to walk
        if (key == "images" && IsMapping(v)) HandleImagesMapping(v);
        if (unittest_ && key == "set" && IsMapping(v)) HandleDottedSet(doc_.Resolve(v));
        // `spec` of a Pod, and `spec` under any `template`, is a pod spec.
        bool child_pod_spec = !object_kind_.empty() && key == "spec" &&
                              ((is_object && object_kind_ == "Pod") || parent_key == "template");
        Walk(v, child_pod_spec, key, k);
      }
      path_.Pop();
      k = doc_.node(v).next_sibling;
    }
    ancestors_.pop_back();
    object_kind_ = saved_kind;
  }

  // True if mapping `m` is merged somewhere with `<<: *anchor` or `<<: [*a, *b]`. Asked only
  // of anchored mappings that look like images (rare), so the one pass over the document's
  // nodes that finds every merge source runs at most once per document, and seldom.
  bool IsMergeSource(NodeId m) {
    if (doc_.node(m).anchor_length == 0) return false;
    if (!merge_sources_ready_) {
      merge_sources_ready_ = true;
      auto add = [&](NodeId alias) {
        if (alias != kNoNode && doc_.node(alias).kind == NodeKind::kAlias)
          merge_sources_.insert(doc_.node(alias).alias_target);
      };
      for (NodeId id = 0; id < static_cast<NodeId>(doc_.node_count()); ++id) {
        if (doc_.node(id).kind != NodeKind::kMapping) continue;
        for (NodeId k = doc_.node(id).first_child; k != kNoNode;) {
          NodeId v = doc_.node(k).next_sibling;
          if (v == kNoNode) break;
          if (ScalarValue(k) == "<<") {
            if (doc_.node(v).kind == NodeKind::kSequence) {
              for (NodeId item = doc_.node(v).first_child; item != kNoNode;
                   item = doc_.node(item).next_sibling)
                add(item);
            } else {
              add(v);
            }
          }
          k = doc_.node(v).next_sibling;
        }
      }
    }
    return merge_sources_.count(m) != 0;
  }

  // A split image under a key not named image (`csi: {cephcsi: {repository, tag}}`): a scalar
  // `repository` beside a `tag`, `registry` or `digest`, or an `image` without a tag of its own
  // in that place (Traefik's `images: {proxy: {image: traefik, tag, registry}}`; beside a `hub`
  // it is Istio's form, HandleSiblingParts). Not a chart dependency (Chart.yaml's and
  // requirements.yaml's `{name, version, repository}`), not a chart repository URL, not the
  // shared `images: {repository, tag}` prefix a chart builds every image from. Returns the
  // `image` scalar taken as the repository, or kNoNode.
  NodeId LooseSplit(NodeId m, NodeId key_node, const KeyScan& keys) {
    NodeId repository = doc_.Resolve(keys.repository);
    NodeId taken_image = kNoNode;
    if (repository == kNoNode && keys.hub == kNoNode && IsSetScalar(keys.image) &&
        IsSetScalar(keys.tag) && !HasTagOrDigest(doc_.Value(doc_.Resolve(keys.image)))) {
      repository = taken_image = doc_.Resolve(keys.image);
    }
    NodeId tag = keys.tag, registry = keys.registry;
    NodeId named_part = kNoNode;  // the repository under a prefixed name
    if (repository == kNoNode && keys.image == kNoNode && IsScalar(keys.image_name)) {
      // `{containerRegistry, imageName, imageTag}`: the parts under prefixed names.
      repository = named_part = doc_.Resolve(keys.image_name);
      if (tag == kNoNode) tag = keys.image_tag;
      if (registry == kNoNode)
        registry =
            keys.container_registry != kNoNode ? keys.container_registry : keys.image_registry;
    }
    // A part key beside the repository, set or left empty (`{repository: , tag: }` is the
    // chart's default, listed as partial).
    bool beside = tag != kNoNode || registry != kNoNode || keys.digest != kNoNode;
    if (!IsScalar(repository) || !beside) return kNoNode;
    if (keys.name != kNoNode && keys.version != kNoNode) return kNoNode;  // a chart dependency
    if (ScalarValue(key_node) == "images") return kNoNode;
    // `base: &base {repository, tag}` merged into `image: {<<: *base, tag: …}`: a template
    // for the image mapping, which is the field (an alias `image: *base` is not a merge).
    if (IsMergeSource(m)) return kNoNode;
    std::string_view text = doc_.Value(repository);
    if (IsChartRepositoryText(text) || text.find_first_of(" \t") != std::string_view::npos)
      return kNoNode;
    size_t before = out_->images.size();
    // A mapping of image parts only is a split mapping, found at its key; an `image` and a
    // `tag` among other settings (argo-cd's `redis.exporter: {enabled, image, tag, …}`) are
    // sibling parts, found at the `image` key.
    if (taken_image != kNoNode || named_part != kNoNode)
      key_node = ImageKeyUnlessOnlyParts(m, repository, key_node);
    ImageField f = NewField(FieldForm::kSplit, key_node);
    f.registry = MakeScalar(registry);
    f.repository = MakeScalar(repository);
    f.tag = MakeScalar(tag);
    f.digest = MakeScalar(keys.digest);
    SetPullPolicy(m, "pullPolicy", "imagePullPolicy", path_.depth(), &f);
    f.partial = !f.repository.present || f.repository.value.empty();
    f.reference = ComposeSplit(f);
    Emit(std::move(f));
    RememberAnchor(m, before);
    return taken_image;
  }

  NodeId ImageKeyUnlessOnlyParts(NodeId m, NodeId image, NodeId mapping_key) const {
    NodeId image_key = kNoNode;
    bool only_parts = true;
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      std::string_view key = ScalarValue(k);
      if (doc_.Resolve(v) == image) image_key = k;
      only_parts &= key == "image" || key == "tag" || key == "registry" || key == "digest" ||
                    key == "imageName" || key == "imageTag" || key == "containerRegistry" ||
                    key == "imageRegistry" || IsPullPolicyKey(key) || key == "pullSecrets";
      k = doc_.node(v).next_sibling;
    }
    return only_parts || image_key == kNoNode ? mapping_key : image_key;
  }

  // `registrationImage` names an image; `useStandaloneImage` or `enableImage` a switch about
  // one, and a dotted key (`datadog.otelCollector.useStandaloneImage`) a flattened table.
  static bool IsImageSettingName(std::string_view key) {
    if (key.find('.') != std::string_view::npos) return false;
    for (std::string_view verb : {"use", "enable", "disable", "skip", "pull", "allow"})
      if (key.starts_with(verb)) return false;
    return true;
  }

  static bool HasTagOrDigest(std::string_view text) {
    WrittenParts parts = SplitWritten(text);
    return parts.has_tag || parts.has_digest;
  }

  // helm-unittest's `set:` with dotted paths, as `helm --set` takes them:
  // `controller.image.tag: v1` beside `controller.image.digest: sha256:…` is one split image
  // `controller.image`, at its first key; `controller.image: nginx:1.27` is a string. A prefix
  // with only a registry is an override, not an image (as `image: {registry}` is).
  void HandleDottedSet(NodeId m) {
    struct Group {
      std::string prefix;
      NodeId first_key = kNoNode;
      NodeId registry = kNoNode, repository = kNoNode, tag = kNoNode, digest = kNoNode;
    };
    std::vector<Group> groups;                              // in the order of their first key
    std::unordered_map<std::string_view, size_t> group_of;  // prefix → index (views into doc_)
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      const NodeId key_node = k;
      std::string_view key = ScalarValue(k);
      k = doc_.node(v).next_sibling;
      size_t dot = key.rfind('.');
      if (dot == std::string_view::npos || !IsSetScalar(v)) continue;
      std::string_view last = key.substr(dot + 1), prefix = key.substr(0, dot);
      std::string_view owner = prefix.substr(prefix.rfind('.') + 1);
      if (!IsImageKey(owner)) {
        // `controller.image: nginx:1.27` (not `controller.image.image`, ingress-nginx's part)
        if (!IsImageKey(last) || !LooksLikeReferenceText(ScalarValue(v))) continue;
        path_.PushKey(key);
        ImageField f = NewField(FieldForm::kString, doc_.Resolve(v));
        f.ref = MakeScalar(v);
        f.reference = f.ref.value;
        path_.Pop();
        Emit(std::move(f));
        continue;
      }
      auto [at, added] = group_of.try_emplace(prefix, groups.size());
      if (added) groups.push_back(Group{std::string(prefix), key_node});
      Group* g = &groups[at->second];
      if (last == "registry") g->registry = v;
      if (last == "repository" || last == "image" || last == "name") g->repository = v;
      if (last == "tag") g->tag = v;
      if (last == "digest") g->digest = v;
    }
    for (const Group& g : groups) {
      if (g.repository == kNoNode && g.tag == kNoNode && g.digest == kNoNode) continue;
      path_.PushKey(g.prefix);
      ImageField f = NewField(FieldForm::kSplit, g.first_key);
      f.registry = MakeScalar(g.registry);
      f.repository = MakeScalar(g.repository);
      f.tag = MakeScalar(g.tag);
      f.digest = MakeScalar(g.digest);
      f.partial = !f.repository.present || f.repository.value.empty();
      f.reference = ComposeSplit(f);
      path_.Pop();
      Emit(std::move(f));
    }
  }

  // `images: {operator: ghcr.io/acme/operator, webhook: …, tag: ""}`: a mapping of names to
  // references, the tag (when written) shared and appended by the chart. Values must look like
  // references (a `/` or `:`); image keys and nested mappings are left to the walk.
  void HandleImagesMapping(NodeId m) {
    m = doc_.Resolve(m);
    const KeyScan keys = ScanKeys(doc_.node(m));
    bool shared_tag = IsScalar(doc_.Resolve(keys.tag));
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      const NodeId key_node = k;
      std::string_view key = ScalarValue(k);
      NodeId target = doc_.Resolve(v);
      k = doc_.node(v).next_sibling;
      if (!IsSetScalar(target) || IsImageKey(key) || IsPullPolicyKey(key)) continue;
      if (target == keys.tag || target == keys.registry || target == keys.repository) continue;
      std::string_view text = doc_.Value(target);
      if (!LooksLikeReferenceText(text) || text.find_first_of("/:") == std::string_view::npos ||
          IsChartRepositoryText(text))
        continue;
      path_.PushKey(key);
      if (shared_tag) {
        ImageField f = NewField(FieldForm::kSplit, key_node);
        f.repository = MakeScalar(target);
        f.tag = MakeScalar(keys.tag);
        f.registry = MakeScalar(keys.registry);
        f.reference = ComposeSplit(f);
        Emit(std::move(f));
      } else {
        ImageField f = NewField(FieldForm::kString, target);
        f.ref = MakeScalar(target);
        f.reference = f.ref.value;
        Emit(std::move(f));
      }
      path_.Pop();
    }
  }

  // Argo CD `spec.source(s).kustomize.images`: `[old=]new[:tag][@digest]` strings. The image is
  // the part after `=`. `ref` spans only those bytes, so a rewrite (pin, promote) replaces the
  // reference and keeps `old=`; when the scalar's text is not its value byte for byte (escapes,
  // a folded line) `ref` is not set and nothing offers to rewrite it.
  void HandleArgoKustomizeImages(NodeId list) {
    list = doc_.Resolve(list);
    if (list == kNoNode || doc_.node(list).kind != NodeKind::kSequence) return;
    size_t i = 0;
    for (NodeId item = doc_.node(list).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling, ++i) {
      NodeId e = doc_.Resolve(item);
      if (!IsSetScalar(e)) continue;
      std::string_view value = doc_.Value(e);
      size_t eq = value.find('=');
      std::string_view reference = eq == std::string_view::npos ? value : value.substr(eq + 1);
      if (reference.empty()) continue;
      path_.PushIndex(i);
      ImageField f = NewField(FieldForm::kKustomize, e);
      f.reference = std::string(reference);
      // Values only: the parts are not scalars of their own, so they carry no position and are
      // not `present`.
      WrittenParts parts = SplitWritten(reference);
      f.repository.value = std::string(parts.name);
      f.tag.value = std::string(parts.tag);
      f.digest.value = std::string(parts.digest);
      if (std::optional<Scalar> sub = ScalarSuffix(doc_, e, value.size() - reference.size())) {
        f.ref = std::move(*sub);
        f.column = f.ref.column;
      }
      path_.Pop();
      Emit(std::move(f));
    }
  }

  void RecordPullPolicy(NodeId v) {
    PullPolicyField p;
    p.document = doc_.index();
    p.value = MakeScalar(v);
    if (!p.value.present) return;
    p.key_path = path_.Text();
    if (options_.record_paths) p.path = path_.Segments();
    out_->pull_policies.push_back(std::move(p));
  }

  struct PolicyLookup {
    std::string_view key;
    NodeId node = kNoNode;
  };
  PolicyLookup FindPullPolicy(NodeId mapping, std::string_view preferred,
                              std::string_view other) const {
    NodeId p = Lookup(mapping, preferred);
    return p != kNoNode ? PolicyLookup{preferred, p} : PolicyLookup{other, Lookup(mapping, other)};
  }

  // The policy beside string images in `mapping`, looked up once per mapping: a mapping of n
  // `…Image` keys asks n times, and a scan of the mapping per ask was n² (104 s at 80,000 keys).
  const PolicyLookup& SiblingPullPolicy(NodeId mapping) {
    auto [it, inserted] = sibling_policies_.try_emplace(mapping);
    if (inserted) it->second = FindPullPolicy(mapping, "imagePullPolicy", "pullPolicy");
    return it->second;
  }

  // The pull policy written in `mapping` (`imagePullPolicy:` or `pullPolicy:`, `preferred`
  // first), with its key path: the first `mapping_depth` segments of the path, and the key.
  void SetPullPolicy(NodeId mapping, std::string_view preferred, std::string_view other,
                     size_t mapping_depth, ImageField* f) const {
    PolicyLookup found = FindPullPolicy(mapping, preferred, other);
    SetPullPolicy(found, mapping_depth, f);
  }
  void SetPullPolicy(const PolicyLookup& found, size_t mapping_depth, ImageField* f) const {
    std::string_view key = found.key;
    NodeId p = found.node;
    f->pull_policy = MakeScalar(p);
    if (f->pull_policy.present)
      f->pull_policy_key_path = yaml::JoinKeyPath(path_.Text(mapping_depth), key);
  }

  void HandleImage(NodeId key_node, NodeId value, std::string_view key, NodeId parent) {
    NodeId target = doc_.Resolve(value);
    if (target == kNoNode) return;
    if (target != value) {
      // Reached through an alias: report at the anchor, once; list this path beside it.
      if (NoteAlias(target)) return;
      key_node = target;
    }
    size_t before = out_->images.size();
    const yaml::Node& t = doc_.node(target);
    if (t.kind == NodeKind::kScalar) {
      if (doc_.IsNull(target)) {
        YttPlaceholder(key_node);
        return;
      }
      if (key != "image" && doc_.Value(target).empty() && IsImageSettingName(key)) {
        // `registrationImage: ""`: an override left empty, so the chart's (or the operator's)
        // default applies. Listed as partial, as `image: {repository: ""}` is; nothing to judge.
        ImageField f = NewField(FieldForm::kString, target);
        f.ref = MakeScalar(target);
        f.partial = true;
        Emit(std::move(f));
        return;
      }
      if (key != "image" && !LooksLikeReferenceText(doc_.Value(target))) return;
      if (!HandleSiblingParts(key_node, target, key, parent)) {
        ImageField f = NewField(FieldForm::kString, target);
        f.ref = MakeScalar(target);
        f.reference = f.ref.value;
        // The policy beside the image key is its sibling: its path is the parent's path + key.
        SetPullPolicy(SiblingPullPolicy(parent), path_.depth() - 1, &f);
        Emit(std::move(f));
      }
    } else if (t.kind == NodeKind::kMapping) {
      HandleImageMapping(key_node, target, key, /*depth=*/0);
      NodeId policy = Lookup(target, "pullPolicy");
      if (policy == kNoNode) policy = Lookup(target, "imagePullPolicy");
      if (out_->images.size() == before) {
        // `image: {pullPolicy: Always}` overrides only the policy: still a policy to check.
        if (IsScalar(doc_.Resolve(policy))) {
          path_.PushKey(doc_.Get(target, "pullPolicy") != kNoNode ? "pullPolicy"
                                                                  : "imagePullPolicy");
          RecordPullPolicy(policy);
          path_.Pop();
        }
      }
    } else {
      Walk(target, false, key, key_node);
    }
    RememberAnchor(target, before);
  }

  // `image: #@ data.values.image` is a Carvel ytt template: YAML reads a null (the rest is a
  // comment), ytt writes the image. Like `{{ }}`, only the renderer knows it: a templated field,
  // so the image is listed and never silently absent.
  void YttPlaceholder(NodeId key_node) {
    if (key_node == kNoNode || doc_.node(key_node).kind != NodeKind::kScalar) return;
    Scalar key = MakeScalar(key_node);
    std::string_view line = key.source_line;
    size_t after_key = line.find(':', static_cast<size_t>(key.column - 1));
    if (after_key == std::string_view::npos) return;
    std::string_view rest = line.substr(after_key + 1);
    size_t mark = rest.find("#@");
    if (mark == std::string_view::npos ||
        rest.substr(0, mark).find_first_not_of(" \t") != std::string_view::npos)
      return;
    std::string_view expression = rest.substr(mark + 2);
    size_t first = expression.find_first_not_of(' ');
    if (first == std::string_view::npos) return;
    ImageField f = NewField(FieldForm::kString, key_node);
    f.reference = "#@ " + std::string(expression.substr(first));
    f.templated = true;
    out_->images.push_back(std::move(f));
  }

  // `image: repo` whose tag (or registry) the chart takes from a sibling key: `imageTag:` beside
  // `image:` (`<key>Tag` beside any image key), Istio's `hub:`/`tag:` beside `image:` with
  // `global.hub`/`global.tag` as the defaults (istio's templates: `{{ .Values.hub | default
  // .Values.global.hub }}/{{ .Values.image }}:{{ .Values.tag | default .Values.global.tag }}`,
  // and an image with a `/` used as written). A split field: its parts are separate scalars, so a
  // rewrite never writes a digest into `image:` ahead of the chart's `:tag`. False if no
  // sibling part applies (a plain string field).
  bool HandleSiblingParts(NodeId key_node, NodeId image, std::string_view key, NodeId parent) {
    std::string_view text = doc_.Value(image);
    if (HasTagOrDigest(text) || ancestors_.empty()) return false;
    NodeId tag = Lookup(parent, std::string(key) + "Tag");
    NodeId hub = kNoNode;
    if (key == "image" && text.find('/') == std::string_view::npos) {
      hub = FindUp(&KeyScan::hub);  // the siblings' mapping first
      if (hub != kNoNode && !IsSetScalar(tag)) tag = FindUp(&KeyScan::tag);
    }
    if (!IsSetScalar(tag) && hub == kNoNode) return false;
    ImageField f = NewField(FieldForm::kSplit, key_node);
    f.registry = MakeScalar(hub);
    f.repository = MakeScalar(image);
    f.tag = MakeScalar(tag);
    SetPullPolicy(SiblingPullPolicy(parent), path_.depth() - 1, &f);
    f.reference = ComposeSplit(f);
    Emit(std::move(f));
    return true;
  }

  // An image mapping: `{ref}`, a split `{registry, repository, tag, digest}`, or a mapping of
  // named image mappings at any depth (`image: {engine: {repository, tag}, ui: {…}}`). Not an
  // image: `{registry}` alone (a registry override), and `{name}` alone under a `…Image` key
  // (Longhorn's `backingImage: {name}`).
  void HandleImageMapping(NodeId key_node, NodeId m, std::string_view key, int depth) {
    const size_t mapping_depth = path_.depth();
    NodeId ref = Lookup(m, "ref");
    if (IsScalar(doc_.Resolve(ref))) {
      if (doc_.IsNull(doc_.Resolve(ref))) return;
      path_.PushKey("ref");
      ImageField f = NewField(FieldForm::kRef, doc_.Resolve(ref));
      f.ref = MakeScalar(ref);
      f.reference = f.ref.value;
      SetPullPolicy(m, "pullPolicy", "imagePullPolicy", mapping_depth, &f);
      path_.Pop();
      Emit(std::move(f));
      return;
    }
    NodeId repository = Lookup(m, "repository");
    if (repository == kNoNode) repository = Lookup(m, "repo");
    // ingress-nginx writes `image: {registry, image: ingress-nginx/controller, tag, digest}`.
    if (repository == kNoNode && IsScalar(doc_.Resolve(Lookup(m, "image"))))
      repository = Lookup(m, "image");
    NodeId name = Lookup(m, "name");
    NodeId registry = Lookup(m, "registry"), tag = Lookup(m, "tag");
    NodeId digest = Lookup(m, "digest");
    bool sha_key = false;
    if (digest == kNoNode) digest = Lookup(m, "sha"), sha_key = true;
    bool tagged = IsScalar(doc_.Resolve(tag)) || IsScalar(doc_.Resolve(digest));
    // `name` is the image's name under `image`, in a nested entry, beside a tag, or beside an
    // empty `repository` (cert-manager's and trust-manager's `{name, repository: ""}`).
    bool named = IsScalar(doc_.Resolve(name)) &&
                 (key == "image" || depth > 0 || tagged || repository != kNoNode);
    bool split = IsScalar(doc_.Resolve(repository)) || tagged || named;
    if (split) {
      ImageField f = NewField(FieldForm::kSplit, key_node);
      f.registry = MakeScalar(registry);
      f.repository = MakeScalar(repository);
      // cert-manager: `image: {name: cert-manager-controller, repository: ""}` composes
      // imageRegistry/imageNamespace/name (its `cert-manager.image` helper); the registry and
      // namespace are the chart's top-level keys (found up the tree, or under `global`).
      bool named_repository = (!f.repository.present || f.repository.value.empty()) && named &&
                              !ScalarValue(name).empty();
      if (named_repository) {
        f.repository = MakeScalar(name);
        Scalar ns = MakeScalar(FindUp(&KeyScan::image_namespace));
        Scalar reg = MakeScalar(FindUp(&KeyScan::image_registry));
        if (ns.present && !ns.value.empty())
          f.repository.value = ns.value + "/" + f.repository.value;
        if (reg.present && !reg.value.empty())
          f.repository.value = reg.value + "/" + f.repository.value;
      }
      f.tag = MakeScalar(tag);
      f.digest = MakeScalar(digest);
      // Old charts write `sha: <hex>` without the algorithm.
      if (sha_key && f.digest.present && f.digest.value.find(':') == std::string::npos) {
        f.digest.value = "sha256:" + f.digest.value;
      }
      SetPullPolicy(m, "pullPolicy", "imagePullPolicy", mapping_depth, &f);
      f.partial = !f.repository.present || f.repository.value.empty();
      f.reference = ComposeSplit(f);
      // `{registry, tag: ""}` without a repository is a shared prefix for the chart's images
      // (`{{ .Values.image.registry }}/<component>`), like `{registry}` alone: no image, and
      // nothing to judge.
      if (!f.repository.present && f.registry.present && f.tag.value.empty() &&
          f.digest.value.empty())
        return;
      Emit(std::move(f));
      return;
    }
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      if (IsMapping(v)) {
        std::string_view child_key = ScalarValue(k);
        path_.PushKey(child_key);
        HandleImageMapping(k, v, child_key, depth + 1);
        path_.Pop();
      }
      k = doc_.node(v).next_sibling;
    }
  }

  static std::string ComposeSplit(const ImageField& f) {
    return scan::ComposeSplit(f.registry.value, f.repository.value, f.tag.value, f.digest.value);
  }

  void HandleContainers(NodeId list, std::string_view list_key) {
    list = doc_.Resolve(list);
    if (list == kNoNode || doc_.node(list).kind != NodeKind::kSequence) return;
    size_t i = 0;
    for (NodeId item = doc_.node(list).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling, ++i) {
      NodeId c = doc_.Resolve(item);
      if (!IsMapping(c)) continue;
      NodeId image = Lookup(c, "image");
      if (!IsScalar(doc_.Resolve(image)) || doc_.IsNull(doc_.Resolve(image))) continue;
      path_.PushIndex(i);
      ImageField f = NewField(FieldForm::kContainer, c);
      f.ref = MakeScalar(image);
      f.reference = f.ref.value;
      SetPullPolicy(c, "imagePullPolicy", "imagePullPolicy", path_.depth(), &f);
      f.pull_policy_required = true;
      f.container_kind = std::string(list_key);
      f.container_name = std::string(ScalarValue(Lookup(c, "name")));
      path_.Pop();
      Emit(std::move(f));
    }
  }

  void HandleKustomizeImages(NodeId list) {
    list = doc_.Resolve(list);
    if (list == kNoNode || doc_.node(list).kind != NodeKind::kSequence) return;
    size_t i = 0;
    for (NodeId item = doc_.node(list).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling, ++i) {
      NodeId e = doc_.Resolve(item);
      if (!IsMapping(e)) continue;
      path_.PushIndex(i);
      ImageField f = NewField(FieldForm::kKustomize, e);
      NodeId name = Lookup(e, "newName");
      if (!IsScalar(doc_.Resolve(name))) name = Lookup(e, "name");
      f.repository = MakeScalar(name);
      f.tag = MakeScalar(Lookup(e, "newTag"));
      f.digest = MakeScalar(Lookup(e, "digest"));
      path_.Pop();
      if (!f.repository.present) continue;
      f.reference = ComposeSplit(f);
      Emit(std::move(f));
    }
  }

  const Document& doc_;
  const ExtractOptions& options_;
  DocumentFields* out_;
  PathStack path_;
  bool kustomization_ = false;
  bool argo_application_ = false;  // an Argo CD Application or ApplicationSet document
  bool skaffold_ = false;          // a skaffold.yaml document
  bool unittest_ = false;          // a helm-unittest suite
  std::string_view object_kind_;
  std::vector<NodeId> ancestors_;  // the mappings the walk is inside, outermost first
  std::unordered_map<NodeId, KeyScan> key_scans_;  // ScanOf: only for FindUp, rarely
  struct AnchoredSubtree {
    size_t first, last;  // its fields: out_->images[first, last)
    std::string path;    // its key path, the prefix of theirs
  };
  std::unordered_map<NodeId, AnchoredSubtree> anchored_subtrees_;
  static constexpr size_t kMaxAliasPaths = 10000;
  size_t alias_paths_ = 0;  // listed in ImageField::aliases so far, in this document
  bool merge_sources_ready_ = false;
  std::unordered_set<NodeId> merge_sources_;  // mappings merged with `<<` (IsMergeSource)
  // Anchored nodes already reported: the range of out_->images their fields occupy.
  std::unordered_map<NodeId, std::pair<size_t, size_t>> anchored_fields_;
  std::unordered_map<NodeId, PolicyLookup> sibling_policies_;
};

}  // namespace

std::string ComposeSplit(std::string_view registry, std::string_view repository,
                         std::string_view tag, std::string_view digest) {
  std::string ref;
  if (!registry.empty() && !repository.empty()) ref = std::string(registry) + "/";
  ref += repository;
  if (!tag.empty()) ref += ":" + std::string(tag);
  // `tag: v1@sha256:…` carries its own digest: a second one would not parse.
  bool tag_has_digest = tag.find('@') != std::string_view::npos;
  if (!digest.empty() && !tag_has_digest) ref += "@" + std::string(digest);
  return ref;
}

WrittenParts SplitWritten(std::string_view reference) {
  WrittenParts parts;
  size_t at = reference.find('@');
  if (at != std::string_view::npos) {
    parts.has_digest = true;
    parts.digest = reference.substr(at + 1);
    reference = reference.substr(0, at);
  }
  size_t colon = reference.rfind(':'), slash = reference.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    parts.has_tag = true;
    parts.tag = reference.substr(colon + 1);
    reference = reference.substr(0, colon);
  }
  parts.name = reference;
  return parts;
}

std::optional<Scalar> ScalarSuffix(const yaml::Document& doc, yaml::NodeId id, size_t prefix) {
  id = doc.Resolve(id);
  const yaml::Node& n = doc.node(id);
  size_t quote;
  if (n.style == yaml::ScalarStyle::kPlain) {
    quote = 0;
  } else if (n.style == yaml::ScalarStyle::kSingleQuoted ||
             n.style == yaml::ScalarStyle::kDoubleQuoted) {
    quote = 1;
  } else {
    return std::nullopt;
  }
  std::string_view raw = doc.Raw(id), value = doc.Value(id);
  if (prefix > value.size() || raw.size() != value.size() + 2 * quote ||
      raw.substr(quote, value.size()) != value)
    return std::nullopt;
  Scalar s = MakeScalar(doc, id);
  std::string_view part = value.substr(prefix);
  s.value = s.raw = std::string(part);
  s.begin = n.begin + static_cast<uint32_t>(quote + prefix);
  s.end = s.begin + static_cast<uint32_t>(part.size());
  s.column += static_cast<int>(quote) + base::Utf8Length(value.substr(0, prefix));
  s.style = yaml::ScalarStyle::kPlain;  // a part inside the scalar's text
  return s;
}

Scalar MakeScalar(const yaml::Document& doc, yaml::NodeId id, bool with_source_line) {
  Scalar s;
  id = doc.Resolve(id);
  if (id == kNoNode || doc.node(id).kind != NodeKind::kScalar || doc.IsNull(id)) return s;
  const yaml::Node& n = doc.node(id);
  s.present = true;
  s.value = std::string(doc.Value(id));
  s.line = static_cast<int>(n.line) + 1;
  s.column = static_cast<int>(n.column) + 1;
  s.begin = n.begin;
  s.end = n.end;
  s.style = n.style;
  s.raw = std::string(doc.Raw(id));
  if (with_source_line) s.source_line = std::string(doc.LineAt(n.begin));
  return s;
}

const char* FormName(FieldForm form) {
  switch (form) {
    case FieldForm::kString:
      return "string";
    case FieldForm::kRef:
      return "ref";
    case FieldForm::kSplit:
      return "split";
    case FieldForm::kContainer:
      return "container";
    case FieldForm::kKustomize:
      return "kustomize";
    case FieldForm::kMention:
      return "mention";
  }
  return "?";
}

void ExtractImageFields(const yaml::Document& doc, const ExtractOptions& options,
                        DocumentFields* out) {
  Extractor(doc, options, out).Run();
}

}  // namespace imagepin::scan
