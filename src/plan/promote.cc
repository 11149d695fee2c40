#include "plan/promote.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_set>

#include "plan/insert.h"
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

// Where a promoted value comes from: a field of the source's overlay, or (inherited) the
// layer that decides the source's effective value.
struct Source {
  const EnvironmentField* field = nullptr;  // null: inherited
  std::string path;
  base::SourcePos pos;
  std::string service;
  std::string reference;
  bool templated = false, partial = false;
};

Source SourceOf(const EnvironmentField& s) {
  auto [line, column] = scan::ReferencePosition(*s.field);
  return {&s,
          s.file->entry.display_path,
          {line, column},
          ServiceName(s.file->entry.display_path),
          s.field->reference,
          s.field->templated,
          s.field->partial};
}

Source SourceOf(const AppImage& a) {
  const apps::Part& part = a.Deciding();
  return {nullptr,
          a.decided_by >= 0 ? a.Layer(a.decided_by).path : a.loaded->app.name,
          {part.value.line, part.value.column},
          ServiceName(a.identity),
          a.image->reference,
          false,
          a.image->partial};
}

// The source reference, if check would let it travel: pinned by digest, immutable tag.
base::Result<ref::Reference> PromotableSource(const Source& s, const policy::Config& config,
                                              base::Diagnostic* refusal) {
  auto refuse = [&](std::string rule, std::string message) {
    *refusal = base::Diagnostic::Error(s.path, s.pos, std::move(message), std::move(rule));
    return base::MakeError(base::ErrorCode::kInvalidArgument, refusal->message);
  };
  if (s.templated) return refuse("", "a template, not a reference: nothing to promote");
  if (s.partial) return refuse("", "no repository here (a chart default): nothing to promote");
  base::Result<ref::Reference> r = ref::ParseReference(s.reference);
  if (!r.ok()) return refuse("IP003", "invalid reference: " + r.error().message);
  if (!r->has_digest()) {
    return refuse("IP001",
                  fmt::format("{} is not pinned by digest: bump or pin it first", s.reference));
  }
  if (r->has_tag() && policy::ClassifyTag(r->tag, config) == policy::TagKind::kFloating) {
    return refuse("IP002", fmt::format("floating tag \"{}\" cannot travel with a digest", r->tag));
  }
  return r;
}

class Planner {
 public:
  Planner(const policy::Config& config, const PromoteOptions& options, PromotePlan* plan)
      : config_(config), options_(options), plan_(plan) {}

