// Reading and listing files, with the limits a repository scan needs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace imagepin::base {

// Reads the file at `path` into `*contents` (reusing its capacity). Fails with kIo and a
// message naming the cause ("permission denied", "too many levels of symbolic links", "larger
// than the 8 MiB limit (scope.maxFileSize)", "is a directory").
Status ReadFileInto(const std::string& path, size_t max_bytes, std::string* contents);

// Reads `fd` (standard input, a pipe) to its end into `*contents`, failing with kIo as soon as
// it holds more than `max_bytes`: the cap applies to streams as it does to files. `name` is what
// messages call the stream ("-").
Status ReadStreamInto(int fd, const std::string& name, size_t max_bytes, std::string* contents);

// True if `path` lies strictly below directory `dir`, both canonical ('/'-separated, no `..`):
// "/repo/a.yaml" is below "/repo", "/repository" is not.
inline bool IsPathBelow(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir &&
         (dir.back() == '/' || path[dir.size()] == '/');
}

// "8 MiB", "512 KiB", "300 bytes".
std::string FormatBytes(size_t bytes);

}  // namespace imagepin::base
