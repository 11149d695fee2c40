#include "apps/load.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "apps/rules.h"
#include "base/files.h"
#include "scan/scanner.h"

namespace imagepin::apps {
namespace {

using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;

// A decimal segment as a list index, or -1.
int64_t IndexOf(const std::string& segment) {
  int64_t index = -1;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
  return ec == std::errc() && end == segment.data() + segment.size() && index >= 0 ? index : -1;
}

// The node at `root` in `doc` (kNoNode when there is none), and the path to it as data.
NodeId Walk(const yaml::Document& doc, const std::vector<std::string>& root,
            yaml::SegmentPath* path) {
  NodeId at = doc.Resolve(doc.root());
  for (const std::string& segment : root) {
    if (at == kNoNode) return kNoNode;
    const yaml::Node& node = doc.node(at);
    if (int64_t index = IndexOf(segment); index >= 0 && node.kind == NodeKind::kSequence) {
      NodeId item = node.first_child;
      for (int64_t i = 0; i < index && item != kNoNode; ++i) item = doc.node(item).next_sibling;
      at = doc.Resolve(item);
      path->push_back({{}, index});
    } else {
      at = LookupKey(doc, at, segment);
      path->push_back({segment, -1});
    }
  }
  return at;
}

// The fields of `document` below `prefix`, as if that subtree were a document 0 of its own.
scan::DocumentFields FieldsBelow(const scan::DocumentFields& fields, int document,
                                 const yaml::SegmentPath& prefix) {
  auto below = [&](int doc, const yaml::SegmentPath& path) {
    return doc == document && path.size() > prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), path.begin());
  };
  auto strip = [&](auto item) {
    item.document = 0;
    item.path.erase(item.path.begin(), item.path.begin() + static_cast<ptrdiff_t>(prefix.size()));
    return item;
  };
  scan::DocumentFields out;
  for (const scan::ImageField& f : fields.images) {
    if (below(f.document, f.path)) out.images.push_back(strip(f));
  }
  for (const scan::PullPolicyField& p : fields.pull_policies) {
    if (below(p.document, p.path)) out.pull_policies.push_back(strip(p));
  }
  return out;
}

base::Diagnostic ProblemOf(const std::string& path, const scan::FileScan& scan,
                           base::SourcePos offset = {}) {
  const scan::FileProblem& problem = *scan.problem;
  base::SourcePos pos{problem.line, problem.column};
  if (offset.line > 0) pos = {offset.line, offset.column};
  return base::Diagnostic::Error(path, pos, problem.message);
}

}  // namespace

LayerDoc LayerFromScan(const Layer& layer, const std::vector<yaml::Document>& documents,
                       const scan::DocumentFields& fields, std::vector<yaml::SegmentPath>* sites) {
  if (layer.role != LayerRole::kInline) {
    if (documents.empty()) return {};
    AppendImageSites(fields, sites);
    return {&documents[0], documents[0].root()};
  }
  if (layer.root_is_text || layer.document < 0 ||
      static_cast<size_t>(layer.document) >= documents.size()) {
    return {};
  }
  const yaml::Document& doc = documents[static_cast<size_t>(layer.document)];
  yaml::SegmentPath prefix;
  NodeId at = Walk(doc, layer.root, &prefix);
  if (at == kNoNode) return {};
  AppendImageSites(FieldsBelow(fields, layer.document, prefix), sites);
  return {&doc, at};
}

