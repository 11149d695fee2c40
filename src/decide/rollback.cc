#include "decide/rollback.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/holds.h"
#include "policy/tag_rules.h"
#include "rewrite/render.h"

namespace imagepin::decide {
namespace {

base::Error Invalid(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
}

std::string Normalised(std::string_view repository) {
  base::Result<ref::Reference> parsed = ref::ParseReference(repository);
  return parsed.ok() ? parsed->Repository() : std::string(repository);
}

// What set writes for a value of the history: its digest and, when check would accept it beside
// the digest, its tag.
base::Result<ref::Reference> ReferenceOf(const plan::FieldValue& value,
                                         const plan::RefTarget& target,
                                         const policy::Config& config) {
  base::Result<ref::Reference> parsed = ref::ParseReference(value.reference);
  if (!parsed.ok() || parsed->Repository() != Normalised(target.repository)) {
    return Invalid(fmt::format("at {} the field held \"{}\", not an image of {}",
                               value.revision.commit.substr(0, 12), value.reference,
                               target.repository));
  }
  if (parsed->has_tag() && policy::ClassifyTag(parsed->tag, config) == policy::TagKind::kFloating) {
    parsed->tag.clear();
  }
  return parsed;
}

// `text` as a flow-mapping value: plain when that is safe inside `{…}`, else double-quoted.
std::string FlowScalar(std::string_view text, bool always_quote) {
  bool plain = !always_quote && !text.empty() &&
               std::all_of(text.begin(), text.end(),
                           [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                    c == '/';
                           }) &&
               text.front() != '-' && rewrite::CanWritePlain(text);
  if (plain) return std::string(text);
  base::Result<std::string> quoted =
      rewrite::RenderLike("\"\"", yaml::ScalarStyle::kDoubleQuoted, text);
  return quoted.ok() ? *quoted : fmt::format("\"{}\"", text);
}

}  // namespace

base::Result<const plan::RefTarget*> RollbackField(const plan::SetTargets& app_targets,
                                                   std::string_view app,
                                                   std::string_view environment) {
  const std::vector<plan::RefTarget>& targets = app_targets.targets;
  if (targets.empty()) {
    return Invalid(fmt::format("{} has no first-party image.ref in {}", app, environment));
  }
  for (const plan::RefTarget& t : targets) {
    if (t.key_path == "image.ref") return &t;
  }
  if (targets.size() == 1) return &targets[0];
  std::vector<std::string> keys;
  for (const plan::RefTarget& t : targets) keys.push_back(t.key_path);
  return Invalid(
      fmt::format("{} in {} has several image fields ({}) and none at image.ref: roll "
                  "one back with `imagepin set {} REPO@DIGEST --app {}`",
                  app, environment, fmt::join(keys, ", "), environment, app));
}

bool IsEarlierDigest(const plan::FieldValue& value, const plan::RefTarget& target) {
  if (value.digest.empty() || value.digest == target.current_digest) return false;
  base::Result<ref::Reference> parsed = ref::ParseReference(value.reference);
  return parsed.ok() && parsed->Repository() == Normalised(target.repository);
}

base::Result<RollbackChoice> ChoosePrevious(const std::vector<plan::FieldValue>& history,
                                            const plan::RefTarget& target,
                                            const policy::Config& config) {
  for (const plan::FieldValue& value : history) {
    if (!IsEarlierDigest(value, target)) continue;
    base::Result<ref::Reference> reference = ReferenceOf(value, target, config);
    if (!reference.ok()) return reference.error();
    return RollbackChoice{*reference, value};
  }
  return Invalid(fmt::format(
      "no earlier digest of {} in the git history of {} ({} commit{} read): nothing to roll "
      "back to",
      target.key_path, target.file.display_path, history.size(), history.size() == 1 ? "" : "s"));
}

base::Result<RollbackChoice> ChooseDigest(std::string_view digest,
                                          const std::vector<plan::FieldValue>& history,
                                          const plan::RefTarget& target,
                                          const policy::Config& config) {
  base::Result<ref::Reference> parsed =
      ref::ParseReference(fmt::format("{}@{}", target.repository, digest));
  if (!parsed.ok() || parsed->digest != digest) {
    return Invalid(fmt::format("--to \"{}\" is not a digest (sha256:<64 hex>)", digest));
  }
  if (digest == target.current_digest) {
    return Invalid(fmt::format("{} {} in {} is at {} already: nothing to roll back", target.service,
                               target.key_path, target.environment, digest));
  }
  for (const plan::FieldValue& value : history) {
    if (value.digest != digest || !IsEarlierDigest(value, target)) continue;
    base::Result<ref::Reference> reference = ReferenceOf(value, target, config);
    if (reference.ok()) return RollbackChoice{*reference, value};
  }
  return RollbackChoice{*parsed, std::nullopt};
}

base::Result<RollbackChoice> ChooseRevision(const plan::FieldValue& at,
                                            const plan::RefTarget& target,
                                            const policy::Config& config) {
  base::Result<ref::Reference> reference = ReferenceOf(at, target, config);
  if (!reference.ok()) return reference.error();
  if (at.digest == target.current_digest) {
    return Invalid(fmt::format("{} {} in {} is at {} already, as at {}: nothing to roll back",
                               target.service, target.key_path, target.environment, at.digest,
                               at.revision.commit.substr(0, 12)));
  }
  return RollbackChoice{*reference, at};
}

std::string HoldItem(std::string_view app, std::string_view environment, std::string_view reason) {
  return fmt::format("{{app: {}, env: {}, reason: {}}}", FlowScalar(app, false),
                     FlowScalar(environment, false), FlowScalar(reason, true));
}

base::Status CheckHoldEdit(const plan::ConfigText& config, const rewrite::Edit& edit,
                           std::string_view app, std::string_view environment,
                           std::string_view today) {
  std::string_view old = config.exists ? std::string_view(config.contents) : std::string_view();
  std::string after = std::string(old.substr(0, edit.begin)) + edit.new_text +
                      std::string(old.substr(std::min<size_t>(edit.end, old.size())));
  base::Result<policy::Config> parsed = policy::ParseConfig(after, config.display);
  if (!parsed.ok()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           fmt::format("adding the hold would break {}: {}: add it by hand",
                                       config.display, parsed.error().ToString()));
  }
  if (policy::FindHold(parsed->bump.holds, {app, "", environment}, today) == nullptr) {
    return base::MakeError(base::ErrorCode::kInternal,
                           fmt::format("the hold added to {} does not hold {} in {}",
                                       config.display, app, environment));
  }
  return {};
}

}  // namespace imagepin::decide
