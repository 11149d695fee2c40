#include "yaml/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "yaml/document.h"
#include "yaml/key_path.h"

namespace imagepin::yaml {
namespace {

const std::string kBom = "\xEF\xBB\xBF";

struct Parsed {
  bool ok = false;
  SyntaxError error;
  std::vector<Document> docs;  // copies; their source() views the caller's string
};

Parsed ParseYaml(std::string_view source) {
  Parsed parsed;
  StreamParser parser;
  parsed.ok = parser.Parse(
      source, [&](const Document& doc) { parsed.docs.push_back(doc); }, &parsed.error);
  return parsed;
}

// Parses `source`, which must be one document, or fails the test.
Document ParseOne(std::string_view source) {
  Parsed parsed = ParseYaml(source);
  EXPECT_TRUE(parsed.ok) << parsed.error.message << " at " << parsed.error.line << ":"
                         << parsed.error.column;
  EXPECT_EQ(parsed.docs.size(), 1u);
  return parsed.docs.empty() ? Document() : parsed.docs.front();
}

// ---------------------------------------------------------------------------------------------
// Scalars: spans, positions and values.

TEST(StreamParser, QuotedAndPlainScalarSpansAreTheOriginalBytes) {
  struct Case {
    std::string name;
    std::string written;  // the scalar as written after "key: "
    ScalarStyle style;
    std::string value;
  } cases[] = {
      {"plain", "nginx:1.27", ScalarStyle::kPlain, "nginx:1.27"},
      {"plain with inner spaces", "a b  c", ScalarStyle::kPlain, "a b  c"},
      {"single quoted", "'ghcr.io/a:b'", ScalarStyle::kSingleQuoted, "ghcr.io/a:b"},
      {"single quoted escape", "'it''s'", ScalarStyle::kSingleQuoted, "it's"},
      {"double quoted", "\"ghcr.io/a:b\"", ScalarStyle::kDoubleQuoted, "ghcr.io/a:b"},
      {"double quoted escapes", R"("a\tb\"c\u00e9")", ScalarStyle::kDoubleQuoted,
       "a\tb\"c\xC3\xA9"},
      {"empty double quoted", "\"\"", ScalarStyle::kDoubleQuoted, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string source = "first: 1\nkey: " + c.written + "  # comment\nlast: 2\n";
    Document doc = ParseOne(source);
    NodeId id = doc.Get(doc.root(), "key");
    ASSERT_NE(id, kNoNode);
    const Node& n = doc.node(id);
    EXPECT_EQ(n.kind, NodeKind::kScalar);
    EXPECT_EQ(n.style, c.style);
    EXPECT_EQ(n.begin, source.find("key: ") + 5);
    EXPECT_EQ(source.substr(n.begin, n.end - n.begin), c.written);
    EXPECT_EQ(doc.Raw(id), c.written);
    EXPECT_EQ(doc.Value(id), c.value);
    EXPECT_EQ(n.line, 1u);
    EXPECT_EQ(n.column, 5u);
  }
}

// One-line plain scalars are not copied (their value is their own text); every other shape is
// copied from libyaml. Either way Value() is the parsed value.
TEST(StreamParser, ScalarValuesAreTheParsedValuesWhateverTheShape) {
  struct Case {
    std::string yaml;
    std::string value;
  };
  const Case cases[] = {
      {"k: plain\n", "plain"},
      {"k: two  words   # comment\n", "two  words"},
      {"k: &a anchored\n", "anchored"},
      {"k: !!str tagged\n", "tagged"},
      {"k: &a !!str both\n", "both"},
      {"k: &a\n  next line\n", "next line"},
      {"k: first\n  second\n", "first second"},
      {"k: first\n\n  third\n", "first\nthird"},
      {"k: first\r\n  second\r\n", "first second"},
      {"first\nsecond\n", "first second"},  // as long as its text, but folded
      {"k: 'it''s'\n", "it's"},
      {"k: \"a\\tb\"\n", "a\tb"},
      {"k: \"\"\n", ""},
      {"k:\n", ""},
      {"k: caf\xC3\xA9 \xE2\x82\xAC"
       "1\n",
       "caf\xC3\xA9 \xE2\x82\xAC"
       "1"},
      {"\xC3\xA9: x\nk: after non-ASCII\n", "after non-ASCII"},
      {kBom + "k: after a BOM\n", "after a BOM"},
      {"k: |\n  line\n", "line\n"},
      {"k: [a b, c]\n", ""},  // checked below: the flow items
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    Document doc = ParseOne(c.yaml);
    NodeId root = doc.root();
    ASSERT_NE(root, kNoNode);
    NodeId v = doc.node(root).kind == NodeKind::kScalar ? root : doc.Get(root, "k");
    ASSERT_NE(v, kNoNode);
    if (doc.node(v).kind == NodeKind::kSequence) {
      NodeId first = doc.node(v).first_child;
      EXPECT_EQ(doc.Value(first), "a b");
      EXPECT_EQ(doc.Value(doc.node(first).next_sibling), "c");
      continue;
    }
    EXPECT_EQ(doc.Value(v), c.value);
  }
}

TEST(StreamParser, LiteralBlockScalarSpanStartsAtTheIndicator) {
  std::string source = "key: |\n  line one\n  line two\nnext: 1\n";
  Document doc = ParseOne(source);
  NodeId id = doc.Get(doc.root(), "key");
  ASSERT_NE(id, kNoNode);
  EXPECT_EQ(doc.node(id).style, ScalarStyle::kLiteral);
  EXPECT_EQ(doc.Value(id), "line one\nline two\n");
  EXPECT_EQ(doc.node(id).begin, 5u);
  EXPECT_EQ(doc.node(id).line, 0u);
  EXPECT_EQ(doc.node(id).column, 5u);
  // The span covers the indicator and the whole body, and stops before the next key.
  std::string_view raw = doc.Raw(id);
  EXPECT_TRUE(raw.starts_with("|\n  line one\n  line two")) << raw;
  EXPECT_LE(doc.node(id).end, source.find("next"));
}

TEST(StreamParser, FoldedBlockScalarSpanStartsAtTheIndicator) {
  std::string source = "key: >-\n  folded\n  text\nnext: 1\n";
  Document doc = ParseOne(source);
  NodeId id = doc.Get(doc.root(), "key");
  ASSERT_NE(id, kNoNode);
  EXPECT_EQ(doc.node(id).style, ScalarStyle::kFolded);
  EXPECT_EQ(doc.Value(id), "folded text");
  EXPECT_EQ(doc.node(id).begin, 5u);
  std::string_view raw = doc.Raw(id);
  EXPECT_TRUE(raw.starts_with(">-\n  folded\n  text")) << raw;
  EXPECT_LE(doc.node(id).end, source.find("next"));
}

TEST(StreamParser, NestedScalarLineAndColumnAreZeroBased) {
  std::string source =
      "apiVersion: apps/v1\n"
      "spec:\n"
      "  containers:\n"
      "    - name: app\n"
      "      image: \"ghcr.io/acme/app:1.0\"\n";
  Document doc = ParseOne(source);
  NodeId spec = doc.Get(doc.root(), "spec");
  NodeId containers = doc.Get(spec, "containers");
  ASSERT_NE(containers, kNoNode);
  ASSERT_EQ(doc.node(containers).kind, NodeKind::kSequence);
  NodeId item = doc.node(containers).first_child;
  ASSERT_NE(item, kNoNode);
  NodeId image = doc.Get(item, "image");
  ASSERT_NE(image, kNoNode);
  EXPECT_EQ(doc.node(image).line, 4u);
  EXPECT_EQ(doc.node(image).column, 13u);
  EXPECT_EQ(doc.node(image).begin, source.find('"'));
  EXPECT_EQ(doc.Raw(image), "\"ghcr.io/acme/app:1.0\"");
  NodeId name = doc.Get(item, "name");
  ASSERT_NE(name, kNoNode);
  EXPECT_EQ(doc.node(name).line, 3u);
  EXPECT_EQ(doc.node(name).column, 12u);
  // The item mapping starts at its first key, after "- ".
  EXPECT_EQ(doc.node(item).line, 3u);
  EXPECT_EQ(doc.node(item).column, 6u);
}

TEST(StreamParser, MappingChildrenAlternateKeyAndValueInOrder) {
  std::string source = "a: 1\nb: [x, y]\nc: 3\n";
  Document doc = ParseOne(source);
  std::vector<std::string> seen;
  for (NodeId id = doc.node(doc.root()).first_child; id != kNoNode;
       id = doc.node(id).next_sibling) {
    seen.push_back(doc.node(id).kind == NodeKind::kScalar ? std::string(doc.Value(id)) : "<seq>");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "1", "b", "<seq>", "c", "3"}));
  NodeId seq = doc.Get(doc.root(), "b");
  ASSERT_NE(seq, kNoNode);
  std::vector<std::string> items;
  for (NodeId id = doc.node(seq).first_child; id != kNoNode; id = doc.node(id).next_sibling) {
    items.emplace_back(doc.Value(id));
  }
  EXPECT_EQ(items, (std::vector<std::string>{"x", "y"}));
}

