#include "plan/pin.h"

#include <fmt/format.h>

#include "policy/first_party.h"
#include "policy/tag_rules.h"

namespace imagepin::plan {
namespace {

class PinFinder {
 public:
  PinFinder(const policy::Config& config, const PinOptions& options)
      : config_(config), options_(options) {}

  base::Status Visit(const ScannedFile& file, const ScannedSource* source,
                     const scan::ImageField& field, PinTargets* out) {
    auto skip = [&](std::string rule, std::string message) {
      auto [line, column] = scan::ReferencePosition(field);
      PinSkip s;
      s.severity = rule.empty() ? base::Severity::kNote : base::Severity::kError;
      s.path = file.entry.display_path;
      s.pos = {line, column};
      s.message = fmt::format("{}: {}", field.reference, message);
      s.rule = std::move(rule);
      s.key_path = field.key_path;
      s.reference = field.reference;
      out->skipped.push_back(std::move(s));
      return base::Status();
    };
    if (field.templated) return skip("", "a template, not a reference: render it to pin");
    if (field.partial) return skip("", "no repository here (a chart default): nothing to pin");
    base::Result<ref::Reference> parsed = ref::ParseReference(field.reference);
    if (!parsed.ok()) return skip("IP003", "invalid reference: " + parsed.error().message);
    if (parsed->has_digest()) return {};  // pinned already
    std::string tag = parsed->has_tag() ? parsed->tag : "latest";
    bool floating = policy::ClassifyTag(tag, config_) == policy::TagKind::kFloating;
    if (floating && !options_.channel_ok) {
      return skip("IP002", fmt::format("floating tag \"{}\" not pinned: pin a build SHA or "
                                       "version, or pass --channel-ok to pin it as repo@digest",
                                       tag));
    }
    if (field.ref.present && !field.ref.rewritable) {
      return skip("",
                  "inside a folded or quoted scalar, whose bytes in the file are not its text: "
                  "pin it by hand, or write the embedded manifest as a literal `|` block");
    }
    PinTarget t;
    t.file = file.entry;
    t.file_sha256 = file.scan.sha256;
    t.key_path = field.key_path;
    t.resolve = *parsed;
    t.resolve.tag = tag;
    if (field.ref.present) {
      t.scalar = field.ref;
      t.repository = WrittenRepository(field.reference);
      t.tag = floating ? "" : tag;
    } else if (field.digest.present && field.digest.value.empty()) {
      t.scalar = field.digest;
      t.digest_only = true;
      if (floating) {
        return skip("IP002", fmt::format("floating tag \"{}\" in a split mapping: set a version "
                                         "tag before pinning",
                                         tag));
      }
    } else if (field.form == scan::FieldForm::kSplit && !field.digest.present &&
               field.tag.present && field.tag.rewritable) {
      if (floating) {
        return skip("IP002", fmt::format("floating tag \"{}\" in a split mapping: set a version "
                                         "tag before pinning",
                                         tag));
      }
      if (policy::IsFirstParty(config_, WrittenRepository(field.reference))) {
        return skip("",
                    "a first-party split mapping: `imagepin migrate` makes it one image.ref, "
                    "then pin that (or add `digest: \"\"` beside the tag to pin it as it is)");
      }
      const yaml::Document* doc = source ? source->Find(field.document) : nullptr;
      if (doc == nullptr) {
        return skip("", "no digest field to fill: add `digest: \"\"` beside the tag, then pin");
      }
      base::Result<KeySlot> slot = DigestSlot(*doc, field.tag.begin, field.repository.begin);
      if (!slot.ok()) return skip("", "no digest added: " + slot.error().message);
      t.scalar = field.tag;
      t.digest_only = true;
      t.slot = std::move(*slot);
    } else {
      return skip("", "no digest field to fill: add `digest: \"\"` beside the tag, then pin");
    }
    out->targets.push_back(std::move(t));
    return {};
  }

 private:
  const policy::Config& config_;
  const PinOptions& options_;
};

}  // namespace

bool NeedsSource(const ScannedFile& file) {
  for (const scan::ImageField& f : file.scan.fields.images) {
    if (f.form == scan::FieldForm::kSplit && !f.templated && !f.partial && f.tag.present &&
        !f.digest.present)
      return true;
  }
  return false;
}

base::Result<PinTargets> FindPinTargets(
    const std::vector<ScannedFile>& files, const policy::Config& config, const PinOptions& options,
    const std::vector<std::unique_ptr<ScannedSource>>& sources) {
  if (std::vector<base::Error> problems = ScanProblems(files); !problems.empty()) {
    return problems.front();
  }
  PinTargets out;
  PinFinder finder(config, options);
  for (size_t i = 0; i < files.size(); ++i) {
    const ScannedSource* source = i < sources.size() ? sources[i].get() : nullptr;
    for (const scan::ImageField& field : files[i].scan.fields.images) {
      if (base::Status s = finder.Visit(files[i], source, field, &out); !s.ok()) return s.error();
    }
  }
  return out;
}

base::Result<rewrite::Edit> PinEdit(const PinTarget& target, std::string_view digest) {
  if (target.slot) {
    base::Result<std::string> text = SlotText(*target.slot, digest);
    if (!text.ok()) {
      base::Error e = text.error();
      e.path = target.file.display_path;
      e.pos = {target.scalar.line, target.scalar.column};
      return e;
    }
    rewrite::Edit edit;
    edit.path = target.file.path;
    edit.display_path = target.file.display_path;
    edit.begin = target.slot->begin;
    edit.end = target.slot->end;
    edit.old_text = target.slot->old_text;
    edit.new_text = std::move(*text);
    edit.file_sha256 = target.file_sha256;
    edit.reason = fmt::format("pin {}", target.resolve.Normalized());
    edit.line = target.slot->line;
    edit.column = target.slot->column;
    return edit;
  }
  std::string value = target.digest_only ? std::string(digest)
                      : target.tag.empty()
                          ? fmt::format("{}@{}", target.repository, digest)
                          : fmt::format("{}:{}@{}", target.repository, target.tag, digest);
  return ReplaceScalar(target.file, target.file_sha256, target.scalar, value,
                       fmt::format("pin {}", target.resolve.Normalized()));
}

}  // namespace imagepin::plan
