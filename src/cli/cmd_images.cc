// `imagepin images [PATH...]`: every image field in scope, where it is and what it says. The
// audit view: "what do we deploy, where".
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "plan/workspace.h"
#include "ref/reference.h"

namespace imagepin::cli {
namespace {

struct ImagesFlags {
  std::vector<std::string> paths;
  std::string format = "table";
  std::string root = ".";
  unsigned jobs = 0;
};

nlohmann::ordered_json FieldJson(const std::string& path, const scan::ImageField& f) {
  nlohmann::ordered_json j;
  auto [line, column] = scan::ReferencePosition(f);
  j["path"] = path;
  j["line"] = line;
  j["column"] = column;
  j["document"] = f.document;
  j["keyPath"] = f.key_path;
  j["form"] = scan::FormName(f.form);
  j["reference"] = f.reference;
  base::Result<ref::Reference> r = ref::ParseReference(f.reference);
  bool valid = r.ok() && !f.templated && !f.partial;
  j["valid"] = valid;
  j["domain"] = valid ? nlohmann::ordered_json(r->domain) : nullptr;
  j["repository"] = valid ? nlohmann::ordered_json(r->path) : nullptr;
  j["tag"] = valid && r->has_tag() ? nlohmann::ordered_json(r->tag) : nullptr;
  j["digest"] = valid && r->has_digest() ? nlohmann::ordered_json(r->digest) : nullptr;
  j["pullPolicy"] = f.pull_policy.present ? nlohmann::ordered_json(f.pull_policy.value) : nullptr;
  j["templated"] = f.templated;
  j["partial"] = f.partial;
  // Other key paths that reach this field through YAML aliases (findings point at the anchor).
  j["aliases"] = f.aliases;
  return j;
}

void PrintTable(const std::vector<plan::ScannedFile>& files) {
  struct Row {
    std::string where, key, form, reference, policy;
  };
  std::vector<Row> rows;
  for (const plan::ScannedFile& file : files) {
    for (const scan::ImageField& f : file.scan.fields.images) {
      std::string reference = f.reference;
      if (f.partial) reference += " (chart default repository)";
      if (f.templated) reference += " (template)";
      for (const std::string& alias : f.aliases) reference += fmt::format(" (also {})", alias);
      auto [line, column] = scan::ReferencePosition(f);
      rows.push_back({fmt::format("{}:{}:{}", file.entry.display_path, line, column), f.key_path,
                      scan::FormName(f.form), reference,
                      f.pull_policy.present ? f.pull_policy.value : "-"});
    }
  }
  size_t w_where = 8, w_key = 8, w_form = 4;
  for (const Row& r : rows) {
    w_where = std::max(w_where, r.where.size());
    w_key = std::max(w_key, r.key.size());
    w_form = std::max(w_form, r.form.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {}  {}\n", "LOCATION", w_where, "KEY PATH", w_key, "FORM",
             w_form, "PULL POLICY", "REFERENCE");
  for (const Row& r : rows) {
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<11}  {}\n", r.where, w_where, r.key, w_key, r.form,
               w_form, r.policy, r.reference);
  }
}

int RunImages(const ImagesFlags& flags) {
  base::Result<plan::Workspace> ws = plan::OpenWorkspace(flags.root, flags.paths, flags.jobs);
  if (!ws.ok()) {
    PrintError(ws.error());
    return kExitUsage;
  }
  PrintConfigNotes(ws->config);
  for (const base::Error& p : ws->listing_problems) PrintError(p);
  // Files that could not be read are named on standard error; the listing goes on.
  for (const base::Error& p : plan::ScanProblems(ws->files)) PrintError(p);
  if (flags.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const plan::ScannedFile& f : ws->files) {
      for (const scan::ImageField& field : f.scan.fields.images)
        out.push_back(FieldJson(f.entry.display_path, field));
    }
    std::cout << DumpJson(out) << "\n";
  } else {
    PrintTable(ws->files);
  }
  return kExitOk;
}

}  // namespace

void RegisterImages(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ImagesFlags>();
  CLI::App* cmd = app.add_subcommand("images",
                                     "List every image field in scope: where, what form, "
                                     "which reference and pull policy");
  cmd->add_option("paths", flags->paths, "Files or directories instead of the configured scope");
  AddFormatFlag(cmd, &flags->format, {"table", "json"});
  AddRootFlag(cmd, &flags->root);
  AddJobsFlag(cmd, &flags->jobs);
  cmd->callback([flags, exit_code] { *exit_code = RunImages(*flags); });
}

}  // namespace imagepin::cli