LayerDoc LayerFromText(const Layer& layer, const std::vector<yaml::Document>& documents,
                       yaml::StreamParser* parser, LoadedSource* text,
                       std::vector<yaml::SegmentPath>* sites, TextOrigin* origin,
                       std::vector<base::Diagnostic>* problems) {
  if (layer.document < 0 || static_cast<size_t>(layer.document) >= documents.size()) return {};
  const yaml::Document& doc = documents[static_cast<size_t>(layer.document)];
  yaml::SegmentPath ignored;
  NodeId at = Walk(doc, layer.root, &ignored);
  if (at == kNoNode || doc.node(at).kind != NodeKind::kScalar) return {};
  const yaml::Node& node = doc.node(at);
  origin->path = layer.path;
  origin->evaluated_as = layer.path + "\x1ftext";
  origin->line = static_cast<int>(node.line) + 1;
  origin->column = static_cast<int>(node.column) + 1;
  origin->manifest = &doc;
  if (node.style == yaml::ScalarStyle::kLiteral) {
    // The block's first content line follows its header (`|`); its indentation is the block's.
    std::string_view first = yaml::LineNumbered(doc.source(), origin->line + 1);
    origin->line_for_line = true;
    origin->indent = static_cast<int>(first.find_first_not_of(' '));
    if (origin->indent < 0) origin->indent = 0;
  }
  text->contents = std::string(doc.Value(at));
  scan::FileScan scan =
      scan::ScanContents(text->contents, layer.path, false, parser, &text->documents);
  if (scan.status == scan::FileStatus::kProblem) {
    base::Diagnostic d = ProblemOf(layer.path, scan, {origin->line, origin->column});
    d.message = fmt::format("{}: {}", fmt::join(layer.root, "."), d.message);
    problems->push_back(std::move(d));
    return {};
  }
  Layer as_file = layer;
  as_file.role = LayerRole::kEnvironment;  // a whole document of its own
  return LayerFromScan(as_file, text->documents, scan.fields, sites);
}

namespace {

// Parameters as nested maps, in the order their names first appear.
struct ParameterTree {
  std::string key;
  std::vector<ParameterTree> children;  // a vector of an incomplete type is fine since C++17
  std::optional<std::string> value;

