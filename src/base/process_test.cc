#include "base/process.h"

#include <gtest/gtest.h>

namespace imagepin::base {
namespace {

TEST(RunProcessTest, ReturnsTheExitCodeAndBothOutputs) {
  Result<ProcessOutput> run =
      RunProcess({"sh", "-c", "printf 'a b'; printf oops >&2; exit 3"}, 1024);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->out, "a b");
  EXPECT_EQ(run->err, "oops");
}

TEST(RunProcessTest, PassesArgumentsVerbatimWithoutAShell) {
  Result<ProcessOutput> run =
      RunProcess({"printf", "%s|", "$(echo no)", "; rm -rf x", "a b"}, 1024);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "$(echo no)|; rm -rf x|a b|");
}

TEST(RunProcessTest, StopsAProgramThatPrintsMoreThanTheCap) {
  Result<ProcessOutput> run = RunProcess({"yes"}, 100'000);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("more than 100000 bytes"), std::string::npos);
}

TEST(RunProcessTest, OutputExactlyAtTheCapIsKept) {
  Result<ProcessOutput> run = RunProcess({"head", "-c", "4096", "/dev/zero"}, 4096);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out.size(), 4096u);
}

TEST(RunProcessTest, AMissingProgramIsAnErrorNamingIt) {
  Result<ProcessOutput> run = RunProcess({"imagepin-no-such-program"}, 1024);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message, "imagepin-no-such-program is not installed (not in PATH)");
}

TEST(RunProcessTest, StdinIsEmpty) {
  Result<ProcessOutput> run = RunProcess({"wc", "-c"}, 1024);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out.substr(0, 1), "0");
}

}  // namespace
}  // namespace imagepin::base
