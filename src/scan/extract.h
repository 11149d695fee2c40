// Finds the image fields of one YAML document (see image_field.h for the forms).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scan/image_field.h"
#include "yaml/document.h"

namespace imagepin::scan {

struct ExtractOptions {
  // The file is named kustomization.yaml: its `images:` entries are image fields even when the
  // document does not say `kind: Kustomization` (kustomize does not require it).
  bool kustomization_file = false;
  // The file is Argo CD's parameter override `.argocd-source[-<app>].yaml` (written by
  // argocd-image-updater's git write-back): its top-level `kustomize.images` are image fields,
  // as in an Application's `spec.source.kustomize`.
  bool argocd_source_file = false;
  // Fill ImageField::path and PullPolicyField::path: the application model looks each field's
  // path up in the other layers of a values stack. Off for the per-file check (it costs an
  // allocation per segment).
  bool record_paths = false;
};

// A split image as a chart renders it: registry/repository:tag@digest, each part only when set
// (no registry without a repository, no digest beside a tag that carries one). Parts not present
// are empty.
std::string ComposeSplit(std::string_view registry, std::string_view repository,
                         std::string_view tag, std::string_view digest);

// A reference as written, cut into its parts without parsing or normalising it (so that it works
// on text that is not a valid reference too): `name` before the tag, `tag` after the `:` that
// follows the last `/` (one before it is a registry port), `digest` after the first `@`.
struct WrittenParts {
  std::string_view name, tag, digest;
  bool has_tag = false, has_digest = false;  // the `:` or `@` is there, even with nothing after
};
WrittenParts SplitWritten(std::string_view reference);

// The scalar at `id` (through an alias) as a Scalar; not present for a null, a collection or
// kNoNode. Without `with_source_line`, Scalar::source_line stays empty (most scalars are never
// reported, and finding the line is a scan of the file).
Scalar MakeScalar(const yaml::Document& doc, yaml::NodeId id, bool with_source_line = true);

// The part of scalar `id`'s value after its first `prefix` bytes (the reference in `old=new` or
// `--x-image=REF`) as a Scalar of its own: its bytes, span and column in the file, plain style,
// when the file holds the value byte for byte on one line (plain, or quoted without escapes), so
// that a rewrite replaces only that part. nullopt otherwise (escapes, folding, block scalars).
std::optional<Scalar> ScalarSuffix(const yaml::Document& doc, yaml::NodeId id, size_t prefix);

// Appends the image fields and pull-policy keys of `doc` to `out`.
void ExtractImageFields(const yaml::Document& doc, const ExtractOptions& options,
                        DocumentFields* out);

}  // namespace imagepin::scan
