// Writing a new scalar value so that it replaces an old one in the same quoting style.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "yaml/document.h"

namespace imagepin::rewrite {

// Returns the text that writes `new_value` as a YAML scalar in the style of `old_text` (the old
// scalar's bytes, quotes included; `style` is what the parser said about it), so that the file's
// quoting is kept and the text reads back as exactly `new_value`, as a string.
//
// When the old style cannot hold the value safely, it makes the smallest safe change rather than
// fail: a plain scalar becomes double-quoted if the value would need quotes or would read as
// something other than that string (`1.10` is a float, `yes` a boolean, `2024-01-02` a
// timestamp, in YAML 1.1 or 1.2); a single-quoted one becomes double-quoted only for what needs
// an escape (control characters, line breaks such as U+0085, U+2028 and U+2029, U+FEFF), which
// single quotes cannot hold. It refuses (kInvalidArgument) a `new_value` that is not valid UTF-8
// and block scalars (`|`, `>`), whose rewriting would change the lines around them, and
// (kInternal) a `style` that contradicts `old_text`.
base::Result<std::string> RenderLike(std::string_view old_text, yaml::ScalarStyle style,
                                     std::string_view new_value);

// True if `value` can be written as a plain scalar, in block or flow context, and read back as
// that same string under both YAML 1.1 (Helm, go-yaml v2) and YAML 1.2 resolution. Deliberately
// narrow: only the characters image references and tags use.
bool CanWritePlain(std::string_view value);

// `value` (valid UTF-8) in double quotes, with `"`, `\` and every character YAML would not read
// back verbatim escaped: C0 and C1 controls, DEL, U+0085 (`\N`), U+2028 (`\L`), U+2029 (`\P`),
// U+FEFF, U+FFFE and U+FFFF.
std::string DoubleQuoted(std::string_view value);

// `value` in single quotes (`'` doubled). The value must hold nothing DoubleQuoted escapes.
std::string SingleQuoted(std::string_view value);

}  // namespace imagepin::rewrite
