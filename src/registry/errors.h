// Registry errors from HTTP responses: the spec's error body (OCI distribution spec, "Error
// Codes": {"errors":[{"code":..., "message":..., "detail":...}]}) and the status code, mapped
// to an ErrorKind and a temporary flag that decides whether a retry can help.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "registry/client.h"

namespace imagepin::registry {

struct SpecError {
  std::string code;     // "MANIFEST_UNKNOWN"
  std::string message;  // "manifest unknown"
};

// The entries of an error body; empty when the body is not one (HEAD responses have none).
std::vector<SpecError> ParseErrorBody(std::string_view body);

// The first entry's code, cut to one line of 64 characters; empty when there is none.
std::string FirstSpecCode(const std::vector<SpecError>& errors);

// The kind an HTTP error status and spec code mean. The code wins when it is one we know,
// because it is more specific (a 404 can be NAME_UNKNOWN or MANIFEST_UNKNOWN; some registries
// answer rate limits with 403 + TOOMANYREQUESTS).
ErrorKind KindFor(int http_status, std::string_view code);

// True for the kinds a retry can fix: 5xx, 429, and connection failures.
bool IsTemporary(ErrorKind kind);

// An error for a non-success response: kind, status, first spec code, a one-line message.
RegistryError ErrorFromResponse(int http_status, std::string_view body, std::string reference);

// A message made safe for one line: control characters become spaces, long text is cut.
std::string OneLine(std::string_view text, size_t max_chars = 200);

}  // namespace imagepin::registry
