// The parser follows text/template/parse/parse.go (Go 1.22) function by function: itemList,
// textOrAction, action, parseControl, pipeline, command, operand, term. Go panics out of an
// error; here every step returns false and the first error is kept.
#include "tmpl/parser.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <utility>

#include "tmpl/unquote.h"

namespace imagepin::tmpl {
namespace {

// Where a list of nodes stopped: at the end of the file, or at an {{end}} or {{else}} action.
struct Stop {
  enum class Kind : uint8_t { kEof, kEnd, kElse } kind = Kind::kEof;
  Span span;  // the {{end}} or {{else}} action; for `else_chain` only its start
  Pos pos;
  bool else_chain = false;  // {{else if …}} / {{else with …}}: the keyword is the next token
};

bool StartsTerm(TokenKind kind) {
  switch (kind) {
    case TokenKind::kBool:
    case TokenKind::kChar:
    case TokenKind::kDot:
    case TokenKind::kField:
    case TokenKind::kIdentifier:
    case TokenKind::kNumber:
    case TokenKind::kNil:
    case TokenKind::kRawString:
    case TokenKind::kString:
    case TokenKind::kVariable:
    case TokenKind::kLeftParen:
      return true;
    default:
      return false;
  }
}

std::string PosText(Pos pos) { return fmt::format("{}:{}", pos.line, pos.column); }

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens, ParseOptions options)
      : src_(source), toks_(std::move(tokens)), options_(options) {}

  base::Result<Tree> Run() {
    Tree tree;
    Stop stop;
    if (!ItemList(&tree.root, &stop, /*top_level=*/true)) return std::move(*error_);
    return tree;
  }

 private:
  // Token access. Spaces occur only inside actions; the kEof token is never passed.
  const Token& Peek() const { return toks_[i_]; }
  const Token& Next() {
    const Token& token = toks_[i_];
    if (token.kind != TokenKind::kEof) ++i_;
    return token;
  }
  const Token& PeekNonSpace() {
    while (toks_[i_].kind == TokenKind::kSpace) ++i_;
    return toks_[i_];
  }
  const Token& NextNonSpace() {
    PeekNonSpace();
    return Next();
  }
  std::string_view Text(const Token& token) const { return token.span().Of(src_); }

