// Mentions: image references a workload is told about rather than runs, found where no image
// key says so. An operator's `env: [{name: RELATED_IMAGE_DB, value: quay.io/…}]` (OLM's
// convention) or `*_IMAGE` variable, and a flag such as `--sidecar-image=REF` or
// `--prometheus-config-reloader=quay.io/…:v0.93.0` in `args`/`command`. They are the images a
// reader would point at, so `images` lists them (form "mention") and check judges them as
// references (IP001-IP003; a mention has no pull policy). `scan.mentions: false` turns them off.
#pragma once

#include <string_view>

#include "scan/image_field.h"
#include "yaml/document.h"

namespace imagepin::scan {

// An env var name that names an image: `RELATED_IMAGE_<ID>` or `<ID>_IMAGE`, upper case, digits
// and `_` only (the shell convention OLM asks for). `imagePullSecrets` or `image` are not.
bool IsImageEnvName(std::string_view name);

// The reference part of a command-line argument, or empty when it names none: the value of
// `--<flag>=<value>` when the flag ends in `image` (`--config-reloader-image=…`) and the value
// could be a reference, or when the value is a registry-qualified reference with a tag or digest
// (`--prometheus-config-reloader=quay.io/…:v0.93.0`). A URL, a path or `host:port` is none.
std::string_view ArgumentReference(std::string_view arg);

// Appends the mentions of `doc` to `out`. Costs one pass over the nodes when there is nothing
// that could be a mention (most documents); a walk of the document otherwise.
void ExtractMentions(const yaml::Document& doc, DocumentFields* out);

// Removes the mentions from `fields` (`scan.mentions: false`).
void DropMentions(DocumentFields* fields);

}  // namespace imagepin::scan
