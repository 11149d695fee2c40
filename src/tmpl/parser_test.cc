#include "tmpl/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imagepin::tmpl {
namespace {

Tree MustParse(std::string_view source) {
  base::Result<Tree> tree = ParseTemplate(source);
  EXPECT_TRUE(tree.ok()) << source << ": " << tree.error().ToString();
  return tree.ok() ? std::move(tree).value() : Tree{};
}

std::string ParseError(std::string_view source, ParseOptions options = {}) {
  base::Result<Tree> tree = ParseTemplate(source, options);
  if (tree.ok()) return "ok";
  const base::Error& error = tree.error();
  return std::to_string(error.pos.line) + ":" + std::to_string(error.pos.column) + ": " +
         error.message;
}

// The pieces of a walk in source order, as their text.
std::vector<std::string> Pieces(std::string_view source, const Tree& tree) {
  std::vector<std::string> out;
  ForEachPiece(tree.root, [&](const Piece& piece) { out.emplace_back(piece.span.Of(source)); });
  return out;
}

TEST(ParseTemplate, TextAndActionInSourceOrder) {
  std::string_view source = "image: {{ .Values.image.ref | quote }}\n";
  Tree tree = MustParse(source);
  ASSERT_EQ(tree.root.size(), 3u);
  EXPECT_EQ(tree.root[0].kind, NodeKind::kText);
  EXPECT_EQ(tree.root[0].text.Of(source), "image: ");
  const Node& action = tree.root[1];
  EXPECT_EQ(action.kind, NodeKind::kAction);
  EXPECT_EQ(action.pos.line, 1);
  EXPECT_EQ(action.pos.column, 8);
  EXPECT_EQ(action.span.Of(source), "{{ .Values.image.ref | quote }}");
  ASSERT_TRUE(action.pipeline);
  ASSERT_EQ(action.pipeline->cmds.size(), 2u);
  const Operand& field = action.pipeline->cmds[0].args[0];
  EXPECT_EQ(field.kind, OperandKind::kField);
  EXPECT_EQ(field.fields, (std::vector<std::string>{"Values", "image", "ref"}));
  EXPECT_EQ(field.span.Of(source), ".Values.image.ref");
  EXPECT_EQ(field.pos.column, 11);
  const Operand& quote = action.pipeline->cmds[1].args[0];
  EXPECT_EQ(quote.kind, OperandKind::kIdentifier);
  EXPECT_EQ(quote.value, "quote");
  EXPECT_EQ(quote.pos.column, 31);
  EXPECT_EQ(tree.root[2].span.Of(source), "\n");
}

TEST(ParseTemplate, Operands) {
  std::string_view source =
      R"({{ printf "%s:%s" $.Values.a $x.b.c (index .Values "a").b 1.5 true nil . 'x' `r` }})";
  Tree tree = MustParse(source);
  const std::vector<Operand>& args = tree.root[0].pipeline->cmds[0].args;
  ASSERT_EQ(args.size(), 11u);
  EXPECT_EQ(args[0].kind, OperandKind::kIdentifier);
  EXPECT_EQ(args[1].kind, OperandKind::kString);
  EXPECT_EQ(args[1].value, "%s:%s");
  EXPECT_EQ(args[2].kind, OperandKind::kVariable);
  EXPECT_EQ(args[2].value, "$");
  EXPECT_EQ(args[2].fields, (std::vector<std::string>{"Values", "a"}));
  EXPECT_EQ(args[3].value, "$x");
  EXPECT_EQ(args[3].fields, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(args[4].kind, OperandKind::kPipeline);
  EXPECT_EQ(args[4].span.Of(source), R"((index .Values "a").b)");
  EXPECT_EQ(args[4].fields, (std::vector<std::string>{"b"}));
  ASSERT_TRUE(args[4].pipeline);
  EXPECT_EQ(args[4].pipeline->cmds[0].args[0].value, "index");
  EXPECT_EQ(args[4].pipeline->cmds[0].args[2].value, "a");
  EXPECT_EQ(args[5].kind, OperandKind::kNumber);
  EXPECT_EQ(args[5].value, "1.5");
  EXPECT_EQ(args[6].kind, OperandKind::kBool);
  EXPECT_EQ(args[7].kind, OperandKind::kNil);
  EXPECT_EQ(args[8].kind, OperandKind::kDot);
  EXPECT_EQ(args[9].kind, OperandKind::kNumber);  // a character constant is a number
  EXPECT_EQ(args[10].kind, OperandKind::kString);
  EXPECT_EQ(args[10].value, "r");
}

TEST(ParseTemplate, StringEscapes) {
  Tree tree = MustParse(R"({{ "a\tb\x41\101\u00e9\U0001F600\"" `c\n` }})");
  const std::vector<Operand>& args = tree.root[0].pipeline->cmds[0].args;
  EXPECT_EQ(args[0].value, "a\tbAA\xC3\xA9\xF0\x9F\x98\x80\"");
  EXPECT_EQ(args[1].value, "c\\n");
  EXPECT_EQ(MustParse("{{ `a\r\nb` }}").root[0].pipeline->cmds[0].args[0].value, "a\nb");
  EXPECT_EQ(ParseError(R"({{ "\q" }})"), R"(1:4: invalid syntax in string "\"\\q\"")");
  EXPECT_EQ(ParseError(R"({{ "\'" }})"), R"(1:4: invalid syntax in string "\"\\'\"")");
  EXPECT_EQ(ParseError(R"({{ "\uD800" }})").substr(0, 25), "1:4: invalid syntax in st");
  EXPECT_EQ(ParseError("{{ 'ab' }}"), "1:4: malformed character constant");
}

TEST(ParseTemplate, Declarations) {
  Tree tree = MustParse("{{ $name := default .Chart.Name .Values.nameOverride }}{{ $name = 1 }}");
  const Pipeline& decl = *tree.root[0].pipeline;
  ASSERT_EQ(decl.decl.size(), 1u);
  EXPECT_EQ(decl.decl[0].name, "$name");
  EXPECT_EQ(decl.decl[0].pos.column, 4);
  EXPECT_FALSE(decl.is_assign);
  EXPECT_EQ(decl.cmds[0].args.size(), 3u);
  EXPECT_TRUE(tree.root[1].pipeline->is_assign);
  // `$x` followed by anything else is an operand.
  Tree use = MustParse("{{ $x | quote }}");
  EXPECT_TRUE(use.root[0].pipeline->decl.empty());
  EXPECT_EQ(use.root[0].pipeline->cmds[0].args[0].value, "$x");
}

TEST(ParseTemplate, RangeWithTwoVariables) {
  std::string_view source =
      "{{- range $i, $c := .Values.containers }}\n- {{ $c.image }}\n{{- end }}";
  Tree tree = MustParse(source);
  ASSERT_EQ(tree.root.size(), 1u);
  const Node& range = tree.root[0];
  EXPECT_EQ(range.kind, NodeKind::kRange);
  ASSERT_EQ(range.pipeline->decl.size(), 2u);
  EXPECT_EQ(range.pipeline->decl[1].name, "$c");
  EXPECT_EQ(range.pipeline->decl[1].pos.column, 15);
  EXPECT_EQ(range.open.Of(source), "{{- range $i, $c := .Values.containers }}");
  EXPECT_EQ(range.end_action.Of(source), "{{- end }}");
  EXPECT_EQ(range.end_pos.line, 3);
  EXPECT_EQ(range.span.Of(source), source);
  ASSERT_EQ(range.list.size(), 3u);
  EXPECT_EQ(range.list[0].text.Of(source), "\n- ");
  EXPECT_EQ(range.list[2].span.Of(source), "\n");
  EXPECT_TRUE(range.list[2].text.empty());
  EXPECT_EQ(ParseError("{{ if $a, $b := 1 }}{{ end }}"), "1:7: too many declarations in if");
  EXPECT_EQ(ParseError("{{ range $a, 1 }}{{ end }}"), "1:14: range can only initialize variables");
}

TEST(ParseTemplate, IfElseIfElseChain) {
  std::string_view source = "{{if .a}}A{{else if .b}}B{{else with .c}}x{{else}}C{{end}}";
  // `else with` after an if is an error in Go; make the chain of ifs only.
  EXPECT_EQ(ParseError(source), "1:26: unexpected {{else with}} in {{if}}");
  source = "{{if .a}}A{{else if .b}}B{{else}}C{{end}}!";
  Tree tree = MustParse(source);
  ASSERT_EQ(tree.root.size(), 2u);
  const Node& outer = tree.root[0];
  EXPECT_EQ(outer.kind, NodeKind::kIf);
  EXPECT_TRUE(outer.has_else);
  EXPECT_TRUE(outer.else_chain);
  EXPECT_EQ(outer.span.Of(source), "{{if .a}}A{{else if .b}}B{{else}}C{{end}}");
  ASSERT_EQ(outer.else_list.size(), 1u);
  const Node& inner = outer.else_list[0];
  EXPECT_EQ(inner.kind, NodeKind::kIf);
  EXPECT_EQ(inner.open.Of(source), "{{else if .b}}");
  EXPECT_EQ(inner.pos.column, 11);
  EXPECT_EQ(inner.pipeline->cmds[0].args[0].fields[0], "b");
  EXPECT_FALSE(inner.else_chain);
  EXPECT_EQ(inner.else_action.Of(source), "{{else}}");
  EXPECT_EQ(inner.else_pos.column, 26);
  EXPECT_EQ(inner.end_action.Of(source), "{{end}}");
  EXPECT_EQ(outer.end_action.Of(source), "{{end}}");
  EXPECT_EQ(Pieces(source, tree), (std::vector<std::string>{"{{if .a}}", "A", "{{else if .b}}", "B",
                                                            "{{else}}", "C", "{{end}}", "!"}));
}

TEST(ParseTemplate, WithElseWith) {
  std::string_view source = "{{with .a}}A{{else with .b}}B{{end}}";
  Tree tree = MustParse(source);
  const Node& outer = tree.root[0];
  EXPECT_EQ(outer.kind, NodeKind::kWith);
  EXPECT_TRUE(outer.else_chain);
  EXPECT_EQ(outer.else_list[0].kind, NodeKind::kWith);
  EXPECT_EQ(ParseError("{{range .a}}{{else if .b}}{{end}}"),
            "1:13: unexpected {{else if}} in {{range}}");
  Tree range = MustParse("{{range .a}}x{{else}}none{{end}}");
  EXPECT_EQ(range.root[0].else_list.size(), 1u);
}

TEST(ParseTemplate, DefineTemplateBlock) {
  std::string_view source =
      "{{- define \"app.name\" -}}\n{{ .Chart.Name }}\n{{- end }}\n"
      "name: {{ template \"app.name\" . }}\n{{ block \"b\" .Values }}x{{ end }}";
  Tree tree = MustParse(source);
  ASSERT_EQ(tree.root.size(), 5u);
  const Node& define = tree.root[0];
  EXPECT_EQ(define.kind, NodeKind::kDefine);
  EXPECT_EQ(define.name, "app.name");
  EXPECT_EQ(define.open.Of(source), "{{- define \"app.name\" -}}");
  EXPECT_EQ(define.list.size(), 3u);
  EXPECT_EQ(define.list[0].span.Of(source), "\n");  // trimmed to nothing by " -}}"
  EXPECT_TRUE(define.list[0].text.empty());
  const Node& call = tree.root[2];
  EXPECT_EQ(call.kind, NodeKind::kTemplate);
  EXPECT_EQ(call.name, "app.name");
  EXPECT_EQ(call.pos.line, 4);
  EXPECT_EQ(call.pos.column, 7);
  ASSERT_TRUE(call.pipeline);
  EXPECT_EQ(call.pipeline->cmds[0].args[0].kind, OperandKind::kDot);
  const Node& block = tree.root[4];
  EXPECT_EQ(block.kind, NodeKind::kBlock);
  EXPECT_EQ(block.name, "b");
  EXPECT_EQ(block.list[0].text.Of(source), "x");
  EXPECT_FALSE(MustParse("{{ template \"x\" }}").root[0].pipeline);
  EXPECT_EQ(ParseError("{{ if 1 }}{{ define \"x\" }}{{ end }}{{ end }}"),
            "1:14: unexpected {{define}}: only at the top level");
  EXPECT_EQ(ParseError("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}"),
            "1:27: multiple definition of template \"a\"");
  // An empty definition neither counts nor replaces.
  EXPECT_EQ(ParseError("{{ define \"a\" }}x{{ end }}{{ define \"a\" }} {{/* c */}} {{ end }}"),
            "ok");
  EXPECT_EQ(ParseError("{{ define x }}{{ end }}"),
            "1:11: unexpected identifier \"x\" in define clause");
  EXPECT_EQ(ParseError("{{ block \"b\" }}{{ end }}"), "1:14: missing value for block clause");
}

TEST(ParseTemplate, BreakAndContinueInsideRange) {
  Tree tree = MustParse("{{range .a}}{{if .}}{{break}}{{end}}{{continue}}{{end}}");
  EXPECT_EQ(tree.root[0].list[0].list[0].kind, NodeKind::kBreak);
  EXPECT_EQ(tree.root[0].list[1].kind, NodeKind::kContinue);
  EXPECT_EQ(ParseError("{{if .}}{{break}}{{end}}"), "1:11: {{break}} outside {{range}}");
  EXPECT_EQ(ParseError("{{range .}}{{continue 1}}{{end}}"),
            "1:23: unexpected number \"1\" in {{continue}}");
}

TEST(ParseTemplate, Comments) {
  std::string_view source = "a\n{{- /* note */ -}}\nb";
  Tree tree = MustParse(source);
  ASSERT_EQ(tree.root.size(), 3u);
  EXPECT_EQ(tree.root[0].text.Of(source), "a");
  EXPECT_EQ(tree.root[1].kind, NodeKind::kComment);
  EXPECT_EQ(tree.root[1].text.Of(source), " note ");
  EXPECT_EQ(tree.root[1].pos.line, 2);
  EXPECT_EQ(tree.root[2].text.Of(source), "b");
  EXPECT_EQ(tree.root[2].text_pos.line, 3);
}

TEST(ParseTemplate, PiecesTileTheInput) {
  std::string_view source =
      "a: {{ if .x -}} \n {{ .y }}{{ else }}{{/* c */}}{{ end }}\n"
      "{{- range .z }}{{ . }}{{ end -}}\n  b";
  Tree tree = MustParse(source);
  uint32_t at = 0;
  ForEachPiece(tree.root, [&](const Piece& piece) {
    EXPECT_EQ(piece.span.begin, at);
    at = piece.span.end;
  });
  EXPECT_EQ(at, source.size());
}

TEST(ParseTemplate, Errors) {
  struct Case {
    std::string_view source;
    std::string_view error;
  } cases[] = {
      {"{{ end }}", "1:1: unexpected {{end}}"},
      {"x\n{{ else }}", "2:1: unexpected {{else}}"},
      {"line\n  {{ if .a }}\nx", "3:2: unclosed {{if}} from 2:3"},
      {"{{ range . }}{{ else }}", "1:24: unclosed {{range}} from 1:1"},
      {"{{ with . }}{{ else }}{{ else }}{{ end }}",
       "1:23: expected {{end}}; found {{else}} in {{with}} from 1:1"},
      {"{{ define \"a\" }}", "1:17: unclosed {{define}} from 1:1"},
      {"{{ define \"a\" }}{{ else }}{{ end }}", "1:17: unexpected {{else}} in {{define}}"},
      {"{{ }}", "1:4: missing value for command"},
      {"{{ if }}{{ end }}", "1:7: missing value for if"},
      {"{{ .a | 1 }}", "1:9: non executable command in pipeline stage 2"},
      {"{{ .a ; }}", "1:7: unexpected character \";\" in operand"},
      {"{{ \"a\".b }}", "1:7: unexpected . after term \"\\\"a\\\"\""},
      {"{{ (1) }}{{ () }}", "1:14: missing value for parenthesized pipeline"},
      {"{{ .a := 1 }}", "1:7: unexpected \":=\" in operand"},
      {"{{ template .x }}", "1:13: unexpected field \".x\" in template clause"},
      {"{{ end 1 }}", "1:8: unexpected number \"1\" in end"},
      {"{{ .a }}{{ if .b }}{{ else }}{{ else if .c }}{{ end }}",
       "1:30: expected {{end}}; found {{else}} in {{if}} from 1:9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    EXPECT_EQ(ParseError(c.source), c.error);
  }
}

TEST(ParseTemplate, ErrorMessagesStayOneLine) {
  std::string message =
      ParseError("{{ `a\nb` `c\nd\ne` }}x{{ .x `long\nraw string over many\nlines` ; }}");
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ParseTemplate, DepthLimit) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{{ if . }}";
  EXPECT_EQ(ParseError(deep, {.max_depth = 512}), "1:5121: nested deeper than 512 levels");
  std::string parens = "{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}";
  EXPECT_EQ(ParseError(parens), "1:516: nested deeper than 512 levels");
  std::string chain = "{{ if . }}";
  for (int i = 0; i < 1000; ++i) chain += "{{ else if . }}";
  chain += "{{ end }}";
  // The 512th {{else if}} is the 513th level: 10 + 511 * 15 bytes in.
  EXPECT_EQ(ParseError(chain), "1:7676: nested deeper than 512 levels");
  std::string ok;
  for (int i = 0; i < 500; ++i) ok += "{{ with . }}(";
  for (int i = 0; i < 500; ++i) ok += "){{ end }}";
  EXPECT_EQ(ParseError(ok), "ok");
}

TEST(ParseTemplate, LinearOnLargeInput) {
  std::string source;
  for (int i = 0; i < 50000; ++i) {
    source +=
        "{{- if .Values.a }}\n  x: {{ include \"a\" (dict \"b\" .c) | nindent 4 }}\n{{- end }}\n";
  }
  base::Result<Tree> tree = ParseTemplate(source);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->root.size(), 100000u);
}

}  // namespace
}  // namespace imagepin::tmpl
