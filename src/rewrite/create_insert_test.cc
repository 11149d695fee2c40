// Insertions (an Edit with an empty old span) and edits that create their file
// (kFileMustNotExist): bytes added only, the precondition that the file is still absent, and the
// journal's handling of a created file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/sha256.h"
#include "rewrite/apply.h"
#include "rewrite/journal.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::rewrite {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> Names(const std::string& root) {
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(root))
    names.push_back(fs::relative(e.path(), root).string());
  std::sort(names.begin(), names.end());
  return names;
}

Edit Insertion(const std::string& file, const std::string& contents, uint32_t at,
               std::string text) {
  Edit e;
  e.path = file;
  e.begin = e.end = at;
  e.new_text = std::move(text);
  e.file_sha256 = base::Sha256Digest(contents);
  return e;
}

Edit Creation(const std::string& file, std::string text) {
  Edit e;
  e.path = file;
  e.new_text = std::move(text);
  e.file_sha256 = std::string(kFileMustNotExist);
  return e;
}

TEST(ApplyInsertion, AddsOnlyTheInsertedBytesKeepingTheRestAndTheMode) {
  imagepin::testing::TempDir dir;
  const std::string before = "image:\r\n  pullPolicy: Always\r\nreplicas: 2\r\n";
  std::string file = dir.Write("values.yaml", before).string();
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  uint32_t at = static_cast<uint32_t>(before.find("replicas"));
  base::Result<std::vector<FileChange>> changed =
      ApplyEdits({Insertion(file, before, at, "  ref: a@sha256:1\r\n")}, {});
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(Read(file), "image:\r\n  pullPolicy: Always\r\n  ref: a@sha256:1\r\nreplicas: 2\r\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_TRUE(changed->front().written);
}

TEST(ApplyInsertion, AtTheEndOfTheFileAndBesideAReplacement) {
  imagepin::testing::TempDir dir;
  const std::string before = "a: 1\nb: 2\n";
  std::string file = dir.Write("values.yaml", before).string();
  Edit replace = Insertion(file, before, 3, "3");
  replace.end = 4;
  replace.old_text = "1";
  base::Result<std::vector<FileChange>> changed =
      ApplyEdits({Insertion(file, before, static_cast<uint32_t>(before.size()), "c: 4\n"), replace,
                  Insertion(file, before, 3, "0")},
                 {});
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(Read(file), "a: 03\nb: 2\nc: 4\n");
}

TEST(ApplyInsertion, TwoDifferentInsertionsAtOnePointConflict) {
  imagepin::testing::TempDir dir;
  const std::string before = "a: 1\n";
  std::string file = dir.Write("values.yaml", before).string();
  base::Result<std::vector<FileChange>> changed =
      ApplyEdits({Insertion(file, before, 5, "b: 2\n"), Insertion(file, before, 5, "c: 3\n")}, {});
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(Read(file), before);
}

TEST(ApplyCreate, CreatesTheFileWithExactlyTheNewText) {
  imagepin::testing::TempDir dir;
  fs::create_directories(dir.path() / "env");
  std::string file = (dir.path() / "env/api.yaml").string();
  base::Result<std::vector<FileChange>> changed =
      ApplyEdits({Creation(file, "image:\n  ref: a@sha256:1\n")}, {});
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(Read(file), "image:\n  ref: a@sha256:1\n");
  EXPECT_EQ(Names(dir.str()), (std::vector<std::string>{"env", "env/api.yaml"}));
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_TRUE(changed->front().written);
}

TEST(ApplyCreate, AFileCreatedSinceTheScanIsRefusedAndNothingIsWritten) {
  imagepin::testing::TempDir dir;
  std::string other = dir.Write("other.yaml", "a: 1\n").string();
  std::string file = (dir.path() / "api.yaml").string();
  // Planned while api.yaml did not exist; someone creates it before the write.
  std::vector<Edit> edits{Creation(file, "image:\n  ref: a@sha256:1\n"),
                          Insertion(other, "a: 1\n", 5, "b: 2\n")};
  dir.Write("api.yaml", "someone's file\n");
  base::Result<std::vector<FileChange>> changed = ApplyEdits(edits, {});
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().message.find("created since"), std::string::npos)
      << changed.error().message;
  EXPECT_EQ(Read(file), "someone's file\n");
  EXPECT_EQ(Read(other), "a: 1\n");
  EXPECT_EQ(Names(dir.str()), (std::vector<std::string>{"api.yaml", "other.yaml"}));
}

TEST(ApplyCreate, ADirectoryThatDoesNotExistIsRefused) {
  imagepin::testing::TempDir dir;
  std::string file = (dir.path() / "no/such/api.yaml").string();
  base::Result<std::vector<FileChange>> changed = ApplyEdits({Creation(file, "a: 1\n")}, {});
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().message.find("directory"), std::string::npos);
  EXPECT_TRUE(Names(dir.str()).empty());
}

