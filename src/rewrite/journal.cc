#include "rewrite/journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "base/files.h"

namespace imagepin::rewrite {
namespace {

constexpr std::string_view kHeader = "imagepin-journal 1";
constexpr size_t kMaxJournalBytes = size_t{64} << 20;

// Paths may hold any byte but NUL: bytes outside printable ASCII, '%' and the field separator
// are written as %XX, so that one entry is one line of tab-separated fields.
std::string Encode(std::string_view path) {
  std::string out;
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '%') {
      out += fmt::format("%{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

int HexValue(char h) {
  if (h >= '0' && h <= '9') return h - '0';
  if (h >= 'A' && h <= 'F') return h - 'A' + 10;
  return -1;
}

bool Decode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      *out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int high = HexValue(text[i + 1]), low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return false;
    *out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

// A whole decimal field; false for anything else (a damaged journal is an error, not a crash).
template <typename T>
bool Number(std::string_view text, T* out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

base::Error JournalError(const std::string& path, std::string message) {
  return base::MakeError(base::ErrorCode::kIo, std::move(message), path);
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

std::string JournalTempPath(const std::string& target) {
  std::string name = target.substr(DirectoryOf(target).size() + 1);
  constexpr size_t kMaxNameKept = 200;  // under NAME_MAX (255) with the affixes
  return fmt::format("{}/.{}.imagepin-tmp", DirectoryOf(target), name.substr(0, kMaxNameKept));
}

base::Status WriteJournal(const std::string& path, JournalState state,
                          const std::vector<JournalEntry>& entries) {
  std::string text =
      fmt::format("{} {}\n", kHeader, state == JournalState::kCommitted ? "committed" : "prepared");
  for (const JournalEntry& e : entries) {
    text += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", Encode(e.target), Encode(e.temp),
                        e.before.device, e.before.inode, e.before.size, e.before.modified.tv_sec,
                        e.before.modified.tv_nsec);
  }
  // Written like any edited file: a temporary file beside it, fsynced, renamed over it.
  FileIdentity like;
  like.mode = 0600;
  like.owner = ::geteuid();
  like.group = ::getegid();
  base::Result<std::string> temp = WriteTempFileBeside(path, text, like, path, path + ".new");
  if (!temp.ok()) return temp.error();
  if (base::Status renamed = RenameOver(*temp, path, path); !renamed.ok()) return renamed;
  return SyncDirectoryOf(path, path);
}

base::Status RemoveJournal(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return JournalError(path, fmt::format("cannot remove the journal: {}", std::strerror(errno)));
  }
  return SyncDirectoryOf(path, path);
}

base::Result<std::vector<std::string>> RecoverInterruptedWrite(const std::string& path,
                                                               const std::string& root) {
  std::vector<std::string> said;
  ::unlink((path + ".new").c_str());  // a journal that was never renamed into place
  if (!Exists(path)) return said;
  std::string text;
  if (base::Status read = base::ReadFileInto(path, kMaxJournalBytes, &text); !read.ok()) {
    return read.error();
  }
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  bool committed = line == std::string(kHeader) + " committed";
  if (!committed && line != std::string(kHeader) + " prepared") {
    return JournalError(path, "not an imagepin journal: remove it by hand once you have looked");
  }
  std::error_code ec;
  std::string root_real = std::filesystem::canonical(root, ec).string();
  int finished = 0, undone = 0;
  std::set<std::string> directories;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      fields.push_back(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    JournalEntry e;
    if (fields.size() != 7 || !Decode(fields[0], &e.target) || !Decode(fields[1], &e.temp)) {
      return JournalError(path, "damaged journal: remove it by hand once you have looked");
    }
    if (!base::IsPathBelow(e.target, root_real) || !base::IsPathBelow(e.temp, root_real)) {
      said.push_back(fmt::format("{}: outside this repository, left alone", e.target));
      continue;
    }
    if (!Exists(e.temp)) continue;  // renamed already, or never written
    if (!committed) {
      ::unlink(e.temp.c_str());
      ++undone;
      continue;
    }
    if (!Number(fields[2], &e.before.device) || !Number(fields[3], &e.before.inode) ||
        !Number(fields[4], &e.before.size) || !Number(fields[5], &e.before.modified.tv_sec) ||
        !Number(fields[6], &e.before.modified.tv_nsec)) {
      return JournalError(path, "damaged journal: remove it by hand once you have looked");
    }
    // Inode 0: the edit creates the file, which must still not exist.
    const bool create = e.before.inode == 0;
    bool unchanged = false;
    if (create) {
      unchanged = PathAbsent(e.target);
    } else {
      base::Result<FileIdentity> now = StatRegularFile(e.target, e.target);
      unchanged = now.ok() && SameFile(e.before, *now);
    }
    if (!unchanged) {
      ::unlink(e.temp.c_str());
      said.push_back(fmt::format(
          "{}: changed since the interrupted run read it; its unfinished edit was discarded",
          e.target));
      continue;
    }
    if (base::Status renamed = create ? RenameNoReplace(e.temp, e.target, e.target)
                                      : RenameOver(e.temp, e.target, e.target);
        !renamed.ok()) {
      return renamed.error();
    }
    directories.insert(DirectoryOf(e.target));
    ++finished;
  }
  for (const std::string& dir : directories) {
    if (base::Status synced = SyncDirectoryOf(dir + "/.", dir); !synced.ok()) return synced.error();
  }
  if (base::Status removed = RemoveJournal(path); !removed.ok()) return removed.error();
  if (committed) {
    said.push_back(fmt::format("finished the write an interrupted run had committed: {} file{}",
                               finished, finished == 1 ? "" : "s"));
  } else {
    said.push_back(fmt::format(
        "rolled back a write an interrupted run had not committed: {} temporary file{} removed, "
        "nothing had been changed",
        undone, undone == 1 ? "" : "s"));
  }
  return said;
}

}  // namespace imagepin::rewrite