// ---------------------------------------------------------------------------------------------
// Anchors, tags and aliases.

TEST(StreamParser, AnchorIsNotPartOfTheSpanAndIsNamed) {
  std::string source = "base: &img nginx:1.27\nother: 1\n";
  Document doc = ParseOne(source);
  NodeId id = doc.Get(doc.root(), "base");
  ASSERT_NE(id, kNoNode);
  EXPECT_EQ(doc.Raw(id), "nginx:1.27");
  EXPECT_EQ(doc.node(id).begin, source.find("nginx"));
  EXPECT_EQ(doc.node(id).column, 11u);
  EXPECT_EQ(doc.Anchor(id), "img");
  EXPECT_EQ(doc.Anchor(doc.Get(doc.root(), "other")), "");
}

TEST(StreamParser, AnchorThenValueOnTheNextLine) {
  std::string source = "a: &x\n  value\n";
  Document doc = ParseOne(source);
  NodeId id = doc.Get(doc.root(), "a");
  ASSERT_NE(id, kNoNode);
  EXPECT_EQ(doc.Raw(id), "value");
  EXPECT_EQ(doc.node(id).line, 1u);
  EXPECT_EQ(doc.node(id).column, 2u);
  EXPECT_EQ(doc.Anchor(id), "x");
}

TEST(StreamParser, CommentAfterAnAnchorIsNotPartOfTheSpan) {
  std::string source = "a: &x # shared value\n  value\nb: &m # shared map\n  k: v\n";
  Document doc = ParseOne(source);
  NodeId a = doc.Get(doc.root(), "a");
  ASSERT_NE(a, kNoNode);
  EXPECT_EQ(doc.Raw(a), "value");
  EXPECT_EQ(doc.node(a).begin, source.find("  value") + 2);
  EXPECT_EQ(doc.node(a).line, 1u);
  EXPECT_EQ(doc.node(a).column, 2u);
  NodeId b = doc.Get(doc.root(), "b");
  ASSERT_NE(b, kNoNode);
  EXPECT_EQ(doc.node(b).kind, NodeKind::kMapping);
  EXPECT_EQ(doc.node(b).begin, source.find("k: v"));
  EXPECT_EQ(doc.node(b).line, 3u);
  EXPECT_EQ(doc.node(b).column, 2u);
}

TEST(StreamParser, AnchoredEmptyValueStaysOnItsOwnLine) {
  std::string source = "a: &x\nb: 1\n";
  Document doc = ParseOne(source);
  NodeId a = doc.Get(doc.root(), "a");
  ASSERT_NE(a, kNoNode);
  EXPECT_TRUE(doc.IsNull(a));
  EXPECT_EQ(doc.Anchor(a), "x");
  EXPECT_EQ(doc.node(a).line, 0u);
  EXPECT_EQ(doc.Raw(a), "");
  EXPECT_LT(doc.node(a).begin, source.find('\n') + 1);  // not on the next key's line
}

