// Progress on standard error while the registry is asked: a bar on a terminal, nothing
// otherwise (CI logs stay clean) or with --quiet.
#pragma once

#include <cstddef>
#include <string>

namespace imagepin::cli {

class Progress {
 public:
  // Draws only when `enabled` and standard error is a terminal.
  Progress(std::string label, bool enabled);
  ~Progress();  // clears the bar
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(size_t done, size_t total);

 private:
  std::string label_;
  bool draw_ = false;
  bool drawn_ = false;
};

}  // namespace imagepin::cli
