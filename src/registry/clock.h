// Time as the registry code sees it: what time it is and how to wait (leveldb's Env, cut down
// to the two calls retries, deadlines, token lifetimes and credential helpers need).
//
// Everything that reads the time or sleeps takes a Clock&, and a Client takes one through
// ClientOptions::clock. The default is Clock::Real(); tests pass a fake clock whose sleeps
// return at once and move its time on, so a test of a 20 s Retry-After or a token that expires
// after a minute runs in microseconds and asserts the exact wait.
#pragma once

#include <chrono>

namespace imagepin::registry {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;

  // Steady time: only differences mean anything.
  virtual TimePoint Now() = 0;
  // Blocks the calling thread for `duration`. Thread-safe, as is Now().
  virtual void SleepFor(Duration duration) = 0;

  // std::chrono::steady_clock and std::this_thread::sleep_for; one per process, never destroyed.
  static Clock& Real();
};

}  // namespace imagepin::registry
