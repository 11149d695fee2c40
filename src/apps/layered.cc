#include "apps/layered.h"

#include <utility>

namespace imagepin::apps {
namespace {

using yaml::Document;
using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;
using Kind = LayeredValue::Kind;

bool IsMapping(const Document& doc, NodeId id) {
  return id != kNoNode && doc.node(id).kind == NodeKind::kMapping;
}

// What one layer's node is, for the merge.
Kind KindOf(const Document& doc, NodeId id) {
  switch (doc.node(id).kind) {
    case NodeKind::kMapping:
      return Kind::kMapping;
    case NodeKind::kSequence:
      return Kind::kSequence;
    default:
      return Kind::kScalar;
  }
}

}  // namespace

NodeId LookupKey(const Document& doc, NodeId m, std::string_view key) {
  m = doc.Resolve(m);
  if (!IsMapping(doc, m)) return kNoNode;
  NodeId v = doc.Get(m, key);
  if (v != kNoNode) return doc.Resolve(v);
  NodeId merge = doc.Resolve(doc.Get(m, "<<"));
  if (merge == kNoNode) return kNoNode;
  if (IsMapping(doc, merge)) return doc.Resolve(doc.Get(merge, key));
  if (doc.node(merge).kind != NodeKind::kSequence) return kNoNode;
  for (NodeId item = doc.node(merge).first_child; item != kNoNode;
       item = doc.node(item).next_sibling) {
    NodeId merged = doc.Resolve(item);
    if (!IsMapping(doc, merged)) continue;
    if (NodeId found = doc.Get(merged, key); found != kNoNode) return doc.Resolve(found);
  }
  return kNoNode;
}

LayeredValues::LayeredValues(std::vector<LayerDoc> layers) : layers_(std::move(layers)) {
  for (int i = static_cast<int>(layers_.size()) - 1; i >= 0; --i) {
    const LayerDoc& l = layers_[static_cast<size_t>(i)];
    if (l.doc == nullptr) continue;
    NodeId root = l.doc->Resolve(l.root);
    if (IsMapping(*l.doc, root)) root_.maps.emplace_back(i, root);
  }
  if (!root_.maps.empty()) {
    root_.kind = Kind::kMapping;
    root_.layer = root_.maps.front().first;
    root_.node = root_.maps.front().second;
  }
}

LayeredValue LayeredValues::Child(const LayeredValue& parent,
                                  const yaml::PathSegment& segment) const {
  LayeredValue out;
  if (parent.kind == Kind::kSequence) {
    // A list comes whole from one layer: its items are that layer's, never merged.
    if (!segment.is_index()) return out;
    const Document& doc = *this->doc(parent.layer);
    int64_t i = 0;
    for (NodeId item = doc.node(parent.node).first_child; item != kNoNode;
         item = doc.node(item).next_sibling, ++i) {
      if (i != segment.index) continue;
      NodeId v = doc.Resolve(item);
      if (v == kNoNode || doc.IsNull(v)) return out;
      out.kind = KindOf(doc, v);
      out.layer = parent.layer;
      out.node = v;
      if (out.kind == Kind::kMapping) out.maps.emplace_back(parent.layer, v);
      return out;
    }
    return out;
  }
  if (parent.kind != Kind::kMapping || segment.is_index()) return out;
  // Highest layer first: the first layer that has the key decides, unless it and the ones
  // below it hold mappings, which merge until a layer holds something else (or null).
  for (const auto& [layer, map] : parent.maps) {
    const Document& doc = *this->doc(layer);
    NodeId v = LookupKey(doc, map, segment.key);
    if (v == kNoNode) {
      // `key: *undefined` parses to an alias without a target; the parser refuses those, so
      // kNoNode here means the layer does not have the key.
      continue;
    }
    if (doc.IsNull(v)) {
      if (out.kind == Kind::kMapping) break;  // null below a map: the map stands (Helm keeps it)
      out.deleted_by = layer;
      return out;
    }
    Kind kind = KindOf(doc, v);
    if (out.kind == Kind::kMapping) {
      if (kind != Kind::kMapping) break;  // a scalar below a map: the map replaced it
      out.maps.emplace_back(layer, v);
      continue;
    }
    out.kind = kind;
    out.layer = layer;
    out.node = v;
    if (kind != Kind::kMapping) return out;
    out.maps.emplace_back(layer, v);
  }
  return out;
}

LayeredValue LayeredValues::Find(const yaml::SegmentPath& path) const {
  LayeredValue v = root_;
  for (const yaml::PathSegment& segment : path) {
    v = Child(v, segment);
    if (!v.present()) return v;
  }
  return v;
}

}  // namespace imagepin::apps
