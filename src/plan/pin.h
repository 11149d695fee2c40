// Planning `imagepin pin`, the migration aid: every reference with a tag but no digest gets the
// digest its tag points at today. String forms become `repo:tag@sha256:…`; a split mapping's
// `digest: ""` is filled; a third-party one's null `digest:` too, or one is added beside its
// `tag:` when it has none (insert.h's DigestSlot, in the tag's quoting style). A first-party split
// mapping without a digest value is sent to `imagepin migrate` (IP004) instead. Floating tags are reported, not pinned, unless the
// caller says they are channels (`--channel-ok`), which pins them as `repo@sha256:…`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
#include "plan/insert.h"
#include "plan/workspace.h"
#include "policy/config.h"
#include "ref/reference.h"
#include "rewrite/edit.h"
#include "scan/image_field.h"

namespace imagepin::plan {

struct PinTarget {
  scan::FileEntry file;
  std::string file_sha256;  // the scanned bytes' fingerprint (FileScan::sha256)
  std::string key_path;
  ref::Reference resolve;  // repo:tag, what gets resolved
  // What to write: the whole reference (string forms) or only the digest (split, kustomize).
  bool digest_only = false;
  scan::Scalar scalar;     // the scalar replaced (scalar.raw: as written)
  std::string repository;  // as written (string forms)
  std::string tag;         // kept before the digest; empty when a channel tag is dropped
  // A split mapping whose digest is null or missing: where the digest goes (`scalar` is then
  // the tag, for positions).
  std::optional<KeySlot> slot;
};

// A reference pin leaves alone, and why ("<reference>: <why>"): an error with rule "IP002" for a
// floating tag (or "IP003", invalid), else a note.
struct PinSkip : base::Diagnostic {
  std::string key_path;
  std::string reference;
};

struct PinTargets {
  std::vector<PinTarget> targets;
  std::vector<PinSkip> skipped;
};

struct PinOptions {
  bool channel_ok = false;  // floating tags are channels: pin them as repo@digest
};

// Finds what to pin in scanned files. References that already have a digest are not listed.
// `sources[i]` (when given and not null) is files[i] read again with its documents (ReadSource):
// what a split mapping without a digest value needs to get one; without it, such a mapping is
// skipped with a note.
base::Result<PinTargets> FindPinTargets(
    const std::vector<ScannedFile>& files, const policy::Config& config, const PinOptions& options,
    const std::vector<std::unique_ptr<ScannedSource>>& sources = {});

// Whether FindPinTargets needs `file` read again: it has a split mapping with a tag and no
// digest value (null or no key).
bool NeedsSource(const ScannedFile& file);

// The edit that writes `digest` for the target.
base::Result<rewrite::Edit> PinEdit(const PinTarget& target, std::string_view digest);

}  // namespace imagepin::plan
