#include "plan/migrate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "policy/first_party.h"
#include "policy/tag_rules.h"
#include "ref/reference.h"
#include "rewrite/render.h"
#include "scan/extract.h"

namespace imagepin::plan {
namespace {

using yaml::Document;
using yaml::NodeId;
using yaml::NodeKind;

// One part of the mapping as written: its key, its value, and the bytes of its line.
struct Part {
  std::string key;
  NodeId key_node = yaml::kNoNode, value = yaml::kNoNode;
  uint32_t line_begin = 0;   // first byte of the key's line
  uint32_t content_end = 0;  // one past the value (or the key's colon, for an empty null)
  uint32_t line_end = 0;     // one past the line's line break (or the end of the file)
};

bool IsSplitPart(std::string_view key) {
  return key == "registry" || key == "repository" || key == "tag" || key == "digest";
}

class Migrator {
 public:
  Migrator(const policy::Config& config, const ValuesCharts& charts, const MigrateOptions& options,
           MigrationPlan* out)
      : config_(config), charts_(charts), options_(options), out_(out) {}

  void Visit(const ScannedFile& file, const ScannedSource* source, const scan::ImageField& f) {
    if (f.form != scan::FieldForm::kSplit || f.partial || !f.repository.present) return;
    if (!policy::IsFirstParty(config_, WrittenRepository(f.reference))) return;
    auto skip = [&](std::string why) {
      out_->skipped.push_back(
          base::Diagnostic::Note(file.entry.display_path, {f.line, f.column},
                                 fmt::format("{}: not migrated: {}", f.key_path, why)));
    };
    if (f.templated) return skip("a template, not a reference");
    if (!f.aliases.empty()) {
      return skip(
          fmt::format("also reached through an alias ({}): migrate it by hand", f.aliases.front()));
    }
    const Document* doc = source ? source->Find(f.document) : nullptr;
    if (doc == nullptr) return skip("its file could not be read again");
    std::string_view src = doc->source();
    NodeId m = MappingOf(*doc, f.repository.begin);
    if (m == yaml::kNoNode) {
      return skip("not a `repository:` key in an image mapping (another split form)");
    }
    const yaml::Node& mapping = doc->node(m);
    if (mapping.flow) return skip("flow style ({…}): write `ref:` by hand");
    if (mapping.anchor_length != 0)
      return skip("the mapping is anchored (&): aliases would change");
    std::vector<Part> parts;
    for (NodeId k = mapping.first_child; k != yaml::kNoNode;) {
      NodeId v = doc->node(k).next_sibling;
      if (v == yaml::kNoNode) break;
      std::string_view key = doc->Value(k);
      if (key == "<<") return skip("the mapping merges another (<<): migrate it by hand");
      if (key == "ref") return skip("it already has a `ref:` key");
      if (key == "sha") return skip("a `sha:` key: migrate it by hand");
      if (IsSplitPart(key)) {
        if (doc->node(v).kind == NodeKind::kAlias) {
          return skip(
              fmt::format("its {} is an alias (*{}): migrate it by hand", key, doc->Value(v)));
        }
        if (doc->node(v).kind != NodeKind::kScalar)
          return skip(fmt::format("{} is not a scalar", key));
        parts.push_back({std::string(key), k, v});
      }
      k = doc->node(v).next_sibling;
    }
    // The field's parts must be this mapping's own keys (not a registry found up the tree).
    auto own = [&](const scan::Scalar& s, std::string_view key) {
      if (!s.present) return true;
      return std::any_of(parts.begin(), parts.end(), [&](const Part& p) {
        return p.key == key && doc->node(p.value).begin == s.begin;
      });
    };
    if (!own(f.registry, "registry") || !own(f.tag, "tag") || !own(f.digest, "digest")) {
      return skip("its parts are not all keys of the mapping: migrate it by hand");
    }
    for (Part& p : parts) {
      if (std::string why = Measure(*doc, &p); !why.empty()) return skip(why);
    }
    std::sort(parts.begin(), parts.end(),
              [](const Part& a, const Part& b) { return a.line_begin < b.line_begin; });
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].line_begin == parts[i - 1].line_begin) return skip("two parts on one line");
      std::string_view lead =
          src.substr(parts[i].line_begin, doc->node(parts[i].key_node).begin - parts[i].line_begin);
      if (lead.find_first_not_of(' ') != std::string_view::npos) {
        return skip(fmt::format("its {} line starts with more than indentation", parts[i].key));
      }
      std::string_view rest =
          src.substr(parts[i].content_end, parts[i].line_end - parts[i].content_end);
      if (rest.find('#') != std::string_view::npos) {
        return skip(fmt::format("the comment on its {} line would be lost: move it, then migrate",
                                parts[i].key));
      }
    }
    base::Result<std::string> reference = MigratedReference(f, config_);
    if (!reference.ok()) return skip(reference.error().message);
    std::vector<std::string> checked;
    if (std::string why = ChartRefusal(file.entry.display_path, f.key_path, &checked);
        !why.empty()) {
      return skip(why);
    }
    // `ref:` in the repository's quoting style.
    base::Result<std::string> text =
        rewrite::RenderLike(f.repository.raw, f.repository.style, *reference);
    if (!text.ok()) return skip(text.error().message);

