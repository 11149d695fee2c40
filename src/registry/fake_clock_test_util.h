// A Clock for tests: time stands still until a sleep or Advance() moves it, and every sleep
// returns at once and is recorded, so a test asserts the exact waits a retry made.
#pragma once

#include <mutex>
#include <vector>

#include "registry/clock.h"

namespace imagepin::registry {

class FakeClock final : public Clock {
 public:
  TimePoint Now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  void SleepFor(Duration duration) override {
    std::lock_guard lock(mutex_);
    now_ += duration;
    sleeps_.push_back(duration);
  }

  // Time passing while nobody sleeps: a token ageing between two resolutions.
  void Advance(Duration duration) {
    std::lock_guard lock(mutex_);
    now_ += duration;
  }

  std::vector<Duration> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  std::mutex mutex_;
  // Far from the steady clock's epoch, so that "now minus a minute" is still a valid time.
  TimePoint now_ = TimePoint() + std::chrono::hours(24 * 365);
  std::vector<Duration> sleeps_;
};

}  // namespace imagepin::registry
