// libFuzzer target for policy::ParseConfig (.imagepin.yaml) on arbitrary bytes. Beyond "never
// crashes" (sanitizers), a refused config must say so the way the CLI prints it: one line, a
// kConfig error naming the file, with a line and column that are never negative.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/config.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant violated: %s\n  detail: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view contents(reinterpret_cast<const char*>(data), size);
  const std::string display_path = ".imagepin.yaml";
  imagepin::base::Result<imagepin::policy::Config> config =
      imagepin::policy::ParseConfig(contents, display_path);
  if (config.ok()) return 0;
  const imagepin::base::Error& error = config.error();
  if (error.code != imagepin::base::ErrorCode::kConfig) Fail("error code", error.ToString());
  if (error.path != display_path) Fail("error names another file", error.ToString());
  if (error.message.empty()) Fail("empty error message", error.ToString());
  if (error.pos.line < 0 || error.pos.column < 0) Fail("error position", error.ToString());
  if (error.message.find_first_of("\r\n") != std::string::npos) {
    Fail("error message spans lines", error.ToString());
  }
  return 0;
}
