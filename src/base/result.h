// Result<T>: a value or an Error, for code that can fail without it being a bug.
//
// g++ 12 has no std::expected, so this is the small subset imagepin needs. Library exceptions are
// caught in their adapters and turned into an Error; main() has the one catch-all.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace imagepin::base {

// Where in a source file something is. Line and column are 1-based; 0 means unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
};

enum class ErrorCode {
  kInvalidArgument,  // bad input from the user: a reference, a flag, a value
  kConfig,           // .imagepin.yaml is wrong
  kParse,            // a YAML file does not parse
  kIo,               // reading or writing a file failed
  kNotFound,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string path;  // the file the error is about, if any
  SourcePos pos;

  // "path:line:col: message", leaving out what is unknown.
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message, std::string path = {},
                       SourcePos pos = {}) {
  return Error{code, std::move(message), std::move(path), pos};
}

// E is the error type: Error everywhere but where callers need more (the registry's typed
// errors carry an HTTP status and a temporary flag).
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(E error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace imagepin::base
