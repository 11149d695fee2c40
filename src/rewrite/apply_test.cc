#include "rewrite/apply.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rewrite/test_util.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::rewrite {
namespace {

namespace fs = std::filesystem;
using testing::EditAt;

class TempDir : public imagepin::testing::TempDir {
 public:
  // Writes `contents` to `name` with an mtime in the past, so that any rewrite would show.
  std::string Write(const std::string& name, const std::string& contents) const {
    std::string file = imagepin::testing::TempDir::Write(name, contents).string();
    timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    EXPECT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
    return file;
  }
  // The names in the directory, to see that no temporary file is left behind.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string Read(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

struct stat Stat(const std::string& file) {
  struct stat st {};
  EXPECT_EQ(::stat(file.c_str(), &st), 0);
  return st;
}

// An edit of `file` (whose contents are `contents`) from `old_text` to `new_text`.
Edit EditOf(const std::string& file, const std::string& contents, const std::string& old_text,
            const std::string& new_text) {
  Edit edit = EditAt(contents, old_text, new_text);
  edit.path = file;
  edit.display_path = fs::path(file).filename().string();
  edit.line = 1;
  edit.column = 8;
  return edit;
}

const std::string kValues = "image: nginx:1.27 # web\r\n";

// The data loss that was: planners took old_text from a re-read of the file, so a file changed
// between scan and write had the wrong bytes replaced (the span check passed on new contents).
TEST(ApplyEdits, FileChangedSinceTheScanIsRefusedEvenWhereTheSpanStillMatches) {
  TempDir dir;
  std::string scanned = "image: nginx:1.27 # web\n";
  std::string file = dir.Write("values.yaml", scanned);
  Edit edit = EditOf(file, scanned, "nginx:1.27", "nginx:1.28");
  // Someone edits the file elsewhere after the scan: the span's bytes are still "nginx:1.27".
  std::string changed = "image: nginx:1.27 # web, reviewed\n";
  dir.Write("values.yaml", changed);
  base::Result<std::vector<FileChange>> result = ApplyEdits({edit}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("changed since imagepin read it"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(Read(file), changed);
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"values.yaml"}));
}

TEST(ApplyEdits, EditWithoutTheScansFingerprintIsRefused) {
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  Edit edit = EditOf(file, kValues, "nginx:1.27", "nginx:1.28");
  edit.file_sha256.clear();
  base::Result<std::vector<FileChange>> result = ApplyEdits({edit}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(Read(file), kValues);
}

TEST(ApplyEdits, FileOutsideTheRootIsNeverWritten) {
  TempDir outside;
  std::string target = outside.Write("values.yaml", kValues);
  TempDir repo;
  fs::create_symlink(target, repo.path() / "link.yaml");
  ApplyOptions options;
  options.root = repo.path().string();
  base::Result<std::vector<FileChange>> result = ApplyEdits(
      {EditOf((repo.path() / "link.yaml").string(), kValues, "nginx:1.27", "x:1")}, options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("outside the repository"), std::string::npos);
  EXPECT_EQ(Read(target), kValues);
}

TEST(ApplyEdits, JournaledWriteLeavesNoJournalAndNoTemporaryFile) {
  TempDir dir;
  std::string first = dir.Write("a.yaml", kValues);
  std::string second = dir.Write("b.yaml", kValues);
  ApplyOptions options;
  options.root = dir.path().string();
  options.journal = (dir.path() / ".imagepin-journal").string();
  base::Result<std::vector<FileChange>> result =
      ApplyEdits({EditOf(first, kValues, "nginx:1.27", "nginx:1.28"),
                  EditOf(second, kValues, "nginx:1.27", "nginx:1.28")},
                 options);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(Read(first), "image: nginx:1.28 # web\r\n");
  EXPECT_EQ(Read(second), "image: nginx:1.28 # web\r\n");
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"a.yaml", "b.yaml"}));
}

TEST(ApplyEdits, WritesTheFileAndKeepsItsMode) {
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  base::Result<std::vector<FileChange>> changes =
      ApplyEdits({EditOf(file, kValues, "nginx:1.27", "nginx:1.28")}, {});
  ASSERT_TRUE(changes.ok()) << changes.error().ToString();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].edits, 1);
  EXPECT_TRUE((*changes)[0].written);
  EXPECT_EQ(Read(file), "image: nginx:1.28 # web\r\n");
  EXPECT_EQ(Stat(file).st_mode & 07777, 0640u);
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"values.yaml"});
}

TEST(ApplyEdits, LeavesAFileWithOnlyNoOpEditsUntouched) {
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  ino_t inode = Stat(file).st_ino;
  base::Result<std::vector<FileChange>> changes =
      ApplyEdits({EditOf(file, kValues, "nginx:1.27", "nginx:1.27")}, {});
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].edits, 0);
  EXPECT_FALSE((*changes)[0].written);
  EXPECT_EQ(Stat(file).st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(Stat(file).st_ino, inode);
}

TEST(ApplyEdits, DryRunChecksButWritesNothing) {
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  base::Result<std::vector<FileChange>> changes =
      ApplyEdits({EditOf(file, kValues, "nginx:1.27", "nginx:1.28")}, {.dry_run = true});
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ((*changes)[0].edits, 1);
  EXPECT_FALSE((*changes)[0].written);
  EXPECT_EQ(Read(file), kValues);
  EXPECT_EQ(Stat(file).st_mtim.tv_sec, 1000000000);
}

