// The tree of a parsed template file, as text/template/parse builds it, with every node's
// position and the source bytes it covers.
//
// What a newcomer gets wrong: the tree keeps the file's order. Text and actions alternate in
// `Tree::root` as in the file, `{{define}}` bodies included (Go moves them out; here they stay
// where they are written, and ChartTemplates collects them by name). Text nodes keep the bytes a
// trim marker removes in `span` and leave them out of `text`. ForEachPiece walks the text spans
// and actions in source order; together they tile the file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tmpl/lexer.h"

namespace imagepin::tmpl {

struct Pipeline;

enum class OperandKind : uint8_t {
  kField,     // .Values.image.ref: `fields` are its segments
  kVariable,  // $x, or $ alone: `value` is the name with its "$", `fields` what follows ($.Values)
  kIdentifier,  // a function name: `value`
  kDot,         // .
  kString,      // `value` is the string after unquoting; `Raw` has the quotes
  kNumber,      // `value` is the text as written (a character constant 'x' included)
  kBool,        // `value` is "true" or "false"
  kNil,
  kPipeline,  // (…): `pipeline`; `fields` are chained on it: (index .Values "a").b
};

struct Operand {
  OperandKind kind = OperandKind::kNil;
  Pos pos;
  Span span;  // the operand's bytes, chained fields included
  std::string value;
  std::vector<std::string> fields;
  std::unique_ptr<Pipeline> pipeline;  // kPipeline only
};

// A function call or a value: the operands between "|"s. The first is the function when it is
// an identifier (`include "x" .`), else the command is that one value.
struct Command {
  Pos pos;
  std::vector<Operand> args;
};

struct Declaration {
  std::string name;  // with its "$"
  Pos pos;
};

// `$x := a | b c`: optional declarations (or assignment, with `=`), then commands.
struct Pipeline {
  Pos pos;
  Span span;
  std::vector<Declaration> decl;
  bool is_assign = false;  // `=` rather than `:=`
  std::vector<Command> cmds;
};

enum class NodeKind : uint8_t {
  kText,
  kAction,   // {{ pipeline }}
  kComment,  // {{/* … */}}
  kIf,       // {{if p}} list {{else}} else_list {{end}}
  kWith,
  kRange,     // pipeline.decl holds `$i, $v`
  kDefine,    // {{define "name"}} list {{end}}, at the top level only
  kTemplate,  // {{template "name" pipeline}}, pipeline optional
  kBlock,     // {{block "name" pipeline}} list {{end}}: a define and a template in one
  kBreak,
  kContinue,
};

std::string_view NodeKindName(NodeKind kind);

struct Node {
  NodeKind kind = NodeKind::kText;
  Pos pos;    // the first byte: the text's, or the "{{" of the action that opens the node
  Span span;  // text: its bytes before trimming; an action: "{{" to "}}"; a node with a body:
              // from its opening "{{" to the "}}" of its {{end}}
  // kText: the bytes left after trim markers, possibly empty, and where they start.
  // kComment: the text between "/*" and "*/".
  Span text;
  Pos text_pos;
  // The actions that make up a node with a body (kIf, kWith, kRange, kDefine, kBlock): the
  // opening "{{if …}}", the "{{else}}" (empty when there is none, or when `else_chain`), and
  // the "{{end}}". For every other node `open` is `span`.
  Span open;
  Span else_action;
  Pos else_pos;
  Span end_action;
  Pos end_pos;
  // `{{else if …}}` / `{{else with …}}`: else_list is that one If/With node, whose `open` is the
  // "{{else if …}}" action and which shares this node's {{end}}.
  bool else_chain = false;
  bool has_else = false;
  std::string name;                  // kDefine, kTemplate, kBlock
  std::optional<Pipeline> pipeline;  // kAction, kIf, kWith, kRange, kBlock; kTemplate if given
  std::vector<Node> list;            // the body
  std::vector<Node> else_list;
};

struct Tree {
  std::vector<Node> root;
};

// One step of a walk in source order: a text node, or one action (a whole node's span for
// actions without a body; `open`, `else_action` or `end_action` of a node with one).
struct Piece {
  enum class Kind : uint8_t { kText, kAction, kElse, kEnd } kind;
  Span span;
  Pos pos;
  const Node* node;  // the node the piece belongs to
};

// Calls `fn` for every text node and every action under `list`, in source order. The pieces
// tile the parsed bytes: each begins where the one before ended.
void ForEachPiece(const std::vector<Node>& list, const std::function<void(const Piece&)>& fn);

// True if `list` holds nothing but comments and whitespace text (Go's IsEmptyTree): an empty
// definition never replaces a non-empty one of the same name.
bool IsEmptyBody(const std::vector<Node>& list, std::string_view source);

// Calls `fn` for every operand in `pipeline`, parenthesised pipelines' operands after their own.
void ForEachOperand(const Pipeline& pipeline, const std::function<void(const Operand&)>& fn);

}  // namespace imagepin::tmpl
