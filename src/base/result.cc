#include "base/result.h"

#include <fmt/format.h>

namespace imagepin::base {

std::string Error::ToString() const {
  std::string out;
  if (!path.empty()) {
    out += path;
    if (pos.line > 0) {
      out += fmt::format(":{}", pos.line);
      if (pos.column > 0) out += fmt::format(":{}", pos.column);
    }
    out += ": ";
  }
  out += message;
  return out;
}

}  // namespace imagepin::base
