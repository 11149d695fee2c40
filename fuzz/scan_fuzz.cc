// libFuzzer target for scan::ScanContents (parse + extraction) on arbitrary bytes. Beyond "never
// crashes" (sanitizers), it checks what reports and rewrites rely on: a problem's line and column
// are never negative, and every image field's scalars lie inside the file with 1-based positions;
// a scalar marked rewritable (the only kind a rewrite may replace) holds exactly the file's bytes
// at its span, also when it was found inside an embedded manifest or a flag's value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "scan/scanner.h"

namespace {

using imagepin::scan::FileScan;
using imagepin::scan::ImageField;
using imagepin::scan::Scalar;

[[noreturn]] void Fail(const char* what, int a, int b) {
  std::fprintf(stderr, "invariant violated: %s (%d, %d)\n", what, a, b);
  std::abort();
}

void CheckScalar(const Scalar& scalar, std::string_view contents) {
  if (!scalar.present) return;
  if (scalar.line < 1 || scalar.column < 1) Fail("scalar position", scalar.line, scalar.column);
  if (scalar.begin > scalar.end || scalar.end > contents.size()) {
    Fail("scalar span outside the file", static_cast<int>(scalar.begin),
         static_cast<int>(scalar.end));
  }
  if (scalar.rewritable && contents.substr(scalar.begin, scalar.end - scalar.begin) != scalar.raw) {
    Fail("rewritable scalar whose raw bytes are not the file's", static_cast<int>(scalar.begin),
         static_cast<int>(scalar.end));
  }
}

void CheckField(const ImageField& field, std::string_view contents) {
  if (field.line < 1 || field.column < 1) Fail("field position", field.line, field.column);
  for (const Scalar* scalar : {&field.ref, &field.registry, &field.repository, &field.tag,
                               &field.digest, &field.pull_policy}) {
    CheckScalar(*scalar, contents);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view contents(reinterpret_cast<const char*>(data), size);
  imagepin::yaml::StreamParser parser;  // fresh, so that every crash reproduces from its input
  // The name decides kustomization and Argo CD override handling: the first byte chooses.
  std::string_view name = size == 0            ? "values.yaml"
                          : (data[0] & 3) == 1 ? "kustomization.yaml"
                          : (data[0] & 3) == 2 ? ".argocd-source-app.yaml"
                                               : "values.yaml";
  FileScan scan = imagepin::scan::ScanContents(contents, name, /*chart_template=*/false, &parser);
  if (scan.problem) {
    if (scan.problem->line < 0 || scan.problem->column < 0) {
      Fail("problem position", scan.problem->line, scan.problem->column);
    }
    if (scan.problem->message.empty()) Fail("empty problem message", 0, 0);
  }
  for (const ImageField& field : scan.fields.images) CheckField(field, contents);
  for (const auto& policy : scan.fields.pull_policies) CheckScalar(policy.value, contents);
  return 0;
}
