#include "base/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace imagepin::base {
namespace {

// A fresh directory, removed with its contents at the end of the test; File writes a file in it
// and returns its path as a string.
class TempDir : public imagepin::testing::TempDir {
 public:
  std::string File(const std::string& name, const std::string& contents) const {
    return Write(name, contents).string();
  }
};

constexpr size_t kLimit = 8 * 1024 * 1024;

// Standard input: `check -` read it all, whatever the cap (218 MB read, 3.4 GB RSS).
TEST(ReadStreamInto, StopsAtTheCapWithoutReadingTheRest) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  // The writer offers 64 MiB; the reader must give up after the first 100 KiB or so, and the
  // writer then sees the pipe closed rather than everything consumed.
  auto writer = std::async(std::launch::async, [w = fds[1]] {
    std::string block(64 * 1024, 'a');
    size_t written = 0;
    ::signal(SIGPIPE, SIG_IGN);
    while (written < (size_t{64} << 20)) {
      ssize_t n = ::write(w, block.data(), block.size());
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    ::close(w);
    return written;
  });
  std::string contents;
  Status status = ReadStreamInto(fds[0], "-", 100 * 1024, &contents);
  ::close(fds[0]);
  size_t written = writer.get();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().path, "-");
  EXPECT_EQ(status.error().message, "skipped: larger than the 100 KiB limit (scope.maxFileSize)");
  EXPECT_TRUE(contents.empty());
  EXPECT_LT(written, size_t{64} << 20);
}

TEST(ReadStreamInto, ReadsAStreamUnderTheCapWhole) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string text = "image: nginx:1.27\n";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  std::string contents = "old";
  ASSERT_TRUE(ReadStreamInto(fds[0], "-", 1024, &contents).ok());
  ::close(fds[0]);
  EXPECT_EQ(contents, text);
}

TEST(ReadFileInto, ReadsTheWholeFileByteForByte) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  // The length from sizeof, so the embedded NUL is kept and the terminating one is not.
  constexpr char kBytes[] = "image: nginx:1.27\r\n\0binary\xff\n";
  std::string data(kBytes, sizeof kBytes - 1);
  std::string file = dir.File("a.yaml", data);
  std::string contents;
  Status status = ReadFileInto(file, kLimit, &contents);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(contents, data);
}

TEST(ReadFileInto, ReadsAnEmptyFileAsEmpty) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string file = dir.File("empty.yaml", "");
  std::string contents = "left over";
  Status status = ReadFileInto(file, kLimit, &contents);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(contents, "");
}

TEST(ReadFileInto, ReusesTheBufferAndReplacesItsContents) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string big = dir.File("big.yaml", std::string(4096, 'x'));
  std::string small = dir.File("small.yaml", "a: b\n");
  std::string contents;
  ASSERT_TRUE(ReadFileInto(big, kLimit, &contents).ok());
  ASSERT_EQ(contents.size(), 4096u);
  const char* storage = contents.data();
  size_t capacity = contents.capacity();

  ASSERT_TRUE(ReadFileInto(small, kLimit, &contents).ok());
  EXPECT_EQ(contents, "a: b\n");  // nothing of the previous file is left
  EXPECT_EQ(contents.data(), storage);
  EXPECT_GE(contents.capacity(), capacity);

  ASSERT_TRUE(ReadFileInto(big, kLimit, &contents).ok());
  EXPECT_EQ(contents, std::string(4096, 'x'));
  EXPECT_EQ(contents.data(), storage);
}

TEST(ReadFileInto, AcceptsAFileExactlyAtTheLimit) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string file = dir.File("limit.yaml", std::string(1024, 'a'));
  std::string contents;
  Status status = ReadFileInto(file, 1024, &contents);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(contents.size(), 1024u);
}

TEST(ReadFileInto, RefusesAFileOverTheLimitNamingTheLimit) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string file = dir.File("big.yaml", std::string(1025, 'a'));
  std::string contents;
  Status status = ReadFileInto(file, 1024, &contents);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_EQ(status.error().path, file);
  EXPECT_NE(status.error().message.find("1 KiB limit"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("1025 bytes"), std::string::npos) << status.error().message;
  EXPECT_NE(status.error().message.find("scope.maxFileSize"), std::string::npos)
      << status.error().message;
}

