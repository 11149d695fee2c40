// `imagepin init [-C DIR] [--force] [--dry-run]`: adopts imagepin in an existing repository. It
// detects the layout (plan::DetectInit), writes .imagepin.yaml and the three workflows through
// rewrite::ApplyEdits (each created only if still absent; with --force an existing one replaced
// only if unchanged since it was read), and prints what is left to do by hand.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/write_session.h"
#include "plan/init.h"
#include "report/display.h"
#include "rewrite/apply.h"

namespace imagepin::cli {
namespace {

struct InitFlags {
  bool force = false;
  bool dry_run = false;
  std::string root = ".";
  unsigned jobs = 0;
};

// What init found, one line per setting.
void PrintDetection(const plan::InitDetection& d) {
  std::vector<std::string> envs;
  for (const policy::Environment& e : d.environments) envs.push_back(e.name);
  std::vector<std::string> prefixes;
  for (const plan::DetectedPrefix& p : d.first_party)
    prefixes.push_back(fmt::format("{} ({})", p.prefix, p.why));
  auto row = [](std::string_view key, const std::string& value) {
    fmt::print("  {:<13} {}\n", key, report::Displayable(value, ""));
  };
  fmt::print("init: found\n");
  row("environments", envs.empty()
                          ? "none (the default lanes are written commented out)"
                          : fmt::format("{} (under {}/)", fmt::join(envs, ", "), d.env_root));
  row("shared", d.shared.empty() ? "none" : d.shared);
  row("charts", d.charts.empty() ? "none"
                                 : fmt::format("{} ({} chart{})", d.charts, d.chart_dirs.size(),
                                               d.chart_dirs.size() == 1 ? "" : "s"));
  row("scope", d.scope_include.empty() ? "nothing with images: the default"
                                       : fmt::format("{}", fmt::join(d.scope_include, ", ")));
  row("firstParty", prefixes.empty() ? "none" : fmt::format("{}", fmt::join(prefixes, ", ")));
  if (d.declared_applications > 0) {
    row("applications",
        fmt::format("{} manifest{} declaring Argo CD / Flux applications", d.declared_applications,
                    d.declared_applications == 1 ? "" : "s"));
  }
}

bool Has(const plan::InitDetection& d, std::string_view env) {
  return std::any_of(d.environments.begin(), d.environments.end(),
                     [&](const policy::Environment& e) { return e.name == env; });
}

// The manual steps, short; docs/github.md has the detail.
void PrintNextSteps(const plan::InitDetection& d) {
  std::vector<std::string> steps = {
      "In the workflows, replace acme/imagepin@v1 with your copy of imagepin, pinned by commit "
      "SHA (docs/github.md#pinning).",
      "Secrets GHCR_READ_TOKEN (reads the registry) and IMAGEPIN_APP_PRIVATE_KEY, variable "
      "IMAGEPIN_APP_CLIENT_ID.",
      "A GitHub App (Contents, Pull requests: read and write) on this repository: the pull "
      "requests its token opens start the check, GITHUB_TOKEN's do not.",
      "Branch protection on main: require the status check \"imagepin check\" and code-owner "
      "review; allow auto-merge.",
  };
  std::vector<std::string> reviewed;
  for (const policy::Environment& e : d.environments) {
    if (e.name != "local" && e.name != "dev") reviewed.push_back("/" + e.path + "/");
  }
  steps.push_back(fmt::format("CODEOWNERS: {} owned by your release managers (the reviewed lanes).",
                              reviewed.empty() ? std::string("/sources/values/env/production/")
                                               : fmt::format("{}", fmt::join(reviewed, " and "))));
  if (!d.environments.empty() &&
      !(Has(d, "local") && Has(d, "dev") && Has(d, "staging") && Has(d, "production"))) {
    steps.push_back(
        "The workflows name the lanes local, dev, staging and production: change bump's --env "
        "and promote's pairs to yours.");
  }
  std::vector<std::string> filtered = {"sources/values/**", "sources/manifests/**"};
  if (!d.scope_include.empty() && d.scope_include != filtered) {
    steps.push_back(fmt::format(
        "image-policy.yaml's paths: filters name sources/values/**, sources/manifests/** and "
        "sources/charts/**: change them to {}{}.",
        fmt::join(d.scope_include, ", "), d.charts.empty() ? "" : ", " + d.charts + "/**"));
  }
  if (d.first_party.empty()) {
    steps.push_back("Set firstParty in .imagepin.yaml to the prefixes of the images you build.");
  }
  steps.push_back(
      "Run `imagepin check` (findings you cannot fix yet go in a baseline: README), then commit "
      "the four files.");
  fmt::print("\nLeft to do by hand (docs/github.md):\n");
  for (size_t i = 0; i < steps.size(); ++i) fmt::print("  {}. {}\n", i + 1, steps[i]);
}

int RunInit(const InitFlags& flags) {
  std::optional<WriteSession> session = BeginWriting(flags.root, "init", flags.dry_run);
  if (!session) return kExitRuntime;
  session->apply.create_directories = true;
  const char* owner = std::getenv("GITHUB_REPOSITORY_OWNER");
  plan::InitDetection detection =
      plan::DetectInit(plan::LoadInitInput(flags.root, flags.jobs, owner));
  std::vector<plan::InitFile> files = plan::InitFiles(detection);
  base::Result<std::vector<plan::ExistingFile>> existing = plan::ReadExisting(flags.root, files);
  if (!existing.ok()) {
    PrintError(existing.error());
    return kExitRuntime;
  }
  std::error_code ec;
  std::string root = std::filesystem::absolute(flags.root, ec).lexically_normal().string();
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  base::Result<plan::InitPlan> planned = plan::PlanInit(root, files, *existing, flags.force);
  if (!planned.ok()) {
    PrintError(planned.error());
    return kExitRuntime;
  }
  if (planned->unchanged.size() == files.size()) {
    fmt::print("init: already initialised: {} are as init writes them; nothing written\n",
               fmt::join(planned->unchanged, ", "));
    return kExitOk;
  }
  if (!planned->conflicting.empty() && !flags.force) {
    fmt::print(stderr,
               "imagepin: init: nothing written: these files exist with other contents: {} "
               "(--force replaces them)\n",
               fmt::join(planned->conflicting, ", "));
    return kExitUsage;
  }
  PrintDetection(detection);
  base::Result<std::vector<rewrite::FileChange>> applied =
      rewrite::ApplyEdits(planned->edits, session->apply);
  if (!applied.ok()) {
    PrintError(applied.error());
    return kExitRuntime;
  }
  fmt::print("\n");
  for (const plan::InitFile& f : files) {
    bool created = std::find(planned->created.begin(), planned->created.end(), f.path) !=
                   planned->created.end();
    bool replaced = std::find(planned->conflicting.begin(), planned->conflicting.end(), f.path) !=
                    planned->conflicting.end();
    const char* what = created    ? (flags.dry_run ? "would create" : "created")
                       : replaced ? (flags.dry_run ? "would replace" : "replaced")
                                  : "unchanged";
    fmt::print("{} {}\n", what, f.path);
    if (flags.dry_run && (created || replaced)) {
      fmt::print("{}", report::Displayable(f.contents, "\n"));
      if (!f.contents.empty() && f.contents.back() != '\n') fmt::print("\n");
      fmt::print("\n");
    }
  }
  int written = 0;
  for (const rewrite::FileChange& c : *applied) written += c.written ? 1 : 0;
  fmt::print("init: {}\n", flags.dry_run ? "dry run, nothing written" : FilesWritten(written));
  PrintNextSteps(detection);
  return kExitOk;
}

}  // namespace

void RegisterInit(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<InitFlags>();
  CLI::App* cmd = app.add_subcommand(
      "init",
      "Adopt imagepin here: write .imagepin.yaml and the three workflows from what the "
      "repository holds");
  cmd->add_flag("--force", flags->force,
                "Replace the files init writes where they exist with other contents");
  cmd->add_flag("--dry-run", flags->dry_run, "Print what would be written, write nothing");
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  cmd->callback([flags, exit_code] { *exit_code = RunInit(*flags); });
}

}  // namespace imagepin::cli