TEST(StreamParser, AnchorEndsWhereItsNameEnds) {
  // `&a:x value` is anchor `a` on the plain scalar `:x value` (anchor names stop at ':').
  std::string source = "image: &a:x value\n";
  Document doc = ParseOne(source);
  NodeId id = doc.Get(doc.root(), "image");
  ASSERT_NE(id, kNoNode);
  EXPECT_EQ(doc.Anchor(id), "a");
  EXPECT_EQ(doc.Value(id), ":x value");
  EXPECT_EQ(doc.Raw(id), ":x value");
  EXPECT_EQ(doc.node(id).column, 9u);  // 0-based: column 10
}

TEST(StreamParser, PropertyFollowedByAWideLineBreakEndsThere) {
  // NEL, LS and PS are line breaks for libyaml: a tag ends at one, and the node starts after it
  // (found by the splice fuzzer: the span had been that of a later character).
  struct Case {
    std::string name;
    std::string source;
    std::string raw;
  } cases[] = {
      {"tag then LS",
       "!\xE2\x80\xA8"
       "d -",
       "d -"},
      {"tag then NEL, quoted", "k: !!str\xC2\x85 \"v\"\n", "\"v\""},
      {"anchor then PS", "k: &a\xE2\x80\xA9 v\n", "v"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed parsed = ParseYaml(c.source);
    ASSERT_TRUE(parsed.ok) << parsed.error.message;
    const Document& doc = parsed.docs.at(0);
    NodeId id =
        doc.node(doc.root()).kind == NodeKind::kScalar ? doc.root() : doc.Get(doc.root(), "k");
    ASSERT_NE(id, kNoNode);
    EXPECT_EQ(doc.Raw(id), c.raw);
    EXPECT_EQ(doc.node(id).line, 1u);
  }
}

TEST(StreamParser, PropertiesBeforeLoneCarriageReturnsAndALineStartingBomAreSkipped) {
  // libyaml skips a BOM that starts a line as white space, and a lone CR is a line break (found
  // by the splice fuzzer: the span had started at the BOM, taking in the anchor).
  struct Case {
    std::string name;
    std::string source;
    std::string raw;
    uint32_t line, column;
  } cases[] = {
      {"tag, CRs, BOM, anchor", "!\r\r\xEF\xBB\xBF\r&f:d", ":d", 3, 2},
      {"tag, BOM line, anchor", "!\n\xEF\xBB\xBF&f x\n", "x", 1, 4},
      {"tag, lone CR", "!!str\rv\n", "v", 1, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed parsed = ParseYaml(c.source);
    ASSERT_TRUE(parsed.ok) << parsed.error.message;
    const Document& doc = parsed.docs.at(0);
    EXPECT_EQ(doc.Raw(doc.root()), c.raw);
    EXPECT_EQ(doc.node(doc.root()).line, c.line);
    EXPECT_EQ(doc.node(doc.root()).column, c.column);
  }
}

TEST(StreamParser, TagIsNotPartOfTheSpan) {
  struct Case {
    std::string source;
    std::string raw;
    std::string anchor;
    uint32_t column;
  } cases[] = {
      {"a: !!str 123\n", "123", "", 9},
      {"a: !custom 'x'\n", "'x'", "", 11},
      {"a: &n !!str 5\n", "5", "n", 12},
      {"a: !!str &n 5\n", "5", "n", 12},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    Document doc = ParseOne(c.source);
    NodeId id = doc.Get(doc.root(), "a");
    ASSERT_NE(id, kNoNode);
    EXPECT_EQ(doc.Raw(id), c.raw);
    EXPECT_EQ(doc.Anchor(id), c.anchor);
    EXPECT_EQ(doc.node(id).column, c.column);
    EXPECT_EQ(doc.node(id).begin, c.source.size() - 1 - c.raw.size());
  }
}

TEST(StreamParser, AliasPointsAtItsAnchoredNode) {
  std::string source = "base: &img nginx:1.27\nother: *img\n";
  Document doc = ParseOne(source);
  NodeId anchored = doc.Get(doc.root(), "base");
  NodeId alias = doc.Get(doc.root(), "other");
  ASSERT_NE(alias, kNoNode);
  EXPECT_EQ(doc.node(alias).kind, NodeKind::kAlias);
  EXPECT_EQ(doc.node(alias).alias_target, anchored);
  EXPECT_EQ(doc.Value(alias), "img");
  EXPECT_EQ(doc.Raw(alias), "*img");
  EXPECT_EQ(doc.node(alias).line, 1u);
  EXPECT_EQ(doc.node(alias).column, 7u);
  EXPECT_EQ(doc.Resolve(alias), anchored);
  EXPECT_EQ(doc.Resolve(anchored), anchored);
  EXPECT_EQ(doc.Resolve(kNoNode), kNoNode);
}

TEST(StreamParser, AliasToACollectionResolvesToTheCollection) {
  std::string source = "defaults: &d\n  image: a\nsvc:\n  <<: *d\n";
  Document doc = ParseOne(source);
  NodeId defaults = doc.Get(doc.root(), "defaults");
  ASSERT_NE(defaults, kNoNode);
  EXPECT_EQ(doc.node(defaults).kind, NodeKind::kMapping);
  EXPECT_EQ(doc.Anchor(defaults), "d");
  NodeId merge = doc.Get(doc.Get(doc.root(), "svc"), "<<");
  ASSERT_NE(merge, kNoNode);
  EXPECT_EQ(doc.Resolve(merge), defaults);
}

TEST(StreamParser, AliasRefersToTheMostRecentAnchorOfThatName) {
  std::string source = "a: &x one\nb: *x\nc: &x two\nd: *x\n";
  Document doc = ParseOne(source);
  EXPECT_EQ(doc.Resolve(doc.Get(doc.root(), "b")), doc.Get(doc.root(), "a"));
  EXPECT_EQ(doc.Resolve(doc.Get(doc.root(), "d")), doc.Get(doc.root(), "c"));
}

TEST(StreamParser, UndefinedAliasIsAnError) {
  // libyaml's event parser does not check that an alias refers to an anchor (only its document
  // loader does); every loader rejects it, so a file using one must not pass as if it were fine.
  Parsed parsed = ParseYaml("a: 1\nimage: *nope\n");
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error.kind, ErrorKind::kUndefinedAlias);
  EXPECT_EQ(parsed.error.message, "undefined alias *nope");
  EXPECT_EQ(parsed.error.line, 2);
  EXPECT_EQ(parsed.error.column, 8);
}

TEST(StreamParser, AnchorsDoNotCarryOverToTheNextDocument) {
  Parsed parsed = ParseYaml("a: &x 1\n---\nb: *x\n");
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.docs.size(), 1u);  // the first document was delivered
  EXPECT_EQ(parsed.error.kind, ErrorKind::kUndefinedAlias);
  EXPECT_EQ(parsed.error.line, 3);
}

