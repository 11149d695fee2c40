#include "tmpl/ast.h"

namespace imagepin::tmpl {

std::string_view NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kText:
      return "text";
    case NodeKind::kAction:
      return "action";
    case NodeKind::kComment:
      return "comment";
    case NodeKind::kIf:
      return "{{if}}";
    case NodeKind::kWith:
      return "{{with}}";
    case NodeKind::kRange:
      return "{{range}}";
    case NodeKind::kDefine:
      return "{{define}}";
    case NodeKind::kTemplate:
      return "{{template}}";
    case NodeKind::kBlock:
      return "{{block}}";
    case NodeKind::kBreak:
      return "{{break}}";
    case NodeKind::kContinue:
      return "{{continue}}";
  }
  return "node";
}

namespace {

bool HasBody(NodeKind kind) {
  return kind == NodeKind::kIf || kind == NodeKind::kWith || kind == NodeKind::kRange ||
         kind == NodeKind::kDefine || kind == NodeKind::kBlock;
}

// Recursion is bounded: the parser refuses trees nested deeper than ParseOptions::max_depth.
void Walk(const std::vector<Node>& list, const std::function<void(const Piece&)>& fn) {
  for (const Node& node : list) {
    if (node.kind == NodeKind::kText) {
      fn({Piece::Kind::kText, node.span, node.pos, &node});
      continue;
    }
    fn({Piece::Kind::kAction, node.open, node.pos, &node});
    if (!HasBody(node.kind)) continue;
    Walk(node.list, fn);
    if (node.has_else && !node.else_chain) {
      fn({Piece::Kind::kElse, node.else_action, node.else_pos, &node});
    }
    Walk(node.else_list, fn);
    // The chained node at the end of an else-if chain reports the one {{end}} they share.
    if (!node.else_chain) fn({Piece::Kind::kEnd, node.end_action, node.end_pos, &node});
  }
}

void WalkOperands(const Pipeline& pipeline, const std::function<void(const Operand&)>& fn) {
  for (const Command& cmd : pipeline.cmds) {
    for (const Operand& arg : cmd.args) {
      fn(arg);
      if (arg.pipeline) WalkOperands(*arg.pipeline, fn);
    }
  }
}

}  // namespace

void ForEachPiece(const std::vector<Node>& list, const std::function<void(const Piece&)>& fn) {
  Walk(list, fn);
}

bool IsEmptyBody(const std::vector<Node>& list, std::string_view source) {
  for (const Node& node : list) {
    if (node.kind == NodeKind::kComment) continue;
    if (node.kind != NodeKind::kText) return false;
    for (char c : node.text.Of(source)) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
    }
  }
  return true;
}

void ForEachOperand(const Pipeline& pipeline, const std::function<void(const Operand&)>& fn) {
  WalkOperands(pipeline, fn);
}

}  // namespace imagepin::tmpl
