#include "rewrite/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/temp_dir.h"

namespace imagepin::rewrite {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// A repository with files and the journal path the lock would give it.
struct Repo {
  imagepin::testing::TempDir dir;
  std::string root = fs::canonical(dir.path()).string();
  std::string journal = root + "/.imagepin-journal";

  std::string File(const std::string& name, const std::string& contents) {
    return dir.Write(name, contents).string();
  }
  // What a killed run leaves for `target`: its new contents in the journal's temporary file.
  JournalEntry Pending(const std::string& target, const std::string& contents) {
    std::string canonical = fs::canonical(target).string();
    std::ofstream(JournalTempPath(canonical), std::ios::binary) << contents;
    return {canonical, JournalTempPath(canonical), *StatRegularFile(canonical, target)};
  }
  std::vector<std::string> Names() {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(root))
      names.push_back(fs::relative(e.path(), root).string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST(RecoverInterruptedWrite, NoJournalDoesNothing) {
  Repo repo;
  repo.File("a.yaml", "old\n");
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(repo.journal, repo.root);
  ASSERT_TRUE(said.ok());
  EXPECT_TRUE(said->empty());
}

TEST(RecoverInterruptedWrite, APreparedWriteIsRolledBack) {
  // Killed while writing temporary files: no target was touched; the temporaries go.
  Repo repo;
  std::string a = repo.File("a.yaml", "old a\n");
  std::string b = repo.File("dir/b.yaml", "old b\n");
  std::vector<JournalEntry> entries{repo.Pending(a, "new a\n"), repo.Pending(b, "new b\n")};
  ASSERT_TRUE(WriteJournal(repo.journal, JournalState::kPrepared, entries).ok());
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(repo.journal, repo.root);
  ASSERT_TRUE(said.ok()) << said.error().ToString();
  EXPECT_EQ(Read(a), "old a\n");
  EXPECT_EQ(Read(b), "old b\n");
  EXPECT_EQ(repo.Names(), (std::vector<std::string>{"a.yaml", "dir", "dir/b.yaml"}));
  ASSERT_EQ(said->size(), 1u);
  EXPECT_NE(said->front().find("rolled back"), std::string::npos);
}

TEST(RecoverInterruptedWrite, ACommittedWriteIsFinished) {
  // Killed between renames: a.yaml was renamed already, b.yaml not; both end new.
  Repo repo;
  std::string a = repo.File("a.yaml", "old a\n");
  std::string b = repo.File("b.yaml", "old b\n");
  std::vector<JournalEntry> entries{repo.Pending(a, "new a\n"), repo.Pending(b, "new b\n")};
  ASSERT_TRUE(WriteJournal(repo.journal, JournalState::kCommitted, entries).ok());
  fs::rename(entries[0].temp, a);
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(repo.journal, repo.root);
  ASSERT_TRUE(said.ok()) << said.error().ToString();
  EXPECT_EQ(Read(a), "new a\n");
  EXPECT_EQ(Read(b), "new b\n");
  EXPECT_EQ(repo.Names(), (std::vector<std::string>{"a.yaml", "b.yaml"}));
  EXPECT_NE(said->back().find("finished the write"), std::string::npos);
  EXPECT_NE(said->back().find("1 file"), std::string::npos);
}

TEST(RecoverInterruptedWrite, ATargetChangedSinceIsLeftAloneAndSaidSo) {
  Repo repo;
  std::string a = repo.File("a.yaml", "old a\n");
  std::vector<JournalEntry> entries{repo.Pending(a, "new a\n")};
  ASSERT_TRUE(WriteJournal(repo.journal, JournalState::kCommitted, entries).ok());
  repo.File("a.yaml", "someone else's edit, longer\n");
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(repo.journal, repo.root);
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(Read(a), "someone else's edit, longer\n");
  EXPECT_EQ(repo.Names(), (std::vector<std::string>{"a.yaml"}));
  EXPECT_NE(said->front().find("changed since"), std::string::npos);
}

TEST(RecoverInterruptedWrite, PathsWithAnyBytesRoundTrip) {
  Repo repo;
  std::string odd = repo.File("we\tird %41\nname.yaml", "old\n");
  std::vector<JournalEntry> entries{repo.Pending(odd, "new\n")};
  ASSERT_TRUE(WriteJournal(repo.journal, JournalState::kCommitted, entries).ok());
  ASSERT_TRUE(RecoverInterruptedWrite(repo.journal, repo.root).ok());
  EXPECT_EQ(Read(odd), "new\n");
}

TEST(RecoverInterruptedWrite, EntriesOutsideTheRepositoryAreNotTouched) {
  Repo other;
  std::string outside = other.File("x.yaml", "old\n");
  std::vector<JournalEntry> entries{other.Pending(outside, "new\n")};
  Repo repo;
  ASSERT_TRUE(WriteJournal(repo.journal, JournalState::kCommitted, entries).ok());
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(repo.journal, repo.root);
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(Read(outside), "old\n");
  EXPECT_NE(said->front().find("outside this repository"), std::string::npos);
}

TEST(RecoverInterruptedWrite, ADamagedJournalIsAnErrorNotAGuess) {
  Repo repo;
  std::ofstream(repo.journal) << "imagepin-journal 1 committed\nnot\tenough\n";
  EXPECT_FALSE(RecoverInterruptedWrite(repo.journal, repo.root).ok());
  // Numbers that are not numbers: an error too, never an exception.
  std::string a = repo.File("a.yaml", "old\n");
  std::string canonical = fs::canonical(a).string();
  std::ofstream(JournalTempPath(canonical)) << "new\n";
  std::ofstream(repo.journal, std::ios::trunc)
      << "imagepin-journal 1 committed\n"
      << canonical << "\t" << JournalTempPath(canonical) << "\tx\t1\t2\t3\t4\n";
  base::Result<std::vector<std::string>> said = RecoverInterruptedWrite(repo.journal, repo.root);
  ASSERT_FALSE(said.ok());
  EXPECT_NE(said.error().message.find("damaged journal"), std::string::npos);
  EXPECT_EQ(Read(a), "old\n");
}

}  // namespace
}  // namespace imagepin::rewrite
