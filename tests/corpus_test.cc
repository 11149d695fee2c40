// End-to-end test on real-world YAML: runs the imagepin binary's `images --format json` over the
// shared corpus (../shared/corpus: Helm values, manifests, kustomizations copied verbatim from
// public repositories) and checks that it neither crashes nor misses the obvious image lines.
// Skipped when the corpus is not there: it is not part of this repository.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"

namespace {

namespace fs = std::filesystem;

const std::string kCorpus = IMAGEPIN_SOURCE_DIR "/../shared/corpus";
const std::string kBinary = IMAGEPIN_BINARY;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Field {
  int line = 0;
  std::string form;
  std::string reference;
};

// The corpus's *.yaml / *.yml files, relative to it, outside chart `templates/` directories
// (Go templates, which imagepin skips).
std::vector<std::string> CorpusYamlFiles() {
  std::vector<std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(kCorpus)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    if (ext != ".yaml" && ext != ".yml") continue;
    std::string rel = fs::relative(e.path(), kCorpus).generic_string();
    if (("/" + rel).find("/templates/") != std::string::npos) continue;
    files.push_back(rel);
  }
  return files;
}

TEST(Corpus, ImagesFindsEveryImageLineOfTheRealWorldCorpus) {
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

  std::map<std::string, std::vector<Field>> fields;  // by path
  for (const nlohmann::json& f : listing) {
    fields[f.at("path").get<std::string>()].push_back({f.at("line").get<int>(),
                                                       f.at("form").get<std::string>(),
                                                       f.at("reference").get<std::string>()});
  }

  // `image: <something>` on its own line, as a key or as a list item's first key. The value
  // must be a scalar written there: not an alias (reported at its anchor) and not a comment
  // (`image: #@ ytt expression` is an empty value).
  const std::regex image_line(R"(^\s*(-\s*)?image:\s*(\S.*)$)");
  int checked = 0;
  std::vector<std::string> missed;
  for (const std::string& rel : CorpusYamlFiles()) {
    // Files imagepin could not parse are named on stderr; their lines cannot be covered.
    if (r.err.find(rel) != std::string::npos) continue;
    std::istringstream text(ReadAll(fs::path(kCorpus) / rel));
    std::string line;
    for (int number = 1; std::getline(text, line); ++number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::smatch m;
      if (!std::regex_match(line, m, image_line)) continue;
      std::string value = m[2].str();
      if (value[0] == '*' || value[0] == '#') continue;
      ++checked;
      // Covered: a field reported on this line (string, ref and container forms point at the
      // reference, split forms at their `image:` key), or an earlier split field of the file
      // that this `image:` is a part of (ingress-nginx nests `image: ingress-nginx/controller`
      // as the repository of a split mapping).
      std::string bare = value.substr(0, value.find(" #"));
      while (!bare.empty() && (bare.back() == ' ' || bare.back() == '\t')) bare.pop_back();
      if (bare.size() >= 2 && (bare[0] == '"' || bare[0] == '\'') && bare.back() == bare[0])
        bare = bare.substr(1, bare.size() - 2);
      bool covered = false;
      for (const Field& f : fields[rel]) {
        if (f.line == number ||
            (f.form == "split" && f.line < number && f.reference.find(bare) != std::string::npos))
          covered = true;
      }
      if (!covered) missed.push_back(rel + ":" + std::to_string(number) + ": " + line);
    }
  }
  EXPECT_GE(checked, 200);  // 228 when this test was written: the regex does find lines
  std::string list;
  for (const std::string& m : missed) list += m + "\n";
  EXPECT_TRUE(missed.empty()) << missed.size() << " image lines without a reported field:\n"
                              << list;
}

}  // namespace