  void Promote(const Source& s, const ref::Reference& from, const EnvironmentField& t) {
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
                         s.path, from.Repository(), to->Repository()));
      return;
    }
    Promotion p;
    p.service = s.service;
    p.repository = from.Repository();
    p.source = s.field;
    p.target = &t;
    p.source_path = s.path;
    p.target_path = t.file->entry.display_path;
    p.target_line = scan::ReferencePosition(tf).first;
    p.key_path = tf.key_path;
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

  // The target's value `t` is inherited: a note, or (--write-inherited) an override added to
  // the target's own overlay.
  void PromoteInherited(const Source& s, const ref::Reference& from, const AppImage& t,
                        const std::string& target_env) {
    const apps::Layer& layer = t.Layer(t.decided_by);
    const apps::Part& part = t.Deciding();
    auto note = [&](std::string outcome) {
      plan_->inherited.push_back(base::Diagnostic::Note(
          layer.path, {part.value.line, part.value.column},
          fmt::format("{} {} in {} is inherited from {}: {}", t.loaded->app.name, t.key_path,
                      target_env, layer.path, outcome)));
    };
    if (t.own_layer < 0) return note("the app has no overlay of its own there, nothing written");
    const apps::Layer& own = t.Layer(t.own_layer);
    if (t.decided_by > t.own_layer) {
      return note(
          fmt::format("that layer is above {}, nothing written (change it there)", own.path));
    }
    base::Result<ref::Reference> to = ref::ParseReference(t.image->reference);
    if (!to.ok() || t.image->partial) {
      return RefuseLayer(layer.path, part, "",
                         "the target's inherited value is not a reference: cannot write a digest");
    }
    if (to->Repository() != from.Repository()) {
      return RefuseLayer(layer.path, part, "",
                         fmt::format("repository mismatch at {}: {} has {}, the target has {}",
                                     t.key_path, s.path, from.Repository(), to->Repository()));
    }
    if (!options_.write_inherited) {
      return note(fmt::format("not written (--write-inherited adds it to {})", own.path));
    }
    std::vector<std::string> parents;
    for (const yaml::PathSegment& segment : t.image->path) {
      if (segment.is_index()) {
        return RefuseLayer(
            layer.path, part, "",
            fmt::format("{} is inside a list: add the override by hand", t.key_path));
      }
      parents.push_back(segment.key);
    }
    std::vector<std::pair<std::string, std::string>> leaves;
    std::string written = WrittenRepository(t.image->reference);
    std::string value = written + (from.tag.empty() ? "" : ":" + from.tag) + "@" + from.digest;
    switch (t.image->form) {
      case apps::SiteForm::kRef:
        leaves.emplace_back("ref", ScalarText(value));
        break;
      case apps::SiteForm::kString:
        leaves.emplace_back(parents.back(), ScalarText(value));
        parents.pop_back();
        break;
      case apps::SiteForm::kSplit:
        leaves.emplace_back(t.image->digest.present() ? t.image->digest.key : "digest",
                            ScalarText(from.digest));
        if (t.image->tag.present()) {
          if (from.tag.empty()) {
            return RefuseLayer(layer.path, part, "",
                               fmt::format("the target's tag \"{}\" would no longer match the "
                                           "digest: the source has no tag",
                                           t.image->tag.value.value));
          }
          leaves.emplace_back(t.image->tag.key, ScalarText(from.tag));
        }
        break;
    }
    const LayerDocView view = OverlayOf(t);
    ValuesFile file{view.root + "/" + own.path, own.path, own.exists, view.contents, view.doc};
    base::Result<rewrite::Edit> edit =
        InsertKeys(file, parents, leaves, fmt::format("promote {} {}", s.service, from.digest));
    if (!edit.ok()) {
      return RefuseFile(own.path, "",
                        fmt::format("cannot add {} to it: {}", t.key_path, edit.error().message));
    }
    Promotion p;
    p.service = s.service;
    p.repository = from.Repository();
    p.source = s.field;
    p.source_path = s.path;
    p.target_path = own.path;
    p.target_line = edit->line;
    p.key_path = t.key_path;
    p.digest = from.digest;
    p.tag = from.tag;
    p.old_digest = to->digest;
    p.first_party = policy::IsFirstParty(config_, p.repository);
    p.inherited = true;
    p.creates_file = !own.exists;
    p.edits.push_back(std::move(*edit));
    plan_->promotions.push_back(std::move(p));
  }

  struct LayerDocView {
    std::string root;
    std::string_view contents;
    const yaml::Document* doc = nullptr;
  };
  LayerDocView OverlayOf(const AppImage& t) const {
    LayerDocView view;
    view.root = root_;
    const yaml::Document* doc = t.loaded->layers[static_cast<size_t>(t.own_layer)].doc;
    if (doc != nullptr) {
      view.doc = doc;
      view.contents = doc->source();
    }
    return view;
  }
  void SetRoot(std::string root) { root_ = std::move(root); }

 private:
  void RefuseLayer(const std::string& path, const apps::Part& part, std::string rule,
                   std::string message) {
    plan_->refusals.push_back({base::Diagnostic::Error(path, {part.value.line, part.value.column},
                                                       std::move(message), std::move(rule))});
  }
  void RefuseFile(const std::string& path, std::string rule, std::string message) {
    plan_->refusals.push_back(
        {base::Diagnostic::Error(path, {}, std::move(message), std::move(rule))});
  }

  void Refuse(const EnvironmentField& at, std::string rule, std::string message) {
    // Keyed by the target field's app and repository: a hold on it releases the refusal too.
    base::Result<ref::Reference> named = ref::ParseReference(at.field->reference);
    plan_->refusals.push_back({RefuseAt(at, std::move(rule), std::move(message)),
                               ServiceName(at.file->entry.display_path),
                               named.ok() ? named->Repository() : std::string()});
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
  const PromoteOptions& options_;
  PromotePlan* plan_;
  std::string root_;
};

bool SelectedName(const PromoteOptions& options, const std::string& service,
                  const std::string& reference) {
  if (options.only.empty()) return true;
  base::Result<ref::Reference> r = ref::ParseReference(reference);
  std::string last = r.ok() ? r->path.substr(r->path.rfind('/') + 1) : std::string();
  return std::any_of(options.only.begin(), options.only.end(), [&](const std::string& name) {
    return name == service || (r.ok() && (name == last || name == r->Repository())) ||
           name == WrittenRepository(reference);
  });
}

}  // namespace

