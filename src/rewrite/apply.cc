#include "rewrite/apply.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "base/files.h"
#include "base/sha256.h"
#include "rewrite/atomic_file.h"
#include "rewrite/journal.h"
#include "rewrite/splice.h"

namespace imagepin::rewrite {
namespace {

// Files we edit were read by the scan already (8 MiB by default, scope.maxFileSize); this only
// guards against reading something absurd into memory.
constexpr size_t kMaxEditableFileSize = size_t{256} << 20;

// One file of the plan, from reading to writing.
struct FilePlan {
  std::string path;     // as the first edit gave it
  std::string display;  // that edit's display path
  std::string target;   // canonical path: what gets replaced
  std::vector<Edit> edits;
  FileIdentity before;
  std::string updated;  // new contents, when `changes` > 0
  int changes = 0;
  std::string temp;     // the written temporary file, until it is renamed
  std::string sha256;   // what the plan was made from: the file must still hash to this
  bool create = false;  // kFileMustNotExist: the file is new, and must still not exist
  // Its directories that do not exist yet, outermost first (ApplyOptions::create_directories).
  std::vector<std::string> missing_directories;
};

// Resolves `path` to a canonical absolute path (symlinks followed). A file to create does not
// exist yet: its directory is resolved, and must exist, or, with `create_directories`, its
// nearest existing ancestor is resolved and the missing directories below it go to `missing`.
base::Result<std::string> Canonical(const Edit& edit, bool create_directories,
                                    std::vector<std::string>* missing) {
  if (edit.CreatesFile()) {
    std::string dir = DirectoryOf(edit.path);
    std::vector<std::string> below;  // missing components, innermost first
    char* resolved = ::realpath(dir.c_str(), nullptr);
    while (resolved == nullptr && errno == ENOENT && create_directories && dir != "." &&
           dir != "/") {
      std::string parent = DirectoryOf(dir);
      below.push_back(dir.substr(parent.size() + (parent == "/" ? 0 : 1)));
      dir = parent;
      resolved = ::realpath(dir.c_str(), nullptr);
    }
    if (resolved == nullptr) {
      return base::MakeError(
          base::ErrorCode::kIo,
          fmt::format("cannot create it: its directory {}: {}", dir, std::strerror(errno)),
          std::string(edit.DisplayPath()));
    }
    std::string out(resolved);
    ::free(resolved);
    for (auto it = below.rbegin(); it != below.rend(); ++it) {
      if (*it == ".." || *it == "." || it->empty()) {
        return base::MakeError(base::ErrorCode::kIo,
                               "cannot create it: its directory is not a "
                               "plain path",
                               std::string(edit.DisplayPath()));
      }
      out += "/" + *it;
      missing->push_back(out);
    }
    return out + edit.path.substr(DirectoryOf(edit.path).size());
  }
  char* resolved = ::realpath(edit.path.c_str(), nullptr);
  if (resolved == nullptr) {
    return base::MakeError(base::ErrorCode::kIo,
                           fmt::format("cannot read: {}", std::strerror(errno)),
                           std::string(edit.DisplayPath()));
  }
  std::string out(resolved);
  ::free(resolved);
  return out;
}

// Step 1: edits grouped by canonical file, each below `root` (canonical) when one is given.
base::Result<std::map<std::string, FilePlan>> GroupByFile(const std::vector<Edit>& edits,
                                                          const std::string& root,
                                                          bool create_directories) {
  std::map<std::string, FilePlan> plans;
  std::unordered_map<std::string, std::string> canonical;             // path as given → canonical
  std::unordered_map<std::string, std::vector<std::string>> missing;  // canonical → directories
  for (const Edit& edit : edits) {
    auto known = canonical.find(edit.path);
    if (known == canonical.end()) {
      std::vector<std::string> directories;
      base::Result<std::string> target = Canonical(edit, create_directories, &directories);
      if (!target.ok()) return target.error();
      missing[*target] = std::move(directories);
      if (!root.empty() && !base::IsPathBelow(*target, root)) {
        return base::MakeError(base::ErrorCode::kIo,
                               "resolves outside the repository: nothing was written",
                               std::string(edit.DisplayPath()));
      }
      known = canonical.emplace(edit.path, *target).first;
    }
    FilePlan& plan = plans[known->second];
    if (plan.edits.empty()) {
      plan.path = edit.path;
      plan.display = std::string(edit.DisplayPath());
      plan.target = known->second;
      plan.sha256 = edit.file_sha256;
      plan.create = edit.CreatesFile();
      plan.missing_directories = missing[known->second];
    }
    if (edit.file_sha256.empty() || edit.file_sha256 != plan.sha256) {
      return base::MakeError(base::ErrorCode::kIo,
                             "edits not planned from one scan of this file: nothing was written",
                             std::string(edit.DisplayPath()));
    }
    plan.edits.push_back(edit);
  }
  return plans;
}

// Step 2: read the file and splice its edits in memory.
base::Status Prepare(FilePlan* plan) {
  if (plan->create) {
    if (!PathAbsent(plan->target)) {
      return base::MakeError(base::ErrorCode::kIo,
                             "was created since imagepin read the repository: nothing was "
                             "written (run again)",
                             plan->display);
    }
    plan->before = NewFileIdentity();
    base::Result<std::vector<Edit>> checked = CheckEdits("", std::move(plan->edits));
    if (!checked.ok()) return checked.error();
    plan->changes = static_cast<int>(checked->size());
    if (plan->changes == 0) return {};
    base::Result<std::string> created = Splice("", std::move(*checked));
    if (!created.ok()) return created.error();
    plan->updated = std::move(*created);
    return {};
  }
  // Stat before reading: if the file changes in between, the later check sees a newer mtime
  // and refuses, which errs on the safe side.
  base::Result<FileIdentity> before = StatRegularFile(plan->target, plan->display);
  if (!before.ok()) return before.error();
  plan->before = *before;
  std::string contents;
  base::Status read = base::ReadFileInto(plan->target, kMaxEditableFileSize, &contents);
  if (!read.ok()) {
    base::Error error = read.error();
    error.path = plan->display;
    return error;
  }
  if (base::Sha256Digest(contents) != plan->sha256) {
    return base::MakeError(base::ErrorCode::kIo,
                           "changed since imagepin read it: nothing was written (run again)",
                           plan->display);
  }
  base::Result<std::vector<Edit>> checked = CheckEdits(contents, std::move(plan->edits));
  if (!checked.ok()) return checked.error();
  plan->changes = static_cast<int>(checked->size());
  if (plan->changes == 0) return {};
  base::Result<std::string> updated = Splice(contents, std::move(*checked));
  if (!updated.ok()) return updated.error();
  plan->updated = std::move(*updated);
  return {};
}

void RemoveTemps(std::vector<FilePlan*>& changed) {
  for (FilePlan* plan : changed) {
    if (!plan->temp.empty()) ::unlink(plan->temp.c_str());
    plan->temp.clear();
  }
}

// Writing and fsyncing thousands of temporary files one after another is slow (each fsync
// waits for its own journal commit); several in flight let the file system commit them
// together. 8 is enough to fill a commit on the disks measured (bench/lanes_bench.sh) without
// crowding a small machine.
constexpr unsigned kWriters = 8;

// Step 3, in parallel: every changed file's new contents in a temporary file beside it. On any
// failure, all temporary files are removed and the first error (in plan order) is returned.
base::Status WriteTemps(std::vector<FilePlan*>& changed, bool journaled) {
  std::vector<std::optional<base::Error>> errors(changed.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < changed.size();) {
      FilePlan* plan = changed[i];
      base::Result<std::string> temp =
          WriteTempFileBeside(plan->target, plan->updated, plan->before, plan->display,
                              journaled ? JournalTempPath(plan->target) : "");
      if (temp.ok()) {
        plan->temp = std::move(*temp);
      } else {
        errors[i] = temp.error();
      }
    }
  };
  std::vector<std::thread> writers;
  for (unsigned t = 1; t < std::min<size_t>(kWriters, changed.size()); ++t)
    writers.emplace_back(work);
  work();
  for (std::thread& w : writers) w.join();
  for (const std::optional<base::Error>& e : errors) {
    if (!e) continue;
    RemoveTemps(changed);
    return *e;
  }
  return {};
}

std::vector<JournalEntry> JournalEntries(const std::vector<FilePlan*>& changed) {
  std::vector<JournalEntry> entries;
  entries.reserve(changed.size());
  for (const FilePlan* plan : changed)
    entries.push_back({plan->target, JournalTempPath(plan->target), plan->before});
  return entries;
}

// The missing directories of the files to create (ApplyOptions::create_directories), outermost
// first; each one made is appended to `made`. One that exists by now (another plan's) is fine
// if it is a directory.
base::Status MakeDirectories(const std::vector<FilePlan*>& changed,
                             std::vector<std::string>* made) {
  for (const FilePlan* plan : changed) {
    for (const std::string& dir : plan->missing_directories) {
      if (::mkdir(dir.c_str(), 0777) == 0) {
        made->push_back(dir);
        if (base::Status synced = SyncDirectoryOf(dir, plan->display); !synced.ok()) return synced;
        continue;
      }
      int error = errno;
      struct stat st {};
      if (error == EEXIST && ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      return base::MakeError(
          base::ErrorCode::kIo,
          fmt::format("cannot create its directory {}: {}", dir, std::strerror(error)),
          plan->display);
    }
  }
  return {};
}

// Removes the directories MakeDirectories made, innermost first (each is empty again once the
// temporary files are gone).
void RemoveDirectories(const std::vector<std::string>& made) {
  for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
}

// Steps 3 and 4 for the files that change; journaled when `journal` is set.
base::Status WriteAll(std::vector<FilePlan*>& changed, const std::string& journal) {
  const bool journaled = !journal.empty();
  std::vector<std::string> made;
  if (base::Status status = MakeDirectories(changed, &made); !status.ok()) {
    RemoveDirectories(made);
    return status;
  }
  if (journaled) {
    base::Status prepared = WriteJournal(journal, JournalState::kPrepared, JournalEntries(changed));
    if (!prepared.ok()) {
      RemoveDirectories(made);
      return prepared;
    }
  }
  if (base::Status written = WriteTemps(changed, journaled); !written.ok()) {
    if (journaled) (void)RemoveJournal(journal);
    RemoveDirectories(made);
    return written;
  }
  for (FilePlan* plan : changed) {
    bool unchanged = false;
    if (plan->create) {
      unchanged = PathAbsent(plan->target);
    } else {
      base::Result<FileIdentity> now = StatRegularFile(plan->target, plan->display);
      unchanged = now.ok() && SameFile(plan->before, *now);
    }
    if (!unchanged) {
      RemoveTemps(changed);
      if (journaled) (void)RemoveJournal(journal);
      RemoveDirectories(made);
      return base::MakeError(base::ErrorCode::kIo,
                             "the file changed while imagepin was editing it; nothing was written",
                             plan->display);
    }
  }
  if (journaled) {
    base::Status committed =
        WriteJournal(journal, JournalState::kCommitted, JournalEntries(changed));
    if (!committed.ok()) {
      RemoveTemps(changed);
      (void)RemoveJournal(journal);
      RemoveDirectories(made);
      return committed;
    }
  }
  std::vector<std::string> written;
  for (FilePlan* plan : changed) {
    base::Status renamed = plan->create ? RenameNoReplace(plan->temp, plan->target, plan->display)
                                        : RenameOver(plan->temp, plan->target, plan->display);
    plan->temp.clear();
    if (!renamed.ok()) {
      RemoveTemps(changed);
      base::Error error = renamed.error();
      if (!written.empty()) {
        error.message += fmt::format(" (already written: {})", fmt::join(written, ", "));
      }
      return error;
    }
    written.push_back(plan->display);
  }
  std::set<std::string> directories;
  for (FilePlan* plan : changed) {
    if (!directories.insert(DirectoryOf(plan->target)).second) continue;
    base::Status synced = SyncDirectoryOf(plan->target, plan->display);
    if (!synced.ok()) return synced;
  }
  if (journaled) return RemoveJournal(journal);
  return {};
}

}  // namespace

base::Result<std::vector<FileChange>> ApplyEdits(const std::vector<Edit>& edits,
                                                 const ApplyOptions& options) {
  std::string root;
  if (!options.root.empty()) {
    std::error_code ec;
    root = std::filesystem::canonical(options.root, ec).string();
    if (ec) {
      return base::MakeError(base::ErrorCode::kIo,
                             "cannot open the repository root: " + ec.message(), options.root);
    }
  }
  base::Result<std::map<std::string, FilePlan>> grouped =
      GroupByFile(edits, root, options.create_directories);
  if (!grouped.ok()) return grouped.error();
  std::vector<FilePlan*> plans;
  for (auto& [target, plan] : *grouped) plans.push_back(&plan);
  std::sort(plans.begin(), plans.end(), [](const FilePlan* a, const FilePlan* b) {
    return a->display != b->display ? a->display < b->display : a->target < b->target;
  });

  for (FilePlan* plan : plans) {
    base::Status prepared = Prepare(plan);
    if (!prepared.ok()) return prepared.error();
  }
  std::vector<FilePlan*> changed;
  for (FilePlan* plan : plans) {
    if (plan->changes > 0) changed.push_back(plan);
  }
  if (!options.dry_run && !changed.empty()) {
    base::Status status = WriteAll(changed, options.journal);
    if (!status.ok()) return status.error();
  }

  std::vector<FileChange> result;
  result.reserve(plans.size());
  for (const FilePlan* plan : plans) {
    result.push_back(FileChange{plan->path, plan->display, plan->changes,
                                !options.dry_run && plan->changes > 0});
  }
  return result;
}

}  // namespace imagepin::rewrite
