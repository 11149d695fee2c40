#include "registry/errors.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace imagepin::registry {

const char* KindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kUnauthorized:
      return "unauthorized";
    case ErrorKind::kDenied:
      return "denied";
    case ErrorKind::kTooManyRequests:
      return "too-many-requests";
    case ErrorKind::kServer:
      return "server";
    case ErrorKind::kNetwork:
      return "network";
    case ErrorKind::kTls:
      return "tls";
    case ErrorKind::kDeadline:
      return "deadline";
    case ErrorKind::kDigestMismatch:
      return "digest-mismatch";
    case ErrorKind::kBadResponse:
      return "bad-response";
    case ErrorKind::kInsecureRefused:
      return "insecure-refused";
    case ErrorKind::kPlatformsMissing:
      return "platforms-missing";
    case ErrorKind::kCredentials:
      return "credentials";
    case ErrorKind::kInvalidReference:
      return "invalid-reference";
  }
  return "unknown";
}

std::string RegistryError::ToString() const {
  std::string out;
  if (!reference.empty()) out = reference + ": ";
  out += message.empty() ? KindName(kind) : message;
  if (http_status != 0 && !code.empty()) {
    out += fmt::format(" (HTTP {} {})", http_status, code);
  } else if (http_status != 0) {
    out += fmt::format(" (HTTP {})", http_status);
  } else if (!code.empty()) {
    out += fmt::format(" ({})", code);
  }
  return out;
}

namespace {

RegistryError Make(ErrorKind kind, std::string message) {
  RegistryError error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

}  // namespace

RegistryError RegistryError::Unauthorized(std::string message, int http_status, std::string code) {
  RegistryError error = Make(ErrorKind::kUnauthorized, std::move(message));
  error.http_status = http_status;
  error.code = std::move(code);
  return error;
}

RegistryError RegistryError::PlatformsMissing(std::string reference, std::string message) {
  RegistryError error = Make(ErrorKind::kPlatformsMissing, std::move(message));
  error.reference = std::move(reference);
  return error;
}

RegistryError RegistryError::Network(std::string message, bool temporary) {
  RegistryError error = Make(ErrorKind::kNetwork, std::move(message));
  error.temporary = temporary;
  return error;
}

RegistryError RegistryError::Tls(std::string message) {
  return Make(ErrorKind::kTls, std::move(message));
}

RegistryError RegistryError::DeadlinePassed(std::string message) {
  return Make(ErrorKind::kDeadline, std::move(message));
}

RegistryError RegistryError::DigestMismatch(std::string message) {
  return Make(ErrorKind::kDigestMismatch, std::move(message));
}

RegistryError RegistryError::BadResponse(std::string message) {
  return Make(ErrorKind::kBadResponse, std::move(message));
}

RegistryError RegistryError::InsecureRefused(std::string message) {
  return Make(ErrorKind::kInsecureRefused, std::move(message));
}

RegistryError RegistryError::Credentials(std::string message) {
  return Make(ErrorKind::kCredentials, std::move(message));
}

RegistryError RegistryError::InvalidReference(std::string message) {
  return Make(ErrorKind::kInvalidReference, std::move(message));
}

std::vector<SpecError> ParseErrorBody(std::string_view body) {
  std::vector<SpecError> out;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return out;
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array()) return out;
  for (const nlohmann::json& entry : *errors) {
    if (!entry.is_object()) continue;
    SpecError error;
    if (auto code = entry.find("code"); code != entry.end() && code->is_string()) {
      error.code = code->get<std::string>();
    }
    if (auto message = entry.find("message"); message != entry.end() && message->is_string()) {
      error.message = message->get<std::string>();
    }
    if (!error.code.empty() || !error.message.empty()) out.push_back(std::move(error));
  }
  return out;
}

ErrorKind KindFor(int http_status, std::string_view code) {
  if (code == "MANIFEST_UNKNOWN" || code == "NAME_UNKNOWN" || code == "BLOB_UNKNOWN") {
    return ErrorKind::kNotFound;
  }
  if (code == "UNAUTHORIZED") return ErrorKind::kUnauthorized;
  if (code == "DENIED") return ErrorKind::kDenied;
  if (code == "TOOMANYREQUESTS") return ErrorKind::kTooManyRequests;
  switch (http_status) {
    case 401:
      return ErrorKind::kUnauthorized;
    case 403:
      return ErrorKind::kDenied;
    case 404:
      return ErrorKind::kNotFound;
    case 408:
      return ErrorKind::kNetwork;  // the server gave up waiting for us: try again
    case 429:
      return ErrorKind::kTooManyRequests;
    default:
      break;
  }
  if (http_status >= 500 && http_status <= 599) return ErrorKind::kServer;
  return ErrorKind::kBadResponse;
}

bool IsTemporary(ErrorKind kind) {
  return kind == ErrorKind::kTooManyRequests || kind == ErrorKind::kServer ||
         kind == ErrorKind::kNetwork;
}

std::string OneLine(std::string_view text, size_t max_chars) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  return out;
}

std::string FirstSpecCode(const std::vector<SpecError>& errors) {
  // The server's text, like the message: one line, and short.
  return errors.empty() ? std::string() : OneLine(errors.front().code, 64);
}

RegistryError ErrorFromResponse(int http_status, std::string_view body, std::string reference) {
  std::vector<SpecError> errors = ParseErrorBody(body);
  RegistryError error;
  error.http_status = http_status;
  error.reference = std::move(reference);
  if (!errors.empty()) {
    error.code = FirstSpecCode(errors);
    error.message = OneLine(errors.front().message);
  }
  error.kind = KindFor(http_status, error.code);
  error.temporary = IsTemporary(error.kind);
  if (error.message.empty()) {
    switch (error.kind) {
      case ErrorKind::kNotFound:
        error.message = "not found";
        break;
      case ErrorKind::kUnauthorized:
        error.message = "authentication required";
        break;
      case ErrorKind::kDenied:
        error.message = "access denied";
        break;
      case ErrorKind::kTooManyRequests:
        error.message = "too many requests";
        break;
      case ErrorKind::kServer:
        error.message = "registry server error";
        break;
      default:
        error.message = "unexpected response";
        break;
    }
  }
  return error;
}

}  // namespace imagepin::registry
