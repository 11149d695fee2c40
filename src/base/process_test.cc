#include "base/process.h"

#include <gtest/gtest.h>

namespace imagepin::base {
namespace {

TEST(RunProcess, CapturesBothOutputsAndTheExitCodeWithoutAShell) {
  Result<ProcessResult> r =
      RunProcess({"sh", "-c", "printf '%s|' \"$0\" \"$1\"; echo oops >&2; exit 3", "$(x)", "a b"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->out, "$(x)|a b|");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->truncated);
  EXPECT_FALSE(r->timed_out);
}

TEST(RunProcess, StopsAtTheOutputBoundAndTheTimeout) {
  Result<ProcessResult> big = RunProcess({"yes"}, {1000, std::chrono::seconds(10)});
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->truncated);
  EXPECT_EQ(big->out.size(), 1000u);
  EXPECT_EQ(big->exit_code, -1);
  auto start = std::chrono::steady_clock::now();
  Result<ProcessResult> slow =
      RunProcess({"sh", "-c", "sleep 30 & sleep 30"}, {1000, std::chrono::milliseconds(200)});
  ASSERT_TRUE(slow.ok());
  EXPECT_TRUE(slow->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  Result<ProcessResult> quiet =
      RunProcess({"sh", "-c", "exec >&- 2>&-; sleep 30"}, {1000, std::chrono::milliseconds(200)});
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->timed_out) << "closing its output does not end the wait";
}

TEST(RunProcess, AProgramThatIsNotInstalledIsNotFound) {
  Result<ProcessResult> r = RunProcess({"imagepin-no-such-program"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("is not installed"), std::string::npos);
}

TEST(RunProcess, OutputExactlyAtTheCapIsKept) {
  Result<ProcessResult> run =
      RunProcess({"head", "-c", "4096", "/dev/zero"}, {4096, std::chrono::seconds(10)});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out.size(), 4096u);
  EXPECT_FALSE(run->truncated);
}

TEST(RunProcess, StdinIsEmpty) {
  Result<ProcessResult> run = RunProcess({"wc", "-c"});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out.substr(0, 1), "0");
}

}  // namespace
}  // namespace imagepin::base
