// Helm's merge of a values stack, read lazily: the chart's values.yaml, then each layer, last
// wins. Maps merge key by key, recursively; scalars and lists replace; `null` deletes the key
// (a chart default too). Merge keys (`<<: *base`) and aliases are resolved within each file.
//
// Nothing is copied or merged up front: Find walks the layers' own trees for one path, so the
// cost is that of the paths the rules ask about, and memory is the layers' Documents alone.
#pragma once

#include <cstdint>
#include <vector>

#include "yaml/document.h"
#include "yaml/key_path.h"

namespace imagepin::apps {

// One layer's values: the mapping inside a parsed document that holds them. `doc` is null for
// a layer that is missing (or could not be read): it contributes nothing.
struct LayerDoc {
  const yaml::Document* doc = nullptr;
  yaml::NodeId root = yaml::kNoNode;
};

// The effective value at a path, and which layer decided it.
struct LayeredValue {
  enum class Kind : uint8_t { kAbsent, kScalar, kSequence, kMapping };
  Kind kind = Kind::kAbsent;
  int layer = -1;                     // the deciding layer (a mapping: the highest one merged)
  yaml::NodeId node = yaml::kNoNode;  // in that layer's document, aliases resolved
  int deleted_by = -1;  // kAbsent because this layer wrote `null` over lower layers' value
  // A mapping is the merge of these (layer, mapping node) pairs, highest layer first.
  std::vector<std::pair<int, yaml::NodeId>> maps;

  bool present() const { return kind != Kind::kAbsent; }
};

class LayeredValues {
 public:
  explicit LayeredValues(std::vector<LayerDoc> layers);

  // The merged root: every layer whose root is a mapping.
  const LayeredValue& Root() const { return root_; }
  // The value at `path` from the root.
  LayeredValue Find(const yaml::SegmentPath& path) const;
  // The value of one key (or list index) inside `parent`.
  LayeredValue Child(const LayeredValue& parent, const yaml::PathSegment& segment) const;
  // The document of layer `i` (null when the layer is missing).
  const yaml::Document* doc(int i) const { return layers_[static_cast<size_t>(i)].doc; }
  size_t size() const { return layers_.size(); }

 private:
  std::vector<LayerDoc> layers_;
  LayeredValue root_;
};

// The value for `key` in mapping `m` of `doc`, following merge keys (`<<: *a`, `<<: [*a, *b]`,
// keys written in `m` first, then the merged mappings in order), with aliases resolved; kNoNode
// when there is none.
yaml::NodeId LookupKey(const yaml::Document& doc, yaml::NodeId m, std::string_view key);

}  // namespace imagepin::apps
