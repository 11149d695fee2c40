#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace imagepin::cli {

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)), draw_(enabled && ::isatty(STDERR_FILENO)) {}

Progress::~Progress() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
}

void Progress::Update(size_t done, size_t total) {
  if (!draw_ || total == 0) return;
  constexpr size_t kWidth = 30;
  size_t filled = done * kWidth / total;
  fmt::print(stderr, "\r{} [{:=<{}}{: <{}}] {}/{}", label_, "", filled, "", kWidth - filled, done,
             total);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace imagepin::cli
