// Parses a YAML stream (libyaml's event API) into source-preserving Documents, one at a time.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "yaml/document.h"

namespace imagepin::yaml {

// Why a stream could not be read as YAML. Only kSyntax can come from an unrendered Helm
// template; the others are YAML that a loader would read differently from what imagepin sees,
// or input past a limit, and are never excused.
enum class ErrorKind {
  kSyntax,          // libyaml rejected the text
  kEncoding,        // not valid UTF-8, or a character YAML does not allow (a control character)
  kDuplicateKey,    // a mapping repeats a key: loaders keep the last, imagepin would see the first
  kUndefinedAlias,  // `*name` with no `&name` before it
  kTooDeep,         // nesting past ParseLimits::max_depth
};

// What went wrong, and where (1-based line and column, in characters).
struct SyntaxError {
  std::string message;
  int line = 0;
  int column = 0;
  ErrorKind kind = ErrorKind::kSyntax;
};

struct ParseLimits {
  // Mappings and sequences nested deeper than this are an error. Real values files and
  // manifests nest below 40 (CRD schemas included); the limit keeps recursion over the tree
  // (extraction, key paths) and libyaml's per-level work on flow collections bounded.
  int max_depth = 256;
};

class StreamParser {
 public:
  explicit StreamParser(ParseLimits limits = {}) : limits_(limits) {}
  const ParseLimits& limits() const { return limits_; }

  // Calls `on_document` for every document of `source` in order, each Document valid only during
  // its call. Returns false and fills `error` at the first error (syntax, encoding, a duplicate
  // key, an undefined alias, nesting past the limit); documents before it have been delivered.
  // `source` must outlive the call. With `keep`, each document is moved there after its call
  // (no copy; the parser allocates anew for the next one), to outlive the parse.
  bool Parse(std::string_view source, const std::function<void(const Document&)>& on_document,
             SyntaxError* error, std::vector<Document>* keep = nullptr);

 private:
  ParseLimits limits_;
  Document doc_;  // reused between documents and files, so parsing allocates little
};

// True if `source` holds no UTF-16/32 byte-order mark or NUL byte in its first 8 KiB: libyaml
// would decode UTF-16 silently, and imagepin's byte offsets assume UTF-8.
bool LooksLikeUtf8Text(std::string_view source);

}  // namespace imagepin::yaml
