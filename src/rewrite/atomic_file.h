// The system calls behind an atomic file replacement: write a temporary file beside the target,
// fsync it, rename it over the target, fsync the directory. A reader (or a crash) sees the old
// file or the new one, never a mix. Used by ApplyEdits; kept apart so each step is small.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace imagepin::rewrite {

// What we remember of a file when we read it, to notice if it changes before we replace it.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  timespec modified{};
  mode_t mode = 0;  // permission bits only
  uid_t owner = 0;
  gid_t group = 0;
};

// Stats `path` (following symlinks), which must be a regular file. Errors name `display`.
base::Result<FileIdentity> StatRegularFile(const std::string& path, std::string_view display);

// True if `a` and `b` describe the same, unmodified file: same inode, size and mtime.
bool SameFile(const FileIdentity& a, const FileIdentity& b);

// Writes `contents` to a new file in `target`'s directory (created with O_EXCL, named
// `.<name>.imagepin-XXXXXX`, or `fixed_name` when one is given: a journaled write, under the
// repository lock, whose leftover from a killed run is removed first), gives it `like`'s
// permission bits (and owner, when running as root), fsyncs and closes it, and returns its path.
// On failure nothing is left behind.
base::Result<std::string> WriteTempFileBeside(const std::string& target, std::string_view contents,
                                              const FileIdentity& like, std::string_view display,
                                              const std::string& fixed_name = "");

// Renames `temp` over `target` (atomic within one file system).
base::Status RenameOver(const std::string& temp, const std::string& target,
                        std::string_view display);

// Renames `temp` to `target`, which must not exist: a file created there since is kept and
// the rename fails (EEXIST), `temp` removed. For edits that create their file.
base::Status RenameNoReplace(const std::string& temp, const std::string& target,
                             std::string_view display);

// True if nothing (not even a dangling symlink) is at `path`.
bool PathAbsent(const std::string& path);

// The identity and mode a new file takes: no inode (inode 0 marks "did not exist" in the
// journal), the permission bits 0666 less the umask, this process's owner and group.
FileIdentity NewFileIdentity();

// Fsyncs the directory holding `path`, so that a rename in it survives a crash.
base::Status SyncDirectoryOf(const std::string& path, std::string_view display);

// The directory part of an absolute path: "/a/b.yaml" → "/a", "/b.yaml" → "/".
std::string DirectoryOf(const std::string& path);

}  // namespace imagepin::rewrite
