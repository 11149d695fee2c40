// Planning `imagepin pin`, the migration aid: every reference with a tag but no digest gets the
// digest its tag points at today. String forms become `repo:tag@sha256:…`; a split mapping's
// existing `digest:` field is filled. Floating tags are reported, not pinned, unless the caller
// says they are channels (`--channel-ok`), which pins them as `repo@sha256:…`.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
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
base::Result<PinTargets> FindPinTargets(const std::vector<ScannedFile>& files,
                                        const policy::Config& config, const PinOptions& options);

// The edit that writes `digest` for the target.
base::Result<rewrite::Edit> PinEdit(const PinTarget& target, std::string_view digest);

}  // namespace imagepin::plan
