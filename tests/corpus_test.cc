// End-to-end test on real-world YAML: runs the imagepin binary's `images --format json` over the
// shared corpus (../shared/corpus: Helm values, manifests, kustomizations copied verbatim from
// public repositories) and checks it against the corpus's ground truth (tests/corpus/truth.tsv):
// it does not crash, finds every image, and reports nothing that is not one. Skipped when the
// corpus is not there: it is not part of this repository.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"

namespace {

namespace fs = std::filesystem;

const std::string kCorpus = IMAGEPIN_SOURCE_DIR "/../shared/corpus";
const std::string kBinary = IMAGEPIN_BINARY;

// A file under a chart's `templates/` (a directory beside a Chart.yaml).
bool IsChartTemplate(const std::string& rel) {
  for (size_t at = rel.find("/templates/"); at != std::string::npos;
       at = rel.find("/templates/", at + 1)) {
    if (fs::exists(fs::path(kCorpus) / rel.substr(0, at) / "Chart.yaml")) return true;
  }
  return rel.starts_with("templates/") && fs::exists(fs::path(kCorpus) / "Chart.yaml");
}

TEST(Corpus, ImagesFindsEveryImageOfTheRealWorldCorpusAndNothingElse) {
  if (!fs::is_directory(kCorpus)) GTEST_SKIP() << kCorpus << " is not there";
  imagepin::testing::CommandResult r = imagepin::testing::RunCommand(
      {kBinary, "images", "--format", "json", "-C", kCorpus, kCorpus});
  // 0: listed; 1: some file could not be read or parsed (named on stderr). 3 would be a crash or
  // an internal error, and a signal gives -1.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << "\n" << r.err;
  nlohmann::json listing = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(listing.is_array()) << r.out.substr(0, 2000);
  // 700 when this test was written; a drop means the extractor lost a form.
  EXPECT_GE(listing.size(), 650u);

  // The truth: tests/corpus/truth.tsv, every image reference of the corpus at the line a
  // reader points to (a string's scalar, a split mapping's key), judged by reading the files
  // (tests/corpus/README.md says how). Every one is reported there, and nothing else is.
  std::set<std::pair<std::string, int>> truth;
  std::ifstream tsv(IMAGEPIN_SOURCE_DIR "/tests/corpus/truth.tsv");
  std::string row;
  std::getline(tsv, row);  // header
  while (std::getline(tsv, row)) {
    size_t tab = row.find('\t');
    truth.emplace(row.substr(0, tab), std::stoi(row.substr(tab + 1)));
  }
  ASSERT_GE(truth.size(), 690u);

  std::set<std::pair<std::string, int>> reported;
  std::vector<std::string> not_images;
  for (const nlohmann::json& f : listing) {
    std::string path = f.at("path").get<std::string>();
    if (IsChartTemplate(path)) continue;  // Go templates: the chart rules judge them
    std::pair<std::string, int> at{path, f.at("line").get<int>()};
    reported.insert(at);
    if (truth.count(at) == 0) {
      not_images.push_back(path + ":" + std::to_string(at.second) + ": " +
                           f.at("keyPath").get<std::string>() + " " +
                           f.at("reference").get<std::string>());
    }
  }
  std::vector<std::string> missed;
  for (const auto& [path, line] : truth) {
    // A file imagepin cannot parse is named on stderr (IP000 for check): never a silent pass,
    // but its lines cannot be found.
    if (r.err.find(path) != std::string::npos) continue;
    if (reported.count({path, line}) == 0) missed.push_back(path + ":" + std::to_string(line));
  }
  auto join = [](const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  };
  EXPECT_TRUE(missed.empty()) << missed.size() << " images not found:\n" << join(missed);
  EXPECT_TRUE(not_images.empty()) << not_images.size() << " fields that are not images:\n"
                                  << join(not_images);
}

}  // namespace
