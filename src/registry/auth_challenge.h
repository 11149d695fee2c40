// WWW-Authenticate parsing (RFC 7235 section 4.1): a list of challenges, each a scheme and
// either name=value parameters (values a token or a quoted string with backslash escapes) or a
// token68. Commas separate both challenges and parameters, and may sit inside quoted values:
//
//   Bearer realm="https://auth.io/token",service="reg",scope="repository:a/b:pull,push", Basic
//   realm="x"
//
// is two challenges. Scheme and parameter names are case-insensitive; names are lower-cased.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace imagepin::registry {

struct Challenge {
  std::string scheme;                         // as written: "Bearer", "Basic"
  std::map<std::string, std::string> params;  // lower-case name → unescaped value
  std::string token68;                        // the rare single-token form, else empty

  // True when the scheme equals `name`, ignoring case.
  bool Is(std::string_view name) const;
  // The parameter's value, or empty.
  std::string Param(const std::string& name) const;
};

// Parses a WWW-Authenticate value (several header lines joined with ", " parse the same).
// An error names what is malformed (an unterminated quote, a missing scheme); it never echoes
// the header, which can carry tokens.
base::Result<std::vector<Challenge>> ParseChallenges(std::string_view header);

}  // namespace imagepin::registry