  ParameterTree& Child(const std::string& name) {
    for (ParameterTree& child : children) {
      if (child.key == name) return child;
    }
    children.push_back({name, {}, {}});
    return children.back();
  }
  void Emit(std::string* out, int depth) const {
    auto quoted = [](const std::string& text) {
      // JSON strings are YAML double-quoted scalars: any key or value survives.
      return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    for (const ParameterTree& child : children) {
      out->append(static_cast<size_t>(depth) * 2, ' ');
      *out += quoted(child.key) + ":";
      if (child.value) {
        *out += " " + quoted(*child.value) + "\n";
      } else {
        *out += "\n";
        child.Emit(out, depth + 1);
      }
    }
  }
};

}  // namespace

LayerDoc LayerFromParameters(const Application& app, const Layer& layer, yaml::StreamParser* parser,
                             LoadedSource* text, std::vector<yaml::SegmentPath>* sites,
                             TextOrigin* origin, std::vector<base::Diagnostic>* notes) {
  origin->path = layer.path;
  origin->evaluated_as = layer.path + "\x1fparameters";
  size_t colon = app.declared_in.rfind(':');
  origin->line = colon == std::string::npos ? 0 : std::atoi(app.declared_in.c_str() + colon + 1);
  origin->column = origin->line > 0 ? 1 : 0;
  ParameterTree tree;
  for (const auto& [name, value] : app.parameters) {
    if (name.find_first_of("[]\\,") != std::string::npos || name.front() == '.' ||
        name.back() == '.' || name.find("..") != std::string::npos) {
      notes->push_back(base::Diagnostic::Note(
          layer.path, {origin->line, origin->column},
          fmt::format("{}: helm parameter \"{}\" uses list or escape syntax, which imagepin does "
                      "not read; it is left out of the merged values",
                      app.name, name)));
      continue;
    }
    ParameterTree* at = &tree;
    for (size_t start = 0;;) {
      size_t dot = name.find('.', start);
      at = &at->Child(name.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    at->children.clear();  // a later `a=x` replaces an earlier `a.b=y`
    at->value = value;
  }
  tree.Emit(&text->contents, 0);
  if (text->contents.empty()) return {};
  scan::FileScan scan =
      scan::ScanContents(text->contents, layer.path, false, parser, &text->documents);
  if (scan.status != scan::FileStatus::kScanned || text->documents.empty()) return {};
  Layer as_file = layer;
  as_file.role = LayerRole::kEnvironment;
  return LayerFromScan(as_file, text->documents, scan.fields, sites);
}

Application ForEvaluation(const Application& app, const std::vector<TextOrigin>& origins) {
  Application out = app;
  for (const TextOrigin& origin : origins) out.layers[origin.layer].path = origin.evaluated_as;
  return out;
}

void MapToManifest(const TextOrigin& origin, std::vector<policy::Finding>::iterator begin,
                   std::vector<policy::Finding>::iterator end) {
  for (auto f = begin; f != end; ++f) {
    if (f->path != origin.evaluated_as) continue;
    f->path = origin.path;
    if (origin.line_for_line && f->line > 0) {
      f->line = origin.line + f->line;
      f->column += origin.indent;
    } else {
      f->line = origin.line;
      f->column = origin.column;
    }
    f->source_line = std::string(yaml::LineNumbered(origin.manifest->source(), f->line));
  }
}

LoadedApplication LoadApplication(const policy::Config& config, const std::string& root,
                                  const Application& app) {
  LoadedApplication out;
  out.app = app;
  yaml::ParseLimits limits;
  limits.max_depth = config.max_depth;
  yaml::StreamParser parser(limits);
  std::vector<yaml::SegmentPath> sites;
  for (const Layer& layer : app.layers) {
    out.layers.emplace_back();
    if (!layer.exists) continue;
    LoadedSource* source = out.sources.emplace_back(std::make_unique<LoadedSource>()).get();
    if (base::Status read =
            base::ReadFileInto(root + "/" + layer.path, config.max_file_size, &source->contents);
        !read.ok()) {
      out.problems.push_back(base::Diagnostic::Error(layer.path, {}, read.error().message));
      continue;
    }
    scan::FileScan scan =
        scan::ScanContents(source->contents, layer.path, false, &parser, &source->documents);
    if (scan.status == scan::FileStatus::kProblem) {
      out.problems.push_back(ProblemOf(layer.path, scan));
      continue;
    }
    if (layer.role == LayerRole::kParameters) {
      LoadedSource* text = out.sources.emplace_back(std::make_unique<LoadedSource>()).get();
      TextOrigin origin;
      out.layers.back() =
          LayerFromParameters(app, layer, &parser, text, &sites, &origin, &out.notes);
      origin.manifest = source->documents.empty() ? nullptr : &source->documents[0];
      origin.layer = out.layers.size() - 1;
      if (origin.manifest != nullptr) out.text_origins.push_back(std::move(origin));
      continue;
    }
    if (layer.role != LayerRole::kInline || !layer.root_is_text) {
      out.layers.back() = LayerFromScan(layer, source->documents, scan.fields, &sites);
      continue;
    }
    LoadedSource* text = out.sources.emplace_back(std::make_unique<LoadedSource>()).get();
    TextOrigin origin;
    out.layers.back() =
        LayerFromText(layer, source->documents, &parser, text, &sites, &origin, &out.problems);
    origin.layer = out.layers.size() - 1;
    if (origin.manifest != nullptr) out.text_origins.push_back(std::move(origin));
  }
  out.values = LayeredValues(out.layers);
  out.images = FindEffectiveImages(out.values, std::move(sites));
  if (out.problems.empty()) {
    EvaluateApplication(config, ForEvaluation(app, out.text_origins), out.values, out.images,
                        &out.findings);
    for (const TextOrigin& origin : out.text_origins) {
      MapToManifest(origin, out.findings.begin(), out.findings.end());
    }
    policy::SortFindings(out.findings);
  }
  return out;
}

}  // namespace imagepin::apps