TEST(StreamParser, ManyAnchorsAndAliasesAreLinear) {
  // 100,000 anchors and as many aliases: a linear search per alias took minutes; a map takes
  // milliseconds (the suite's timeout catches a quadratic regression).
  std::string source;
  constexpr int kCount = 100000;
  for (int i = 0; i < kCount; ++i)
    source += "a" + std::to_string(i) + ": &x" + std::to_string(i) + " v\n";
  for (int i = 0; i < kCount; ++i)
    source += "b" + std::to_string(i) + ": *x" + std::to_string(i) + "\n";
  Document doc = ParseOne(source);
  EXPECT_EQ(doc.Resolve(doc.Get(doc.root(), "b123")), doc.Get(doc.root(), "a123"));
}

// ---------------------------------------------------------------------------------------------
// Keys that repeat: loaders keep the last, lookups here the first.

TEST(StreamParser, DuplicateKeyIsAnErrorNamingBothLines) {
  // The gate bypass that was: a pinned ref and IfNotPresent first, then the real values.
  std::string source =
      "image:\n"
      "  ref: ghcr.io/acme/api@sha256:" +
      std::string(64, 'a') +
      "\n"
      "  pullPolicy: IfNotPresent\n"
      "  ref: ghcr.io/acme/api:main\n"
      "  pullPolicy: Always\n";
  Parsed parsed = ParseYaml(source);
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error.kind, ErrorKind::kDuplicateKey);
  EXPECT_EQ(parsed.error.line, 4);
  EXPECT_EQ(parsed.error.column, 3);
  EXPECT_EQ(parsed.error.message,
            "duplicate key \"ref\" (first at line 2, column 3): YAML loaders keep the last one");
}

TEST(StreamParser, DuplicateKeysAreComparedByValueInEveryMappingShape) {
  struct Case {
    std::string name;
    std::string source;
    int line;
  } cases[] = {
      {"quoted and plain", "a: 1\n\"a\": 2\n", 2},
      {"flow mapping", "m: {x: 1, y: 2, x: 3}\n", 1},
      {"in a list item", "l:\n  - k: 1\n    k: 2\n", 3},
      {"merge key twice", "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n", 4},
      {"in the second document", "a: 1\n---\nb: 1\nb: 2\n", 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed parsed = ParseYaml(c.source);
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error.kind, ErrorKind::kDuplicateKey) << parsed.error.message;
    EXPECT_EQ(parsed.error.line, c.line);
  }
}

TEST(StreamParser, DuplicateKeyInALargeMappingIsFoundInOrder) {
  // Past the pairwise size the keys are sorted; the repeat reported is still the first one.
  std::string source;
  for (int i = 0; i < 100; ++i) source += "k" + std::to_string(i) + ": v\n";
  source += "k7: again\nk3: again\n";
  Parsed parsed = ParseYaml(source);
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error.line, 101);
  EXPECT_NE(parsed.error.message.find("\"k7\" (first at line 8"), std::string::npos)
      << parsed.error.message;
}

TEST(StreamParser, EqualKeysInDifferentMappingsAndMergeOverridesAreFine) {
  Document doc =
      ParseOne("a: {x: 1}\nb: {x: 2}\nbase: &base {x: 1, y: 2}\nover:\n  <<: *base\n  x: 3\n");
  EXPECT_NE(doc.Get(doc.root(), "over"), kNoNode);
}

// ---------------------------------------------------------------------------------------------
// Limits: deep nesting is an error, never a stack overflow.

TEST(StreamParser, NestingPastTheLimitIsAnErrorAtItsLine) {
  struct Case {
    std::string name;
    std::string source;
  } cases[] = {
      {"block sequences, 60,000 deep",
       [] {
         std::string s;
         for (int i = 0; i < 60000; ++i) s += "- ";
         return s + "x\n";
       }()},
      {"flow sequences, 100,000 deep", std::string(100000, '[') + std::string(100000, ']')},
      {"flow mappings, 100,000 deep",
       [] {
         std::string s;
         for (int i = 0; i < 100000; ++i) s += "{a: ";
         return s + "x" + std::string(100000, '}');
       }()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed parsed = ParseYaml(c.source);
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error.kind, ErrorKind::kTooDeep) << parsed.error.message;
    EXPECT_EQ(parsed.error.message, "nesting deeper than 256 levels (scope.maxDepth)");
    EXPECT_EQ(parsed.error.line, 1);
  }
}

TEST(StreamParser, NestingUpToTheLimitParses) {
  ParseLimits limits;
  limits.max_depth = 10;
  StreamParser parser(limits);
  SyntaxError error;
  auto parse = [&](int depth) {
    std::string s = std::string(static_cast<size_t>(depth), '[') + "x" +
                    std::string(static_cast<size_t>(depth), ']');
    return parser.Parse(
        s, [](const Document&) {}, &error);
  };
  EXPECT_TRUE(parse(10)) << error.message;
  EXPECT_FALSE(parse(11));
  EXPECT_EQ(error.message, "nesting deeper than 10 levels (scope.maxDepth)");
  EXPECT_EQ(error.column, 11);
}

// ---------------------------------------------------------------------------------------------
// Streams and documents.

