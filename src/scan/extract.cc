#include "scan/extract.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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
bool IsImageKey(std::string_view key) {
  return key == "image" || (key.size() > 5 && key.ends_with("Image"));
}

bool IsPullPolicyKey(std::string_view key) {
  return key == "pullPolicy" || key == "imagePullPolicy";
}

// A scalar that could be a reference: not a boolean or number-looking word with spaces.
bool LooksLikeReferenceText(std::string_view v) {
  if (v.empty() || v == "true" || v == "false") return false;
  return v.find_first_of(" \t\n") == std::string_view::npos;
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
    }
    Walk(root, /*pod_spec=*/false, /*parent_key=*/{});
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

  // True if mapping `n` is a Kubernetes object: scalar `apiVersion` and `kind` (the first of
  // each, as Document::Get finds them). One pass over the keys: this runs for every mapping.
  bool IsObject(const yaml::Node& n, NodeId* kind) const {
    NodeId api_version = kNoNode;
    for (NodeId k = n.first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      if (doc_.node(k).kind == NodeKind::kScalar) {
        std::string_view key = doc_.Value(k);
        if (api_version == kNoNode && key == "apiVersion") api_version = v;
        if (*kind == kNoNode && key == "kind") *kind = v;
        if (api_version != kNoNode && *kind != kNoNode) break;
      }
      k = doc_.node(v).next_sibling;
    }
    return IsScalar(api_version) && IsScalar(*kind);
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
    f.templated = f.reference.find("{{") != std::string::npos;
    out_->images.push_back(std::move(f));
  }

  void Walk(NodeId id, bool pod_spec, std::string_view parent_key) {
    // Aliases are walked where their anchor is written, never again (no expansion).
    if (id == kNoNode || doc_.node(id).kind == NodeKind::kAlias) return;
    const yaml::Node& n = doc_.node(id);
    if (n.kind == NodeKind::kSequence) {
      size_t i = 0;
      for (NodeId item = n.first_child; item != kNoNode; item = doc_.node(item).next_sibling, ++i) {
        if (!IsCollection(item)) continue;  // nothing to find in a scalar or an alias
        path_.PushIndex(i);
        Walk(item, false, parent_key);
        path_.Pop();
      }
      return;
    }
    if (n.kind != NodeKind::kMapping) return;

    // A Kubernetes object (root or a List item): remember its kind for pod-template detection.
    std::string_view saved_kind = object_kind_;
    NodeId kind = kNoNode;
    bool is_object = IsObject(n, &kind);
    if (is_object) object_kind_ = ScalarValue(kind);

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
      } else if (IsImageKey(key)) {
        HandleImage(k, v, key, id);
      } else if (IsPullPolicyKey(key) && IsScalar(v)) {
        RecordPullPolicy(v);
      } else if (IsCollection(v)) {  // most values are scalars: nothing to walk
        // `spec` of a Pod, and `spec` under any `template`, is a pod spec.
        bool child_pod_spec = !object_kind_.empty() && key == "spec" &&
                              ((is_object && object_kind_ == "Pod") || parent_key == "template");
        Walk(v, child_pod_spec, key);
      }
      path_.Pop();
      k = doc_.node(v).next_sibling;
    }
    object_kind_ = saved_kind;
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
      // Reached through an alias: report at the anchor, once.
      if (seen_targets_.count(target) != 0) return;
      key_node = target;
    }
    // Only an anchored node can be reached again (through an alias): remember just those.
    if (doc_.node(target).anchor_length != 0) seen_targets_.insert(target);
    const yaml::Node& t = doc_.node(target);
    if (t.kind == NodeKind::kScalar) {
      if (doc_.IsNull(target)) return;
      if (key != "image" && !LooksLikeReferenceText(doc_.Value(target))) return;
      ImageField f = NewField(FieldForm::kString, target);
      f.ref = MakeScalar(target);
      f.reference = f.ref.value;
      // The policy beside the image key is its sibling: its path is the parent's path + key.
      SetPullPolicy(SiblingPullPolicy(parent), path_.depth() - 1, &f);
      Emit(std::move(f));
    } else if (t.kind == NodeKind::kMapping) {
      size_t before = out_->images.size();
      HandleImageMapping(key_node, target, /*depth=*/0);
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
      Walk(target, false, key);
    }
  }

  // An image mapping: `{ref}`, a split `{registry, repository, tag, digest}`, or a mapping of
  // named image mappings (`image: {busybox: {repository, tag}}`).
  void HandleImageMapping(NodeId key_node, NodeId m, int depth) {
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
    if (repository == kNoNode) repository = Lookup(m, "name");
    NodeId registry = Lookup(m, "registry"), tag = Lookup(m, "tag");
    NodeId digest = Lookup(m, "digest");
    bool sha_key = false;
    if (digest == kNoNode) digest = Lookup(m, "sha"), sha_key = true;
    bool split = IsScalar(doc_.Resolve(repository)) || IsScalar(doc_.Resolve(tag)) ||
                 IsScalar(doc_.Resolve(digest)) || IsScalar(doc_.Resolve(registry));
    if (split) {
      ImageField f = NewField(FieldForm::kSplit, key_node);
      f.registry = MakeScalar(registry);
      f.repository = MakeScalar(repository);
      f.tag = MakeScalar(tag);
      f.digest = MakeScalar(digest);
      // Old charts write `sha: <hex>` without the algorithm.
      if (sha_key && f.digest.present && f.digest.value.find(':') == std::string::npos) {
        f.digest.value = "sha256:" + f.digest.value;
      }
      SetPullPolicy(m, "pullPolicy", "imagePullPolicy", mapping_depth, &f);
      f.partial = !f.repository.present || f.repository.value.empty();
      f.reference = ComposeSplit(f);
      Emit(std::move(f));
      return;
    }
    if (depth > 0) return;
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      if (IsMapping(v)) {
        path_.PushKey(ScalarValue(k));
        HandleImageMapping(k, v, depth + 1);
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
  std::string_view object_kind_;
  std::unordered_set<NodeId> seen_targets_;  // anchored image nodes already reported
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
  }
  return "?";
}

void ExtractImageFields(const yaml::Document& doc, const ExtractOptions& options,
                        DocumentFields* out) {
  Extractor(doc, options, out).Run();
}

}  // namespace imagepin::scan