TEST(ApplyEdits, FailsOnAStaleSpanAndLeavesTheFileUnchanged) {
  TempDir dir;
  std::string file = dir.Write("values.yaml", "image: nginx:1.26 # web\r\n");
  // A span that does not match the file the plan was made from (a planner's mistake, since the
  // fingerprint agrees): CheckEdits still catches it.
  Edit edit = EditOf(file, kValues, "nginx:1.27", "nginx:1.28");
  edit.file_sha256 = base::Sha256Digest("image: nginx:1.26 # web\r\n");
  base::Result<std::vector<FileChange>> changes = ApplyEdits({edit}, {});
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.error().ToString().rfind("values.yaml:1:8: expected `nginx:1.27`", 0), 0u)
      << changes.error().ToString();
  EXPECT_EQ(Read(file), "image: nginx:1.26 # web\r\n");
  EXPECT_EQ(Stat(file).st_mtim.tv_sec, 1000000000);
}

TEST(ApplyEdits, WritesNoFileWhenAnyFileOfThePlanIsStale) {
  TempDir dir;
  std::string first = dir.Write("a.yaml", kValues);
  std::string second = dir.Write("b.yaml", "image: nginx:9 # web\r\n");
  base::Result<std::vector<FileChange>> changes =
      ApplyEdits({EditOf(first, kValues, "nginx:1.27", "nginx:1.28"),
                  EditOf(second, kValues, "nginx:1.27", "nginx:1.28")},
                 {});
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.error().path, "b.yaml");
  EXPECT_EQ(Read(first), kValues);
  EXPECT_EQ(Stat(first).st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(Read(second), "image: nginx:9 # web\r\n");
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"a.yaml", "b.yaml"}));
}

TEST(ApplyEdits, RejectsOverlappingEditsWithoutWriting) {
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  ASSERT_FALSE(
      ApplyEdits({EditOf(file, kValues, "nginx:1.27", "a"), EditOf(file, kValues, "1.27", "b")}, {})
          .ok());
  EXPECT_EQ(Read(file), kValues);
}

TEST(ApplyEdits, GroupsEditsOfOneFileReachedByTwoPaths) {
  TempDir dir;
  std::string contents = "a: x\nb: y\n";
  std::string file = dir.Write("values.yaml", contents);
  Edit first = EditOf(file, contents, "x", "X");
  Edit second = EditOf((dir.path() / "." / "values.yaml").string(), contents, "y", "Y");
  base::Result<std::vector<FileChange>> changes = ApplyEdits({first, second}, {});
  ASSERT_TRUE(changes.ok()) << changes.error().ToString();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].edits, 2);
  EXPECT_EQ(Read(file), "a: X\nb: Y\n");
}

TEST(ApplyEdits, EditsASymlinksTargetAndKeepsTheLink) {
  TempDir dir;
  std::string target = dir.Write("real.yaml", kValues);
  std::string link = (dir.path() / "link.yaml").string();
  ASSERT_EQ(::symlink("real.yaml", link.c_str()), 0);
  ASSERT_TRUE(ApplyEdits({EditOf(link, kValues, "nginx:1.27", "nginx:2")}, {}).ok());
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(Read(target), "image: nginx:2 # web\r\n");
}

TEST(ApplyEdits, FailsForAMissingFile) {
  TempDir dir;
  Edit edit = EditOf((dir.path() / "gone.yaml").string(), kValues, "nginx:1.27", "nginx:2");
  base::Result<std::vector<FileChange>> changes = ApplyEdits({edit}, {});
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.error().ToString(), "gone.yaml: cannot read: No such file or directory");
}

TEST(ApplyEdits, FailsCleanlyInAReadOnlyDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  base::Result<std::vector<FileChange>> changes =
      ApplyEdits({EditOf(file, kValues, "nginx:1.27", "nginx:1.28")}, {});
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.error().code, base::ErrorCode::kIo);
  EXPECT_EQ(Read(file), kValues);
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"values.yaml"});
}

// A write that fails half-way (here: the file size limit, which binds root too) removes the
// temporary files of every file and leaves all originals as they were.
TEST(ApplyEdits, RemovesTemporaryFilesWhenAWriteFails) {
  TempDir dir;
  std::string small = dir.Write("a.yaml", kValues);
  std::string big_contents = "image: nginx:1.27 # web\r\n" + std::string(4096, '#') + "\n";
  std::string big = dir.Write("b.yaml", big_contents);
  rlimit old_limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
  rlimit limit = old_limit;
  limit.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  base::Result<std::vector<FileChange>> changes =
      ApplyEdits({EditOf(small, kValues, "nginx:1.27", "nginx:1.28"),
                  EditOf(big, big_contents, "nginx:1.27", "nginx:1.28")},
                 {});
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.error().path, "b.yaml");
  EXPECT_EQ(Read(small), kValues);
  EXPECT_EQ(Read(big), big_contents);
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"a.yaml", "b.yaml"}));
}

TEST(ApplyEdits, KeepsTheOwnerWhenRunAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give a file to someone else";
  TempDir dir;
  std::string file = dir.Write("values.yaml", kValues);
  ASSERT_EQ(::chown(file.c_str(), 12345, 23456), 0);
  ASSERT_TRUE(ApplyEdits({EditOf(file, kValues, "nginx:1.27", "nginx:1.28")}, {}).ok());
  EXPECT_EQ(Stat(file).st_uid, 12345u);
  EXPECT_EQ(Stat(file).st_gid, 23456u);
}

}  // namespace
}  // namespace imagepin::rewrite
