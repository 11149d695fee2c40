#include "registry/token_batches.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "registry/fake_clock_test_util.h"

namespace imagepin::registry {
namespace {

using std::chrono::seconds;

std::vector<std::string> Scopes(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back("repository:r" + std::to_string(i) + ":pull");
  return out;
}

class TokenBatchesTest : public ::testing::Test {
 protected:
  // A fetch that records what it was asked and serves for `ttl` (nullopt: it fails).
  TokenBatches::FetchFn Recording(std::optional<seconds> ttl = seconds(60)) {
    return [this, ttl](const std::vector<std::string>& scopes) -> std::optional<Clock::TimePoint> {
      asked_.push_back(scopes);
      if (!ttl) return std::nullopt;
      return clock_.Now() + *ttl;
    };
  }

  FakeClock clock_;
  TokenBatches batches_{clock_};
  std::vector<std::vector<std::string>> asked_;
};

TEST_F(TokenBatchesTest, EachBatchIsAskedOnceWithAllItsScopes) {
  std::vector<std::string> scopes = Scopes(5);
  batches_.Plan("h", scopes, 3);
  batches_.Fetch("h", scopes[1], Recording());
  batches_.Fetch("h", scopes[0], Recording());
  batches_.Fetch("h", scopes[4], Recording());
  batches_.Fetch("h", scopes[3], Recording());
  EXPECT_EQ(asked_, (std::vector<std::vector<std::string>>{{scopes[0], scopes[1], scopes[2]},
                                                           {scopes[3], scopes[4]}}));
}

TEST_F(TokenBatchesTest, ScopesOutsideAnyBatchOrOnAnotherHostAreNotFetched) {
  std::vector<std::string> scopes = Scopes(3);
  batches_.Plan("h", scopes, 25);
  batches_.Fetch("other", scopes[0], Recording());
  batches_.Fetch("h", "repository:unplanned:pull", Recording());
  EXPECT_TRUE(asked_.empty());
  batches_.Plan("lonely", {scopes[0]}, 25);
  batches_.Fetch("lonely", scopes[0], Recording());
  EXPECT_TRUE(asked_.empty()) << "one scope is one request either way: no batch";
}

TEST_F(TokenBatchesTest, AnExpiredBatchIsAskedAgainWithoutItsExcludedScopes) {
  std::vector<std::string> scopes = Scopes(3);
  batches_.Plan("h", scopes, 25);
  batches_.Fetch("h", scopes[0], Recording(seconds(54)));
  batches_.Exclude("h", scopes[1]);
  batches_.Fetch("h", scopes[2], Recording());
  EXPECT_EQ(asked_.size(), 1u) << "still serving";
  clock_.Advance(seconds(54));
  batches_.Fetch("h", scopes[1], Recording());
  EXPECT_EQ(asked_.size(), 1u) << "an excluded scope asks alone";
  batches_.Fetch("h", scopes[2], Recording());
  ASSERT_EQ(asked_.size(), 2u);
  EXPECT_EQ(asked_[1], (std::vector<std::string>{scopes[0], scopes[2]}));
}

TEST_F(TokenBatchesTest, AFailedBatchIsNeverAskedAgainAndADisabledHostNeverAsks) {
  std::vector<std::string> scopes = Scopes(4);
  batches_.Plan("h", scopes, 2);
  batches_.Fetch("h", scopes[0], Recording(std::nullopt));
  batches_.Fetch("h", scopes[1], Recording());
  clock_.Advance(seconds(3600));
  batches_.Fetch("h", scopes[0], Recording());
  EXPECT_EQ(asked_.size(), 1u);
  batches_.Disable("h");
  batches_.Fetch("h", scopes[2], Recording());
  EXPECT_EQ(asked_.size(), 1u);
}

TEST_F(TokenBatchesTest, PlanningTheSameScopesAgainAddsNoBatch) {
  std::vector<std::string> scopes = Scopes(4);
  batches_.Plan("h", scopes, 25);
  batches_.Fetch("h", scopes[0], Recording());
  batches_.Plan("h", scopes, 25);
  std::vector<std::string> more = Scopes(6);
  batches_.Plan("h", more, 25);  // r4, r5 are new: a batch of two
  for (const std::string& scope : more) batches_.Fetch("h", scope, Recording());
  ASSERT_EQ(asked_.size(), 2u);
  EXPECT_EQ(asked_[1], (std::vector<std::string>{more[4], more[5]}));
}

TEST(TokenBatches, ConcurrentCallersShareOneFetch) {
  FakeClock clock;
  TokenBatches batches(clock);
  std::vector<std::string> scopes = Scopes(8);
  batches.Plan("h", scopes, 25);
  std::atomic<int> fetches{0};
  std::atomic<int> returned_early{0};
  std::atomic<bool> fetched{false};
  std::vector<std::thread> threads;
  for (const std::string& scope : scopes) {
    threads.emplace_back([&, scope] {
      batches.Fetch("h", scope, [&](const std::vector<std::string>&) {
        ++fetches;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        fetched = true;
        return std::optional<Clock::TimePoint>(clock.Now() + seconds(60));
      });
      if (!fetched) ++returned_early;  // a caller must not go on before the batch's token is in
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(returned_early.load(), 0);
}

// A fetch that blocks until Release(): lets a test hold one batch's request in flight.
class Gate {
 public:
  void Release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void WaitEntered() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  bool entered_ = false;
};

TEST_F(TokenBatchesTest, AGrantedBatchsCallerAsksForTheOthersAheadInOrder) {
  std::vector<std::string> scopes = Scopes(7);
  batches_.Plan("h", scopes, 3);
  batches_.AskAhead("h", Recording());
  EXPECT_TRUE(asked_.empty()) << "nothing granted yet";
  batches_.Fetch("h", scopes[1], Recording());
  EXPECT_EQ(asked_.size(), 1u) << "a caller asks for its own batch only";
  batches_.AskAhead("h", Recording());
  EXPECT_EQ(asked_, (std::vector<std::vector<std::string>>{{scopes[0], scopes[1], scopes[2]},
                                                           {scopes[3], scopes[4], scopes[5]},
                                                           {scopes[6]}}));
  for (const std::string& scope : scopes) batches_.Fetch("h", scope, Recording());
  EXPECT_EQ(asked_.size(), 3u) << "each asked once";
}

TEST_F(TokenBatchesTest, AFailedFirstBatchAsksNothingAhead) {
  std::vector<std::string> scopes = Scopes(4);
  batches_.Plan("h", scopes, 2);
  batches_.Fetch("h", scopes[0], Recording(std::nullopt));
  batches_.AskAhead("h", Recording());
  EXPECT_EQ(asked_.size(), 1u) << "the token server may take no bulk requests at all";
  batches_.Fetch("h", scopes[2], Recording());
  EXPECT_EQ(asked_.size(), 2u) << "the next batch is still asked when a worker needs it";
}

TEST(TokenBatches, AWaitingCallerAsksForTheNextBatchOnceTheHostGrantedOne) {
  FakeClock clock;
  TokenBatches batches(clock);
  std::vector<std::string> scopes = Scopes(6);
  batches.Plan("h", scopes, 2);  // {r0 r1} {r2 r3} {r4 r5}
  std::mutex mutex;
  std::vector<std::vector<std::string>> asked;
  auto serves = [&] { return std::optional<Clock::TimePoint>(clock.Now() + seconds(60)); };
  Gate gate;
  // r0's batch is granted at once; its caller then asks ahead for {r2 r3}, held at the gate.
  std::thread holder([&] {
    TokenBatches::FetchFn fetch = [&](const std::vector<std::string>& ask) {
      {
        std::lock_guard lock(mutex);
        asked.push_back(ask);
      }
      if (ask[0] == scopes[2]) gate.Wait();
      return serves();
    };
    batches.Fetch("h", scopes[0], fetch);
    batches.AskAhead("h", fetch);
  });
  gate.WaitEntered();
  // r3's batch is in flight: instead of waiting, this caller asks for {r4 r5}, then waits.
  std::thread waiter([&] {
    batches.Fetch("h", scopes[3], [&](const std::vector<std::string>& ask) {
      {
        std::lock_guard lock(mutex);
        asked.push_back(ask);
      }
      gate.Release();  // only now does r3's batch finish: the order below is certain
      return serves();
    });
  });
  holder.join();
  waiter.join();
  EXPECT_EQ(asked, (std::vector<std::vector<std::string>>{
                       {scopes[0], scopes[1]}, {scopes[2], scopes[3]}, {scopes[4], scopes[5]}}));
}

TEST(TokenBatches, BeforeAnyBulkGrantAWaitingCallerOnlyWaits) {
  // The host's first bulk request tells whether its token server takes them; asking for more
  // batches meanwhile would multiply a refusal.
  FakeClock clock;
  TokenBatches batches(clock);
  std::vector<std::string> scopes = Scopes(4);
  batches.Plan("h", scopes, 2);
  std::atomic<int> fetches{0};
  Gate gate;
  std::thread holder([&] {
    batches.Fetch("h", scopes[0], [&](const std::vector<std::string>&) {
      ++fetches;
      gate.Wait();
      return std::optional<Clock::TimePoint>();  // refused
    });
  });
  gate.WaitEntered();
  std::thread waiter([&] {
    batches.Fetch("h", scopes[1], [&](const std::vector<std::string>&) {
      ++fetches;
      return std::optional<Clock::TimePoint>(clock.Now() + seconds(60));
    });
  });
  // The waiter has nothing to do but wait: give it time to (wrongly) ask for {r2 r3}.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gate.Release();
  holder.join();
  waiter.join();
  EXPECT_EQ(fetches.load(), 1);
}

}  // namespace
}  // namespace imagepin::registry