TEST(ReadFileInto, MissingFileIsAnIoError) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string file = dir.str() + "/absent.yaml";
  std::string contents;
  Status status = ReadFileInto(file, kLimit, &contents);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_EQ(status.error().path, file);
  EXPECT_NE(status.error().message.find(std::strerror(ENOENT)), std::string::npos)
      << status.error().message;
}

TEST(ReadFileInto, DirectoryIsAnIoErrorSayingSo) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string contents;
  Status status = ReadFileInto(dir.str(), kLimit, &contents);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_EQ(status.error().path, dir.str());
  EXPECT_NE(status.error().message.find("is a directory"), std::string::npos)
      << status.error().message;
}

TEST(ReadFileInto, SymlinkLoopIsAnErrorMentioningSymbolicLinks) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string loop = dir.str() + "/loop";
  ASSERT_EQ(::symlink("loop", loop.c_str()), 0) << std::strerror(errno);
  std::string contents;
  Status status = ReadFileInto(loop, kLimit, &contents);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_NE(status.error().message.find("symbolic links"), std::string::npos)
      << status.error().message;
}

TEST(ReadFileInto, FollowsASymlinkToAFile) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  dir.File("target.yaml", "a: 1\n");
  std::string link = dir.str() + "/link.yaml";
  ASSERT_EQ(::symlink("target.yaml", link.c_str()), 0) << std::strerror(errno);
  std::string contents;
  Status status = ReadFileInto(link, kLimit, &contents);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(contents, "a: 1\n");
}

TEST(ReadFileInto, FifoIsRefusedWithoutWaitingForAWriter) {
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string fifo = dir.str() + "/pipe.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  // A blocking open() of a FIFO waits for a writer; run the read on another thread so that a
  // regression fails the test instead of hanging it.
  auto read = std::async(std::launch::async, [fifo] {
    std::string contents;
    return ReadFileInto(fifo, kLimit, &contents);
  });
  if (read.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // Unblock the reader so that the future's destructor can return.
    int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd >= 0) ::close(fd);
    FAIL() << "ReadFileInto blocked on a FIFO";
  }
  Status status = read.get();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_NE(status.error().message.find("not a regular file"), std::string::npos)
      << status.error().message;
}

TEST(ReadFileInto, UnreadableFileIsAPermissionError) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: chmod 000 does not stop root from reading a file";
  }
  TempDir dir;
  ASSERT_FALSE(dir.str().empty());
  std::string file = dir.File("secret.yaml", "a: 1\n");
  ASSERT_EQ(::chmod(file.c_str(), 0), 0) << std::strerror(errno);
  std::string contents;
  Status status = ReadFileInto(file, kLimit, &contents);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_NE(status.error().message.find(std::strerror(EACCES)), std::string::npos)
      << status.error().message;
}

TEST(FormatBytes, UsesTheLargestExactBinaryUnit) {
  struct Case {
    size_t bytes;
    std::string text;
  } cases[] = {
      {0, "0 bytes"},
      {300, "300 bytes"},
      {1023, "1023 bytes"},
      {1024, "1 KiB"},
      {512 * 1024, "512 KiB"},
      {1536, "1536 bytes"},  // not a whole KiB and under 1 MiB
      {1024 * 1024, "1 MiB"},
      {8 * 1024 * 1024, "8 MiB"},
      {1024 * 1024 + 512 * 1024, "1536 KiB"},  // a whole number of KiB
      {1024 * 1024 + 512 * 1024 + 1, "1.5 MiB"},
      {8 * 1024 * 1024 + 1, "8.0 MiB"},
      {size_t{1} << 30, "1 GiB"},
      {size_t{3} << 30, "3 GiB"},
      {(size_t{1} << 30) + (size_t{1} << 20), "1025 MiB"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.bytes << " bytes");
    EXPECT_EQ(FormatBytes(c.bytes), c.text);
  }
}

}  // namespace
}  // namespace imagepin::base
