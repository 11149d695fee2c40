// Property: rewriting any image scalar scan finds changes those bytes and nothing else, and the
// file still parses to the same tree with only that value changed. Run over the fixtures in
// testdata/ (as written, with CRLF line endings and with a BOM) and, when it is there, over the
// shared corpus of real-world GitOps YAML.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rewrite/splice.h"
#include "rewrite/test_util.h"

namespace imagepin::rewrite {
namespace {

namespace fs = std::filesystem;

std::vector<yaml::Document> ParseAll(std::string_view source) {
  std::vector<yaml::Document> docs;
  yaml::StreamParser parser;
  yaml::SyntaxError error;
  bool ok = parser.Parse(
      source, [&](const yaml::Document& d) { docs.push_back(d); }, &error);
  EXPECT_TRUE(ok) << error.message << " at " << error.line << ":" << error.column;
  return docs;
}

// One rewritten scalar: its span in `before`, its bytes there and after, and its new value.
struct Change {
  uint32_t end = 0;
  std::string old_text, new_text, value;
};

// The first difference between `before` and `after`, or "" when `after` is `before` with the
// scalars that start at the byte offsets of `changed` (in `before`) now holding the mapped values.
// A change inside a node rather than the whole node (the reference after `old=` in an Argo CD
// kustomize image, a flag's value, a scalar of a manifest embedded in a literal block) changes
// that node's text where it was: old bytes for new bytes, in source order.
std::string Difference(const std::vector<yaml::Document>& before,
                       const std::vector<yaml::Document>& after,
                       const std::map<uint32_t, Change>& changed) {
  if (before.size() != after.size()) return "number of documents";
  size_t seen = 0;
  for (size_t d = 0; d < before.size(); ++d) {
    const yaml::Document &a = before[d], &b = after[d];
    if (a.node_count() != b.node_count()) return "number of nodes";
    for (yaml::NodeId i = 0; i < static_cast<yaml::NodeId>(a.node_count()); ++i) {
      const yaml::Node &x = a.node(i), &y = b.node(i);
      std::string where = "node at line " + std::to_string(x.line + 1);
      if (x.kind != y.kind || x.first_child != y.first_child || x.next_sibling != y.next_sibling ||
          x.alias_target != y.alias_target || a.Anchor(i) != b.Anchor(i)) {
        return where + ": shape";
      }
      bool editable = x.kind == yaml::NodeKind::kScalar && x.end > x.begin;  // not an empty null
      std::string want(a.Value(i));
      if (editable) {
        std::vector<std::pair<uint32_t, const Change*>> inside;
        for (auto c = changed.lower_bound(x.begin); c != changed.end() && c->first < x.end; ++c)
          inside.emplace_back(c->first, &c->second);
        seen += inside.size();
        if (inside.size() == 1 && inside[0].first == x.begin && inside[0].second->end == x.end) {
          want = inside[0].second->value;  // the whole scalar
          inside.clear();
        }
        // Last first, so the text before each edit is still the original's.
        for (auto it = inside.rbegin(); it != inside.rend(); ++it) {
          const std::string& old_text = it->second->old_text;
          // The same text may stand earlier in the node: take the occurrence that the source
          // has before the edit (a literal block keeps each line's text, so they pair up).
          size_t earlier = 0;
          std::string_view source = a.source().substr(x.begin, it->first - x.begin);
          for (size_t p = source.find(old_text); p != std::string_view::npos;
               p = source.find(old_text, p + 1))
            ++earlier;
          size_t at = want.find(old_text);
          for (; earlier > 0 && at != std::string::npos; --earlier)
            at = want.find(old_text, at + 1);
          if (at == std::string::npos) return where + ": edited text not in the node's value";
          want.replace(at, old_text.size(), it->second->new_text);
        }
      }
      if (b.Value(i) != want) {
        return where + ": value `" + std::string(b.Value(i).substr(0, 300)) + "`";
      }
    }
  }
  return seen == changed.size() ? "" : "edited scalar not found";
}

// A valid value different from `old` for each part of an image field. Tags alternate between
// one that stays plain and one a plain scalar would read as a float, so quoting gets exercised.
std::string NewValue(const std::string& part, const std::string& old) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  std::string value;
  if (part == "ref") value = "registry.example.com/imagepin/rewritten:v2@" + digest;
  if (part == "registry") value = "registry.example.com";
  if (part == "repository") value = "imagepin/rewritten";
  if (part == "tag") value = old.size() % 2 ? "1.10" : "v2.0.1-rc.1";
  if (part == "digest") value = digest;
  return value == old ? value + "0" : value;
}

struct Coverage {
  int files = 0;
  int not_scanned = 0;  // templates and files that do not parse
  int fields = 0;
  int scalars = 0;
  int block_scalars = 0;  // block scalars and text of folded or quoted ones: never rewritten
};

// Checks the property for every image scalar of one file, one edit at a time, then all at once.
void CheckFile(const std::string& name, const std::string& contents, Coverage* coverage) {
  SCOPED_TRACE(name);
  yaml::StreamParser parser;
  scan::FileScan scanned = scan::ScanContents(contents, name, false, &parser);
  if (scanned.status != scan::FileStatus::kScanned) {
    ++coverage->not_scanned;
    return;
  }
  ++coverage->files;
  std::vector<yaml::Document> before = ParseAll(contents);
  std::vector<Edit> all;
  std::map<uint32_t, Change> all_changed;
  for (const scan::ImageField& f : scanned.fields.images) {
    ++coverage->fields;
    std::pair<const char*, const scan::Scalar*> parts[] = {{"ref", &f.ref},
                                                           {"registry", &f.registry},
                                                           {"repository", &f.repository},
                                                           {"tag", &f.tag},
                                                           {"digest", &f.digest}};
    for (auto [part, scalar] : parts) {
      if (!scalar->present) continue;
      if (scalar->style == yaml::ScalarStyle::kLiteral ||
          scalar->style == yaml::ScalarStyle::kFolded || !scalar->rewritable) {
        ++coverage->block_scalars;  // RenderLike and ReplaceScalar refuse these by design
        continue;
      }
      SCOPED_TRACE(std::string(part) + " at line " + std::to_string(scalar->line));
      ++coverage->scalars;
      std::string value = NewValue(part, scalar->value);
      Edit edit = testing::EditFor(contents, *scalar, value, name);
      base::Result<std::string> out = Splice(contents, {edit});
      ASSERT_TRUE(out.ok()) << out.error().ToString();
      size_t tail = contents.size() - edit.end;
      ASSERT_EQ(out->compare(0, edit.begin, contents, 0, edit.begin), 0) << "bytes before";
      ASSERT_EQ(out->compare(out->size() - tail, tail, contents, edit.end, tail), 0)
          << "bytes after";
      Change change{edit.end, edit.old_text, edit.new_text, value};
      ASSERT_EQ(Difference(before, ParseAll(*out), {{scalar->begin, change}}), "") << *out;
      if (all_changed.emplace(scalar->begin, change).second) all.push_back(edit);
    }
  }
  base::Result<std::string> out = Splice(contents, all);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(Difference(before, ParseAll(*out), all_changed), "") << "all edits at once";
}

void Print(const char* what, const Coverage& c) {
  std::cout << what << ": " << c.files << " files (" << c.not_scanned << " not scanned), "
            << c.fields << " image fields, " << c.scalars << " scalars rewritten, "
            << c.block_scalars << " block scalars skipped\n";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string WithCrlf(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

TEST(SpliceProperty, RewritingAnImageScalarChangesOnlyThatValueInTheFixtures) {
  Coverage coverage;
  for (const auto& entry : fs::directory_iterator(IMAGEPIN_SOURCE_DIR "/src/rewrite/testdata")) {
    std::string name = entry.path().filename().string();
    std::string contents = ReadFile(entry.path());
    CheckFile(name, contents, &coverage);
    CheckFile(name + " (CRLF)", WithCrlf(contents), &coverage);
    CheckFile(name + " (BOM)", "\xEF\xBB\xBF" + contents, &coverage);
  }
  Print("fixtures", coverage);
  EXPECT_EQ(coverage.not_scanned, 0);
  EXPECT_GE(coverage.files, 15);
  EXPECT_GE(coverage.scalars, 60);
}

TEST(SpliceProperty, RewritingAnImageScalarChangesOnlyThatValueInEmbeddedManifests) {
  // References inside literal blocks and flag values: edits inside a node, not of a whole node.
  Coverage coverage;
  for (const auto& entry :
       fs::directory_iterator(IMAGEPIN_SOURCE_DIR "/src/scan/testdata/real-embedded")) {
    CheckFile(entry.path().filename().string(), ReadFile(entry.path()), &coverage);
  }
  Print("embedded", coverage);
  EXPECT_EQ(coverage.not_scanned, 0);
  EXPECT_GE(coverage.scalars, 15);
}

TEST(SpliceProperty, RewritingAnImageScalarChangesOnlyThatValueInTheSharedCorpus) {
  fs::path corpus = IMAGEPIN_SOURCE_DIR "/../shared/corpus";
  if (!fs::is_directory(corpus)) GTEST_SKIP() << corpus << " is not there";
  Coverage coverage;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    std::string extension = entry.path().extension().string();
    if (!entry.is_regular_file() || (extension != ".yaml" && extension != ".yml")) continue;
    CheckFile(fs::relative(entry.path(), corpus).string(), ReadFile(entry.path()), &coverage);
  }
  Print("corpus", coverage);
  EXPECT_GT(coverage.scalars, 0);
}

}  // namespace
}  // namespace imagepin::rewrite
