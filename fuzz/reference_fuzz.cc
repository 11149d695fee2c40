// libFuzzer target for ref::ParseReference. Beyond "never crashes" (build with
// -fsanitize=fuzzer,address,undefined), it checks the invariants the rest of imagepin relies on:
// every printed form of a valid reference parses back to the same reference, and what parsing
// accepts satisfies the documented limits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ref/reference.h"

namespace {

using imagepin::ref::ParseReference;
using imagepin::ref::Reference;

[[noreturn]] void Fail(const char* what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "invariant violated: %s\n  input:  %.*s\n  detail: %s\n", what,
               static_cast<int>(input.size()), input.data(), detail.c_str());
  std::abort();
}

bool SameParts(const Reference& a, const Reference& b) {
  return a.domain == b.domain && a.path == b.path && a.tag == b.tag && a.digest == b.digest;
}

// `form` must parse to exactly the parts of `expected`.
void Reparse(const char* what, std::string_view input, const std::string& form,
             const Reference& expected) {
  imagepin::base::Result<Reference> again = ParseReference(form);
  if (!again.ok()) Fail(what, input, form + " -> " + again.error().message);
  if (!SameParts(*again, expected)) Fail(what, input, form + " -> " + again->Normalized());
}

void CheckValid(std::string_view input, const Reference& ref) {
  if (ref.path.empty() || ref.path.size() > 255) Fail("path length", input, ref.path);
  if (ref.tag.size() > 128) Fail("tag length", input, ref.tag);
  if (ref.has_digest() && !imagepin::ref::IsValidDigest(ref.digest)) {
    Fail("digest not valid", input, ref.digest);
  }
  Reparse("Normalized() round trip", input, ref.Normalized(), ref);
  Reparse("Short() round trip", input, ref.Short(), ref);

  // Familiar(): same name and digest; the tag is dropped beside a digest, else defaults.
  Reference familiar = ref;
  familiar.tag = ref.has_digest() ? "" : (ref.has_tag() ? ref.tag : "latest");
  Reparse("Familiar() round trip", input, ref.Familiar(), familiar);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  imagepin::base::Result<Reference> ref = ParseReference(input);
  if (!ref.ok()) {
    if (ref.error().message.empty()) Fail("empty error message", input, "");
    if (ref.error().code != imagepin::base::ErrorCode::kInvalidArgument) {
      Fail("error code", input, ref.error().message);
    }
    return 0;
  }
  CheckValid(input, *ref);
  return 0;
}
