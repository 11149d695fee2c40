// ImageField: one place in a YAML document that chooses a container image, in whatever form the
// file uses, with enough position data to report on it and to rewrite it. Plain data, produced by
// ExtractImageFields (extract.h) and consumed by the policy rules and `imagepin images`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "yaml/document.h"
#include "yaml/key_path.h"

namespace imagepin::scan {

enum class FieldForm {
  kString,     // `image: repo:tag@digest` (values, CRs: spec.image)
  kRef,        // `image: {ref: repo@digest}`: the first-party knob
  kSplit,      // `image: {registry, repository, tag, digest}` and look-alikes
  kContainer,  // a container in a Kubernetes pod template
  kKustomize,  // a kustomization `images:` entry
  kMention,    // a reference in an env value (`RELATED_IMAGE_*`, `*_IMAGE`) or an `--x-image=` arg
};

// "string", "ref", "split", "container", "kustomize", "mention".
const char* FormName(FieldForm form);

// One scalar as written: its value and where it stands.
struct Scalar {
  bool present = false;
  std::string value;   // parsed value (quotes removed, escapes applied)
  int line = 0;        // 1-based
  int column = 0;      // 1-based, in characters
  uint32_t begin = 0;  // byte span of the scalar's text in the file, quotes included
  uint32_t end = 0;
  yaml::ScalarStyle style = yaml::ScalarStyle::kPlain;
  std::string raw;          // the bytes at [begin, end) as scanned: what a rewrite replaces
  std::string source_line;  // text of `line`, for reports
  // False when [begin, end) is not exactly `raw` in the file (text embedded in a folded or
  // quoted scalar, or in a template: scan/embedded.h): a rewrite must refuse it.
  bool rewritable = true;
};

struct ImageField {
  FieldForm form = FieldForm::kString;
  int document = 0;        // 0-based document index in the file
  std::string key_path;    // e.g. "image.ref", "spec.template.spec.containers[0]", "images[2]"
  yaml::SegmentPath path;  // the same path as data, when ExtractOptions::record_paths asked
  int line = 0;            // where a finding about the whole field points (1-based)
  int column = 0;
  std::string source_line;  // text of `line`

  // The reference as the file composes it: the scalar itself for string/ref/container forms,
  // registry/repository:tag@digest for split and kustomize forms.
  std::string reference;
  bool partial = false;    // split mapping without a repository (e.g. only `tag:`): chart default
  bool templated = false;  // `{{` or `ko://`: only a renderer (or ko's build) knows the image
  // Other key paths that reach this field through YAML aliases (`image: *defaults`): listed by
  // `imagepin images`; findings are still reported once, at the anchor.
  std::vector<std::string> aliases;

  Scalar ref;  // the scalar holding the whole reference (string, ref, container forms)
  // Split and kustomize parts. For kustomize: registry unused, repository = newName or name.
  Scalar registry, repository, tag, digest;

  Scalar pull_policy;                 // the policy that applies: image.pullPolicy / imagePullPolicy
  std::string pull_policy_key_path;   // where `pull_policy` is written, e.g. "image.pullPolicy"
  bool pull_policy_required = false;  // a pod-template container, where a missing policy is wrong
  std::string container_kind;         // "containers", "initContainers", "ephemeralContainers"
  std::string container_name;         // the container's `name`
  std::string workload_kind;          // `kind` of the Kubernetes object, when there is one
};

// Where a message about the whole reference points (1-based line, column): at the scalar that
// holds it when there is one (a container's `image:`, not its `- name:`), otherwise at the field
// itself (the `image:` key of a split mapping).
inline std::pair<int, int> ReferencePosition(const ImageField& f) {
  return f.ref.present ? std::pair{f.ref.line, f.ref.column} : std::pair{f.line, f.column};
}

// A pull-policy key in a values file (`pullPolicy:` / `imagePullPolicy:`), wherever it is.
struct PullPolicyField {
  int document = 0;
  std::string key_path;
  yaml::SegmentPath path;  // when ExtractOptions::record_paths asked
  Scalar value;
};

struct DocumentFields {
  std::vector<ImageField> images;
  std::vector<PullPolicyField> pull_policies;  // outside pod templates (those live on ImageField)
  // Documents whose root is an Argo CD (argoproj.io) or Flux helm-controller object: they may
  // declare applications (apps/declared.h reads them; noting it here costs the scan nothing).
  int application_objects = 0;
};

}  // namespace imagepin::scan
