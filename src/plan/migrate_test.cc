#include "plan/migrate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "rewrite/splice.h"
#include "scan/scanner.h"
#include "yaml/parser.h"

namespace imagepin::plan {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kPath = "sources/values/_shared/apps/api.yaml";

class MigratePlanTest : public ::testing::Test {
 protected:
  MigratePlanTest() {
    config_.first_party.include = {"ghcr.io/acme/"};
    charts_[kPath] = {{"sources/charts/api", {"image.pullPolicy", "image.ref"}}};
  }

  // Plans the migration of `contents` as kPath.
  MigrationPlan Plan(const std::string& contents, MigrateOptions options = {}) {
    files_.clear();
    sources_.clear();
    files_.push_back(ScanText({"/r/" + kPath, kPath, false}, contents, config_));
    auto source = std::make_unique<ScannedSource>();
    source->contents = contents;
    yaml::StreamParser parser;
    scan::ScanContents(source->contents, kPath, false, &parser, &source->documents);
    sources_.push_back(std::move(source));
    base::Result<MigrationPlan> plan = PlanMigration(files_, sources_, config_, charts_, options);
    EXPECT_TRUE(plan.ok()) << plan.error().ToString();
    return plan.ok() ? *plan : MigrationPlan{};
  }

  // The file after the plan's edits.
  std::string Applied(const std::string& contents, const MigrationPlan& plan) {
    base::Result<std::string> out = rewrite::Splice(contents, plan.Edits());
    EXPECT_TRUE(out.ok()) << out.error().ToString();
    return out.ok() ? *out : "";
  }

  // Migrates `before`, expects `after`, and that a scan of `after` finds `<key>.ref` with the
  // reference the split mapping had (the property migrate keeps).
  void ExpectMigrated(const std::string& before, const std::string& after,
                      const std::string& key = "image") {
    MigrationPlan plan = Plan(before);
    ASSERT_EQ(plan.migrations.size(), 1u) << (plan.skipped.empty() ? "" : plan.skipped[0].message);
    EXPECT_TRUE(plan.skipped.empty());
    std::string out = Applied(before, plan);
    EXPECT_EQ(out, after);
    ScannedFile rescanned = ScanText({"/r/" + kPath, kPath, false}, out, config_);
    bool found = false;
    for (const scan::ImageField& f : rescanned.scan.fields.images) {
      if (f.key_path == key + ".ref") {
        found = true;
        EXPECT_EQ(f.form, scan::FieldForm::kRef);
        EXPECT_EQ(f.reference, plan.migrations[0].reference);
        EXPECT_EQ(f.reference, plan.migrations[0].from);
      }
    }
    EXPECT_TRUE(found) << out;
  }

  std::string Skipped(const std::string& contents, MigrateOptions options = {}) {
    MigrationPlan plan = Plan(contents, options);
    EXPECT_TRUE(plan.migrations.empty());
    EXPECT_EQ(plan.skipped.size(), 1u);
    return plan.skipped.empty() ? "" : plan.skipped[0].message;
  }