bool Promotion::Changes() const {
  return std::any_of(edits.begin(), edits.end(),
                     [](const rewrite::Edit& e) { return !e.IsNoOp(); });
}

PromotePlan PlanPromotion(const EnvironmentImages& source, const EnvironmentImages& target,
                          const policy::Config& config, const PromoteOptions& options,
                          const AppEnvironment* source_apps, const AppEnvironment* target_apps) {
  PromotePlan plan;
  Planner planner(config, options, &plan);
  if (target_apps != nullptr) planner.SetRoot(target_apps->root);
  auto promotable = [&](const Source& s) -> std::optional<ref::Reference> {
    base::Diagnostic refusal;
    base::Result<ref::Reference> from = PromotableSource(s, config, &refusal);
    if (from.ok()) return *from;
    base::Result<ref::Reference> named = ref::ParseReference(s.reference);
    plan.refusals.push_back(
        {std::move(refusal), s.service, named.ok() ? named->Repository() : std::string()});
    return std::nullopt;
  };
  // The target's value at `key` when it is inherited (no field in its overlay).
  auto inherited_in_target = [&](const std::string& key) -> const AppImage* {
    const AppImage* t = target_apps != nullptr ? target_apps->Find(key) : nullptr;
    return t != nullptr && t->inherited() ? t : nullptr;
  };
  for (const EnvironmentField& s : source.fields) {
    base::Result<ref::Reference> parsed = ref::ParseReference(s.field->reference);
    ref::Reference name = parsed.ok() ? *parsed : ref::Reference{};
    if (!Selected(options, s, name)) continue;
    const EnvironmentField* t = target.Find(s.key);
    if (!t) {
      if (const AppImage* ti = inherited_in_target(s.key)) {
        if (std::optional<ref::Reference> from = promotable(SourceOf(s))) {
          planner.PromoteInherited(SourceOf(s), *from, *ti, target.name);
        }
        continue;
      }
      plan.only_in_source.push_back(UnmatchedAt(source, s, target, "not promoted"));
      continue;
    }
    if (std::optional<ref::Reference> from = promotable(SourceOf(s))) {
      planner.Promote(SourceOf(s), *from, *t);
    }
  }
  // Values the source inherits: its effective digest travels as its own overlay's would.
  std::unordered_set<std::string> promoted_to;  // target fields reached that way
  if (source_apps != nullptr && target_apps != nullptr) {
    for (const AppImage& si : source_apps->images) {
      if (!si.inherited() || source.Find(si.key) != nullptr) continue;
      if (!SelectedName(options, ServiceName(si.identity), si.image->reference)) continue;
      const EnvironmentField* t = target.Find(si.key);
      const AppImage* ti = target_apps->Find(si.key);
      if (t == nullptr && (ti == nullptr || !ti->inherited())) continue;
      if (ti != nullptr && ti->image->reference == si.image->reference) {
        if (t != nullptr) promoted_to.insert(t->key);
        if (t == nullptr) continue;  // both inherit the same value: nothing to do
      }
      std::optional<ref::Reference> from = promotable(SourceOf(si));
      if (!from) continue;
      if (t != nullptr) {
        promoted_to.insert(t->key);
        planner.Promote(SourceOf(si), *from, *t);
      } else {
        planner.PromoteInherited(SourceOf(si), *from, *ti, target.name);
      }
    }
  }
  for (const EnvironmentField& t : target.fields) {
    if (source.Find(t.key) || promoted_to.contains(t.key)) continue;
    base::Result<ref::Reference> parsed = ref::ParseReference(t.field->reference);
    if (Selected(options, t, parsed.ok() ? *parsed : ref::Reference{})) {
      plan.only_in_target.push_back(UnmatchedAt(target, t, source, "left as it is"));
    }
  }
  return plan;
}

std::vector<rewrite::Edit> PromoteEdits(const PromotePlan& plan) {
  std::vector<rewrite::Edit> edits;
  std::map<std::pair<std::string, uint32_t>, size_t> insertions;  // (file, offset) → edit
  for (const Promotion& p : plan.promotions) {
    for (const rewrite::Edit& e : p.edits) {
      if (e.begin == e.end && e.old_text.empty()) {
        auto [it, added] = insertions.try_emplace({e.path, e.begin}, edits.size());
        if (!added) {
          rewrite::Edit& joined = edits[it->second];
          if (joined.new_text != e.new_text) joined.new_text += e.new_text;
          continue;
        }
      }
      edits.push_back(e);
    }
  }
  return edits;
}

}  // namespace imagepin::plan
