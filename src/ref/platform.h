// An image platform as an OCI index names it: os/architecture[/variant] ("linux/arm64/v8"). One
// grammar for the config (`platforms:`), `resolve --platforms` and the registry's matching, so a
// platform the config accepts is one an index can hold.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace imagepin::ref {

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "arm64"
  std::string variant;       // "v8", often empty
  // "linux/arm64" or "linux/arm64/v8".
  std::string ToString() const;
};

// Parses "linux/arm64[/v8]": two or three parts, each lowercase letters, digits and `_.-`,
// starting with a letter or digit, as indexes write GOOS, GOARCH and variants; anything else
// could never match one. Errors (kInvalidArgument) quote the text.
base::Result<Platform> ParsePlatform(std::string_view text);

}  // namespace imagepin::ref
