#include "plan/inventory.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "report/inventory.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::plan {
namespace {

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

// A values file whose image.ref is ghcr.io/acme/<service>:<tag>@<digest>.
std::string Values(const std::string& service, char digest, const std::string& tag = "") {
  std::string name = "ghcr.io/acme/" + service + (tag.empty() ? "" : ":" + tag);
  return "image:\n  ref: " + name + "@" + Digest(digest) + "\nreplicaCount: 2\n";
}

// Four lanes in the default layout; each test writes the services it needs.
class InventoryTest : public ::testing::Test {
 protected:
  void Put(const std::string& env, const std::string& service, const std::string& contents) {
    repo_.Write("sources/values/env/" + env + "/apps/" + service + ".yaml", contents);
  }
  void PutAll(const std::string& service, const std::string& digests) {  // one char per lane
    for (size_t i = 0; i < kLanes.size(); ++i) Put(kLanes[i], service, Values(service, digests[i]));
  }
  Inventory Build() {
    base::Result<Inventory> built = BuildInventory(repo_.str(), config_, 2);
    EXPECT_TRUE(built.ok()) << built.error().ToString();
    return built.ok() ? std::move(*built) : Inventory{};
  }
  static std::vector<std::string> Markers(const InventoryRow& row) {
    std::vector<std::string> names;
    for (const InventoryCell& c : row.cells) names.push_back(MarkerName(c.marker));
    return names;
  }

  const std::vector<std::string> kLanes{"local", "dev", "staging", "production"};
  testing::TempDir repo_;
  policy::Config config_;
};

TEST_F(InventoryTest, IdenticalDigestsAreNotDrift) {
  PutAll("api", "aaaa");
  Put("dev", "web", Values("web", 'b', "3f2a9c1"));
  Put("local", "web", Values("web", 'b', "3f2a9c1"));
  Put("staging", "web", Values("web", 'b'));  // the tag beside a digest is only a label
  Put("production", "web", Values("web", 'b', "3f2a9c1"));
  Inventory inv = Build();
  ASSERT_EQ(inv.environments.size(), 4u);
  EXPECT_EQ(inv.environments[3].name, "production");
  ASSERT_EQ(inv.rows.size(), 2u);
  EXPECT_EQ(inv.rows[0].service, "api");
  EXPECT_EQ(inv.rows[0].repository, "ghcr.io/acme/api");
  EXPECT_EQ(inv.rows[0].relative, "apps/api.yaml");
  EXPECT_EQ(inv.rows[0].key_path, "image.ref");
  EXPECT_EQ(inv.rows[0].cells[2].digest, Digest('a'));
  for (const InventoryRow& row : inv.rows) {
    EXPECT_FALSE(row.drift) << row.service;
    EXPECT_EQ(Markers(row), (std::vector<std::string>{"", "", "", ""})) << row.service;
  }
  EXPECT_EQ(report::CellText(inv.rows[1], inv.rows[1].cells[1]), "sha256:bbbbbbbbbbbb (3f2a9c1)");
}

TEST_F(InventoryTest, DevAheadOfStagingMarksStagingBehind) {
  PutAll("api", "bbaa");
  Inventory inv = Build();
  ASSERT_EQ(inv.rows.size(), 1u);
  EXPECT_TRUE(inv.rows[0].drift);
  EXPECT_EQ(Markers(inv.rows[0]), (std::vector<std::string>{"", "", "behind", ""}));
}

TEST_F(InventoryTest, ProductionMissingAServiceIsMissing) {
  for (int i = 0; i < 3; ++i) Put(kLanes[i], "api", Values("api", 'a'));
  Put("production", "web", Values("web", 'w'));
  Inventory inv = Build();
  ASSERT_EQ(inv.rows.size(), 2u);
  ASSERT_EQ(inv.rows[0].service, "api");
  EXPECT_FALSE(inv.rows[0].cells[3].present);
  EXPECT_EQ(Markers(inv.rows[0]), (std::vector<std::string>{"", "", "", "missing"}));
  EXPECT_TRUE(inv.rows[0].drift);
  EXPECT_EQ(report::CellText(inv.rows[0], inv.rows[0].cells[3]), "-");
}

TEST_F(InventoryTest, RollbackMarksTheNewerLaneAhead) {
  // dev went back to A while staging already runs B; production still runs A.
  PutAll("api", "aaba");
  Inventory inv = Build();
  ASSERT_EQ(inv.rows.size(), 1u);
  EXPECT_EQ(Markers(inv.rows[0]), (std::vector<std::string>{"", "", "ahead", "behind"}));
}

TEST_F(InventoryTest, OnlyDriftKeepsRowsThatDiffer) {
  PutAll("api", "aaaa");
  PutAll("web", "bbcc");
  PutAll("worker", "dddd");
  Inventory inv = Build();
  ASSERT_EQ(inv.rows.size(), 3u);
  KeepOnlyDrift(&inv);
  ASSERT_EQ(inv.rows.size(), 1u);
  EXPECT_EQ(inv.rows[0].service, "web");
}

TEST_F(InventoryTest, ReferencesWithoutDigestAndOtherRepositoriesAreShownAsWritten) {
  PutAll("api", "aaab");
  Put("dev", "api", "image:\n  ref: ghcr.io/acme/api:main\n");
  Put("staging", "api", "image:\n  ref: ghcr.io/acme/api-v2@" + Digest('a') + "\n");
  Inventory inv = Build();
  ASSERT_EQ(inv.rows.size(), 1u);
  const InventoryRow& row = inv.rows[0];
  EXPECT_TRUE(row.repository_differs);
  EXPECT_EQ(report::CellText(row, row.cells[1]), "ghcr.io/acme/api:main");
  EXPECT_EQ(row.cells[1].tag, "main");
  EXPECT_EQ(report::CellText(row, row.cells[2]), "ghcr.io/acme/api-v2@sha256:aaaaaaaaaaaa");
  EXPECT_EQ(Markers(row), (std::vector<std::string>{"", "behind", "behind", "behind"}));
}

TEST_F(InventoryTest, MarkdownTableHasOneColumnPerEnvironment) {
  std::filesystem::create_directories(repo_.path() / "sources/values/env/local");
  Put("dev", "api", Values("api", 'b', "9e4c2f1"));
  Put("staging", "api", Values("api", 'a', "c41a7f3"));
  Put("production", "api", Values("api", 'a', "c41a7f3"));
  EXPECT_EQ(report::InventoryMarkdown(Build()),
            "| Service | Repository | local | dev | staging | production |\n"
            "|---|---|---|---|---|---|\n"
            "| api | `ghcr.io/acme/api` | - | `sha256:bbbbbbbbbbbb` (9e4c2f1) **missing** | "
            "`sha256:aaaaaaaaaaaa` (c41a7f3) **behind** | `sha256:aaaaaaaaaaaa` (c41a7f3) |\n");
}

TEST_F(InventoryTest, TableAlignsColumnsAndColoursOnlyWhenAsked) {
  PutAll("api", "bbaa");
  PutAll("web-frontend", "cccc");
  Inventory inv = Build();
  std::string plain = report::InventoryTable(inv, false);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(plain.find("SERVICE       REPOSITORY"), std::string::npos) << plain;
  EXPECT_NE(plain.find("\napi           ghcr.io/acme/api "), std::string::npos) << plain;
  EXPECT_NE(plain.find("sha256:aaaaaaaaaaaa behind  sha256:aaaaaaaaaaaa\n"), std::string::npos)
      << plain;
  EXPECT_NE(report::InventoryTable(inv, true).find("\033[33mbehind\033[0m"), std::string::npos);
}

TEST_F(InventoryTest, EnvironmentWithoutDirectoryIsAColumnOfMissingCells) {
  for (int i = 1; i < 4; ++i) Put(kLanes[i], "api", Values("api", 'a'));
  Inventory inv = Build();  // no sources/values/env/local at all
  ASSERT_EQ(inv.environments.size(), 4u);
  EXPECT_FALSE(inv.environments[0].exists);
  ASSERT_EQ(inv.rows.size(), 1u);
  // The absent lane is named in every cell but does not make every row drift.
  EXPECT_EQ(Markers(inv.rows[0]), (std::vector<std::string>{"missing", "", "", ""}));
  EXPECT_FALSE(inv.rows[0].drift);
  EXPECT_NE(report::InventoryMarkdown(inv).find("| local (no directory) |"), std::string::npos);
}

TEST_F(InventoryTest, UnparsableFileIsAnErrorNamingItsPosition) {
  PutAll("api", "aaaa");
  Put("staging", "web", "image:\n  ref: [unclosed\n");
  base::Result<Inventory> built = BuildInventory(repo_.str(), config_, 1);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().path, "sources/values/env/staging/apps/web.yaml");
  EXPECT_GT(built.error().pos.line, 0);
}