    Migration mig;
    mig.path = file.entry.display_path;
    mig.line = f.line;
    mig.column = f.column;
    mig.key_path = f.key_path;
    mig.reference = *reference;
    mig.from = f.reference;
    mig.charts = checked;
    std::string reason = fmt::format("migrate {} to {}.ref", f.key_path, f.key_path);
    auto edit = [&](uint32_t begin, uint32_t end, std::string new_text) {
      rewrite::Edit e;
      e.path = file.entry.path;
      e.display_path = file.entry.display_path;
      e.begin = begin;
      e.end = end;
      e.old_text = std::string(src.substr(begin, end - begin));
      e.new_text = std::move(new_text);
      e.file_sha256 = file.scan.sha256;
      e.reason = reason;
      e.line = 1 + static_cast<int>(std::count(src.begin(), src.begin() + begin, '\n'));
      e.column = 1 + static_cast<int>(begin - parts.front().line_begin);
      mig.edits.push_back(std::move(e));
    };
    edit(doc->node(parts.front().key_node).begin, parts.front().content_end, "ref: " + *text);
    for (size_t i = 1; i < parts.size(); ++i) edit(parts[i].line_begin, parts[i].line_end, "");
    for (size_t i = 1; i < mig.edits.size(); ++i) mig.edits[i].column = 1;
    if (checked.empty()) {
      out_->notes.push_back(base::Diagnostic::Note(
          mig.path, {mig.line, mig.column},
          fmt::format("{}: migrated, but no chart could be checked for {}.ref (--force)",
                      f.key_path, f.key_path)));
    }
    out_->migrations.push_back(std::move(mig));
  }

 private:
  // The mapping whose `repository` key has the value at `begin`.
  static NodeId MappingOf(const Document& doc, uint32_t begin) {
    for (NodeId id = 0; id < static_cast<NodeId>(doc.node_count()); ++id) {
      if (doc.node(id).kind != NodeKind::kMapping) continue;
      for (NodeId k = doc.node(id).first_child; k != yaml::kNoNode;) {
        NodeId v = doc.node(k).next_sibling;
        if (v == yaml::kNoNode) break;
        if (doc.node(v).kind == NodeKind::kScalar && doc.node(v).begin == begin)
          return doc.Value(k) == "repository" ? id : yaml::kNoNode;
        k = doc.node(v).next_sibling;
      }
    }
    return yaml::kNoNode;
  }

  // Fills the part's line bytes; says why not when its key and value are not one line.
  static std::string Measure(const Document& doc, Part* p) {
    std::string_view src = doc.source();
    const yaml::Node& k = doc.node(p->key_node);
    const yaml::Node& v = doc.node(p->value);
    if (k.style != yaml::ScalarStyle::kPlain) return fmt::format("its {} key is quoted", p->key);
    if (v.style == yaml::ScalarStyle::kLiteral || v.style == yaml::ScalarStyle::kFolded)
      return fmt::format("its {} is a block scalar", p->key);
    size_t bol = k.begin == 0 ? std::string_view::npos : src.rfind('\n', k.begin - 1);
    p->line_begin = bol == std::string_view::npos ? 0 : static_cast<uint32_t>(bol + 1);
    std::string_view raw = src.substr(v.begin, v.end - v.begin);
    if (!raw.empty() && v.begin >= k.end) {
      if (src.substr(k.end, v.end - k.end).find('\n') != std::string_view::npos)
        return fmt::format("its {} is not on its key's line", p->key);
      p->content_end = v.end;
    } else {
      size_t colon = k.end;
      while (colon < src.size() && src[colon] == ' ') ++colon;
      if (colon >= src.size() || src[colon] != ':')
        return fmt::format("its {} key has no colon", p->key);
      p->content_end = static_cast<uint32_t>(colon + 1);
    }
    size_t lf = src.find('\n', p->content_end);
    p->line_end = lf == std::string_view::npos ? static_cast<uint32_t>(src.size())
                                               : static_cast<uint32_t>(lf + 1);
    return {};
  }

  // Why the charts of `path` do not allow `<key_path>.ref` (empty: they do); `checked` gets the
  // charts that read it.
  std::string ChartRefusal(const std::string& path, const std::string& key_path,
                           std::vector<std::string>* checked) const {
    std::string ref = key_path + ".ref";
    auto it = charts_.find(path);
    bool known = false;
    if (it != charts_.end()) {
      for (const ChartReads& c : it->second) {
        if (c.chart.empty()) continue;
        known = true;
        if (std::binary_search(c.image_values.begin(), c.image_values.end(), ref)) {
          checked->push_back(c.chart);
          continue;
        }
        std::vector<std::string> under;
        for (const std::string& v : c.image_values) {
          if (v.starts_with(key_path + ".")) under.push_back(v);
        }
        if (under.empty()) {
          return fmt::format("chart {} does not read {} (its images read {})", c.chart, ref,
                             c.image_values.empty()
                                 ? std::string("no values")
                                 : fmt::format("{}", fmt::join(c.image_values, ", ")));
        }
        std::string reads =
            under.size() == 1
                ? under[0]
                : fmt::format("{} and {}", fmt::join(under.begin(), under.end() - 1, ", "),
                              under.back());
        return fmt::format("chart {} reads {}, not {}", c.chart, reads, ref);
      }
    }
    if (!known && !options_.force) {
      return fmt::format(
          "no chart found that reads this file, so {} could not be checked "
          "(--force migrates it)",
          ref);
    }
    std::sort(checked->begin(), checked->end());
    checked->erase(std::unique(checked->begin(), checked->end()), checked->end());
    return {};
  }

  const policy::Config& config_;
  const ValuesCharts& charts_;
  const MigrateOptions& options_;
  MigrationPlan* out_;
};

}  // namespace

