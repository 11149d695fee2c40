// Planning `imagepin bump`: find every first-party `image.ref` in the fast-lane environments,
// and, once the channel tags are resolved, the edits that point each at its new digest.
// Pure: no network, no writing. cmd_bump.cc resolves in between and applies the edits.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
#include "plan/environments.h"
#include "plan/workspace.h"
#include "policy/config.h"
#include "ref/reference.h"
#include "rewrite/edit.h"
#include "scan/image_field.h"

namespace imagepin::plan {

// One first-party `image.ref` of an environment's overlay: what bump and set write.
struct RefTarget {
  std::string environment;
  std::string service;  // file stem: "api" for .../dev/api.yaml
  scan::FileEntry file;
  std::string file_sha256;  // the scanned bytes' fingerprint (FileScan::sha256)
  std::string key_path;
  scan::Scalar ref;            // the scalar holding the reference (ref.raw: as written)
  std::string repository;      // as written: "ghcr.io/acme/api"
  std::string current_digest;  // empty when the value has none yet
  int document = 0;            // 0-based document of the file
};

// One `image.ref` that bump keeps at the head of its channel.
struct BumpTarget : RefTarget {
  ref::Reference channel;  // <repository>:<channel>, what gets resolved
};

struct BumpTargets {
  std::vector<BumpTarget> targets;  // in file order
  // Why a first-party ref in a fast lane cannot be bumped (invalid, a template): bump reports
  // them and, unless --keep-going, writes nothing.
  std::vector<base::Diagnostic> problems;
  // The same for a field a hold keeps (bump.holds): notes, failing nothing: bump would leave
  // the field as it is anyway.
  std::vector<base::Diagnostic> held_problems;
};

// Whether a hold keeps the field of `service` (repository as written) in `environment`.
using HeldFn = std::function<bool(std::string_view environment, std::string_view service,
                                  std::string_view repository)>;

// Reads the fast lanes: each environment's files, scanned with fingerprints for writing. An
// unknown environment, a missing directory, or a file that cannot be read or parsed is an error:
// a plan must not be made over a file the tool could not read.
base::Result<std::vector<EnvironmentImages>> LoadLanes(const std::string& root,
                                                       const policy::Config& config,
                                                       const std::vector<std::string>& environments,
                                                       unsigned jobs);

// Every first-party image.ref of the lanes, in lane and file order: `on_target` for each that
// parses as a reference; a template or an invalid reference is a problem appended to
// `problems` instead ("cannot VERB"), or, when `held` says a hold keeps it, a note appended to
// `held_problems`. bump and set find their targets this way. Pure.
void ForEachRefTarget(const std::vector<EnvironmentImages>& lanes, const policy::Config& config,
                      std::string_view verb, const std::function<void(RefTarget)>& on_target,
                      std::vector<base::Diagnostic>* problems, const HeldFn& held = nullptr,
                      std::vector<base::Diagnostic>* held_problems = nullptr);

// Every first-party image.ref of the lanes, in lane and file order. With `today` (YYYY-MM-DD),
// a field bump.holds keeps that is no reference is a held problem, not a problem. Pure.
BumpTargets FindBumpTargets(const std::vector<EnvironmentImages>& lanes,
                            const policy::Config& config, std::string_view today = {});

// The edit that writes `<repository>@<digest>` over the target's reference, in its quoting
// style. An edit whose old and new text agree is a no-op (ApplyEdits skips it).
base::Result<rewrite::Edit> BumpEdit(const BumpTarget& target, std::string_view digest);
// The same with a readable tag (bump.readableTag): `<repository>:<tag>@<digest>`; an empty tag
// writes `<repository>@<digest>`.
base::Result<rewrite::Edit> BumpEdit(const BumpTarget& target, std::string_view digest,
                                     std::string_view tag);

}  // namespace imagepin::plan
