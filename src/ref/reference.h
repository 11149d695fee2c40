// Image references, parsed exactly as the distribution project's `reference` package does
// (github.com/distribution/reference): domain detection, docker.io/library defaults,
// path component separators, tag and digest grammar.
//
// What a newcomer gets wrong: "localhost:5000/app" has a domain (the first component holds a ':'),
// but "app:5000" is repository "app" with tag "5000"; and "Foo/bar" is a domain "Foo" because the
// first component has an uppercase letter, while "foo/Bar" is an invalid (uppercase) repository.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace imagepin::ref {

struct Reference {
  // Empty in one odd case, as in Go: "my_reg.io/app" has no valid domain ('_'), so the whole
  // name is the path.
  std::string domain;  // e.g. "docker.io", "ghcr.io", "localhost:5000", "[::1]:5000"
  std::string path;    // e.g. "library/nginx", "acme/api"
  std::string tag;     // empty when absent
  std::string digest;  // "sha256:<hex>", empty when absent

  bool has_tag() const { return !tag.empty(); }
  bool has_digest() const { return !digest.empty(); }

  // domain + "/" + path: the repository name, fully qualified.
  std::string Repository() const;
  // domain/path[:tag][@digest]
  std::string Normalized() const;
  // Docker's ParseDockerRef form: ":latest" added when there is neither tag nor digest, and the
  // tag dropped when a digest is present.
  std::string Familiar() const;
  // Normalized() with "docker.io/" and then a single "library/" stripped; tag and digest kept.
  // As in Go's FamiliarString, "library/" goes only when one component is left
  // ("library/a/b" stays); unlike it, "docker.io/" stays when the rest alone would not parse
  // back to the same reference: a path that reads as a domain ("docker.io/foo.com/app") or a
  // bare 64-hex name, an image ID ("docker.io/<hex>", where Go gives "<hex>").
  std::string Short() const;
};

// Parses `input` (no surrounding white space allowed). The error message names the problem:
// "repository name must be lowercase", "repository name must not be more than 255 characters",
// "invalid digest length", "unsupported digest algorithm", "invalid reference format", ...
base::Result<Reference> ParseReference(std::string_view input);

// True for "sha256:<64 lowercase hex>", "sha384:<96>", "sha512:<128>".
bool IsValidDigest(std::string_view digest);

}  // namespace imagepin::ref