std::vector<rewrite::Edit> MigrationPlan::Edits() const {
  std::vector<rewrite::Edit> edits;
  for (const Migration& m : migrations) edits.insert(edits.end(), m.edits.begin(), m.edits.end());
  return edits;
}

int MigrationPlan::Files() const {
  std::set<std::string> files;
  for (const Migration& m : migrations) files.insert(m.path);
  return static_cast<int>(files.size());
}

base::Result<std::string> MigratedReference(const scan::ImageField& f,
                                            const policy::Config& config) {
  auto refuse = [](std::string message) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
  };
  if (f.tag.value.empty() && f.digest.value.empty()) {
    return refuse("no tag and no digest (the chart picks the tag): set one, then migrate");
  }
  base::Result<ref::Reference> parsed = ref::ParseReference(f.reference);
  if (!parsed.ok()) return refuse("invalid reference: " + parsed.error().message);
  std::string written = WrittenRepository(f.reference);
  std::string tag = parsed->tag;
  if (!tag.empty() && parsed->has_digest() &&
      policy::ClassifyTag(tag, config) == policy::TagKind::kFloating) {
    tag.clear();  // a channel name beside the digest that pins it
  }
  std::string out = written;
  if (!tag.empty()) out += ":" + tag;
  if (parsed->has_digest()) out += "@" + parsed->digest;
  return out;
}

bool HasFirstPartySplit(const ScannedFile& file, const policy::Config& config) {
  return std::any_of(file.scan.fields.images.begin(), file.scan.fields.images.end(),
                     [&](const scan::ImageField& f) {
                       return f.form == scan::FieldForm::kSplit && !f.partial &&
                              f.repository.present &&
                              policy::IsFirstParty(config, WrittenRepository(f.reference));
                     });
}

base::Result<MigrationPlan> PlanMigration(
    const std::vector<ScannedFile>& files,
    const std::vector<std::unique_ptr<ScannedSource>>& sources, const policy::Config& config,
    const ValuesCharts& charts, const MigrateOptions& options) {
  if (std::vector<base::Error> problems = ScanProblems(files); !problems.empty()) {
    return problems.front();
  }
  MigrationPlan plan;
  Migrator migrator(config, charts, options, &plan);
  for (size_t i = 0; i < files.size(); ++i) {
    const ScannedSource* source = i < sources.size() ? sources[i].get() : nullptr;
    for (const scan::ImageField& f : files[i].scan.fields.images)
      migrator.Visit(files[i], source, f);
  }
  return plan;
}

}  // namespace imagepin::plan