TEST(StreamParser, MultiDocumentStreamCountsEmptyDocuments) {
  std::string source = "a: 1\n---\n---\nc: 3\n";
  Parsed parsed = ParseYaml(source);
  ASSERT_TRUE(parsed.ok) << parsed.error.message;
  ASSERT_EQ(parsed.docs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(parsed.docs[static_cast<size_t>(i)].index(), i);
    EXPECT_EQ(parsed.docs[static_cast<size_t>(i)].source(), source);
  }
  EXPECT_NE(parsed.docs[0].Get(parsed.docs[0].root(), "a"), kNoNode);
  // libyaml gives an empty document an empty plain scalar as its root: a null.
  EXPECT_TRUE(parsed.docs[1].IsNull(parsed.docs[1].root()));
  const Document& third = parsed.docs[2];
  EXPECT_EQ(third.Get(third.root(), "a"), kNoNode);
  NodeId c = third.Get(third.root(), "c");
  ASSERT_NE(c, kNoNode);
  EXPECT_EQ(third.node(c).line, 3u);
  EXPECT_EQ(third.node(c).begin, source.find("3"));
  EXPECT_EQ(third.Raw(c), "3");
}

TEST(StreamParser, LeadingDocumentStartMarker) {
  std::string source = "---\na: 1\n";
  Document doc = ParseOne(source);
  EXPECT_EQ(doc.index(), 0);
  NodeId a = doc.Get(doc.root(), "a");
  ASSERT_NE(a, kNoNode);
  EXPECT_EQ(doc.node(a).line, 1u);
  EXPECT_EQ(doc.node(a).begin, 7u);
}

TEST(StreamParser, FilesWithoutContentHaveNoDocuments) {
  for (std::string source : {std::string(), std::string("# only a comment\n# and another\n"),
                             std::string("\n\n  \n"), kBom, kBom + "# comment\r\n"}) {
    SCOPED_TRACE(source);
    Parsed parsed = ParseYaml(source);
    EXPECT_TRUE(parsed.ok) << parsed.error.message;
    EXPECT_EQ(parsed.docs.size(), 0u);
  }
}

TEST(StreamParser, ParserIsReusableAcrossFiles) {
  StreamParser parser;
  SyntaxError error;
  std::string first = "a: 1\nb: [x, y, z]\n---\nc: 1\n";
  std::string second = "only: here\n";
  int calls = 0;
  ASSERT_TRUE(parser.Parse(
      first, [&](const Document&) { ++calls; }, &error));
  EXPECT_EQ(calls, 2);
  std::vector<Document> docs;
  ASSERT_TRUE(parser.Parse(
      second, [&](const Document& d) { docs.push_back(d); }, &error));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].index(), 0);
  EXPECT_EQ(docs[0].node_count(), 3u);  // mapping, key, value: nothing left from `first`
  EXPECT_EQ(docs[0].source(), second);
  EXPECT_EQ(docs[0].Value(docs[0].Get(docs[0].root(), "only")), "here");
}

// ---------------------------------------------------------------------------------------------
// Line endings, BOM and non-ASCII text.

TEST(StreamParser, CrlfSpansAreByteExact) {
  std::string source = "a: 1\r\nb: 'two'\r\nimage: \"ghcr.io/x:1\"\r\nd: plain\r\n";
  Document doc = ParseOne(source);
  NodeId image = doc.Get(doc.root(), "image");
  ASSERT_NE(image, kNoNode);
  EXPECT_EQ(doc.node(image).line, 2u);
  EXPECT_EQ(doc.node(image).column, 7u);
  EXPECT_EQ(doc.node(image).begin, source.find('"'));
  EXPECT_EQ(doc.Raw(image), "\"ghcr.io/x:1\"");
  NodeId d = doc.Get(doc.root(), "d");
  ASSERT_NE(d, kNoNode);
  EXPECT_EQ(doc.Raw(d), "plain");  // no '\r'
  EXPECT_EQ(doc.Value(d), "plain");
  EXPECT_EQ(doc.node(d).line, 3u);
  EXPECT_EQ(doc.Raw(doc.Get(doc.root(), "b")), "'two'");
}

TEST(StreamParser, BomIsSkippedForSpansAndColumns) {
  std::string source = kBom + "image: nginx\nnext: 'x'\n";
  Document doc = ParseOne(source);
  EXPECT_EQ(doc.source(), source);
  NodeId key = doc.node(doc.root()).first_child;
  ASSERT_NE(key, kNoNode);
  EXPECT_EQ(doc.Value(key), "image");
  EXPECT_EQ(doc.node(key).begin, 3u);
  EXPECT_EQ(doc.node(key).column, 0u);
  NodeId image = doc.Get(doc.root(), "image");
  ASSERT_NE(image, kNoNode);
  EXPECT_EQ(doc.Raw(image), "nginx");
  EXPECT_EQ(doc.node(image).begin, 10u);
  EXPECT_EQ(doc.node(image).column, 7u);
  NodeId next = doc.Get(doc.root(), "next");
  ASSERT_NE(next, kNoNode);
  EXPECT_EQ(doc.Raw(next), "'x'");
  EXPECT_EQ(doc.node(next).column, 6u);
}

TEST(StreamParser, BomBeforeDocumentStartMarker) {
  std::string source = kBom + "---\na: b\n---\nc: d\n";
  Parsed parsed = ParseYaml(source);
  ASSERT_TRUE(parsed.ok) << parsed.error.message << " at " << parsed.error.line << ":"
                         << parsed.error.column;
  ASSERT_EQ(parsed.docs.size(), 2u);
  const Document& first = parsed.docs[0];
  NodeId b = first.Get(first.root(), "a");
  ASSERT_NE(b, kNoNode);
  EXPECT_EQ(first.Raw(b), "b");
  EXPECT_EQ(first.node(b).begin, 10u);
  EXPECT_EQ(first.node(b).line, 1u);
}

