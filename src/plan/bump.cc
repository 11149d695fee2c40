#include "plan/bump.h"

#include <fmt/format.h>

#include "policy/evaluate.h"
#include "policy/holds.h"

namespace imagepin::plan {
namespace {

base::Diagnostic ProblemAt(const ScannedFile& file, const scan::ImageField& field,
                           std::string message) {
  return base::Diagnostic::Error(file.entry.display_path, {field.ref.line, field.ref.column},
                                 std::move(message));
}

}  // namespace

base::Result<std::vector<EnvironmentImages>> LoadLanes(const std::string& root,
                                                       const policy::Config& config,
                                                       const std::vector<std::string>& environments,
                                                       unsigned jobs) {
  std::vector<EnvironmentImages> lanes;
  for (const std::string& environment : environments) {
    base::Result<EnvironmentImages> lane =
        LoadEnvironment(root, config, environment, jobs, /*fingerprint=*/true);
    if (!lane.ok()) return lane.error();
    lanes.push_back(std::move(*lane));
  }
  return lanes;
}

void ForEachRefTarget(const std::vector<EnvironmentImages>& lanes, const policy::Config& config,
                      std::string_view verb, const std::function<void(RefTarget)>& on_target,
                      std::vector<base::Diagnostic>* problems, const HeldFn& held,
                      std::vector<base::Diagnostic>* held_problems) {
  for (const EnvironmentImages& lane : lanes) {
    const std::string& environment = lane.name;
    for (const ScannedFile& file : *lane.files) {
      for (const scan::ImageField& field : file.scan.fields.images) {
        if (field.form != scan::FieldForm::kRef) continue;
        std::string repository = WrittenRepository(field.reference);
        if (!policy::IsFirstParty(config, repository)) continue;
        auto problem = [&](std::string message) {
          if (held && held_problems != nullptr &&
              held(environment, ServiceName(file.entry.display_path), repository)) {
            base::Diagnostic note = ProblemAt(file, field, message + " (held: left as it is)");
            note.severity = base::Severity::kNote;
            held_problems->push_back(std::move(note));
            return;
          }
          problems->push_back(ProblemAt(file, field, std::move(message)));
        };
        if (field.templated) {
          problem(fmt::format("a template, not a reference: cannot {}", verb));
          continue;
        }
        base::Result<ref::Reference> current = ref::ParseReference(field.reference);
        if (!current.ok()) {
          problem(fmt::format("invalid reference \"{}\": {}", field.reference,
                              current.error().message));
          continue;
        }
        on_target(RefTarget{environment, ServiceName(file.entry.display_path), file.entry,
                            file.scan.sha256, field.key_path, field.ref, repository,
                            current->digest, field.document});
      }
    }
  }
}

BumpTargets FindBumpTargets(const std::vector<EnvironmentImages>& lanes,
                            const policy::Config& config, std::string_view today) {
  BumpTargets out;
  HeldFn held;
  if (!today.empty()) {
    held = [&](std::string_view environment, std::string_view service,
               std::string_view repository) {
      return policy::FindHold(config.bump.holds, {service, repository, environment}, today) !=
             nullptr;
    };
  }
  ForEachRefTarget(
      lanes, config, "bump",
      [&](RefTarget t) {
        base::Result<ref::Reference> channel =
            ref::ParseReference(t.repository + ":" + config.bump.channel);
        if (!channel.ok()) {
          out.problems.push_back(base::Diagnostic::Error(
              t.file.display_path, {t.ref.line, t.ref.column},
              fmt::format("channel tag \"{}\" is not a valid tag", config.bump.channel)));
          return;
        }
        out.targets.push_back(BumpTarget{std::move(t), *channel});
      },
      &out.problems, held, &out.held_problems);
  return out;
}

base::Result<rewrite::Edit> BumpEdit(const BumpTarget& target, std::string_view digest) {
  return BumpEdit(target, digest, "");
}

base::Result<rewrite::Edit> BumpEdit(const BumpTarget& target, std::string_view digest,
                                     std::string_view tag) {
  std::string written = tag.empty() ? fmt::format("{}@{}", target.repository, digest)
                                    : fmt::format("{}:{}@{}", target.repository, tag, digest);
  return ReplaceScalar(target.file, target.file_sha256, target.ref, written,
                       fmt::format("bump {} {}: {} → {}", target.environment, target.service,
                                   target.channel.tag, digest));
}

}  // namespace imagepin::plan
