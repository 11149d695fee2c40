// Go's strconv.Unquote for the string literals of templates, and its check of character
// constants: the escapes \a \b \f \n \r \t \v \\ \xHH \NNN (octal) \uHHHH \UHHHHHHHH and the
// quote itself, UTF-8 out. Raw strings drop their carriage returns, as Go's do.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imagepin::tmpl {

// The value of a "…" or `…` literal (quotes included in `literal`), or nullopt when an escape
// is invalid.
std::optional<std::string> Unquote(std::string_view literal);

// True if `literal` ('x', quotes included) is exactly one character or one valid escape.
bool IsCharConstant(std::string_view literal);

}  // namespace imagepin::tmpl
