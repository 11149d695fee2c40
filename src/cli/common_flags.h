// Flags most commands share, spelled and explained once.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace imagepin::cli {

// -C,--root DIR: the repository root, where .imagepin.yaml is.
inline void AddRootFlag(CLI::App* cmd, std::string* root) {
  cmd->add_option("-C,--root", *root, "Repository root (where .imagepin.yaml is)")
      ->check(CLI::ExistingDirectory)
      ->capture_default_str();
}

// -j,--jobs N: worker threads for scanning files.
inline void AddJobsFlag(CLI::App* cmd, unsigned* jobs) {
  cmd->add_option("-j,--jobs", *jobs, "Worker threads for scanning (default: one per CPU)");
}

// -f,--format NAME, one of `formats`.
inline void AddFormatFlag(CLI::App* cmd, std::string* format, std::vector<std::string> formats) {
  cmd->add_option("-f,--format", *format, "Output format")
      ->check(CLI::IsMember(std::move(formats)))
      ->capture_default_str();
}

}  // namespace imagepin::cli
