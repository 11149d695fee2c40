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

// The first difference between `before` and `after`, or "" when `after` is `before` with the
// scalars that start at the byte offsets of `changed` (in `before`) now holding the mapped values.
std::string Difference(const std::vector<yaml::Document>& before,
                       const std::vector<yaml::Document>& after,
                       const std::map<uint32_t, std::string>& changed) {
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
      auto edit = editable ? changed.find(x.begin) : changed.end();
      std::string_view want = edit != changed.end() ? edit->second : a.Value(i);
      if (b.Value(i) != want) return where + ": value `" + std::string(b.Value(i)) + "`";
      seen += edit != changed.end();
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
  int block_scalars = 0;  // RenderLike refuses these by design
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
  std::map<uint32_t, std::string> all_changed;
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
          scalar->style == yaml::ScalarStyle::kFolded) {
        ++coverage->block_scalars;
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
      ASSERT_EQ(Difference(before, ParseAll(*out), {{scalar->begin, value}}), "") << *out;
      if (all_changed.emplace(scalar->begin, value).second) all.push_back(edit);
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
