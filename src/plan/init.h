// `imagepin init`: what an existing repository already says about its layout (environments, the
// shared dir, charts, first-party prefixes), the `.imagepin.yaml` and the three workflows that
// follow from it, and the edits that write them. Detection and planning are pure over
// InitInput; LoadInitInput is the one part that reads (through scan, as the workspace does).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/config.h"
#include "rewrite/edit.h"

namespace imagepin::plan {

// One image reference the scan found, as written.
struct InitReference {
  std::string path;       // the file, relative to the root
  std::string reference;  // "ghcr.io/acme/api@sha256:…"
  bool ref_form = false;  // written as `image.ref` (scan::FieldForm::kRef): a first-party knob
};

struct InitInput {
  std::vector<std::string> files;  // every YAML file below the root, relative, sorted
  std::vector<InitReference> references;
  // Argo CD / Flux objects (apps/declared.h): the manifests declaring them and the value files
  // they name (relative to the root), which point at the environment dirs as the files do.
  std::vector<std::string> declared_in;
  std::vector<std::string> declared_value_files;
  std::string origin_url;    // the origin remote's URL; empty: none
  std::string github_owner;  // GITHUB_REPOSITORY_OWNER; empty: unset
};

// A first-party prefix and why init proposes it ("git remote origin (github.com/acme)").
struct DetectedPrefix {
  std::string prefix;  // "ghcr.io/acme/"
  std::string why;
};

struct InitDetection {
  std::string env_root;                           // "sources/values/env"; empty: none found
  std::vector<policy::Environment> environments;  // lane order (local, dev, …, production)
  std::string shared;                             // "sources/values/_shared"; empty: none
  std::vector<std::string> chart_dirs;            // dirs holding a Chart.yaml (no subcharts)
  std::string charts;  // the dir holding them all ("sources/charts"); empty: none
  std::vector<std::string> scope_include;  // globs covering the values and manifests found
  std::vector<DetectedPrefix> first_party;
  size_t declared_applications = 0;  // manifests declaring Argo CD / Flux applications
};

// What the files say, decided from `input` alone:
//  - environments: the dirs <values>/env/<name>/ holding YAML (also `envs/`, `environments/`;
//    the root with the most files wins), in lane order: local, dev, test, staging, production
//    (and their usual spellings), then the others by name;
//  - shared: <values>/_shared beside the env dir, when it holds YAML;
//  - charts: the dirs with a Chart.yaml (a chart's own charts/ subcharts left out) and the
//    nearest dir holding them all;
//  - scope: <values>/** plus, for every other file with an image reference or an application
//    object (charts and .github/ left out), the dir below the values dir's parent it lies in;
//  - first-party prefixes: ghcr.io/<owner>/ from the origin remote on github.com (https or ssh
//    forms) and from GITHUB_REPOSITORY_OWNER; the registry/namespace/ of every `image.ref`
//    value (docker.io/library/ excepted); and registry/<owner>/ of any reference under an
//    owner found so.
InitDetection DetectInit(const InitInput& input);

// The `.imagepin.yaml` init writes: every setting with a one-line comment, the detected ones
// set, the rest commented out at their defaults. ParseConfig reads it back (PlanInit checks).
std::string RenderInitConfig(const InitDetection& detection);

// One file init writes: where (relative to the root) and its bytes.
struct InitFile {
  std::string path;
  std::string contents;
};

// The four files: .imagepin.yaml, then .github/workflows/ image-policy.yaml,
// bump-local-dev-images.yaml and promote-images.yaml, byte for byte examples/github/'s (the
// binary embeds them at build time: one source).
std::vector<InitFile> InitFiles(const InitDetection& detection);

// The files init would write as the repository has them now.
struct ExistingFile {
  std::string path;  // relative to the root
  bool exists = false;
  std::string contents;
};

struct InitPlan {
  std::vector<rewrite::Edit> edits;    // creations (kFileMustNotExist), or with --force overwrites
  std::vector<std::string> unchanged;  // present with exactly the bytes init would write
  std::vector<std::string> conflicting;  // present with other bytes
  std::vector<std::string> created;      // absent: to be created
};

// The edits for `files` given what `existing` holds (same order). A file that exists with
// other bytes is `conflicting`; with `force` it is replaced whole (its sha256 in the edit, so a
// file changed since is refused). Paths in the edits are `root` joined. Errors (kInternal) when
// the config init rendered does not load.
base::Result<InitPlan> PlanInit(const std::string& root, const std::vector<InitFile>& files,
                                const std::vector<ExistingFile>& existing, bool force);

// Reads what DetectInit needs from the repository at `root`: every YAML file (the scope's
// walk: symlinks leaving the repository are not followed, .git/ left out), scanned for image
// references; the Argo CD / Flux objects; the origin remote (`git -C root remote get-url
// origin`, else <root>/.git/config); `github_owner` as given.
InitInput LoadInitInput(const std::string& root, unsigned jobs, const char* github_owner);

// The current state of `files` below `root`. A path that exists but is not a readable
// regular file is an error (kIo).
base::Result<std::vector<ExistingFile>> ReadExisting(const std::string& root,
                                                     const std::vector<InitFile>& files);

}  // namespace imagepin::plan
