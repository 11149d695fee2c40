// Adding keys a values file does not have, byte-exactly: `promote --write-inherited` writes an
// override into an environment's own overlay where the value so far came from a lower layer.
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
