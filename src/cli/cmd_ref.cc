// `imagepin ref [--json] REF...`: parse image references and print their parts, to see how imagepin
// (and docker) read a reference before writing a policy about it.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/json_util.h"
#include "ref/reference.h"

namespace imagepin::cli {
namespace {

struct RefOptions {
  std::vector<std::string> refs;
  bool json = false;
};

// Absent parts print as "-" so every line of the block has a value to read.
std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

void PrintText(const std::string& input, const base::Result<ref::Reference>& parsed) {
  if (!parsed.ok()) {
    fmt::print("{}: invalid: {}\n", input, parsed.error().message);
    return;
  }
  const ref::Reference& r = *parsed;
  fmt::print("{}\n", input);
  fmt::print("  domain:     {}\n", OrDash(r.domain));
  fmt::print("  path:       {}\n", r.path);
  fmt::print("  tag:        {}\n", OrDash(r.tag));
  fmt::print("  digest:     {}\n", OrDash(r.digest));
  fmt::print("  normalized: {}\n", r.Normalized());
  fmt::print("  familiar:   {}\n", r.Familiar());
  fmt::print("  short:      {}\n", r.Short());
}

// One JSON Lines record. Every key is always present, in a fixed order, so that scripts can rely
// on the shape whether or not the reference parsed.
nlohmann::ordered_json ToJson(const std::string& input,
                              const base::Result<ref::Reference>& parsed) {
  nlohmann::ordered_json out;
  out["input"] = input;
  out["valid"] = parsed.ok();
  out["error"] = parsed.ok() ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(parsed.error().message);
  if (!parsed.ok()) {
    for (const char* key : {"domain", "path", "tag", "digest", "normalized", "familiar", "short"}) {
      out[key] = nullptr;
    }
    return out;
  }
  const ref::Reference& r = *parsed;
  out["domain"] = r.domain;  // "" (not null) for the rare domain-less name: it did parse
  out["path"] = r.path;
  out["tag"] = StringOrNull(r.tag);
  out["digest"] = StringOrNull(r.digest);
  out["normalized"] = r.Normalized();
  out["familiar"] = r.Familiar();
  out["short"] = r.Short();
  return out;
}

int Run(const RefOptions& options) {
  int exit_code = kExitOk;
  for (const std::string& input : options.refs) {
    base::Result<ref::Reference> parsed = ref::ParseReference(input);
    if (!parsed.ok()) exit_code = kExitFindings;
    if (options.json) {
      // Invalid UTF-8 in an input must not abort the run; replace it in the output instead.
      fmt::print("{}\n",
                 ToJson(input, parsed)
                     .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    } else {
      PrintText(input, parsed);
    }
  }
  return exit_code;
}

}  // namespace

void RegisterRef(CLI::App& app, int* exit_code) {
  // The options outlive this function: CLI11 fills them during parsing, after we return.
  auto options = std::make_shared<RefOptions>();
  CLI::App* cmd = app.add_subcommand("ref", "Parse image references and print their parts");
  cmd->add_flag("--json", options->json, "Print one JSON object per reference (JSON Lines)");
  cmd->add_option("REF", options->refs, "Image references, e.g. nginx:1.25 or ghcr.io/acme/api")
      ->required();
  cmd->callback([options, exit_code] { *exit_code = Run(*options); });
}

}  // namespace imagepin::cli
