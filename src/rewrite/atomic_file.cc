#include "rewrite/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imagepin::rewrite {
namespace {

base::Error IoError(std::string_view display, std::string_view what, int error_number) {
  return base::MakeError(base::ErrorCode::kIo,
                         fmt::format("{}: {}", what, std::strerror(error_number)),
                         std::string(display));
}

// Writes all of `contents` to `fd`, retrying short writes and EINTR. Returns 0 or an errno.
int WriteAll(int fd, std::string_view contents) {
  while (!contents.empty()) {
    ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

base::Result<FileIdentity> StatRegularFile(const std::string& path, std::string_view display) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return IoError(display, "cannot read", errno);
  if (!S_ISREG(st.st_mode)) {
    return base::MakeError(base::ErrorCode::kIo, "cannot edit: not a regular file",
                           std::string(display));
  }
  FileIdentity id;
  id.device = st.st_dev;
  id.inode = st.st_ino;
  id.size = st.st_size;
  id.modified = st.st_mtim;
  id.mode = st.st_mode & 07777;
  id.owner = st.st_uid;
  id.group = st.st_gid;
  return id;
}

bool SameFile(const FileIdentity& a, const FileIdentity& b) {
  return a.device == b.device && a.inode == b.inode && a.size == b.size &&
         a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec;
}

base::Result<std::string> WriteTempFileBeside(const std::string& target, std::string_view contents,
                                              const FileIdentity& like, std::string_view display,
                                              const std::string& fixed_name) {
  std::string name = target.substr(DirectoryOf(target).size() + 1);
  // Keep the temporary name under NAME_MAX (255) even for a very long file name.
  constexpr size_t kMaxNameKept = 200;
  std::string temp =
      fmt::format("{}/.{}.imagepin-XXXXXX", DirectoryOf(target), name.substr(0, kMaxNameKept));
  // mkostemp opens with O_CREAT | O_EXCL and mode 0600: never someone else's file.
  int fd = -1;
  if (fixed_name.empty()) {
    fd = ::mkostemp(temp.data(), O_CLOEXEC);
  } else {
    temp = fixed_name;
    ::unlink(temp.c_str());
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  }
  if (fd < 0) return IoError(display, "cannot create a temporary file beside it", errno);

  auto fail = [&](std::string_view what, int error_number) -> base::Error {
    ::close(fd);
    ::unlink(temp.c_str());
    return IoError(display, what, error_number);
  };
  if (int error = WriteAll(fd, contents); error != 0) return fail("cannot write", error);
  if (::fchmod(fd, like.mode) != 0) return fail("cannot set permissions", errno);
  // Only root can give a file away; for anyone else the new file is theirs, like the old one
  // usually was. The group is kept when the user belongs to it. Both are best effort: the edit
  // is right either way.
  if (::geteuid() == 0) {
    (void)::fchown(fd, like.owner, like.group);
  } else if (like.group != ::getegid()) {
    (void)::fchown(fd, static_cast<uid_t>(-1), like.group);
  }
  if (::fsync(fd) != 0) return fail("cannot write (fsync)", errno);
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return IoError(display, "cannot write (close)", error);
  }
  return temp;
}

base::Status RenameOver(const std::string& temp, const std::string& target,
                        std::string_view display) {
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return IoError(display, "cannot replace the file", error);
  }
  return {};
}

base::Status RenameNoReplace(const std::string& temp, const std::string& target,
                             std::string_view display) {
  int result = ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
  if (result != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // A file system without RENAME_NOREPLACE: link(2) refuses an existing name just as well.
    result = ::link(temp.c_str(), target.c_str());
    if (result == 0) ::unlink(temp.c_str());
  }
  if (result != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    if (error == EEXIST) {
      return base::MakeError(base::ErrorCode::kIo,
                             "was created since imagepin read the repository; not replaced",
                             std::string(display));
    }
    return IoError(display, "cannot create the file", error);
  }
  return {};
}

bool PathAbsent(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) != 0 && errno == ENOENT;
}

FileIdentity NewFileIdentity() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  FileIdentity id;
  id.mode = 0666 & ~mask;
  id.owner = ::geteuid();
  id.group = ::getegid();
  return id;
}

base::Status SyncDirectoryOf(const std::string& path, std::string_view display) {
  int fd = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(display, "written, but cannot open its directory to sync it", errno);
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) return IoError(display, "written, but cannot sync its directory", error);
  return {};
}

}  // namespace imagepin::rewrite
