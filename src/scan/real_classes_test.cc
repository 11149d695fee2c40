// The image classes of docs/rules.md ("What counts as an image") on real public files
// (testdata/real-classes, see testdata/SOURCES.md): every image a reader would point to is
// found at its line with its reference, and nothing else is. The truth is
// testdata/real-classes/expected.tsv, written by reading each file (not by running imagepin):
//   imagepin = found   a field at `line` with `reference`
//              alias   reached through an alias: the field at the anchor lists `keyPath`
//              none    not an image: no field at `line`
//              gap     an image imagepin does not find yet (the notes say why): no field there,
//                      so the row must change when the gap is closed
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "scan/scanner.h"

namespace imagepin::scan {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(IMAGEPIN_SOURCE_DIR) / "src/scan/testdata/real-classes";

struct Row {
  std::string file, cls, reference, imagepin, key_path, notes;
  int line = 0;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> parts;
  std::stringstream in(line);
  for (std::string part; std::getline(in, part, '\t');) parts.push_back(part);
  while (parts.size() < 7) parts.emplace_back();
  return parts;
}

std::vector<Row> ReadExpected() {
  std::ifstream in(kDir / "expected.tsv");
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> p = SplitTabs(line);
    rows.push_back({p[0], p[2], p[3], p[4], p[5], p[6], std::stoi(p[1])});
  }
  return rows;
}

struct Scanned {
  std::multimap<int, const ImageField*> by_line;
  FileScan scan;
};

TEST(RealClasses, EveryImageOfEveryClassIsFoundAtItsLineAndNothingElse) {
  std::vector<Row> rows = ReadExpected();
  ASSERT_GE(rows.size(), 90u);
  std::map<std::string, Scanned> files;
  std::map<std::string, int> per_class;
  for (const Row& row : rows) {
    auto [it, inserted] = files.try_emplace(row.file);
    if (!inserted) continue;
    yaml::StreamParser parser;
    it->second.scan = ScanContents(ReadFile(kDir / row.file), row.file, false, &parser);
    ASSERT_EQ(it->second.scan.status, FileStatus::kScanned) << row.file;
    for (const ImageField& f : it->second.scan.fields.images)
      it->second.by_line.emplace(ReferencePosition(f).first, &f);
  }
  std::map<std::string, std::set<int>> expected_lines;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.file + ":" + std::to_string(row.line) + " (" + row.cls + ") " + row.notes);
    const Scanned& s = files[row.file];
    auto [begin, end] = s.by_line.equal_range(row.line);
    expected_lines[row.file].insert(row.line);
    if (row.imagepin == "found") {
      ++per_class[row.cls];
      bool same = false;
      std::string got;
      for (auto i = begin; i != end; ++i) {
        same |= i->second->reference == row.reference;
        got += " " + i->second->reference;
      }
      EXPECT_TRUE(same) << "want " << row.reference << ", got:" << got;
    } else if (row.imagepin == "alias") {
      bool listed = false;
      for (const ImageField& f : s.scan.fields.images) {
        for (const std::string& alias : f.aliases) listed |= alias == row.key_path;
        if (listed) expected_lines[row.file].insert(ReferencePosition(f).first);
      }
      EXPECT_TRUE(listed) << row.key_path << " is not listed beside its anchor";
    } else {
      ASSERT_TRUE(row.imagepin == "none" || row.imagepin == "gap") << row.imagepin;
      EXPECT_EQ(begin, end) << "a field where " << row.imagepin
                            << " is expected: " << begin->second->reference;
    }
  }
  // Precision: every field stands on a line the truth names.
  for (const auto& [file, s] : files) {
    for (const auto& [line, f] : s.by_line) {
      EXPECT_EQ(expected_lines[file].count(line), 1u)
          << file << ":" << line << ": " << f->key_path << " " << f->reference
          << " is not an image the truth names";
    }
  }
  // Each class of the issue has real examples here.
  for (const char* cls : {"nested-split", "loose-split", "argo-kustomize", "images-map",
                          "sibling-tag", "cert-manager-composition", "ko-placeholder"})
    EXPECT_GE(per_class[cls], 1) << cls;
}

TEST(RealClasses, KoPlaceholdersAreTemplatedAndMentionsAreTheirForm) {
  // Tekton passes its images as `"-entrypoint-image", "ko://…"` argument pairs: mentions, and
  // ko:// references are build-time placeholders, listed as templated, never judged.
  yaml::StreamParser parser;
  FileScan scan =
      ScanContents(ReadFile(kDir / "ko-placeholder__tektoncd__pipeline__controller.yaml"),
                   "controller.yaml", false, &parser);
  int ko = 0, pinned = 0;
  for (const ImageField& f : scan.fields.images) {
    bool is_ko = f.reference.starts_with("ko://");
    EXPECT_EQ(f.templated, is_ko) << f.reference;
    ko += is_ko;
    if (f.form == FieldForm::kMention && !is_ko) ++pinned;
  }
  EXPECT_EQ(ko, 5);
  EXPECT_EQ(pinned, 2);  // the busybox and powershell images, pinned by digest
}

}  // namespace
}  // namespace imagepin::scan
