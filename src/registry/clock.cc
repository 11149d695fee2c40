#include "registry/clock.h"

#include <thread>

namespace imagepin::registry {
namespace {

class RealClock final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

Clock& Clock::Real() {
  // Never destroyed, so a worker thread still running at exit never sees a dead clock.
  static RealClock* const clock = new RealClock;
  return *clock;
}

}  // namespace imagepin::registry