TEST(StreamParser, NonAsciiBeforeAScalarOnTheSameLine) {
  std::string source =
      "名前: \"ghcr.io/é:1\"  # ü\n"
      "😀: x\n"
      "é: 中文\n";
  Document doc = ParseOne(source);
  NodeId name = doc.Get(doc.root(), "名前");
  ASSERT_NE(name, kNoNode);
  EXPECT_EQ(doc.node(name).begin, source.find('"'));
  EXPECT_EQ(doc.node(name).column, 4u);  // characters, not bytes
  EXPECT_EQ(doc.Raw(name), "\"ghcr.io/é:1\"");
  EXPECT_EQ(doc.Value(name), "ghcr.io/é:1");
  NodeId x = doc.Get(doc.root(), "😀");
  ASSERT_NE(x, kNoNode);
  EXPECT_EQ(doc.node(x).begin, source.find("😀") + 6);
  EXPECT_EQ(doc.node(x).line, 1u);
  EXPECT_EQ(doc.node(x).column, 3u);
  EXPECT_EQ(doc.Raw(x), "x");
  NodeId cjk = doc.Get(doc.root(), "é");
  ASSERT_NE(cjk, kNoNode);
  EXPECT_EQ(doc.node(cjk).begin, source.find("中文"));
  EXPECT_EQ(doc.node(cjk).column, 3u);
  EXPECT_EQ(doc.Raw(cjk), "中文");
}

TEST(StreamParser, NonAsciiBeyondTheFirstCheckpoint) {
  // More than 64 multi-byte characters before the scalar, so the byte offset comes from a
  // later SourceMap checkpoint.
  std::string filler;
  for (int i = 0; i < 100; ++i) filler += "ü";
  std::string source = "comment: " + filler + "\nimage: 'ghcr.io/a:b'\n";
  Document doc = ParseOne(source);
  NodeId image = doc.Get(doc.root(), "image");
  ASSERT_NE(image, kNoNode);
  EXPECT_EQ(doc.node(image).begin, source.find('\''));
  EXPECT_EQ(doc.Raw(image), "'ghcr.io/a:b'");
}

TEST(StreamParser, FlowCollectionsAreMarkedAndSpansExact) {
  std::string source = "{a: b, c: [d, \"e\"]}\n";
  Document doc = ParseOne(source);
  NodeId root = doc.root();
  ASSERT_NE(root, kNoNode);
  EXPECT_EQ(doc.node(root).kind, NodeKind::kMapping);
  EXPECT_TRUE(doc.node(root).flow);
  EXPECT_EQ(doc.node(root).begin, 0u);
  NodeId b = doc.Get(root, "a");
  ASSERT_NE(b, kNoNode);
  EXPECT_EQ(doc.Raw(b), "b");
  EXPECT_EQ(doc.node(b).begin, 4u);
  EXPECT_EQ(doc.node(b).column, 4u);
  NodeId seq = doc.Get(root, "c");
  ASSERT_NE(seq, kNoNode);
  EXPECT_EQ(doc.node(seq).kind, NodeKind::kSequence);
  EXPECT_TRUE(doc.node(seq).flow);
  EXPECT_EQ(doc.node(seq).begin, source.find('['));
  NodeId d = doc.node(seq).first_child;
  ASSERT_NE(d, kNoNode);
  EXPECT_EQ(doc.Raw(d), "d");
  EXPECT_EQ(doc.node(d).begin, source.find('d'));
  NodeId e = doc.node(d).next_sibling;
  ASSERT_NE(e, kNoNode);
  EXPECT_EQ(doc.Raw(e), "\"e\"");
  EXPECT_EQ(doc.node(e).begin, source.find('"'));
  EXPECT_EQ(doc.node(e).next_sibling, kNoNode);
}

TEST(StreamParser, BlockCollectionsAreNotFlow) {
  Document doc = ParseOne("a:\n  - b\n");
  EXPECT_FALSE(doc.node(doc.root()).flow);
  NodeId seq = doc.Get(doc.root(), "a");
  ASSERT_NE(seq, kNoNode);
  EXPECT_EQ(doc.node(seq).kind, NodeKind::kSequence);
  EXPECT_FALSE(doc.node(seq).flow);
}

// ---------------------------------------------------------------------------------------------
// Syntax errors.

TEST(StreamParser, BadIndentationIsASyntaxErrorWithItsPosition) {
  std::string source = "a: 1\n---\nb:\n  c: 1\n d: 2\n";
  Parsed parsed = ParseYaml(source);
  EXPECT_FALSE(parsed.ok);
  EXPECT_FALSE(parsed.error.message.empty());
  EXPECT_EQ(parsed.error.line, 5);
  EXPECT_EQ(parsed.error.column, 2);
  // The document before the error was delivered, the broken one was not.
  ASSERT_EQ(parsed.docs.size(), 1u);
  EXPECT_EQ(parsed.docs[0].index(), 0);
  EXPECT_NE(parsed.docs[0].Get(parsed.docs[0].root(), "a"), kNoNode);
}

TEST(StreamParser, UnclosedQuoteIsASyntaxError) {
  std::string source = "a: 1\nb: \"unclosed\nc: 2\n";
  Parsed parsed = ParseYaml(source);
  EXPECT_FALSE(parsed.ok);
  EXPECT_NE(parsed.error.message.find("quoted scalar"), std::string::npos) << parsed.error.message;
  // libyaml notices at the end of the stream, where the closing quote is missing.
  EXPECT_EQ(parsed.error.line, 4);
  EXPECT_EQ(parsed.error.column, 1);
  EXPECT_TRUE(parsed.docs.empty());
}

TEST(StreamParser, SyntaxErrorColumnCountsCharacters) {
  struct Case {
    std::string name;
    std::string source;
    int line;
    int column;
  } cases[] = {
      {"ascii", "a: b: c\n", 1, 5},
      {"non-ascii key", "é中: b: c\n", 1, 6},
      {"after a bom", kBom + "a: b: c\n", 1, 5},
      {"second line after a bom", kBom + "x: 1\na: b: c\n", 2, 5},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed parsed = ParseYaml(c.source);
    EXPECT_FALSE(parsed.ok);
    EXPECT_NE(parsed.error.message.find("mapping values are not allowed"), std::string::npos)
        << parsed.error.message;
    EXPECT_EQ(parsed.error.line, c.line);
    EXPECT_EQ(parsed.error.column, c.column);
  }
}

