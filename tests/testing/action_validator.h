// Where @action-validator/cli is: the copy scripts/install-deps.sh puts in .tools/, else one on
// PATH. Empty when there is none (the tests that use it skip).
#pragma once

#include <filesystem>
#include <string>

#include "tests/testing/run_command.h"

namespace imagepin::testing {

inline std::string ActionValidator() {
  std::string local = IMAGEPIN_SOURCE_DIR "/.tools/node_modules/.bin/action-validator";
  if (std::filesystem::exists(local)) return local;
  if (RunCommand({"action-validator", "--help"}).exit_code == 0) return "action-validator";
  return "";
}

}  // namespace imagepin::testing
