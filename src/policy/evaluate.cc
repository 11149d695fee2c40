#include "policy/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "policy/rules.h"
#include "policy/tag_rules.h"
#include "ref/reference.h"

namespace imagepin::policy {
namespace {

using scan::FieldForm;
using scan::ImageField;
using scan::Scalar;

// Values quoted in messages are cut to this many bytes: a 1 MB value must not make a 2 MB message
// (IP001 quotes the reference twice). Real references are far shorter (a name is at most 255).
constexpr size_t kMaxQuotedBytes = 200;

// `value` as messages quote it: whole when short, else its first kMaxQuotedBytes bytes (cut at a
// UTF-8 character boundary) and "…(N more bytes)".
std::string Shorten(std::string_view value) {
  if (value.size() <= kMaxQuotedBytes) return std::string(value);
  size_t cut = kMaxQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}\u2026({} more bytes)", value.substr(0, cut), value.size() - cut);
}

class FileEvaluator {
 public:
  FileEvaluator(const Config& config, const std::string& path, std::vector<Finding>* out)
      : config_(config), path_(path), out_(out) {}

  void Add(std::string_view rule_id, std::string message, int document, std::string key_path,
           int line, int column, std::string source_line, std::string reference) {
    Finding f = NewFinding(rule_id);
    f.message = std::move(message);
    f.path = path_;
    f.line = line;
    f.column = column;
    f.source_line = std::move(source_line);
    f.key_path = std::move(key_path);
    f.document = document;
    f.reference = std::move(reference);
    out_->push_back(std::move(f));
  }

  // At a scalar of the field (or the field itself when the scalar is absent).
  void AddAt(std::string_view rule_id, std::string message, const ImageField& field,
             const Scalar* at, std::string key_suffix = {}) {
    bool use_scalar = at != nullptr && at->present;
    std::string key = field.key_path;
    if (!key_suffix.empty()) key += "." + key_suffix;
    Add(rule_id, std::move(message), field.document, std::move(key),
        use_scalar ? at->line : field.line, use_scalar ? at->column : field.column,
        use_scalar ? at->source_line : field.source_line, field.reference);
  }

  void CheckField(const ImageField& field) {
    if (field.templated) return;  // only a renderer knows the image; check its output instead
    if (field.form == FieldForm::kMention && config_.mentions == Config::Mentions::kOff) return;
    const Scalar* where = field.ref.present ? &field.ref : nullptr;
    bool split = field.form == FieldForm::kSplit || field.form == FieldForm::kKustomize;

    if (field.form == FieldForm::kSplit && !field.partial) {
      std::string repository = field.registry.present && !field.registry.value.empty()
                                   ? field.registry.value + "/" + field.repository.value
                                   : field.repository.value;
      if (IsFirstParty(config_, repository)) {
        Add("IP004",
            fmt::format("first-party image {} is set with repository/tag fields; use one "
                        "image.ref: {}@sha256:<digest>",
                        Shorten(repository), Shorten(repository)),
            field.document, field.key_path, field.line, field.column, field.source_line,
            field.reference);
      }
    }
    if (split && field.tag.present && field.tag.value.find('@') != std::string::npos) {
      AddAt("IP006",
            fmt::format("tag \"{}\" carries a digest; charts reuse `tag` in labels, so put the "
                        "digest in a digest: field",
                        Shorten(field.tag.value)),
            field, &field.tag, TagKey(field));
    }
    CheckPullPolicy(field);
    if (field.partial) {
      // `image: {tag: x}` overrides a chart default we cannot see; judge only the tag, and of a
      // tag carrying a digest (IP006) only the part before `@`.
      std::string tag = field.tag.value.substr(0, field.tag.value.find('@'));
      if (field.tag.present && !tag.empty()) CheckTag(field, tag, &field.tag);
      return;
    }

    if (field.reference.empty()) {
      AddAt("IP003", "empty image reference", field, where);
      return;
    }
    base::Result<ref::Reference> parsed = ref::ParseReference(field.reference);
    if (!parsed.ok()) {
      AddAt("IP003",
            fmt::format("invalid image reference \"{}\": {}", Shorten(field.reference),
                        parsed.error().message),
            field, where);
      return;
    }
    const ref::Reference& r = *parsed;
    if (!r.has_digest() && field.form == FieldForm::kSplit && field.tag.value.empty()) {
      // Helm charts render an empty `tag` as `.Chart.AppVersion` (`| default .Chart.AppVersion`):
      // not :latest, but a version the values file does not show, and no digest.
      AddAt("IP001",
            fmt::format("image {} has an empty tag, which the chart fills from its appVersion, and "
                        "no digest; pin it with digest: sha256:<digest> (or image.ref: "
                        "{}:<version>@sha256:<digest>)",
                        Shorten(field.reference), Shorten(field.reference)),
            field, nullptr);
    } else if (!r.has_digest()) {
      std::string message = r.has_tag()
                                ? fmt::format(
                                      "image {} is not pinned by digest (tags are mutable); pin it "
                                      "as {}@sha256:<digest>",
                                      Shorten(field.reference), Shorten(field.reference))
                                : fmt::format(
                                      "image {} has no tag and no digest: it means :latest; pin it "
                                      "as {}@sha256:<digest>",
                                      Shorten(field.reference), Shorten(field.reference));
      AddAt("IP001", std::move(message), field, split ? nullptr : where);
    }
    if (r.has_tag()) CheckTag(field, r.tag, split ? &field.tag : where);
  }

