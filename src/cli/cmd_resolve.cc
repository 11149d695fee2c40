// `imagepin resolve REF...`: like `crane digest`, a tag (or digest) to the manifest it names,
// with its media type and platforms; exit 3 when a tag is missing, access is denied or a
// required platform is absent.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/diagnostics.h"
#include "cli/json_util.h"
#include "cli/registry_flags.h"
#include "decide/lookup.h"
#include "decide/platforms.h"
#include "registry/client.h"

namespace imagepin::cli {
namespace {

struct ResolveFlags {
  std::vector<std::string> references;
  std::vector<std::string> platforms;
  bool json = false;
  std::string root = ".";
  RegistryFlags registry;
};

std::vector<std::string> PlatformNames(const registry::Manifest& m) {
  std::vector<std::string> names;
  for (const registry::Platform& p : m.platforms) names.push_back(p.ToString());
  return names;
}

nlohmann::ordered_json ErrorJson(const registry::RegistryError& e) {
  return {{"kind", registry::KindName(e.kind)},
          {"status", e.http_status},
          {"code", StringOrNull(e.code)},
          {"temporary", e.temporary},
          {"message", e.message}};
}

// One line per reference: a JSON Lines record, a tab-separated line, or the error on stderr.
void PrintResolution(const std::string& input, const ref::Reference& ref,
                     const registry::Result<registry::Manifest>& r, bool json) {
  if (json) {
    nlohmann::ordered_json j;
    j["input"] = input;
    j["reference"] = ref.Normalized();
    j["digest"] = r.ok() ? nlohmann::ordered_json(r->digest) : nullptr;
    j["mediaType"] = r.ok() ? nlohmann::ordered_json(r->media_type) : nullptr;
    j["index"] = r.ok() ? nlohmann::ordered_json(r->is_index) : nullptr;
    j["platforms"] = r.ok() ? nlohmann::ordered_json(PlatformNames(*r)) : nullptr;
    j["error"] = r.ok() ? nlohmann::ordered_json(nullptr) : ErrorJson(r.error());
    std::cout << DumpJson(j, -1) << "\n";
  } else if (r.ok()) {
    fmt::print("{}\t{}\t{}\t{}\n", input, r->digest, r->media_type,
               r->platforms.empty() ? "-" : fmt::to_string(fmt::join(PlatformNames(*r), ",")));
  } else {
    fmt::print(stderr, "imagepin: error: {}\n", decide::DescribeFailure(r.error()));
  }
}

int RunResolve(const ResolveFlags& flags) {
  base::Result<policy::Config> config = policy::LoadConfig(flags.root);
  if (!config.ok()) {
    PrintError(config.error());
    return kExitUsage;
  }
  PrintConfigNotes(*config);
  for (const std::string& platform : flags.platforms) {
    if (base::Result<registry::Platform> p = registry::ParsePlatform(platform); !p.ok()) {
      fmt::print(stderr, "imagepin: error: --platforms: {}\n", p.error().message);
      return kExitUsage;
    }
  }
  std::vector<ref::Reference> refs;
  for (const std::string& text : flags.references) {
    base::Result<ref::Reference> parsed = ref::ParseReference(text);
    if (!parsed.ok()) {
      fmt::print(stderr, "imagepin: error: {}: {}\n", text, parsed.error().message);
      return kExitUsage;
    }
    refs.push_back(*parsed);
  }
  std::vector<registry::Result<registry::Manifest>> results =
      ResolveWithProgress(*config, flags.registry, refs, !flags.platforms.empty(), "resolving");
  int exit_code = kExitOk;
  for (size_t i = 0; i < refs.size(); ++i) {
    registry::Result<registry::Manifest>& r = results[i];
    if (r.ok()) {
      if (std::optional<registry::RegistryError> e =
              decide::RequirePlatforms(*r, refs[i], flags.platforms)) {
        e->reference = flags.references[i];
        r = *e;
      }
    }
    if (!r.ok()) exit_code = kExitRuntime;
    PrintResolution(flags.references[i], refs[i], r, flags.json);
  }
  return exit_code;
}

}  // namespace

void RegisterResolve(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ResolveFlags>();
  CLI::App* cmd = app.add_subcommand(
      "resolve", "Resolve references to manifest digests (like crane digest), with platforms");
  cmd->add_option("references", flags->references, "Image references (repo:tag or repo@digest)")
      ->required();
  cmd->add_option("--platforms", flags->platforms,
                  "Require these platforms in an index (e.g. linux/amd64,linux/arm64)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_flag("--json", flags->json, "One JSON object per reference (JSON Lines)");
  AddRootFlag(cmd, &flags->root);
  AddRegistryFlags(cmd, &flags->registry);
  cmd->callback([flags, exit_code] { *exit_code = RunResolve(*flags); });
}

}  // namespace imagepin::cli
