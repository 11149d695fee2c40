// Text from files (paths, source lines, values in messages, exception reasons) as the text and
// GitHub reports show it: nothing in it may act on the terminal or the Actions log instead of
// being printed, so such characters are written as visible escapes.
#pragma once

#include <string>
#include <string_view>

namespace imagepin::report {

// How one character of file text is shown: itself, or its escape. Escaped are C0 controls but
// those in `keep` ("\t", "\n", "\r", else "\x1b"), DEL ("\x7f"), C1 controls ("\u009b":
// U+009B is CSI), bidirectional formatting characters and line/paragraph separators ("\u202e":
// they reorder or break what a reader sees), and each byte that is not part of valid UTF-8
// ("\xff": a lone 0x9B is CSI to an 8-bit terminal). A backslash is not escaped, so the escapes
// are for reading, not for decoding; JSON and SARIF keep the exact text.
struct ShownChar {
  std::string text;     // what to print
  size_t source_bytes;  // how many bytes of the input it stands for
  int width;            // columns it takes (1 for a character, the escape's length)
  bool is_tab;          // a kept tab, whose width depends on the terminal
};
ShownChar ShowChar(std::string_view text, std::string_view keep);  // `text` must not be empty

// `text` with every character ShowChar escapes escaped, but the controls in `keep`.
std::string Displayable(std::string_view text, std::string_view keep = {});

}  // namespace imagepin::report