  void CheckTag(const ImageField& field, const std::string& tag, const Scalar* at) {
    if (ClassifyTag(tag, config_) != TagKind::kFloating) return;
    std::string message =
        IsWellKnownChannel(tag)
            ? fmt::format(
                  "floating tag \"{}\": a channel, not a version, even beside a digest; "
                  "use a build SHA or semantic version tag, or none",
                  Shorten(tag))
            : fmt::format(
                  "floating tag \"{}\": neither a build SHA (7-40 hex) nor a semantic "
                  "version; use one, or no tag",
                  Shorten(tag));
    // About a split mapping's tag field: the key path names it (`image.tag`), as for IP006.
    bool at_tag = at == &field.tag && field.tag.present;
    AddAt("IP002", std::move(message), field, at, at_tag ? TagKey(field) : std::string());
  }

  // The key of the tag in a split mapping or a kustomize entry.
  static std::string TagKey(const ImageField& field) {
    return field.form == FieldForm::kKustomize ? "newTag" : "tag";
  }

  void CheckPullPolicy(const ImageField& field) {
    if (field.pull_policy.present) {
      // Where the policy is written: in the image mapping (`image.pullPolicy`), beside an image
      // string (`pullPolicy`, `containers[0].imagePullPolicy`), or in a container.
      CheckPolicyValue(field.document, field.pull_policy_key_path, field.pull_policy,
                       field.reference);
    } else if (field.pull_policy_required) {
      Add("IP005",
          fmt::format("{} \"{}\" has no imagePullPolicy: Kubernetes then picks Always for "
                      ":latest or untagged images; set imagePullPolicy: {}",
                      field.container_kind == "containers"       ? "container"
                      : field.container_kind == "initContainers" ? "init container"
                                                                 : "ephemeral container",
                      Shorten(field.container_name), config_.pull_policy),
          field.document, field.key_path, field.line, field.column, field.source_line,
          field.reference);
    }
  }

  void CheckPolicyValue(int document, std::string key_path, const Scalar& value,
                        std::string reference) {
    // One finding per policy scalar, however many fields it applies to.
    if (!seen_policies_.insert({document, value.begin}).second) return;
    if (value.value == config_.pull_policy) return;
    Add("IP005",
        fmt::format("pull policy {}, must be {}{}", Shorten(value.value), config_.pull_policy,
                    value.value == "Always"
                        ? ": Always is not a rollout mechanism, change the digest"
                        : ""),
        document, std::move(key_path), value.line, value.column, value.source_line,
        std::move(reference));
  }

  void Run(const scan::FileScan& scan) {
    if (scan.problem) {
      const scan::FileProblem& p = *scan.problem;
      Add("IP000", p.message, 0, {}, p.line, p.column, p.source_line, {});
    }
    // A chart's defaults (`image.ref: ""`, a vendored `pullPolicy: Always`) are judged where an
    // application stacks them (apps/rules.h), at the layer a person edits, not here.
    if (scan.chart_defaults) return;
    for (const ImageField& field : scan.fields.images) {
      size_t before = out_->size();
      CheckField(field);
      // A mention is an image the workload is told about: what it does with it (pull it, mirror
      // it, pin it itself) is not in the file, so by default it warns rather than gates.
      if (field.form == FieldForm::kMention && config_.mentions == Config::Mentions::kWarning) {
        for (size_t i = before; i < out_->size(); ++i) (*out_)[i].severity = Severity::kWarning;
      }
    }
    for (const scan::PullPolicyField& policy : scan.fields.pull_policies) {
      CheckPolicyValue(policy.document, policy.key_path, policy.value, {});
    }
  }

 private:
  const Config& config_;
  const std::string& path_;
  std::vector<Finding>* out_;
  std::set<std::pair<int, uint32_t>> seen_policies_;
};

}  // namespace

void EvaluateFile(const Config& config, const std::string& path, const scan::FileScan& scan,
                  std::vector<Finding>* out) {
  FileEvaluator(config, path, out).Run(scan);
}

}  // namespace imagepin::policy
