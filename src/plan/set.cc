#include "plan/set.h"

#include <fmt/format.h>

#include <algorithm>

namespace imagepin::plan {
namespace {

// The repository as Reference::Repository() names it, or the text as written when it does not
// parse (it then matches nothing that does).
std::string Normalised(const std::string& repository) {
  base::Result<ref::Reference> parsed = ref::ParseReference(repository);
  return parsed.ok() ? parsed->Repository() : repository;
}

}  // namespace

SetTargets FindSetTargets(const std::vector<EnvironmentImages>& lanes, const policy::Config& config,
                          const std::string& repository, const std::vector<std::string>& apps) {
  SetTargets out;
  ForEachRefTarget(
      lanes, config, "set",
      [&](RefTarget t) {
        if (Normalised(t.repository) != repository) return;
        if (!apps.empty() && std::find(apps.begin(), apps.end(), t.service) == apps.end()) return;
        out.targets.push_back(std::move(t));
      },
      &out.problems);
  return out;
}

SetTargets FindAppTargets(const std::vector<EnvironmentImages>& lanes, const policy::Config& config,
                          const std::string& app) {
  SetTargets out;
  ForEachRefTarget(
      lanes, config, "set",
      [&](RefTarget t) {
        if (t.service == app) out.targets.push_back(std::move(t));
      },
      &out.problems);
  return out;
}

std::string SetValue(const RefTarget& target, const ref::Reference& reference) {
  return fmt::format("{}{}@{}", target.repository, reference.has_tag() ? ":" + reference.tag : "",
                     reference.digest);
}

base::Result<rewrite::Edit> SetEdit(const RefTarget& target, const ref::Reference& reference,
                                    std::string_view command) {
  return ReplaceScalar(
      target.file, target.file_sha256, target.ref, SetValue(target, reference),
      fmt::format("{} {} {}: {}", command, target.environment, target.service, reference.digest));
}

}  // namespace imagepin::plan