TEST(StreamParser, InvalidUtf8IsAnErrorSayingSo) {
  struct Case {
    std::string name;
    std::string source;
    int line;
    int column;
  } cases[] = {
      {"lone 0xff", "a: \xff\n", 1, 4},
      // The position is that of the byte that breaks the sequence: '(' after a lead byte.
      {"bad continuation on line 2", "a: b\nc: \xc3\x28\n", 2, 5},
      {"after non-ascii", "é: \xff\n", 1, 4},
      {"after a bom", kBom + "a: \xff\n", 1, 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed parsed = ParseYaml(c.source);
    EXPECT_FALSE(parsed.ok);
    EXPECT_NE(parsed.error.message.find("UTF-8"), std::string::npos) << parsed.error.message;
    EXPECT_EQ(parsed.error.kind, ErrorKind::kEncoding);
    EXPECT_EQ(parsed.error.line, c.line);
    EXPECT_EQ(parsed.error.column, c.column);
  }
}

TEST(StreamParser, ControlCharacterIsNamedNotCalledInvalidUtf8) {
  Parsed parsed = ParseYaml("a: 1\nb: x\x1b[31my\n");
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error.kind, ErrorKind::kEncoding);
  EXPECT_EQ(parsed.error.message.find("UTF-8"), std::string::npos) << parsed.error.message;
  EXPECT_NE(parsed.error.message.find("U+001B is not allowed in YAML"), std::string::npos)
      << parsed.error.message;
  EXPECT_EQ(parsed.error.line, 2);
  EXPECT_EQ(parsed.error.column, 5);
}

// ---------------------------------------------------------------------------------------------
// Document helpers.

TEST(Document, GetFindsTheValueForAKey) {
  std::string source = "a: 1\n\"b\": two\nc: {d: 4}\nlist: [a]\n";
  Document doc = ParseOne(source);
  NodeId root = doc.root();
  ASSERT_NE(doc.Get(root, "a"), kNoNode);
  EXPECT_EQ(doc.Value(doc.Get(root, "a")), "1");
  EXPECT_EQ(doc.Value(doc.Get(root, "b")), "two");  // a quoted key matches by its value
  EXPECT_EQ(doc.Value(doc.Get(doc.Get(root, "c"), "d")), "4");
  EXPECT_EQ(doc.Get(root, "missing"), kNoNode);
  EXPECT_EQ(doc.Get(root, "two"), kNoNode);                 // values are not keys
  EXPECT_EQ(doc.Get(root, "d"), kNoNode);                   // not a deep search
  EXPECT_EQ(doc.Get(doc.Get(root, "list"), "a"), kNoNode);  // not a mapping
  EXPECT_EQ(doc.Get(doc.Get(root, "a"), "a"), kNoNode);     // a scalar
  EXPECT_EQ(doc.Get(kNoNode, "a"), kNoNode);
}

TEST(Document, GetDoesNotFollowMergeKeys) {
  std::string source = "base: &b\n  image: x\nsvc:\n  <<: *b\n";
  Document doc = ParseOne(source);
  NodeId svc = doc.Get(doc.root(), "svc");
  ASSERT_NE(svc, kNoNode);
  EXPECT_EQ(doc.Get(svc, "image"), kNoNode);
  EXPECT_NE(doc.Get(svc, "<<"), kNoNode);
}

