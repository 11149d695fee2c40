// libFuzzer target for tmpl::Lex and tmpl::ParseTemplate on arbitrary bytes. Beyond "never
// crashes" (sanitizers; the depth limit keeps the recursion bounded), it checks what the stage
// reading templates relies on: every position lies inside the input at line and column >= 1
// and agrees with its offset; the lexer's tokens and the tree's text spans and actions each tile
// the input in order; trimmed text lies inside its span; an error has a position.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "tmpl/lexer.h"
#include "tmpl/parser.h"

namespace {

using imagepin::tmpl::Node;
using imagepin::tmpl::Operand;
using imagepin::tmpl::Piece;
using imagepin::tmpl::Pos;
using imagepin::tmpl::Span;
using imagepin::tmpl::Token;
using imagepin::tmpl::TokenKind;

[[noreturn]] void Fail(const char* what, long a, long b) {
  std::fprintf(stderr, "invariant violated: %s (%ld, %ld)\n", what, a, b);
  std::abort();
}

// Line and column of every offset, computed the slow, obvious way once per input.
struct Positions {
  std::vector<int> line, column;
  explicit Positions(std::string_view input) : line(input.size() + 1), column(input.size() + 1) {
    // column = 1 + the characters (UTF-8 lead bytes) between the line's start and the offset
    int l = 1, c = 1;
    for (size_t i = 0; i <= input.size(); ++i) {
      line[i] = l, column[i] = c;
      if (i == input.size()) break;
      auto byte = static_cast<unsigned char>(input[i]);
      if (byte == '\n') {
        ++l, c = 1;
      } else if ((byte & 0xC0) != 0x80) {
        ++c;
      }
    }
  }
};

void CheckPos(const Pos& pos, const Positions& positions, const char* what) {
  if (pos.offset >= positions.line.size()) Fail(what, pos.offset, -1);
  if (pos.line < 1 || pos.column < 1) Fail(what, pos.line, pos.column);
  if (pos.line != positions.line[pos.offset]) Fail(what, pos.line, positions.line[pos.offset]);
  if (pos.column != positions.column[pos.offset]) {
    Fail(what, pos.column, positions.column[pos.offset]);
  }
}

void CheckSpan(const Span& span, size_t size, const char* what) {
  if (span.begin > span.end || span.end > size) Fail(what, span.begin, span.end);
}

void CheckNodes(const std::vector<Node>& list, std::string_view input, const Positions& positions) {
  for (const Node& node : list) {
    CheckPos(node.pos, positions, "node position");
    CheckSpan(node.span, input.size(), "node span");
    if (node.pos.offset != node.span.begin)
      Fail("node pos != span", node.pos.offset, node.span.begin);
    if (node.kind == imagepin::tmpl::NodeKind::kText) {
      CheckSpan(node.text, input.size(), "text");
      if (node.text.begin < node.span.begin || node.text.end > node.span.end) {
        Fail("trimmed text outside its span", node.text.begin, node.text.end);
      }
      CheckPos(node.text_pos, positions, "text position");
    }
    if (node.pipeline) {
      imagepin::tmpl::ForEachOperand(*node.pipeline, [&](const Operand& operand) {
        CheckPos(operand.pos, positions, "operand position");
        CheckSpan(operand.span, input.size(), "operand span");
        if (operand.span.begin < node.span.begin || operand.span.end > node.span.end) {
          Fail("operand outside its node", operand.span.begin, operand.span.end);
        }
      });
    }
    CheckNodes(node.list, input, positions);
    CheckNodes(node.else_list, input, positions);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Positions positions(input);

  auto tokens = imagepin::tmpl::Lex(input);
  if (tokens.ok()) {
    // Tokens tile the input, the kEof token last at its end.
    uint32_t at = 0;
    for (const Token& token : tokens.value()) {
      CheckPos(token.pos, positions, "token position");
      if (token.pos.offset != at) Fail("tokens do not tile", token.pos.offset, at);
      at = token.end;
    }
    if (at != size || tokens->back().kind != TokenKind::kEof) Fail("tokens end", at, size);
  } else if (tokens.error().pos.line < 1 || tokens.error().pos.column < 1) {
    Fail("lex error position", tokens.error().pos.line, tokens.error().pos.column);
  }

  auto tree = imagepin::tmpl::ParseTemplate(input);
  if (!tree.ok()) {
    if (tree.error().pos.line < 1 || tree.error().pos.column < 1) {
      Fail("parse error position", tree.error().pos.line, tree.error().pos.column);
    }
    if (tree.error().message.empty() || tree.error().message.find('\n') != std::string_view::npos) {
      Fail("parse error message not one line", 0, 0);
    }
    if (tokens.ok() != true && tree.error().message != tokens.error().message) {
      Fail("lex error differs from parse error", 0, 0);
    }
    return 0;
  }
  if (!tokens.ok()) Fail("parsed what does not lex", 0, 0);
  CheckNodes(tree->root, input, positions);
  uint32_t at = 0;
  imagepin::tmpl::ForEachPiece(tree->root, [&](const Piece& piece) {
    if (piece.span.begin != at) Fail("pieces do not tile", piece.span.begin, at);
    if (piece.span.end < piece.span.begin) Fail("piece span", piece.span.begin, piece.span.end);
    CheckPos(piece.pos, positions, "piece position");
    if (piece.pos.offset != piece.span.begin) Fail("piece pos", piece.pos.offset, piece.span.begin);
    at = piece.span.end;
  });
  if (at != size) Fail("pieces end before the input", at, size);
  return 0;
}
