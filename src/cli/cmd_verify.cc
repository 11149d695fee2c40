// `imagepin verify [PATH...]`: the pins are real. Every pinned digest in scope must exist in its
// registry (a HEAD by digest), and first-party references must be multi-arch indexes with the
// required platforms. Findings (IP008, IP009) come out like check's, in the same formats.
#include <fmt/format.h>

#include <chrono>
#include <tuple>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "cli/report_output.h"
#include "cli/version.h"
#include "plan/workspace.h"
#include "policy/evaluate.h"
#include "policy/exceptions.h"
#include "policy/rules.h"
#include "registry/client.h"

namespace imagepin::cli {
namespace {

struct VerifyFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string color = "auto";
  std::string root = ".";
  unsigned jobs = 0;
  RegistryFlags registry;
};

// A pinned reference to look up, and where it is written.
struct Pinned {
  const plan::ScannedFile* file;
  const scan::ImageField* field;
  ref::Reference ref;  // repository@digest (the tag, if any, is not what is verified)
  bool first_party;
};

std::vector<Pinned> CollectPinned(const plan::Workspace& ws) {
  std::vector<Pinned> pinned;
  for (const plan::ScannedFile& file : ws.files) {
    for (const scan::ImageField& field : file.scan.fields.images) {
      if (field.templated || field.partial) continue;
      base::Result<ref::Reference> r = ref::ParseReference(field.reference);
      if (!r.ok() || !r->has_digest()) continue;  // check reports those
      ref::Reference by_digest = *r;
      by_digest.tag.clear();
      pinned.push_back(
          {&file, &field, by_digest, policy::IsFirstParty(ws.config, r->Repository())});
    }
  }
  return pinned;
}

policy::Finding FindingAt(const Pinned& p, std::string_view rule, std::string message) {
  policy::Finding f = policy::NewFinding(rule);
  const scan::ImageField& field = *p.field;
  f.message = std::move(message);
  f.path = p.file->entry.display_path;
  std::tie(f.line, f.column) = scan::ReferencePosition(field);
  f.source_line = field.ref.present ? field.ref.source_line : field.source_line;
  f.key_path = field.key_path;
  f.document = field.document;
  f.reference = field.reference;
  return f;
}

int RunVerify(const VerifyFlags& flags) {
  auto started = std::chrono::steady_clock::now();
  base::Result<plan::Workspace> ws = plan::OpenWorkspace(flags.root, flags.paths, flags.jobs);
  if (!ws.ok()) {
    PrintError(ws.error());
    return kExitUsage;
  }
  std::vector<Pinned> pinned = CollectPinned(*ws);

  // First-party references are asked for their platforms; the rest only for existence.
  std::vector<ref::Reference> plain, first_party;
  for (const Pinned& p : pinned) (p.first_party ? first_party : plain).push_back(p.ref);
  registry::Client client(MakeClientOptions(ws->config, flags.registry));
  std::vector<registry::Result<registry::Manifest>> plain_results, first_party_results;
  {
    Progress progress("verifying", !flags.registry.quiet);
    size_t total = pinned.size();
    plain_results =
        client.ResolveAll(plain, false, [&](size_t done, size_t) { progress.Update(done, total); });
    first_party_results = client.ResolveAll(first_party, true, [&](size_t done, size_t) {
      progress.Update(plain.size() + done, total);
    });
  }

  // A file verify cannot read is a finding, as in check: never a silent "no findings".
  std::vector<policy::Finding> findings;
  std::vector<std::pair<std::string, const scan::FileScan*>> scans;
  for (const plan::ScannedFile& f : ws->files) scans.push_back({f.entry.display_path, &f.scan});
  policy::AppendUnreadable(ws->config, ws->listing_problems, scans, &findings);
  bool runtime_error = false;
  size_t next_plain = 0, next_first = 0;
  for (const Pinned& p : pinned) {
    const registry::Result<registry::Manifest>& r =
        p.first_party ? first_party_results[next_first++] : plain_results[next_plain++];
    if (!r.ok()) {
      if (r.error().kind == registry::ErrorKind::kNotFound) {
        findings.push_back(FindingAt(
            p, "IP008",
            fmt::format("digest {} does not exist in {}", p.ref.digest, p.ref.Repository())));
      } else {
        runtime_error = true;
        fmt::print(stderr, "{}:{}:{}: error: {}\n", p.file->entry.display_path, p.field->line,
                   p.field->column, DescribeFailure(r.error()));
      }
      continue;
    }
    if (!p.first_party) continue;
    std::vector<std::string> missing = registry::MissingPlatforms(*r, ws->config.platforms);
    if (!missing.empty()) {
      findings.push_back(FindingAt(
          p, "IP009",
          fmt::format("first-party image {} {} lacks {}", p.ref.Repository(),
                      r->is_index ? "is an index that" : "is a single-platform image that",
                      fmt::join(missing, ", "))));
    }
  }
  policy::ApplyExceptions(ws->config, policy::TodayUtc(), &findings);
  std::erase_if(findings, [](const policy::Finding& f) { return f.rule_id == "IP007"; });
  policy::SortFindings(findings);

  report::RunSummary summary;
  summary.tool_version = kVersion;
  summary.files_scanned = static_cast<int>(ws->files.size());
  summary.image_fields = static_cast<int>(pinned.size());
  summary.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int code = WriteFindings(flags.format, flags.color, findings, summary);
  return runtime_error ? kExitRuntime : code;
}

}  // namespace

void RegisterVerify(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check that every pinned digest exists and first-party images are multi-arch");
  cmd->add_option("paths", flags->paths, "Files or directories instead of the configured scope");
  AddFormatFlag(cmd, &flags->format, {"text", "json", "sarif", "github"});
  cmd->add_option("--color", flags->color, "Colour text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });
}

}  // namespace imagepin::cli