TEST(Document, IsNullForPlainNullSpellingsOnly) {
  struct Case {
    std::string value;  // as written after "a:"
    bool null;
  } cases[] = {
      {" ~", true},       {" null", true},      {" Null", true},  {" NULL", true},
      {"", true},         {" # comment", true}, {" \"\"", false}, {" ''", false},
      {" 'null'", false}, {" \"~\"", false},    {" nul", false},  {" nulls", false},
      {" 0", false},      {" [x]", false},      {" {}", false},   {" |\n  text", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("a:" + c.value);
    std::string source = "a:" + c.value + "\n";
    Document doc = ParseOne(source);
    NodeId a = doc.Get(doc.root(), "a");
    ASSERT_NE(a, kNoNode);
    EXPECT_EQ(doc.IsNull(a), c.null);
  }
  Document doc = ParseOne("a: 1\n");
  EXPECT_TRUE(doc.IsNull(kNoNode));
}

TEST(Document, LineAtGivesTheWholeLineWithoutItsBreak) {
  std::string source = "first: 1\nsecond: two\nlast: 3";  // no final line break
  Document doc = ParseOne(source);
  struct Case {
    uint32_t offset;
    std::string_view line;
  } cases[] = {
      {0, "first: 1"},
      {4, "first: 1"},
      {8, "first: 1"},  // the '\n' itself belongs to the line it ends
      {9, "second: two"},
      {17, "second: two"},
      {static_cast<uint32_t>(source.size() - 1), "last: 3"},
      {static_cast<uint32_t>(source.size()), "last: 3"},
      {static_cast<uint32_t>(source.size() + 100), "last: 3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.offset);
    EXPECT_EQ(doc.LineAt(c.offset), c.line);
  }
}

TEST(SplitLines, CountsLinesAsLibyamlDoes) {
  // LF, CRLF, a lone CR, NEL, LS and PS each end a line; a final break starts none; a BOM goes.
  std::string source = kBom +
                       "a\nb\r\nc\rd\xC2\x85"
                       "e\xE2\x80\xA8"
                       "f\xE2\x80\xA9"
                       "g\n";
  EXPECT_EQ(SplitLines(source), (std::vector<std::string_view>{"a", "b", "c", "d", "e", "f", "g"}));
  EXPECT_EQ(SplitLines("x\n\ny"), (std::vector<std::string_view>{"x", "", "y"}));
  EXPECT_TRUE(SplitLines("").empty());
  // The same numbering as LineNumbered.
  for (int n = 1; n <= 7; ++n) EXPECT_EQ(SplitLines(source)[n - 1], LineNumbered(source, n));
}

TEST(Document, LineAtStripsCarriageReturnAndBom) {
  std::string source = kBom + "a: 1\r\nimage: x\r\n";
  Document doc = ParseOne(source);
  EXPECT_EQ(doc.LineAt(3), "a: 1");
  EXPECT_EQ(doc.LineAt(0), "a: 1");
  NodeId x = doc.Get(doc.root(), "image");
  ASSERT_NE(x, kNoNode);
  EXPECT_EQ(doc.LineAt(doc.node(x).begin), "image: x");
  EXPECT_EQ(doc.LineAt(static_cast<uint32_t>(source.find('\r'))), "a: 1");
}

TEST(Document, LineAtBreaksLinesAsLibyamlCountsThem) {
  // A lone CR, NEL, LS and PS end lines for libyaml (its line numbers count them), so the line
  // shown beside a position must end there too, not run on to the next LF or the end of file.
  std::string source =
      "a: 1\rimage: x:main\rb: 2\xC2\x85"
      "c: 3\xE2\x80\xA8"
      "d: 4\r\ne: 5";
  struct Case {
    std::string_view at;
    std::string_view line;
    int number;
  } cases[] = {
      {"a: 1", "a: 1", 1}, {"x:main", "image: x:main", 2},
      {"b: 2", "b: 2", 3}, {"c: 3", "c: 3", 4},
      {"d: 4", "d: 4", 5}, {"e: 5", "e: 5", 6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.at);
    EXPECT_EQ(LineAt(source, source.find(c.at)), c.line);
    EXPECT_EQ(LineNumbered(source, c.number), c.line);
  }
  EXPECT_EQ(LineNumbered(source, 7), "");
}

TEST(Document, LineAtOfAnEmptyLine) {
  std::string source = "a: 1\n\nb: 2\n";
  Document doc = ParseOne(source);
  EXPECT_EQ(doc.LineAt(5), "");
  EXPECT_EQ(doc.LineAt(6), "b: 2");
}

// ---------------------------------------------------------------------------------------------
// LooksLikeUtf8Text.

TEST(LooksLikeUtf8Text, RejectsUtf16AndNulBytes) {
  struct Case {
    std::string name;
    std::string source;
    bool utf8;
  } cases[] = {
      {"ascii", "a: b\n", true},
      {"empty", "", true},
      {"utf-8 text", "é: 中\n", true},
      {"utf-8 bom", kBom + "a: b\n", true},
      {"utf-16 le bom",
       std::string("\xFF\xFE"
                   "a\0:\0",
                   6),
       false},
      {"utf-16 be bom", std::string("\xFE\xFF\0a\0:", 6), false},
      {"utf-32 le bom", std::string("\xFF\xFE\0\0", 4), false},
      {"utf-16 without bom", std::string("a\0:\0 \0b\0", 8), false},
      {"nul byte", std::string("a: b\0c\n", 7), false},
      {"single 0xff", "\xFF", true},  // too short for a BOM; the parser rejects it as UTF-8
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(LooksLikeUtf8Text(c.source), c.utf8);
  }
}

TEST(LooksLikeUtf8Text, LooksForNulOnlyInTheFirst8KiB) {
  std::string early(8192, 'a');
  early[8191] = '\0';
  EXPECT_FALSE(LooksLikeUtf8Text(early));
  std::string late(9000, 'a');
  late[8192] = '\0';
  EXPECT_TRUE(LooksLikeUtf8Text(late));
}

// ---------------------------------------------------------------------------------------------
// KeyPath.

TEST(KeyPath, FormatsKeysAndIndexes) {
  KeyPath path;
  EXPECT_EQ(path.str(), "");
  EXPECT_EQ(path.depth(), 0u);
  path.PushKey("a");
  path.PushKey("b");
  path.PushIndex(0);
  path.PushKey("c");
  EXPECT_EQ(path.str(), "a.b[0].c");
  EXPECT_EQ(path.depth(), 4u);
}

TEST(KeyPath, IndexAtTheRootAndNestedIndexes) {
  KeyPath path;
  path.PushIndex(2);
  path.PushIndex(10);
  path.PushKey("image");
  EXPECT_EQ(path.str(), "[2][10].image");
}

TEST(KeyPath, QuotesKeysThatAreNotIdentifiers) {
  struct Case {
    std::string key;
    std::string text;  // after PushKey("data"), PushKey(key)
  } cases[] = {
      {"config.yaml", R"(data["config.yaml"])"},
      {"k.e.y", R"(data["k.e.y"])"},
      {"with space", R"(data["with space"])"},
      {"", R"(data[""])"},
      {"1abc", R"(data["1abc"])"},
      {"-x", R"(data["-x"])"},
      {"say \"hi\"", R"(data["say \"hi\""])"},
      {"a[0]", R"(data["a[0]"])"},
      {"名前", "data[\"名前\"]"},
      {"app-name", "data.app-name"},
      {"_private", "data._private"},
      {"Image2", "data.Image2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    KeyPath path;
    path.PushKey("data");
    path.PushKey(c.key);
    EXPECT_EQ(path.str(), c.text);
  }
  KeyPath first;
  first.PushKey("k.e.y");
  first.PushKey("b");
  EXPECT_EQ(first.str(), R"(["k.e.y"].b)");
}

TEST(KeyPath, PopRestoresThePreviousPath) {
  KeyPath path;
  path.PushKey("spec");
  path.PushKey("containers");
  path.PushIndex(1);
  path.PushKey("image");
  ASSERT_EQ(path.str(), "spec.containers[1].image");
  path.Pop();
  EXPECT_EQ(path.str(), "spec.containers[1]");
  EXPECT_EQ(path.depth(), 3u);
  path.Pop();
  EXPECT_EQ(path.str(), "spec.containers");
  path.PushKey("odd.key");
  EXPECT_EQ(path.str(), R"(spec.containers["odd.key"])");
  path.Pop();
  EXPECT_EQ(path.str(), "spec.containers");
  path.Pop();
  path.Pop();
  EXPECT_EQ(path.str(), "");
  EXPECT_EQ(path.depth(), 0u);
  path.PushKey("again");
  EXPECT_EQ(path.str(), "again");
}

TEST(KeyPath, JoinKeyPathAppendsOneKey) {
  struct Case {
    std::string base;
    std::string key;
    std::string text;
  } cases[] = {
      {"", "image", "image"},
      {"spec", "image", "spec.image"},
      {"a[0]", "b", "a[0].b"},
      {"data", "config.yaml", R"(data["config.yaml"])"},
      {"", "config.yaml", R"(["config.yaml"])"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.base + " + " + c.key);
    EXPECT_EQ(JoinKeyPath(c.base, c.key), c.text);
  }
}

}  // namespace
}  // namespace imagepin::yaml