// End to end: the real binary.
struct CommandRun {
  int exit_code = -1;
  std::string out, err;
};

CommandRun RunInventoryCommand(const testing::TempDir& repo, const std::string& args) {
  std::string err_path = repo.str() + "/stderr.txt";
  std::string command = std::string("NO_COLOR=1 '") + IMAGEPIN_BINARY + "' inventory -C '" +
                        repo.str() + "' " + args + " 2>'" + err_path + "'";
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = repo.Read("stderr.txt");
  return run;
}

TEST_F(InventoryTest, CommandPrintsDocumentedJson) {
  PutAll("api", "bbaa");
  Put("dev", "web", Values("web", 'c', "3f2a9c1"));
  CommandRun run = RunInventoryCommand(repo_, "--format json --only-drift");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["environments"], (nlohmann::json{"local", "dev", "staging", "production"}));
  ASSERT_EQ(j["rows"].size(), 2u);
  const nlohmann::json& api = j["rows"][0];
  EXPECT_EQ(api["service"], "api");
  EXPECT_EQ(api["keyPath"], "image.ref");
  EXPECT_EQ(api["drift"], true);
  EXPECT_EQ(api["cells"]["staging"]["digest"], Digest('a'));
  EXPECT_EQ(api["cells"]["staging"]["marker"], "behind");
  EXPECT_TRUE(api["cells"]["dev"]["marker"].is_null());
  const nlohmann::json& web = j["rows"][1];
  EXPECT_EQ(web["cells"]["dev"]["tag"], "3f2a9c1");
  EXPECT_TRUE(web["cells"]["local"]["reference"].is_null());
  EXPECT_EQ(web["cells"]["staging"]["marker"], "missing");
}

TEST_F(InventoryTest, CommandNotesAMissingDirectoryAndExitsZero) {
  Put("dev", "api", Values("api", 'a'));
  CommandRun run = RunInventoryCommand(repo_, "--format markdown");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("environment \"staging\": directory sources/values/env/staging"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.out.find("| api | `ghcr.io/acme/api` |"), std::string::npos) << run.out;
}

TEST_F(InventoryTest, CommandExitsThreeOnAFileThatDoesNotParse) {
  repo_.Write(".imagepin.yaml", "firstParty: [ghcr.io/acme/]\n");  // no notice on stderr
  Put("dev", "api", "image:\n  ref: [unclosed\n");
  CommandRun run = RunInventoryCommand(repo_, "");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err.rfind("sources/values/env/dev/apps/api.yaml:", 0), 0u) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

}  // namespace
}  // namespace imagepin::plan
