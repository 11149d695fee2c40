#include "tmpl/chart.h"

#include <algorithm>
#include <functional>

namespace imagepin::tmpl {
namespace {

// Helm's byPathLen order, reversed: the order it parses files in (later definitions win).
bool ParsedBefore(std::string_view a, std::string_view b) {
  auto ca = std::count(a.begin(), a.end(), '/'), cb = std::count(b.begin(), b.end(), '/');
  if (ca != cb) return ca > cb;
  return a > b;
}

// Defines and blocks, at any depth (a block may sit inside an {{if}}).
void CollectDefinitions(const std::vector<Node>& list, const std::function<void(const Node&)>& fn) {
  for (const Node& node : list) {
    if (node.kind == NodeKind::kDefine || node.kind == NodeKind::kBlock) fn(node);
    CollectDefinitions(node.list, fn);
    CollectDefinitions(node.else_list, fn);
  }
}

void CollectUses(const std::vector<Node>& list, size_t file, std::vector<TemplateUse>* out) {
  ForEachPiece(list, [&](const Piece& piece) {
    if (piece.kind != Piece::Kind::kAction) return;
    const Node& node = *piece.node;
    if (node.kind == NodeKind::kTemplate || node.kind == NodeKind::kBlock) {
      out->push_back({node.name, file, node.pos});
    }
    if (!node.pipeline) return;
    // `include "x" …` is a command; parenthesised pipelines hold commands of their own.
    std::function<void(const Pipeline&)> commands = [&](const Pipeline& pipe) {
      for (const Command& cmd : pipe.cmds) {
        if (cmd.args.size() >= 2 && cmd.args[0].kind == OperandKind::kIdentifier &&
            cmd.args[0].value == "include" && cmd.args[1].kind == OperandKind::kString) {
          out->push_back({cmd.args[1].value, file, cmd.args[0].pos});
        }
        for (const Operand& arg : cmd.args) {
          if (arg.pipeline) commands(*arg.pipeline);
        }
      }
    };
    commands(*node.pipeline);
  });
}

}  // namespace

bool IsTemplatePath(std::string_view path) {
  for (;;) {
    if (path.starts_with("templates/") && path.size() > 10) return true;
    if (!path.starts_with("charts/")) return false;
    size_t slash = path.find('/', 7);
    if (slash == std::string_view::npos || slash == 7) return false;
    path.remove_prefix(slash + 1);
  }
}

ChartTemplates ChartTemplates::Parse(std::vector<ChartFile> files, ParseOptions options) {
  ChartTemplates chart;
  for (ChartFile& file : files) {
    if (!IsTemplatePath(file.path)) continue;
    TemplateFile parsed{std::move(file.path), std::move(file.contents), {}};
    base::Result<Tree> tree = ParseTemplate(parsed.source, options);
    if (!tree.ok()) {
      base::Error error = tree.error();
      error.path = parsed.path;
      chart.errors_.push_back(std::move(error));
      continue;
    }
    parsed.tree = std::move(tree).value();
    chart.files_.push_back(std::move(parsed));
  }
  std::vector<size_t> order(chart.files_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return ParsedBefore(chart.files_[a].path, chart.files_[b].path);
  });
  for (size_t index : order) {
    const TemplateFile& file = chart.files_[index];
    CollectDefinitions(file.tree.root, [&](const Node& node) {
      auto it = chart.defines_.find(node.name);
      if (it != chart.defines_.end() && IsEmptyBody(node.list, file.source)) return;
      chart.defines_[node.name] = {index, &node};
    });
  }
  return chart;
}

const Definition* ChartTemplates::Find(std::string_view name) const {
  auto it = defines_.find(name);
  return it == defines_.end() ? nullptr : &it->second;
}

std::vector<TemplateUse> ChartTemplates::Uses() const {
  std::vector<TemplateUse> uses;
  for (size_t i = 0; i < files_.size(); ++i) CollectUses(files_[i].tree.root, i, &uses);
  return uses;
}

}  // namespace imagepin::tmpl
