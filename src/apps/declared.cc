#include "apps/declared.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"

namespace imagepin::apps {
namespace {

using base::Severity;
using yaml::Document;
using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;

// An ApplicationSet's list generators are data written by hand; past this many elements the
// manifest is generated or hostile, and expanding it would only make noise.
constexpr size_t kMaxElements = 10000;

// User text for a one-line message: control characters escaped, long text cut.
std::string Clean(std::string_view text) {
  constexpr size_t kMaxShown = 120;
  size_t shown = std::min(text.size(), kMaxShown);
  // Cut at a character boundary, never inside a UTF-8 sequence.
  while (shown < text.size() && shown > 0 &&
         (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) {
    --shown;
  }
  std::string out;
  for (size_t i = 0; i < shown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) out += "…";
  return out;
}

// A repository URL without `user:password@`, so a message never shows credentials.
std::string WithoutUserInfo(std::string_view url) {
  size_t scheme = url.find("://");
  size_t host = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t at = url.find('@', host);
  size_t slash = url.find('/', host);
  if (at == std::string_view::npos || (slash != std::string_view::npos && at > slash)) {
    return std::string(url);
  }
  return std::string(url.substr(0, host)) + std::string(url.substr(at + 1));
}

// `rel` resolved against the directory `base` (both relative to the repository root), '.' and
// '..' applied, '/'-separated without a leading or trailing '/'. A `rel` starting with '/' is
// relative to the root, as Argo CD reads value files. nullopt: '..' climbs out of the root.
std::optional<std::string> JoinPath(std::string_view base, std::string_view rel) {
  std::vector<std::string_view> parts;
  auto add = [&parts](std::string_view path) {
    while (!path.empty()) {
      size_t slash = path.find('/');
      std::string_view segment = path.substr(0, slash);
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
      if (segment.empty() || segment == ".") continue;
      if (segment != "..") {
        parts.push_back(segment);
      } else if (parts.empty()) {
        return false;
      } else {
        parts.pop_back();
      }
    }
    return true;
  };
  if (!rel.starts_with('/') && !add(base)) return std::nullopt;
  if (!add(rel)) return std::nullopt;
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// True if `text`, split at `separator`, has `word` as one whole piece.
bool HasPiece(std::string_view text, char separator, std::string_view word) {
  if (word.empty()) return false;
  while (true) {
    size_t at = text.find(separator);
    if (text.substr(0, at) == word) return true;
    if (at == std::string_view::npos) return false;
    text.remove_prefix(at + 1);
  }
}

// `key` or `key.sub.sub`: what a placeholder may name. Anything else (a pipeline, a function,
// an index) is Go template logic that imagepin does not evaluate.
bool IsKeyPath(std::string_view expr) {
  if (expr.empty() || expr.front() == '.' || expr.back() == '.') return false;
  for (size_t i = 0; i < expr.size(); ++i) {
    char c = expr[i];
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    if (!word && !(c == '.' && expr[i - 1] != '.')) return false;
  }
  return true;
}

class Reader {
 public:
  Reader(const Document& doc, std::string_view display_path, const policy::Config& config,
         std::vector<DeclaredApplication>* out, std::vector<base::Diagnostic>* notices)
      : doc_(doc), path_(display_path), config_(config), out_(out), notices_(notices) {}

  void Run() {
    NodeId root = AsMapping(doc_.root());
    if (root == kNoNode) return;
    std::string_view api_version = Plain(Lookup(root, "apiVersion"));
    std::string_view kind = Plain(Lookup(root, "kind"));
    std::string name = Clean(Plain(Lookup(AsMapping(Lookup(root, "metadata")), "name")));
    if (api_version.starts_with("argoproj.io/")) {
      if (kind == "Application") {
        label_ = "Application " + name;
        ReadApplication(root, root, {"spec"}, "Application");
      } else if (kind == "ApplicationSet") {
        label_ = "ApplicationSet " + name;
        ReadApplicationSet(root);
      }
    } else if (api_version.starts_with("helm.toolkit.fluxcd.io/") && kind == "HelmRelease") {
      label_ = "HelmRelease " + name;
      ReadHelmRelease(root);
    }
  }

 private:
  // ---- the tree

  // The value for `key` in `mapping` (kNoNode when `mapping` is not one), then in mappings
  // merged into it with `<<` (earlier ones win), aliases followed. A layer's `root` names keys,
  // so whoever walks it finds the same node by following merges and aliases the same way.
  NodeId Lookup(NodeId mapping, std::string_view key) const {
    if (mapping == kNoNode) return kNoNode;
    NodeId v = doc_.Get(mapping, key);
    if (v != kNoNode) return doc_.Resolve(v);
    NodeId merge = doc_.Resolve(doc_.Get(mapping, "<<"));
    if (merge == kNoNode) return kNoNode;
    if (doc_.node(merge).kind == NodeKind::kMapping) return doc_.Resolve(doc_.Get(merge, key));
    if (doc_.node(merge).kind != NodeKind::kSequence) return kNoNode;
    for (NodeId item = doc_.node(merge).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling) {
      NodeId merged = AsMapping(item);
      if (merged == kNoNode) continue;
      if (NodeId found = doc_.Get(merged, key); found != kNoNode) return doc_.Resolve(found);
    }
    return kNoNode;
  }

  bool Is(NodeId id, NodeKind kind) const { return id != kNoNode && doc_.node(id).kind == kind; }
  NodeId AsMapping(NodeId id) const {
    id = doc_.Resolve(id);
    return Is(id, NodeKind::kMapping) ? id : kNoNode;
  }
  bool IsAbsent(NodeId id) const { return id == kNoNode || doc_.IsNull(id); }
  // A scalar's value as written (no placeholders expanded), or empty.
  std::string_view Plain(NodeId id) const {
    return Is(id, NodeKind::kScalar) && !doc_.IsNull(id) ? doc_.Value(id) : std::string_view();
  }
  // The items of a sequence (aliases resolved), in order.
  std::vector<NodeId> Items(NodeId sequence) const {
    std::vector<NodeId> items;
    for (NodeId item = doc_.node(sequence).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling) {
      items.push_back(doc_.Resolve(item));
    }
    return items;
  }

  // ---- notices

  void Notice(Severity severity, NodeId at, std::string message) {
    base::SourcePos pos;
    if (at != kNoNode) {
      pos = {static_cast<int>(doc_.node(at).line) + 1, static_cast<int>(doc_.node(at).column) + 1};
    }
    notices_->push_back({severity, std::string(path_), pos, std::move(message), {}});
  }
  // A malformed field: the object is skipped, so every caller returns false after this.
  bool Malformed(NodeId at, std::string_view what) {
    Notice(Severity::kError, at, fmt::format("{}: {}; skipped", label_, what));
    return false;
  }

  // ---- placeholders

  // The string at `id` with the current list element's placeholders expanded ({{ .key }},
  // {{.a.b}}, {{key}}, {{ a.b }}); empty when absent or null. False (noticed) when it is not a
  // string or a placeholder does not resolve. One pass over the text: element values are
  // inserted as they are and never expanded again, so no placeholder can loop.
  bool Text(NodeId id, std::string_view field, std::string* out) {
    out->clear();
    if (IsAbsent(id)) return true;
    if (!Is(id, NodeKind::kScalar)) return Malformed(id, fmt::format("{} is not a string", field));
    std::string_view in = doc_.Value(id);
    if (element_ == kNoNode) {
      *out = in;
      return true;
    }
    size_t pos = 0;
    while (true) {
      size_t open = in.find("{{", pos);
      size_t close = open == std::string_view::npos ? open : in.find("}}", open + 2);
      if (close == std::string_view::npos) break;  // no (more) placeholders: the rest is text
      out->append(in.substr(pos, open - pos));
      std::string_view placeholder = in.substr(open, close + 2 - open);
      std::string_view expr = in.substr(open + 2, close - open - 2);
      if (expr.starts_with('-')) expr.remove_prefix(1);  // {{- .x -}} trims white space only
      if (expr.ends_with('-')) expr.remove_suffix(1);
      expr = base::TrimSpace(expr);
      if (expr.starts_with('.')) expr.remove_prefix(1);
      if (!IsKeyPath(expr)) {
        return Malformed(id, fmt::format("{} in list element {} is template logic, which "
                                         "imagepin does not evaluate",
                                         Clean(placeholder), element_number_));
      }
      NodeId value = element_;
      for (size_t start = 0; value != kNoNode && start <= expr.size();) {
        size_t dot = std::min(expr.find('.', start), expr.size());
        value = Lookup(AsMapping(value), expr.substr(start, dot - start));
        start = dot + 1;
      }
      if (value == kNoNode) {
        return Malformed(id, fmt::format("{} is not a key of list element {}", Clean(placeholder),
                                         element_number_));
      }
      if (!Is(value, NodeKind::kScalar) || doc_.IsNull(value)) {
        return Malformed(id, fmt::format("{} is not a string in list element {}",
                                         Clean(placeholder), element_number_));
      }
      if (doc_.Value(value).find("{{") != std::string_view::npos) {
        return Malformed(id, fmt::format("{} in list element {} holds a placeholder itself, "
                                         "which imagepin does not expand again",
                                         Clean(placeholder), element_number_));
      }
      out->append(doc_.Value(value));
      pos = close + 2;
    }
    out->append(in.substr(pos));
    return true;
  }

  // ---- Argo CD

  void Emit(DeclaredApplication app, NodeId at, std::vector<std::string_view> hints) {
    app.path = std::string(path_);
    if (element_ != kNoNode) at = element_;
    app.line = static_cast<int>(doc_.node(at).line) + 1;
    app.column = static_cast<int>(doc_.node(at).column) + 1;
    app.environment = InferEnvironment(app, hints);
    out_->push_back(std::move(app));
  }

  // The configured environment whose directory holds the first value file that is in one; else
  // one named by a whole '/'-separated segment of a hint (the manifest's path first), or by a
  // '-'-separated word of the name; else none: discovery decides.
  std::string InferEnvironment(const DeclaredApplication& app,
                               const std::vector<std::string_view>& hints) const {
    for (const std::string& file : app.value_files) {
      for (const policy::Environment& env : config_.environments) {
        std::string_view dir = env.path;
        while (dir.ends_with('/')) dir.remove_suffix(1);
        if (!dir.empty() && file.size() > dir.size() && file.starts_with(dir) &&
            file[dir.size()] == '/') {
          return env.name;
        }
      }
    }
    for (std::string_view hint : hints) {
      for (const policy::Environment& env : config_.environments) {
        if (HasPiece(hint, '/', env.name)) return env.name;
      }
    }
    for (const policy::Environment& env : config_.environments) {
      if (HasPiece(app.name, '-', env.name)) return env.name;
    }
    return {};
  }

  // An Application, or one expanded from an ApplicationSet's template (`element_` set): `object`
  // holds `metadata` and `spec`; `spec_root` is the key path of `spec` from the document root.
  bool ReadApplication(NodeId object, NodeId at, std::vector<std::string> spec_root,
                       std::string_view kind) {
    std::string name;
    if (!Text(Lookup(AsMapping(Lookup(object, "metadata")), "name"), "metadata.name", &name)) {
      return false;
    }
    NodeId spec_node = Lookup(object, "spec");
    NodeId spec = AsMapping(spec_node);
    if (spec == kNoNode)
      return Malformed(IsAbsent(spec_node) ? at : spec_node, "spec is not a mapping");
    NodeId source = Lookup(spec, "source");
    NodeId sources = Lookup(spec, "sources");
    std::vector<std::pair<NodeId, std::vector<std::string>>> chosen;  // source, its key path
    std::vector<std::string> refs;  // `ref:` names of multi-source sources: $name/... is the root
    if (!IsAbsent(sources)) {
      if (!Is(sources, NodeKind::kSequence))
        return Malformed(sources, "spec.sources is not a list");
      if (!IsAbsent(source) && element_ == kNoNode) {
        Notice(Severity::kNote, source,
               fmt::format("{} sets both spec.source and spec.sources; Argo CD uses spec.sources",
                           label_));
      }
      size_t index = 0;
      for (NodeId item : Items(sources)) {
        if (AsMapping(item) == kNoNode)
          return Malformed(item, "a spec.sources item is not a mapping");
        std::string ref;
        if (!Text(Lookup(item, "ref"), "ref", &ref)) return false;
        if (!ref.empty()) refs.push_back(ref);
        std::vector<std::string> root = spec_root;
        root.insert(root.end(), {"sources", std::to_string(index++)});
        chosen.emplace_back(item, std::move(root));
      }
    } else if (!IsAbsent(source)) {
      if (AsMapping(source) == kNoNode) return Malformed(source, "spec.source is not a mapping");
      std::vector<std::string> root = spec_root;
      root.push_back("source");
      chosen.emplace_back(source, std::move(root));
    } else {
      Notice(Severity::kNote, at, fmt::format("{} has no spec.source or spec.sources", label_));
      return false;
    }

    std::string namespace_, destination;
    NodeId dest = AsMapping(Lookup(spec, "destination"));
    if (!Text(Lookup(dest, "namespace"), "spec.destination.namespace", &namespace_) ||
        !Text(Lookup(dest, "name"), "spec.destination.name", &destination)) {
      return false;
    }
    // Build every source first: a malformed one skips the whole object, never half of it.
    std::vector<DeclaredApplication> apps;
    for (const auto& [node, root] : chosen) {
      DeclaredApplication app;
      app.kind = std::string(kind);
      app.name = name;
      bool is_app = false;
      if (!ReadSource(node, root, refs, &app, &is_app)) return false;
      if (is_app) apps.push_back(std::move(app));
    }
    for (DeclaredApplication& app : apps) {
      Emit(std::move(app), at, {path_, namespace_, destination});
    }
    return true;
  }

  // One source: a chart in this repository (`path`) or in a Helm repository (`chart`), with its
  // helm block. A source with neither (a `ref:` of value files) is no application: *is_app false.
  bool ReadSource(NodeId source, std::vector<std::string> root,
                  const std::vector<std::string>& refs, DeclaredApplication* app, bool* is_app) {
    std::string path, chart, repo, revision;
    if (!Text(Lookup(source, "path"), "path", &path) ||
        !Text(Lookup(source, "chart"), "chart", &chart) ||
        !Text(Lookup(source, "repoURL"), "repoURL", &repo) ||
        !Text(Lookup(source, "targetRevision"), "targetRevision", &revision)) {
      return false;
    }
    *is_app = !path.empty() || !chart.empty();
    if (!*is_app) return true;
    // Argo CD treats a source with `chart:` as a Helm repository chart whatever `path` says.
    bool in_repo = chart.empty();
    if (in_repo) {
      std::optional<std::string> dir = JoinPath("", path);
      if (!dir) {
        return Malformed(Lookup(source, "path"),
                         fmt::format("path {} leaves the repository", Clean(path)));
      }
      app->chart = dir->empty() ? "." : *dir;
      app->chart_source = "path: " + path;
    } else {
      app->chart_source = fmt::format("{} {}{}{}", WithoutUserInfo(repo), chart,
                                      revision.empty() ? "" : "@", revision);
    }

    NodeId helm_node = Lookup(source, "helm");
    if (IsAbsent(helm_node)) return true;
    NodeId helm = AsMapping(helm_node);
    if (helm == kNoNode) return Malformed(helm_node, "helm is not a mapping");
    root.push_back("helm");

    NodeId files = Lookup(helm, "valueFiles");
    if (!IsAbsent(files)) {
      if (!Is(files, NodeKind::kSequence)) return Malformed(files, "helm.valueFiles is not a list");
      for (NodeId item : Items(files)) {
        std::string file;
        if (!Text(item, "a helm.valueFiles item", &file)) return false;
        ResolveValueFile(item, file, in_repo ? app->chart : std::string_view(), in_repo, refs, app);
      }
    }
    std::string ignore;
    if (!Text(Lookup(helm, "ignoreMissingValueFiles"), "helm.ignoreMissingValueFiles", &ignore)) {
      return false;
    }
    app->ignore_missing_value_files = ignore == "true";

    // Argo CD's ValuesYAML: valuesObject when given, else values; never both.
    NodeId object_node = Lookup(helm, "valuesObject");
    NodeId values = Lookup(helm, "values");
    if (!IsAbsent(object_node)) {
      if (AsMapping(object_node) == kNoNode) {
        return Malformed(object_node, "helm.valuesObject is not a mapping");
      }
      root.push_back("valuesObject");
      app->inline_layers.push_back(InlineLayer(std::move(root), false));
    } else if (!IsAbsent(values)) {
      std::string text;
      if (!Text(values, "helm.values", &text)) return false;  // a bad placeholder skips it
      if (element_ != kNoNode && text != doc_.Value(values)) {
        Notice(Severity::kNote, values,
               fmt::format("{}: helm.values holds placeholders; its inline layer is read as "
                           "written, unexpanded",
                           label_));
      }
      root.push_back("values");
      app->inline_layers.push_back(InlineLayer(std::move(root), true));
    }

    NodeId parameters = Lookup(helm, "parameters");
    if (!IsAbsent(parameters)) {
      if (!Is(parameters, NodeKind::kSequence)) {
        return Malformed(parameters, "helm.parameters is not a list");
      }
      for (NodeId item : Items(parameters)) {
        std::string key, value;
        if (AsMapping(item) == kNoNode)
          return Malformed(item, "a helm.parameters item is not a mapping");
        if (!Text(Lookup(item, "name"), "a parameter's name", &key) ||
            !Text(Lookup(item, "value"), "a parameter's value", &value)) {
          return false;
        }
        if (key.empty()) return Malformed(item, "a helm.parameters item has no name");
        app->parameters.emplace_back(std::move(key), std::move(value));
      }
    }
    return true;
  }

  // One valueFiles entry, made relative to the root: `$ref/p` is p from the root of the source
  // with `ref: ref` (taken to be this repository), `/p` is p from the root, anything else is
  // relative to the chart directory. What cannot be read from the repository is dropped.
  void ResolveValueFile(NodeId at, std::string_view file, std::string_view chart_dir, bool in_repo,
                        const std::vector<std::string>& refs, DeclaredApplication* app) {
    std::string_view base = chart_dir == "." ? std::string_view() : chart_dir;
    std::string_view rel = file;
    if (file.starts_with('$')) {
      size_t slash = file.find('/');
      std::string_view ref = file.substr(1, slash == std::string_view::npos ? slash : slash - 1);
      if (std::find(refs.begin(), refs.end(), ref) == refs.end()) {
        Notice(Severity::kError, at,
               fmt::format("{}: value file {} names ${}, which is the ref of no source; dropped",
                           label_, Clean(file), Clean(ref)));
        return;
      }
      base = {};
      rel = slash == std::string_view::npos ? std::string_view() : file.substr(slash + 1);
    } else if (file.find("://") != std::string_view::npos) {
      // The URL is not shown: it may carry credentials.
      Notice(
          Severity::kNote, at,
          fmt::format("{}: a value file is a URL, which imagepin does not fetch; dropped", label_));
      return;
    } else if (!in_repo) {
      Notice(Severity::kNote, at,
             fmt::format("{}: value file {} is inside the Helm repository's chart, not this "
                         "repository; dropped",
                         label_, Clean(file)));
      return;
    }
    std::optional<std::string> resolved = JoinPath(base, rel);
    if (!resolved || resolved->empty()) {
      Notice(
          Severity::kError, at,
          fmt::format("{}: value file {} {}; dropped", label_, Clean(file),
                      resolved ? "is the repository's root, not a file" : "leaves the repository"));
      return;
    }
    app->value_files.push_back(std::move(*resolved));
  }

  Layer InlineLayer(std::vector<std::string> root, bool is_text) const {
    Layer layer;
    layer.path = std::string(path_);
    layer.role = LayerRole::kInline;
    layer.exists = true;
    layer.document = doc_.index();
    layer.root = std::move(root);
    layer.root_is_text = is_text;
    return layer;
  }

  void ReadApplicationSet(NodeId root) {
    NodeId spec_node = Lookup(root, "spec");
    NodeId spec = AsMapping(spec_node);
    if (spec == kNoNode) {
      Malformed(IsAbsent(spec_node) ? root : spec_node, "spec is not a mapping");
      return;
    }
    NodeId generators = Lookup(spec, "generators");
    if (!Is(generators, NodeKind::kSequence)) {
      Malformed(IsAbsent(generators) ? spec : generators, "spec.generators is not a list");
      return;
    }
    NodeId template_node = Lookup(spec, "template");
    NodeId tmpl = AsMapping(template_node);
    std::string unsupported;  // the first generator imagepin does not expand
    NodeId unsupported_at = kNoNode;
    std::vector<NodeId> lists;  // the list generators' `elements`
    for (NodeId generator : Items(generators)) {
      NodeId g = AsMapping(generator);
      if (g == kNoNode) {
        Malformed(generator, "a spec.generators item is not a mapping");
        return;
      }
      std::string_view name = Plain(doc_.node(g).first_child);
      NodeId list = AsMapping(Lookup(g, "list"));
      NodeId elements = Lookup(list, "elements");
      std::string why;
      if (name != "list") {
        why = Clean(name);
      } else if (!IsAbsent(Lookup(list, "elementsYaml"))) {
        why = "list (elementsYaml)";
      } else if (!IsAbsent(Lookup(list, "template"))) {
        why = "list (with its own template)";
      } else if (!IsAbsent(elements) && !Is(elements, NodeKind::kSequence)) {
        Malformed(elements, "list.elements is not a list");
        return;
      } else if (!IsAbsent(elements)) {
        lists.push_back(elements);
      }
      if (!why.empty() && unsupported.empty()) unsupported = why, unsupported_at = generator;
    }
    if (!unsupported.empty()) {
      Notice(Severity::kNote, unsupported_at,
             fmt::format("{} uses the {} generator, which imagepin does not expand; its apps fall "
                         "back to the values-file convention",
                         label_, unsupported));
    }
    if (lists.empty()) return;
    if (tmpl == kNoNode) {
      Malformed(IsAbsent(template_node) ? spec : template_node, "spec.template is not a mapping");
      return;
    }
    if (!IsAbsent(Lookup(spec, "templatePatch"))) {
      Notice(Severity::kNote, Lookup(spec, "templatePatch"),
             fmt::format("{} uses templatePatch, which imagepin does not apply; its apps fall back "
                         "to the values-file convention",
                         label_));
      return;
    }
    size_t count = 0;
    for (NodeId elements : lists) count += Items(elements).size();
    if (count > kMaxElements) {
      Notice(Severity::kError, lists.front(),
             fmt::format("{} has {} list elements, more than the {} imagepin expands; skipped",
                         label_, count, kMaxElements));
      return;
    }
    std::string set_label = label_;
    int number = 0;  // 1-based across the set's list generators, as a person counts
    for (NodeId elements : lists) {
      for (NodeId element : Items(elements)) {
        ++number;
        label_ = set_label;
        if (AsMapping(element) == kNoNode) {
          Malformed(element, fmt::format("list element {} is not a mapping", number));
          continue;
        }
        element_ = element;
        element_number_ = number;
        ReadApplication(tmpl, element, {"spec", "template", "spec"}, "ApplicationSet");
        element_ = kNoNode;
      }
    }
    label_ = set_label;
  }

  // ---- Flux

  void ReadHelmRelease(NodeId root) {
    NodeId spec_node = Lookup(root, "spec");
    NodeId spec = AsMapping(spec_node);
    if (spec == kNoNode) {
      Malformed(IsAbsent(spec_node) ? root : spec_node, "spec is not a mapping");
      return;
    }
    NodeId metadata = AsMapping(Lookup(root, "metadata"));
    DeclaredApplication app;
    app.kind = "HelmRelease";
    app.name = std::string(Plain(Lookup(metadata, "name")));
    NodeId chart_ref = Lookup(spec, "chartRef");
    NodeId chart_node = Lookup(spec, "chart");
    NodeId chart_spec = AsMapping(Lookup(AsMapping(chart_node), "spec"));
    if (IsAbsent(chart_ref) && !IsAbsent(chart_node) && chart_spec == kNoNode) {
      Malformed(chart_node, "spec.chart.spec is not a mapping");
      return;
    }
    NodeId chart_name = Lookup(chart_spec, "chart");
    if (!IsAbsent(chart_ref)) {
      NodeId ref = AsMapping(chart_ref);
      if (ref == kNoNode || Plain(Lookup(ref, "kind")).empty() ||
          Plain(Lookup(ref, "name")).empty()) {
        Malformed(chart_ref, "spec.chartRef is not a mapping with kind and name");
        return;
      }
      std::string_view ns = Plain(Lookup(ref, "namespace"));
      app.chart_source = fmt::format("{} {}{}{}", Plain(Lookup(ref, "kind")), ns,
                                     ns.empty() ? "" : "/", Plain(Lookup(ref, "name")));
    } else if (!IsAbsent(chart_name)) {
      if (!ReadChartSpec(chart_spec, chart_name, &app)) return;
    } else {
      // A kustomize patch of a HelmRelease names no chart: it is half an object.
      Notice(Severity::kNote, root,
             fmt::format("{} names no chart (spec.chart.spec.chart or spec.chartRef), as a "
                         "kustomize patch does; skipped",
                         label_));
      return;
    }
    NodeId values = Lookup(spec, "values");
    if (!IsAbsent(values)) {
      if (AsMapping(values) == kNoNode) {
        Malformed(values, "spec.values is not a mapping");
        return;
      }
      app.inline_layers.push_back(InlineLayer({"spec", "values"}, false));
    }
    NodeId values_from = Lookup(spec, "valuesFrom");
    if (!IsAbsent(values_from)) {
      Notice(Severity::kNote, values_from,
             fmt::format("{} takes values from ConfigMaps or Secrets (valuesFrom), which imagepin "
                         "cannot read from the repository",
                         label_));
    }
    std::string_view ns = Plain(Lookup(metadata, "namespace"));
    std::string_view target = Plain(Lookup(spec, "targetNamespace"));
    Emit(std::move(app), root, {path_, ns, target});
  }

  // spec.chart.spec: a chart path in a GitRepository or Bucket (this repository), or a chart
  // name in a HelmRepository; valuesFiles are in the source, so only a path chart's are ours.
  bool ReadChartSpec(NodeId chart_spec, NodeId chart_name, DeclaredApplication* app) {
    if (!Is(chart_name, NodeKind::kScalar)) {
      return Malformed(chart_name, "spec.chart.spec.chart is not a string");
    }
    std::string_view chart = doc_.Value(chart_name);
    NodeId source_ref = AsMapping(Lookup(chart_spec, "sourceRef"));
    std::string_view kind = Plain(Lookup(source_ref, "kind"));
    std::string_view source = Plain(Lookup(source_ref, "name"));
    bool is_path = chart.starts_with("./") || chart.find('/') != std::string_view::npos;
    bool in_repo = is_path && (kind == "GitRepository" || kind == "Bucket");
    if (in_repo) {
      std::optional<std::string> dir = JoinPath("", chart);
      if (!dir) {
        return Malformed(chart_name, fmt::format("chart {} leaves the repository", Clean(chart)));
      }
      app->chart = dir->empty() ? "." : *dir;
      app->chart_source = fmt::format("{} {} {}", kind, source, chart);
    } else {
      std::string_view version = Plain(Lookup(chart_spec, "version"));
      app->chart_source =
          fmt::format("{} {}{}{}", source, chart, version.empty() ? "" : "@", version);
    }
    NodeId files = Lookup(chart_spec, "valuesFiles");
    if (IsAbsent(files)) return true;
    if (!Is(files, NodeKind::kSequence)) {
      return Malformed(files, "spec.chart.spec.valuesFiles is not a list");
    }
    for (NodeId item : Items(files)) {
      if (!Is(item, NodeKind::kScalar) || doc_.IsNull(item)) {
        return Malformed(item, "a spec.chart.spec.valuesFiles item is not a string");
      }
      std::string_view file = doc_.Value(item);
      if (!in_repo) {
        Notice(Severity::kNote, item,
               fmt::format("{}: value file {} is inside the chart from {}, not this repository; "
                           "dropped",
                           label_, Clean(file), Clean(source)));
        continue;
      }
      std::optional<std::string> resolved = JoinPath("", file);
      if (!resolved || resolved->empty()) {
        Notice(
            Severity::kError, item,
            fmt::format("{}: value file {} leaves the repository; dropped", label_, Clean(file)));
        continue;
      }
      app->value_files.push_back(std::move(*resolved));
    }
    return true;
  }

  const Document& doc_;
  std::string_view path_;
  const policy::Config& config_;
  std::vector<DeclaredApplication>* out_;
  std::vector<base::Diagnostic>* notices_;
  std::string label_;         // "Application guestbook": how messages name the object
  NodeId element_ = kNoNode;  // the ApplicationSet list element being expanded, if any
  int element_number_ = 0;    // its 1-based number in the set
};

}  // namespace

void ReadDeclarations(const yaml::Document& doc, std::string_view display_path,
                      const policy::Config& config, std::vector<DeclaredApplication>* out,
                      std::vector<base::Diagnostic>* notices) {
  Reader(doc, display_path, config, out, notices).Run();
}

}  // namespace imagepin::apps