  bool Fail(Pos pos, std::string message) {
    if (!error_) {
      error_ =
          base::MakeError(base::ErrorCode::kParse, std::move(message), {}, {pos.line, pos.column});
    }
    return false;
  }
  // `unexpected "foo" in command`: token text shortened and escaped to keep messages one line.
  bool Unexpected(const Token& token, std::string_view context) {
    return Fail(token.pos, fmt::format("unexpected {} in {}", Describe(token), context));
  }
  std::string Describe(const Token& token) const {
    switch (token.kind) {
      case TokenKind::kIdentifier:
      case TokenKind::kField:
      case TokenKind::kVariable:
      case TokenKind::kString:
      case TokenKind::kRawString:
      case TokenKind::kChar:
      case TokenKind::kNumber:
      case TokenKind::kBool:
      case TokenKind::kPunct:
        return fmt::format("{} {}", TokenKindName(token.kind), Excerpt(Text(token)));
      default:
        return std::string(TokenKindName(token.kind));
    }
  }
  static std::string Excerpt(std::string_view text) {
    constexpr size_t kMax = 24;  // enough to recognise a name, short enough for one line
    std::string out = "\"";
    for (size_t i = 0; i < text.size() && i < kMax; ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c == '"' || c == '\\') {
        out += '\\', out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7F) {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out += static_cast<char>(c);
      }
    }
    if (text.size() > kMax) out += "…";
    return out + "\"";
  }

  bool Enter(Pos pos) {
    if (++depth_ > options_.max_depth) {
      return Fail(pos, fmt::format("nested deeper than {} levels", options_.max_depth));
    }
    return true;
  }
  void Leave() { --depth_; }

  // Nodes up to the end of the file, an {{end}} or an {{else}}. At the top level {{define}} is
  // allowed and {{end}}/{{else}} are errors.
  bool ItemList(std::vector<Node>* list, Stop* stop, bool top_level) {
    for (;;) {
      const Token& token = Peek();
      switch (token.kind) {
        case TokenKind::kEof:
          stop->kind = Stop::Kind::kEof;
          stop->pos = token.pos;
          return true;
        case TokenKind::kText: {
          Next();
          Node& node = list->emplace_back();
          node.kind = NodeKind::kText;
          node.pos = token.pos;
          node.span = node.open = token.span();
          node.text = token.trimmed;
          node.text_pos = token.trimmed_pos;
          continue;
        }
        case TokenKind::kComment: {
          Next();
          Node& node = list->emplace_back();
          node.kind = NodeKind::kComment;
          node.pos = token.pos;
          node.span = node.open = token.span();
          node.text = token.trimmed;
          continue;
        }
        case TokenKind::kLeftDelim: {
          Node node;
          bool is_node = false;
          if (!Action(&node, &is_node, stop, top_level)) return false;
          if (is_node) {
            list->push_back(std::move(node));
            continue;
          }
          if (top_level) {
            return Fail(stop->pos, stop->kind == Stop::Kind::kEnd ? "unexpected {{end}}"
                                                                  : "unexpected {{else}}");
          }
          return true;
        }
        default:
          return Unexpected(Next(), "input");  // the lexer makes no other token here
      }
    }
  }

  // One action from its "{{": a node (`*is_node`), or the {{end}}/{{else}} that stops a list.
  bool Action(Node* node, bool* is_node, Stop* stop, bool top_level) {
    const Token& open = Next();
    const Token& keyword = PeekNonSpace();
    switch (keyword.kind) {
      case TokenKind::kDefine:
        if (!top_level) return Fail(keyword.pos, "unexpected {{define}}: only at the top level");
        Next();
        *is_node = true;
        return Define(open, node);
      case TokenKind::kBlock:
        Next();
        *is_node = true;
        return Block(open, node);
      case TokenKind::kBreak:
      case TokenKind::kContinue: {
        Next();
        const Token& close = NextNonSpace();
        std::string_view name = TokenKindName(keyword.kind);
        if (close.kind != TokenKind::kRightDelim) return Unexpected(close, name);
        if (range_depth_ == 0)
          return Fail(keyword.pos, fmt::format("{} outside {{{{range}}}}", name));
        node->kind = keyword.kind == TokenKind::kBreak ? NodeKind::kBreak : NodeKind::kContinue;
        SetAction(node, open, close);
        *is_node = true;
        return true;
      }
      case TokenKind::kElse: {
        Next();
        stop->kind = Stop::Kind::kElse;
        stop->pos = open.pos;
        TokenKind after = PeekNonSpace().kind;
        if (after == TokenKind::kIf || after == TokenKind::kWith) {
          stop->else_chain = true;  // the if/with is parsed by the list's owner
          stop->span = {open.pos.offset, open.pos.offset};
          return true;
        }
        const Token& close = NextNonSpace();
        if (close.kind != TokenKind::kRightDelim) return Unexpected(close, "else");
        stop->span = {open.pos.offset, close.end};
        return true;
      }
      case TokenKind::kEnd: {
        Next();
        const Token& close = NextNonSpace();
        if (close.kind != TokenKind::kRightDelim) return Unexpected(close, "end");
        stop->kind = Stop::Kind::kEnd;
        stop->pos = open.pos;
        stop->span = {open.pos.offset, close.end};
        return true;
      }
      case TokenKind::kIf:
      case TokenKind::kWith:
      case TokenKind::kRange:
        Next();
        *is_node = true;
        return Control(keyword.kind, open.pos, node);
      case TokenKind::kTemplate:
        Next();
        *is_node = true;
        return TemplateCall(open, node);
      default: {
        node->kind = NodeKind::kAction;
        node->pipeline.emplace();
        const Token* close = nullptr;
        if (!ParsePipeline("command", TokenKind::kRightDelim, &*node->pipeline, &close)) {
          return false;
        }
        SetAction(node, open, *close);
        *is_node = true;
        return true;
      }
    }
  }

  static void SetAction(Node* node, const Token& open, const Token& close) {
    node->pos = open.pos;
    node->span = node->open = {open.pos.offset, close.end};
  }

  // {{if}}, {{with}}, {{range}} after the keyword, up to and including its {{end}}. `open` is
  // where the action starts: its "{{", or the "{{" of the {{else if}} that chains it.
  bool Control(TokenKind keyword, Pos open, Node* node) {
    std::string_view context = keyword == TokenKind::kIf     ? "if"
                               : keyword == TokenKind::kWith ? "with"
                                                             : "range";
    node->kind = keyword == TokenKind::kIf     ? NodeKind::kIf
                 : keyword == TokenKind::kWith ? NodeKind::kWith
                                               : NodeKind::kRange;
    node->pos = open;
    if (!Enter(open)) return false;
    node->pipeline.emplace();
    const Token* close = nullptr;
    if (!ParsePipeline(context, TokenKind::kRightDelim, &*node->pipeline, &close)) return false;
    node->open = {open.offset, close->end};
    bool range = keyword == TokenKind::kRange;
    range_depth_ += range;
    Stop stop;
    if (!ItemList(&node->list, &stop, /*top_level=*/false)) return false;
    range_depth_ -= range;
    if (stop.kind == Stop::Kind::kEof) return Unclosed(stop.pos, context, open);
    if (stop.kind == Stop::Kind::kElse) {
      node->has_else = true;
      node->else_pos = stop.pos;
      if (stop.else_chain) {
        // Go rewrites {{if a}}…{{else if b}}…{{end}} as {{if a}}…{{else}}{{if b}}…{{end}}{{end}}:
        // the chained if ends at the one {{end}}.
        const Token& chained = NextNonSpace();
        if (chained.kind != keyword || keyword == TokenKind::kRange) {
          return Fail(stop.pos, fmt::format("unexpected {{{{else {}}}}} in {{{{{}}}}}",
                                            Text(chained), context));
        }
        node->else_chain = true;
        Node& inner = node->else_list.emplace_back();
        if (!Control(keyword, stop.pos, &inner)) return false;
        stop.span = inner.end_action;
        stop.pos = inner.end_pos;
      } else {
        node->else_action = stop.span;
        if (!ItemList(&node->else_list, &stop, /*top_level=*/false)) return false;
        if (stop.kind == Stop::Kind::kEof) return Unclosed(stop.pos, context, open);
        if (stop.kind == Stop::Kind::kElse) {
          return Fail(stop.pos,
                      fmt::format("expected {{{{end}}}}; found {{{{else}}}} in {{{{{}}}}} from {}",
                                  context, PosText(open)));
        }
      }
    }
    node->end_action = stop.span;
    node->end_pos = stop.pos;
    node->span = {open.offset, stop.span.end};
    Leave();
    return true;
  }

  bool Unclosed(Pos eof, std::string_view context, Pos open) {
    return Fail(eof, fmt::format("unclosed {{{{{}}}}} from {}", context, PosText(open)));
  }

  // A body after its opening action, up to and including its {{end}}.
  bool Body(std::string_view context, Pos open, Node* node) {
    if (!Enter(open)) return false;
    Stop stop;
    if (!ItemList(&node->list, &stop, /*top_level=*/false)) return false;
    if (stop.kind == Stop::Kind::kEof) return Unclosed(stop.pos, context, open);
    if (stop.kind == Stop::Kind::kElse) {
      return Fail(stop.pos, fmt::format("unexpected {{{{else}}}} in {{{{{}}}}}", context));
    }
    node->end_action = stop.span;
    node->end_pos = stop.pos;
    node->span = {open.offset, stop.span.end};
    Leave();
    return true;
  }

  // The quoted name of a define, block or template.
  bool TemplateName(std::string_view context, std::string* name) {
    const Token& token = NextNonSpace();
    if (token.kind != TokenKind::kString && token.kind != TokenKind::kRawString) {
      return Unexpected(token, context);
    }
    std::optional<std::string> value = Unquote(Text(token));
    if (!value) return Fail(token.pos, "invalid syntax in quoted template name");
    *name = std::move(*value);
    return true;
  }

  bool Define(const Token& open, Node* node) {
    node->kind = NodeKind::kDefine;
    node->pos = open.pos;
    if (!TemplateName("define clause", &node->name)) return false;
    const Token& close = NextNonSpace();
    if (close.kind != TokenKind::kRightDelim) return Unexpected(close, "define clause");
    node->open = {open.pos.offset, close.end};
    return Body("define", open.pos, node) && Register(*node);
  }

  bool Block(const Token& open, Node* node) {
    node->kind = NodeKind::kBlock;
    node->pos = open.pos;
    if (!TemplateName("block clause", &node->name)) return false;
    node->pipeline.emplace();
    const Token* close = nullptr;
    if (!ParsePipeline("block clause", TokenKind::kRightDelim, &*node->pipeline, &close)) {
      return false;
    }
    node->open = {open.pos.offset, close->end};
    return Body("block", open.pos, node) && Register(*node);
  }

  // Go refuses two non-empty definitions of one name in one file; an empty one never replaces.
  bool Register(const Node& node) {
    if (IsEmptyBody(node.list, src_)) return true;
    if (!defined_.insert(node.name).second) {
      return Fail(node.pos, fmt::format("multiple definition of template {}", Excerpt(node.name)));
    }
    return true;
  }

  bool TemplateCall(const Token& open, Node* node) {
    node->kind = NodeKind::kTemplate;
    if (!TemplateName("template clause", &node->name)) return false;
    const Token* close = &NextNonSpace();
    if (close->kind != TokenKind::kRightDelim) {
      --i_;  // back to the token that starts the pipeline
      node->pipeline.emplace();
      if (!ParsePipeline("template clause", TokenKind::kRightDelim, &*node->pipeline, &close)) {
        return false;
      }
    }
    SetAction(node, open, *close);
    return true;
  }

  // Declarations, then commands up to and including the `end` token (stored in `*close`).
  bool ParsePipeline(std::string_view context, TokenKind end, Pipeline* pipe, const Token** close) {
    pipe->pos = PeekNonSpace().pos;
    pipe->span.begin = pipe->pos.offset;
    for (;;) {  // declarations: `$x :=`, `$x =`, and in a range `$i, $v :=`
      size_t mark = i_;
      if (PeekNonSpace().kind != TokenKind::kVariable) break;
      const Token& var = Next();
      const Token& after = PeekNonSpace();
      if (after.kind == TokenKind::kAssign || after.kind == TokenKind::kDeclare) {
        Next();
        pipe->is_assign = after.kind == TokenKind::kAssign;
        pipe->decl.push_back({std::string(Text(var)), var.pos});
        break;
      }
      if (after.kind == TokenKind::kComma) {
        Next();
        pipe->decl.push_back({std::string(Text(var)), var.pos});
        if (context == "range" && pipe->decl.size() < 2) {
          TokenKind next = PeekNonSpace().kind;
          if (next == TokenKind::kVariable || next == TokenKind::kRightDelim ||
              next == TokenKind::kRightParen) {
            continue;
          }
          return Fail(PeekNonSpace().pos, "range can only initialize variables");
        }
        return Fail(var.pos, fmt::format("too many declarations in {}", context));
      }
      i_ = mark;  // `$x` is an operand
      break;
    }
    for (;;) {
      const Token& token = NextNonSpace();
      if (token.kind == end) {
        pipe->span.end = token.end;
        *close = &token;
        return CheckPipeline(*pipe, context, token.pos);
      }
      if (!StartsTerm(token.kind)) return Unexpected(token, context);
      --i_;
      if (!ParseCommand(&pipe->cmds.emplace_back())) return false;
    }
  }

  bool CheckPipeline(const Pipeline& pipe, std::string_view context, Pos at) {
    if (pipe.cmds.empty()) return Fail(at, fmt::format("missing value for {}", context));
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      switch (pipe.cmds[i].args[0].kind) {
        case OperandKind::kBool:
        case OperandKind::kDot:
        case OperandKind::kNil:
        case OperandKind::kNumber:
        case OperandKind::kString:
          return Fail(pipe.cmds[i].pos,
                      fmt::format("non executable command in pipeline stage {}", i + 1));
        default:
          break;
      }
    }
    return true;
  }

  // Operands separated by spaces, up to a "|" (consumed) or a ")" or "}}" (left).
  bool ParseCommand(Command* cmd) {
    cmd->pos = PeekNonSpace().pos;
    for (;;) {
      PeekNonSpace();
      Operand operand;
      bool got = false;
      if (!ParseOperand(&operand, &got)) return false;
      if (got) cmd->args.push_back(std::move(operand));
      const Token& token = Next();
      if (token.kind == TokenKind::kSpace) continue;
      if (token.kind == TokenKind::kRightDelim || token.kind == TokenKind::kRightParen) {
        --i_;
      } else if (token.kind != TokenKind::kPipe) {
        return Unexpected(token, "operand");
      }
      break;
    }
    if (cmd->args.empty()) return Fail(cmd->pos, "empty command");
    return true;
  }

  // A term and the fields chained on it with nothing between: .a.b, $x.a, (…).a
  bool ParseOperand(Operand* operand, bool* got) {
    if (!ParseTerm(operand, got) || !*got) return !error_;
    if (Peek().kind != TokenKind::kField) return true;
    switch (operand->kind) {
      case OperandKind::kBool:
      case OperandKind::kString:
      case OperandKind::kNumber:
      case OperandKind::kNil:
      case OperandKind::kDot:
        return Fail(Peek().pos,
                    fmt::format("unexpected . after term {}", Excerpt(operand->span.Of(src_))));
      default:
        break;
    }
    while (Peek().kind == TokenKind::kField) {
      const Token& field = Next();
      operand->fields.emplace_back(Text(field).substr(1));
      operand->span.end = field.end;
    }
    return true;
  }

  bool ParseTerm(Operand* operand, bool* got) {
    const Token& token = NextNonSpace();
    operand->pos = token.pos;
    operand->span = token.span();
    *got = true;
    std::string_view text = Text(token);
    switch (token.kind) {
      case TokenKind::kIdentifier:
        operand->kind = OperandKind::kIdentifier;
        operand->value = text;
        return true;
      case TokenKind::kDot:
        operand->kind = OperandKind::kDot;
        return true;
      case TokenKind::kNil:
        operand->kind = OperandKind::kNil;
        return true;
      case TokenKind::kVariable:
        operand->kind = OperandKind::kVariable;
        operand->value = text;
        return true;
      case TokenKind::kField:
        operand->kind = OperandKind::kField;
        operand->fields.emplace_back(text.substr(1));
        return true;
      case TokenKind::kBool:
        operand->kind = OperandKind::kBool;
        operand->value = text;
        return true;
      case TokenKind::kChar:
        if (!IsCharConstant(text)) return Fail(token.pos, "malformed character constant");
        [[fallthrough]];
      case TokenKind::kNumber:
        operand->kind = OperandKind::kNumber;
        operand->value = text;
        return true;
      case TokenKind::kString:
      case TokenKind::kRawString: {
        std::optional<std::string> value = Unquote(text);
        if (!value)
          return Fail(token.pos, fmt::format("invalid syntax in string {}", Excerpt(text)));
        operand->kind = OperandKind::kString;
        operand->value = std::move(*value);
        return true;
      }
      case TokenKind::kLeftParen: {
        if (!Enter(token.pos)) return false;
        operand->kind = OperandKind::kPipeline;
        operand->pipeline = std::make_unique<Pipeline>();
        const Token* close = nullptr;
        if (!ParsePipeline("parenthesized pipeline", TokenKind::kRightParen,
                           operand->pipeline.get(), &close)) {
          return false;
        }
        operand->span.end = close->end;
        Leave();
        return true;
      }
      default:
        if (token.kind != TokenKind::kEof) --i_;  // not a term: leave it to the command
        *got = false;
        return true;
    }
  }

  std::string_view src_;
  std::vector<Token> toks_;
  ParseOptions options_;
  size_t i_ = 0;
  int depth_ = 0;
  int range_depth_ = 0;
  std::set<std::string> defined_;  // non-empty defines and blocks in this file
  std::optional<base::Error> error_;
};

}  // namespace

base::Result<Tree> ParseTemplate(std::string_view source, ParseOptions options) {
  base::Result<std::vector<Token>> tokens = Lex(source);
  if (!tokens.ok()) return tokens.error();
  return Parser(source, std::move(tokens).value(), options).Run();
}

}  // namespace imagepin::tmpl
