// imagepin: keeps the container images of a GitOps repository pinned by digest.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/version.h"

namespace {

int Run(int argc, char** argv) {
  using namespace imagepin::cli;
  CLI::App app{"imagepin: every image a GitOps repository deploys, pinned by digest"};
  app.set_version_flag("--version", std::string("imagepin ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  int exit_code = kExitOk;
  RegisterCheck(app, &exit_code);
  RegisterImages(app, &exit_code);
  RegisterRef(app, &exit_code);
  RegisterResolve(app, &exit_code);
  RegisterBump(app, &exit_code);
  RegisterSet(app, &exit_code);
  RegisterRollback(app, &exit_code);
  RegisterPin(app, &exit_code);
  RegisterVerify(app, &exit_code);
  RegisterPromote(app, &exit_code);
  RegisterInventory(app, &exit_code);
  RegisterApps(app, &exit_code);
  RegisterExplain(app, &exit_code);
  RegisterConfig(app, &exit_code);
  RegisterInit(app, &exit_code);
  RegisterMigrate(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, version or the usage error
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "imagepin: error: {}\n", e.what());
    return kExitRuntime;
  }
  return exit_code;
}

}  // namespace

// The one catch-all: library exceptions are caught in their adapters and become errors; anything
// that still escapes is a bug, reported as a runtime error rather than std::terminate.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "imagepin: internal error: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "imagepin: internal error\n");
  }
  return imagepin::cli::kExitRuntime;
}
