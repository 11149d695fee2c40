// Parses a YAML stream (libyaml's event API) into source-preserving Documents, one at a time.
#pragma once

#include <functional>
#include <string_view>

#include "base/result.h"
#include "yaml/document.h"

namespace imagepin::yaml {

// A syntax error: what libyaml said, and where (1-based line and column, in characters).
struct SyntaxError {
  std::string message;
  int line = 0;
  int column = 0;
};

class StreamParser {
 public:
  // Calls `on_document` for every document of `source` in order, each Document valid only during
  // its call. Returns false and fills `error` at the first syntax error; documents before it
  // have been delivered. `source` must outlive the call.
  bool Parse(std::string_view source, const std::function<void(const Document&)>& on_document,
             SyntaxError* error);

 private:
  Document doc_;  // reused between documents and files, so parsing allocates little
};

// True if `source` holds no UTF-16/32 byte-order mark or NUL byte in its first 8 KiB: libyaml
// would decode UTF-16 silently, and imagepin's byte offsets assume UTF-8.
bool LooksLikeUtf8Text(std::string_view source);

}  // namespace imagepin::yaml