TEST(ApplyCreate, DryRunCreatesNothing) {
  imagepin::testing::TempDir dir;
  std::string file = (dir.path() / "api.yaml").string();
  ApplyOptions options;
  options.dry_run = true;
  base::Result<std::vector<FileChange>> changed = ApplyEdits({Creation(file, "a: 1\n")}, options);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_TRUE(Names(dir.str()).empty());
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_FALSE(changed->front().written);
}

TEST(ApplyCreate, JournaledWithAnEditOfAnotherFile) {
  imagepin::testing::TempDir dir;
  std::string root = fs::canonical(dir.path()).string();
  std::string other = dir.Write("other.yaml", "a: 1\n").string();
  std::string file = root + "/api.yaml";
  ApplyOptions options;
  options.root = root;
  options.journal = root + "/.journal";
  base::Result<std::vector<FileChange>> changed = ApplyEdits(
      {Creation(file, "image:\n  ref: x\n"), Insertion(other, "a: 1\n", 5, "b: 2\n")}, options);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(Read(file), "image:\n  ref: x\n");
  EXPECT_EQ(Read(other), "a: 1\nb: 2\n");
  EXPECT_EQ(Names(root), (std::vector<std::string>{"api.yaml", "other.yaml"}));
}

TEST(RecoverInterruptedWrite, ACommittedCreationIsFinishedUnlessTheFileAppeared) {
  imagepin::testing::TempDir dir;
  std::string root = fs::canonical(dir.path()).string();
  std::string journal = root + "/.journal";
  std::string a = root + "/a.yaml", b = root + "/b.yaml";
  std::ofstream(JournalTempPath(a), std::ios::binary) << "new a\n";
  std::ofstream(JournalTempPath(b), std::ios::binary) << "new b\n";
  std::vector<JournalEntry> entries{{a, JournalTempPath(a), NewFileIdentity()},
                                    {b, JournalTempPath(b), NewFileIdentity()}};
  ASSERT_TRUE(WriteJournal(journal, JournalState::kCommitted, entries).ok());
  dir.Write("b.yaml", "someone's b\n");  // appeared after the interrupted run
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(journal, root);
  ASSERT_TRUE(said.ok()) << said.error().ToString();
  EXPECT_EQ(Read(a), "new a\n");
  EXPECT_EQ(Read(b), "someone's b\n");
  EXPECT_EQ(Names(root), (std::vector<std::string>{"a.yaml", "b.yaml"}));
  EXPECT_NE(said->front().find("changed since"), std::string::npos);
}

TEST(ApplyCreation, CreatesMissingDirectoriesOnlyWhenAskedAndNotInADryRun) {
  imagepin::testing::TempDir dir;
  std::string file = dir.str() + "/.github/workflows/a.yaml";
  // Not asked: a missing directory is an error, and nothing appears.
  base::Result<std::vector<FileChange>> refused = ApplyEdits({Creation(file, "a: 1\n")}, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("cannot create it: its directory"), std::string::npos)
      << refused.error().message;
  ApplyOptions options;
  options.root = dir.str();
  options.create_directories = true;
  options.dry_run = true;
  base::Result<std::vector<FileChange>> dry = ApplyEdits({Creation(file, "a: 1\n")}, options);
  ASSERT_TRUE(dry.ok()) << dry.error().ToString();
  EXPECT_FALSE(dry->front().written);
  EXPECT_TRUE(Names(dir.str()).empty());
  options.dry_run = false;
  base::Result<std::vector<FileChange>> made = ApplyEdits(
      {Creation(file, "a: 1\n"), Creation(dir.str() + "/.github/b.yaml", "b\n")}, options);
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_EQ(Read(file), "a: 1\n");
  EXPECT_EQ(Read(dir.str() + "/.github/b.yaml"), "b\n");
  EXPECT_EQ(Names(dir.str()),
            (std::vector<std::string>{".github", ".github/b.yaml", ".github/workflows",
                                      ".github/workflows/a.yaml"}));
}

TEST(ApplyCreation, AFailedWriteRemovesTheDirectoriesItMade) {
  imagepin::testing::TempDir dir;
  dir.Write("taken.yaml", "x\n");
  ApplyOptions options;
  options.create_directories = true;
  // The second file exists already: the plan fails in step 2, before any directory is made.
  base::Result<std::vector<FileChange>> failed = ApplyEdits(
      {Creation(dir.str() + "/new/dir/a.yaml", "a\n"), Creation(dir.str() + "/taken.yaml", "y\n")},
      options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(Names(dir.str()), (std::vector<std::string>{"taken.yaml"}));
}

}  // namespace
}  // namespace imagepin::rewrite