  policy::Config config_;
  ValuesCharts charts_;
  std::vector<ScannedFile> files_;
  std::vector<std::unique_ptr<ScannedSource>> sources_;
};

TEST_F(MigratePlanTest, BlockMappingBecomesOneRefLineAndOtherKeysStayByteIdentical) {
  ExpectMigrated(
      "# api\nimage:\n  repository: ghcr.io/acme/api\n  pullPolicy: IfNotPresent  # p\n"
      "  tag: 3f2a9c1\n  digest: " +
          kDigest + "\nreplicas: 2\n",
      "# api\nimage:\n  ref: ghcr.io/acme/api:3f2a9c1@" + kDigest +
          "\n  pullPolicy: IfNotPresent  # p\nreplicas: 2\n");
}

TEST_F(MigratePlanTest, SplitMappingReferenceIsKeptByTheRef) {
  MigrationPlan plan =
      Plan("image:\n  repository: ghcr.io/acme/api\n  tag: v1.2.3\n  digest: " + kDigest + "\n");
  ASSERT_EQ(plan.migrations.size(), 1u);
  EXPECT_EQ(plan.migrations[0].from, "ghcr.io/acme/api:v1.2.3@" + kDigest);
  EXPECT_EQ(plan.migrations[0].reference, plan.migrations[0].from);
  EXPECT_EQ(plan.migrations[0].charts, std::vector<std::string>{"sources/charts/api"});
  EXPECT_EQ(plan.Files(), 1);
}

TEST_F(MigratePlanTest, RegistryKeyIsJoinedToTheRepository) {
  ExpectMigrated("image:\n  registry: ghcr.io\n  repository: acme/api\n  tag: \"1.4.0\"\n",
                 "image:\n  ref: ghcr.io/acme/api:1.4.0\n");
}

TEST_F(MigratePlanTest, QuotingStyleOfTheRepositoryIsKept) {
  ExpectMigrated("image:\n  repository: \"ghcr.io/acme/api\"\n  tag: '1.4.0'\n",
                 "image:\n  ref: \"ghcr.io/acme/api:1.4.0\"\n");
  ExpectMigrated("image:\n  repository: 'ghcr.io/acme/api'\n  tag: 1.4.0\n",
                 "image:\n  ref: 'ghcr.io/acme/api:1.4.0'\n");
}

TEST_F(MigratePlanTest, CrlfLineEndingsAreKept) {
  ExpectMigrated(
      "image:\r\n  repository: ghcr.io/acme/api\r\n  tag: 3f2a9c1\r\n"
      "  pullPolicy: IfNotPresent\r\nreplicas: 1\r\n",
      "image:\r\n  ref: ghcr.io/acme/api:3f2a9c1\r\n  pullPolicy: IfNotPresent\r\n"
      "replicas: 1\r\n");
}

TEST_F(MigratePlanTest, CommentsOnOtherLinesAndTheFirstPartLineAreKept) {
  ExpectMigrated(
      "image:\n  # built by CI\n  repository: ghcr.io/acme/api  # the api\n"
      "  # the commit\n  tag: 3f2a9c1\n",
      "image:\n  # built by CI\n  ref: ghcr.io/acme/api:3f2a9c1  # the api\n"
      "  # the commit\n");
}

TEST_F(MigratePlanTest, NestedUnderOtherKeysWithItsOwnIndentation) {
  charts_[kPath] = {{"sources/charts/api", {"worker.image.ref"}}};
  ExpectMigrated(
      "worker:\n    replicas: 2\n    image:\n        tag: v2.0.0\n"
      "        repository: ghcr.io/acme/worker\nx: 1\n",
      "worker:\n    replicas: 2\n    image:\n        ref: ghcr.io/acme/worker:v2.0.0\n"
      "x: 1\n",
      "worker.image");
}

TEST_F(MigratePlanTest, LastLineWithoutALineBreak) {
  ExpectMigrated("image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0",
                 "image:\n  ref: ghcr.io/acme/api:v1.0.0\n");
}

TEST_F(MigratePlanTest, FloatingTagIsDroppedWhenADigestPinsTheImage) {
  MigrationPlan plan =
      Plan("image:\n  repository: ghcr.io/acme/api\n  tag: main\n  digest: " + kDigest + "\n");
  ASSERT_EQ(plan.migrations.size(), 1u);
  EXPECT_EQ(plan.migrations[0].reference, "ghcr.io/acme/api@" + kDigest);
}

TEST_F(MigratePlanTest, WithoutADigestTheTagIsKeptEvenFloating) {
  ExpectMigrated("image:\n  repository: ghcr.io/acme/api\n  tag: main\n  digest: \"\"\n",
                 "image:\n  ref: ghcr.io/acme/api:main\n");
  ExpectMigrated("image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0\n  digest:\n",
                 "image:\n  ref: ghcr.io/acme/api:v1.0.0\n");
}

TEST_F(MigratePlanTest, NoTagAndNoDigestIsSkipped) {
  EXPECT_NE(Skipped("image:\n  repository: ghcr.io/acme/api\n  tag: \"\"\n")
                .find("no tag and no "
                      "digest"),
            std::string::npos);
}

TEST_F(MigratePlanTest, ThirdPartyMappingsAreNotTouched) {
  MigrationPlan plan = Plan("image:\n  repository: docker.io/bitnami/redis\n  tag: 7.2.4\n");
  EXPECT_TRUE(plan.migrations.empty());
  EXPECT_TRUE(plan.skipped.empty());
}

TEST_F(MigratePlanTest, FlowStyleIsReportedNotMigrated) {
  EXPECT_NE(Skipped("image: {repository: ghcr.io/acme/api, tag: v1.0.0}\n").find("flow style"),
            std::string::npos);
}

TEST_F(MigratePlanTest, AliasesAreRefused) {
  EXPECT_NE(
      Skipped("base: &b\n  repository: ghcr.io/acme/api\n  tag: v1.0.0\nimage: *b\n").find("alias"),
      std::string::npos);
  EXPECT_NE(
      Skipped("t: &t v1.0.0\nimage:\n  repository: ghcr.io/acme/api\n  tag: *t\n").find("alias"),
      std::string::npos);
}

TEST_F(MigratePlanTest, ACommentOnARemovedLineIsRefused) {
  EXPECT_NE(Skipped("image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0  # release\n")
                .find("comment on its tag line"),
            std::string::npos);
}

TEST_F(MigratePlanTest, AChartThatReadsRepositoryAndTagIsNotMigrated) {
  charts_[kPath] = {{"sources/charts/api", {"image.pullPolicy", "image.repository", "image.tag"}}};
  EXPECT_NE(Skipped("image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0\n")
                .find("chart sources/charts/api reads image.pullPolicy, image.repository and "
                      "image.tag, not image.ref"),
            std::string::npos);
}

TEST_F(MigratePlanTest, OneChartOfASharedFileThatDoesNotReadRefStopsIt) {
  charts_[kPath] = {{"sources/charts/api", {"image.ref"}}, {"sources/charts/old", {"app.image"}}};
  EXPECT_NE(Skipped("image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0\n")
                .find("chart sources/charts/old does not read image.ref"),
            std::string::npos);
}

TEST_F(MigratePlanTest, UnknownChartIsSkippedUnlessForced) {
  charts_.clear();
  const std::string text = "image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0\n";
  EXPECT_NE(Skipped(text).find("--force"), std::string::npos);
  MigrationPlan forced = Plan(text, MigrateOptions{true});
  ASSERT_EQ(forced.migrations.size(), 1u);
  EXPECT_TRUE(forced.migrations[0].charts.empty());
  ASSERT_EQ(forced.notes.size(), 1u);
  EXPECT_NE(forced.notes[0].message.find("no chart could be checked"), std::string::npos);
  EXPECT_EQ(Applied(text, forced), "image:\n  ref: ghcr.io/acme/api:v1.0.0\n");
}

TEST_F(MigratePlanTest, SeveralMappingsAndDocumentsInOneFile) {
  charts_[kPath] = {{"sources/charts/api", {"image.ref", "sidecar.image.ref"}}};
  std::string before =
      "image:\n  repository: ghcr.io/acme/api\n  tag: v1.0.0\nsidecar:\n  image:\n"
      "    repository: ghcr.io/acme/proxy\n    tag: v2.0.0\n";
  MigrationPlan plan = Plan(before);
  ASSERT_EQ(plan.migrations.size(), 2u);
  EXPECT_EQ(Applied(before, plan),
            "image:\n  ref: ghcr.io/acme/api:v1.0.0\nsidecar:\n  image:\n"
            "    ref: ghcr.io/acme/proxy:v2.0.0\n");
  EXPECT_EQ(plan.Files(), 1);
}

TEST_F(MigratePlanTest, AListItemKeepsItsDash) {
  charts_[kPath] = {{"sources/charts/api", {"jobs[0].ref"}}};
  const std::string before = "jobs:\n  - repository: ghcr.io/acme/job\n    tag: v1.0.0\n";
  MigrationPlan plan = Plan(before);
  ASSERT_EQ(plan.migrations.size(), 1u);
  EXPECT_EQ(plan.migrations[0].key_path, "jobs[0]");
  EXPECT_EQ(Applied(before, plan), "jobs:\n  - ref: ghcr.io/acme/job:v1.0.0\n");
}

// Property, over the shapes a split mapping takes (the parts in every order, with and without a
// registry and a digest, plain and quoted, LF and CRLF, other keys and comments between, nested
// or not): the file afterwards is the file before with the first part's line now `ref:` and the
// other part lines gone, byte for byte, and a scan of it finds `<path>.ref` with the mapping's
// reference.
TEST_F(MigratePlanTest, EveryShapeMigratesByteExactlyToTheSameReference) {
  int cases = 0;
  for (const std::string eol : {"\n", "\r\n"}) {
    for (const std::string quote : {"", "\"", "'"}) {
      for (bool registry : {false, true}) {
        for (bool digest : {false, true}) {
          for (bool nested : {false, true}) {
            for (int rotation = 0; rotation < 4; ++rotation) {
              std::string indent = nested ? "    " : "  ";
              std::string key = nested ? "app.image" : "image";
              charts_[kPath] = {{"sources/charts/api", {key + ".ref"}}};
              std::vector<std::pair<std::string, std::string>> parts = {
                  {"repository", registry ? "acme/api" : "ghcr.io/acme/api"}, {"tag", "v1.2.3"}};
              if (registry) parts.push_back({"registry", "ghcr.io"});
              if (digest) parts.push_back({"digest", kDigest});
              std::rotate(parts.begin(), parts.begin() + rotation % parts.size(), parts.end());
              std::string head = "# values" + eol + (nested ? "app:" + eol + "  x: 1" + eol : "") +
                                 (nested ? "  image:" : "image:") + eol;
              std::string before = head, after = head;
              bool first = true;
              for (size_t i = 0; i < parts.size(); ++i) {
                const auto& [k, v] = parts[i];
                std::string q = k == "repository" ? quote : "";
                before += indent + k + ": " + q + v + q + eol;
                if (first) {
                  std::string ref = "ghcr.io/acme/api:v1.2.3" + (digest ? "@" + kDigest : "");
                  after += indent + "ref: " + quote + ref + quote + eol;
                  first = false;
                }
                if (i == 0) {  // other keys and a comment between the parts
                  before += indent + "pullPolicy: IfNotPresent # p" + eol + indent + "# c" + eol;
                  after += indent + "pullPolicy: IfNotPresent # p" + eol + indent + "# c" + eol;
                }
              }
              before += "replicas: 2" + eol;
              after += "replicas: 2" + eol;
              SCOPED_TRACE(before);
              ExpectMigrated(before, after, key);
              ++cases;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 2 * 3 * 2 * 2 * 2 * 4);
}

}  // namespace
}  // namespace imagepin::plan
