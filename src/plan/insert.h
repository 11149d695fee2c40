// Adding keys a values file does not have, byte-exactly: `promote --write-inherited` writes an
// override into an environment's own overlay where the value so far came from a lower layer, and
// `pin` a split mapping's missing `digest:` (DigestSlot).
// The edit only adds bytes (an insertion: an Edit with an empty old span), in the file's line
// endings and indentation, under the deepest mapping of the path that the file already has (an
// `image:` mapping), else as a new block at the end of the file; or it creates the file
// (rewrite::kFileMustNotExist) when there is none. Pure: it reads the bytes it is given.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "rewrite/edit.h"
#include "yaml/document.h"

namespace imagepin::plan {

struct ValuesFile {
  std::string path;     // as opened (the root joined)
  std::string display;  // relative to the root
  bool exists = false;
  std::string_view contents;            // the bytes scanned, when it exists
  const yaml::Document* doc = nullptr;  // its first document over `contents`; null: none
};

// The edit that adds `leaves` (key, value as YAML text) under the mapping at `parents` (keys from
// the document root: {"image"}, {"migrations", "image"}), creating the missing parents. Errors
// (kInvalidArgument) when the file has a parent that is not a block mapping (a flow mapping, an
// alias, a scalar), a leaf already, or no values document although it exists.
base::Result<rewrite::Edit> InsertKeys(
    const ValuesFile& file, const std::vector<std::string>& parents,
    const std::vector<std::pair<std::string, std::string>>& leaves, std::string reason);

// Where a split mapping's digest goes when none is written (`pin`): in place of a null
// (`digest:`, `digest: ~`, `digest: null`), or, when the mapping has no `digest` key, beside its
// `tag:` — a new line after the tag's at the tag key's indentation in the tag line's line break,
// or `, digest: …` after the tag in a flow mapping. The value is written in the tag's quoting
// style (`tag: "1.2.3"` → `digest: "sha256:…"`). Errors (kInvalidArgument) when `tag_begin` (the
// byte offset of the tag's value, scan::Scalar::begin) is not the value of a `tag` key in a
// mapping of `doc` that also holds the repository (`repository_begin`: Istio's `tag:` beside
// `hub:`, or up under `global:`, is not an image mapping's), or the tag is written over several
// lines.
struct KeySlot {
  uint32_t begin = 0, end = 0;  // the bytes replaced: a null, or begin == end (an insertion)
  std::string old_text;
  std::string before, after;  // written around the value
  yaml::ScalarStyle style = yaml::ScalarStyle::kPlain;
  int line = 0, column = 0;  // 1-based position of `begin`
};
base::Result<KeySlot> DigestSlot(const yaml::Document& doc, uint32_t tag_begin,
                                 uint32_t repository_begin);

// The text a KeySlot receives for `value`: before + value in the slot's style + after.
base::Result<std::string> SlotText(const KeySlot& slot, std::string_view value);

// The edit that appends `item` (one line of YAML: a flow mapping such as `{app: api, env: dev}`)
// to the block list at `path` (keys from the document root: {"bump", "holds"}), as a line
// indented like its first item, after its last; or, when the list is missing, the missing keys
// and the list with that one item (`imagepin rollback` adds its hold to .imagepin.yaml so).
// Errors (kInvalidArgument) when the list is a flow list, empty or null, or a parent is not a
// block mapping.
base::Result<rewrite::Edit> AppendListItem(const ValuesFile& file,
                                           const std::vector<std::string>& path,
                                           std::string_view item, std::string reason);

// `value` as a scalar to write: plain when it reads back as the same string, else double-quoted.
std::string ScalarText(std::string_view value);

}  // namespace imagepin::plan
