#include "registry/retry.h"

#include <gtest/gtest.h>

namespace imagepin::registry {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BackoffCap, DoublesFromInitialUpToMax) {
  RetryPolicy policy;  // 250 ms doubling to 4 s
  EXPECT_EQ(BackoffCap(0, policy), milliseconds(250));
  EXPECT_EQ(BackoffCap(1, policy), milliseconds(500));
  EXPECT_EQ(BackoffCap(2, policy), milliseconds(1000));
  EXPECT_EQ(BackoffCap(4, policy), milliseconds(4000));
  EXPECT_EQ(BackoffCap(5, policy), milliseconds(4000));
  EXPECT_EQ(BackoffCap(1000, policy), milliseconds(4000));
}

TEST(FullJitterBackoff, StaysWithinZeroAndTheCap) {
  RetryPolicy policy;
  for (int retry = 0; retry < 8; ++retry) {
    for (double unit : {0.0, 0.1, 0.5, 0.999999}) {
      milliseconds delay = FullJitterBackoff(retry, policy, unit);
      EXPECT_GE(delay, milliseconds(0));
      EXPECT_LT(delay, BackoffCap(retry, policy) + milliseconds(1));
    }
  }
  EXPECT_EQ(FullJitterBackoff(3, policy, 0.0), milliseconds(0));
  EXPECT_EQ(FullJitterBackoff(1, policy, 0.5), milliseconds(250));
}

TEST(FullJitterBackoff, ClampsOutOfRangeRandoms) {
  RetryPolicy policy;
  EXPECT_EQ(FullJitterBackoff(0, policy, -1.0), milliseconds(0));
  EXPECT_EQ(FullJitterBackoff(0, policy, 7.0), milliseconds(250));
}

TEST(ParseRetryAfter, ReadsDelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", 0), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", 0), seconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", 0), seconds(999'999'999));
}

TEST(ParseRetryAfter, ReadsHttpDatesRelativeToNow) {
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 (RFC 9110's example date).
  constexpr std::time_t kExample = 784111777;
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExample - 30), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kExample - 5), seconds(5));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kExample - 1), seconds(1));
}

TEST(ParseRetryAfter, TreatsPastDatesAsNoWait) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 100), seconds(0));
}

TEST(ParseRetryAfter, RejectsGarbage) {
  for (const char* bad : {"", "  ", "-5", "1.5", "soon", "12abc"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseRetryAfter(bad, 0).has_value());
  }
}

TEST(Deadline, ReportsRemainingTimeAndPassing) {
  Deadline later(milliseconds(60'000));
  EXPECT_FALSE(later.Passed());
  EXPECT_GT(later.Remaining(), milliseconds(59'000));
  Deadline now(milliseconds(0));
  EXPECT_TRUE(now.Passed());
  EXPECT_EQ(now.Remaining(), milliseconds(0));
}

}  // namespace
}  // namespace imagepin::registry
