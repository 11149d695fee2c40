// The parser of Go text/template as Helm uses it: tokens (lexer.h) → Tree (ast.h).
//
// It accepts what text/template/parse (Go 1.22) accepts, with two differences: functions are
// not checked (any identifier is a function name; Helm's and Sprig's are many), and neither are
// undefined variables. Errors are one line, at a 1-based line and column.
#pragma once

#include <string_view>

#include "base/result.h"
#include "tmpl/ast.h"

namespace imagepin::tmpl {

struct ParseOptions {
  // Bodies ({{if}}, {{range}}, …, each link of an else-if chain) and parentheses nested deeper
  // than this are an error, so neither the parser nor a walk over the tree can overflow the
  // stack. Real charts nest below 20; Go allows 10000 parentheses, a thread stack here less.
  int max_depth = 512;
};

// Parses one template file. The Tree holds spans into `source`, not copies of its text: keep
// `source` for as long as you read the tree's text. Linear in the size of `source`; the caller
// caps that (files are read with a size cap).
base::Result<Tree> ParseTemplate(std::string_view source, ParseOptions options = {});

}  // namespace imagepin::tmpl
