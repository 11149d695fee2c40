#include "plan/promote.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/evaluate.h"
#include "policy/tag_rules.h"
#include "ref/reference.h"

namespace imagepin::plan {
namespace {

base::Diagnostic RefuseAt(const EnvironmentField& at, std::string rule, std::string message) {
  auto [line, column] = scan::ReferencePosition(*at.field);
  return base::Diagnostic::Error(at.file->entry.display_path, {line, column}, std::move(message),
                                 std::move(rule));
}

// `f` of `env` has no counterpart in `other`; `outcome` says what happens to it.
Unmatched UnmatchedAt(const EnvironmentImages& env, const EnvironmentField& f,
                      const EnvironmentImages& other, std::string_view outcome) {
  auto [line, column] = scan::ReferencePosition(*f.field);
  Unmatched u;
  u.severity = base::Severity::kNote;
  u.path = f.file->entry.display_path;
  u.pos = {line, column};
  u.message = fmt::format("{} is not in {} (key {}): {}", f.field->reference, other.name,
                          f.field->key_path, outcome);
  u.environment = env.name;
  u.key_path = f.field->key_path;
  u.reference = f.field->reference;
  return u;
}

bool Selected(const PromoteOptions& options, const EnvironmentField& f,
              const ref::Reference& reference) {
  if (options.only.empty()) return true;
  std::string service = ServiceName(f.file->entry.display_path);
  std::string last = reference.path.substr(reference.path.rfind('/') + 1);
  return std::any_of(options.only.begin(), options.only.end(), [&](const std::string& name) {
    return name == service || name == last || name == reference.Repository() ||
           name == WrittenRepository(f.field->reference);
  });
}

// The source reference, if check would let it travel: pinned by digest, immutable tag.
base::Result<ref::Reference> PromotableSource(const EnvironmentField& s,
                                              const policy::Config& config,
                                              base::Diagnostic* refusal) {
  const scan::ImageField& f = *s.field;
  auto refuse = [&](std::string rule, std::string message) {
    *refusal = RefuseAt(s, std::move(rule), std::move(message));
    return base::MakeError(base::ErrorCode::kInvalidArgument, refusal->message);
  };
  if (f.templated) return refuse("", "a template, not a reference: nothing to promote");
  if (f.partial) return refuse("", "no repository here (a chart default): nothing to promote");
  base::Result<ref::Reference> r = ref::ParseReference(f.reference);
  if (!r.ok()) return refuse("IP003", "invalid reference: " + r.error().message);
  if (!r->has_digest()) {
    return refuse("IP001",
                  fmt::format("{} is not pinned by digest: bump or pin it first", f.reference));
  }
  if (r->has_tag() && policy::ClassifyTag(r->tag, config) == policy::TagKind::kFloating) {
    return refuse("IP002", fmt::format("floating tag \"{}\" cannot travel with a digest", r->tag));
  }
  return r;
}

class Planner {
 public:
  Planner(const policy::Config& config, PromotePlan* plan) : config_(config), plan_(plan) {}

  void Promote(const EnvironmentField& s, const ref::Reference& from, const EnvironmentField& t) {
    const scan::ImageField& tf = *t.field;
    if (tf.templated || tf.partial) {
      Refuse(t, "", "the target is a template or has no repository: cannot write a digest here");
      return;
    }
    base::Result<ref::Reference> to = ref::ParseReference(tf.reference);
    if (!to.ok()) {
      Refuse(t, "IP003", "invalid reference in the target: " + to.error().message);
      return;
    }
    if (to->Repository() != from.Repository()) {
      Refuse(t, "",
             fmt::format("repository mismatch at {}: {} has {}, the target has {}", tf.key_path,
                         s.file->entry.display_path, from.Repository(), to->Repository()));
      return;
    }
    Promotion p;
    p.service = ServiceName(s.file->entry.display_path);
    p.repository = from.Repository();
    p.source = &s;
    p.target = &t;
    p.digest = from.digest;
    p.tag = from.tag;
    p.old_digest = to->digest;
    p.first_party = policy::IsFirstParty(config_, p.repository);
    std::string reason = fmt::format("promote {} {}", p.service, p.digest);
    if (tf.ref.present) {
      std::string value =
          WrittenRepository(tf.reference) + (p.tag.empty() ? "" : ":" + p.tag) + "@" + p.digest;
      if (!Add(t, tf.ref, value, reason, &p)) return;
    } else {
      if (!tf.digest.present) {
        Refuse(t, "", "the target has no digest field to write; add `digest: \"\"` first");
        return;
      }
      if (tf.tag.present && p.tag.empty()) {
        Refuse(t, "",
               fmt::format("the target's tag \"{}\" would no longer match the digest: "
                           "the source has no tag",
                           tf.tag.value));
        return;
      }
      if (!Add(t, tf.digest, p.digest, reason, &p)) return;
      if (tf.tag.present && !Add(t, tf.tag, p.tag, reason, &p)) return;
    }
    plan_->promotions.push_back(std::move(p));
  }

 private:
  void Refuse(const EnvironmentField& at, std::string rule, std::string message) {
    plan_->refusals.push_back(RefuseAt(at, std::move(rule), std::move(message)));
  }

  bool Add(const EnvironmentField& t, const scan::Scalar& scalar, const std::string& value,
           const std::string& reason, Promotion* p) {
    base::Result<rewrite::Edit> edit =
        ReplaceScalar(t.file->entry, t.file->scan.sha256, scalar, value, reason);
    if (!edit.ok()) {
      Refuse(t, "", edit.error().message);
      return false;
    }
    p->edits.push_back(std::move(*edit));
    return true;
  }

  const policy::Config& config_;
  PromotePlan* plan_;
};

}  // namespace

bool Promotion::Changes() const {
  return std::any_of(edits.begin(), edits.end(),
                     [](const rewrite::Edit& e) { return !e.IsNoOp(); });
}

PromotePlan PlanPromotion(const EnvironmentImages& source, const EnvironmentImages& target,
                          const policy::Config& config, const PromoteOptions& options) {
  PromotePlan plan;
  Planner planner(config, &plan);
  for (const EnvironmentField& s : source.fields) {
    base::Result<ref::Reference> parsed = ref::ParseReference(s.field->reference);
    ref::Reference name = parsed.ok() ? *parsed : ref::Reference{};
    if (!Selected(options, s, name)) continue;
    const EnvironmentField* t = target.Find(s.key);
    if (!t) {
      plan.only_in_source.push_back(UnmatchedAt(source, s, target, "not promoted"));
      continue;
    }
    base::Diagnostic refusal;
    base::Result<ref::Reference> from = PromotableSource(s, config, &refusal);
    if (!from.ok()) {
      plan.refusals.push_back(std::move(refusal));
      continue;
    }
    planner.Promote(s, *from, *t);
  }
  for (const EnvironmentField& t : target.fields) {
    if (source.Find(t.key)) continue;
    base::Result<ref::Reference> parsed = ref::ParseReference(t.field->reference);
    if (Selected(options, t, parsed.ok() ? *parsed : ref::Reference{})) {
      plan.only_in_target.push_back(UnmatchedAt(target, t, source, "left as it is"));
    }
  }
  return plan;
}

std::vector<rewrite::Edit> PromoteEdits(const PromotePlan& plan) {
  std::vector<rewrite::Edit> edits;
  for (const Promotion& p : plan.promotions) {
    edits.insert(edits.end(), p.edits.begin(), p.edits.end());
  }
  return edits;
}

}  // namespace imagepin::plan
