// The subcommands. Each Register* function adds one subcommand to the app; when the subcommand
// runs, its callback stores the process exit code in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

namespace imagepin::cli {

// Exit codes, the same for every command (README "Exit codes").
enum ExitCode : int {
  kExitOk = 0,        // clean
  kExitFindings = 1,  // findings at error level (or, for `ref`, an invalid reference)
  kExitUsage = 2,     // usage or config error
  kExitRuntime = 3,   // runtime error: I/O, registry, ...
};

void RegisterRef(CLI::App& app, int* exit_code);
void RegisterImages(CLI::App& app, int* exit_code);
void RegisterCheck(CLI::App& app, int* exit_code);
void RegisterResolve(CLI::App& app, int* exit_code);
void RegisterBump(CLI::App& app, int* exit_code);
void RegisterPin(CLI::App& app, int* exit_code);
void RegisterVerify(CLI::App& app, int* exit_code);
void RegisterPromote(CLI::App& app, int* exit_code);
void RegisterInventory(CLI::App& app, int* exit_code);
void RegisterApps(CLI::App& app, int* exit_code);
void RegisterExplain(CLI::App& app, int* exit_code);
void RegisterConfig(CLI::App& app, int* exit_code);
void RegisterInit(CLI::App& app, int* exit_code);
void RegisterMigrate(CLI::App& app, int* exit_code);
void RegisterSet(CLI::App& app, int* exit_code);
void RegisterRollback(CLI::App& app, int* exit_code);

}  // namespace imagepin::cli
