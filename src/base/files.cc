#include "base/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imagepin::base {
namespace {

Error IoError(const std::string& path, const std::string& what) {
  return MakeError(ErrorCode::kIo, what, path);
}

}  // namespace

Status ReadFileInto(const std::string& path, size_t max_bytes, std::string* contents) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It does not
  // change how a regular file reads.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return IoError(path, fmt::format("cannot read: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    bool directory = S_ISDIR(st.st_mode);
    ::close(fd);
    return IoError(path,
                   directory ? "cannot read: is a directory" : "cannot read: not a regular file");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return IoError(
        path, fmt::format("skipped: {} is larger than the {} limit (scope.maxFileSize)",
                          FormatBytes(static_cast<size_t>(st.st_size)), FormatBytes(max_bytes)));
  }
  contents->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < contents->size()) {
    ssize_t n = ::read(fd, contents->data() + done, contents->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return IoError(path, fmt::format("cannot read: {}", std::strerror(saved)));
    }
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  contents->resize(done);
  ::close(fd);
  return {};
}

Status ReadStreamInto(int fd, const std::string& name, size_t max_bytes, std::string* contents) {
  contents->clear();
  char chunk[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(name, fmt::format("cannot read: {}", std::strerror(errno)));
    if (n == 0) return {};
    // Stop at the first byte past the cap: a stream is never held beyond it.
    if (contents->size() + static_cast<size_t>(n) > max_bytes) {
      contents->clear();
      contents->shrink_to_fit();
      return IoError(name, fmt::format("skipped: larger than the {} limit (scope.maxFileSize)",
                                       FormatBytes(max_bytes)));
    }
    contents->append(chunk, static_cast<size_t>(n));
  }
}

std::string FormatBytes(size_t bytes) {
  constexpr size_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (bytes >= kGiB && bytes % kGiB == 0) return fmt::format("{} GiB", bytes / kGiB);
  if (bytes >= kMiB && bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
  if (bytes >= kKiB && bytes % kKiB == 0) return fmt::format("{} KiB", bytes / kKiB);
  if (bytes >= kMiB) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / kMiB);
  return fmt::format("{} bytes", bytes);
}

}  // namespace imagepin::base
