// Adoption, end to end: a dirty repository of 601 files (80 first-party services, each with its
// chart and values in three environments, and 40 manifests) with every violation class check
// knows, taken through the path a team takes on day one: init → check fails → write-baseline →
// check passes → a new violation fails alone → migrate + pin fix what they can → a smaller
// baseline. The real binary throughout, pin against the real registry (tests/registry), and
// every step asserted byte for byte: the files a step should change are exactly the expected
// text, every other file is unchanged.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/registry/test_registry.h"
#include "tests/testing/temp_dir.h"

namespace imagepin {
namespace {

namespace fs = std::filesystem;
using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;
using Tree = std::map<std::string, std::string>;  // relative path → bytes

constexpr int kServices = 80;
constexpr int kManifests = 40;
const std::vector<std::string> kEnvironments = {"dev", "staging", "production"};

// A digest per number: distinct, well-formed, never asked of a registry (check is offline).
std::string Digest(int n) {
  std::string hex = fmt::format("{:064x}", 0x1000 + n);
  return "sha256:" + hex;
}

std::string Name(int i) { return fmt::format("svc-{:02d}", i); }
std::string Ref(int i) { return "ghcr.io/acme/" + Name(i); }

// What a service's files are: one violation class per i % 10.
enum Kind {
  kFloatingInDev = 0,  // dev: image.ref ghcr.io/acme/svc:main (IP001, IP002)
  kSplitShared = 1,    // _shared: first-party repository/tag/digest (IP004): migrate fixes it
  kLegacyChart = 2,    // the same, but the chart reads image.repository: migrate leaves it
  kSidecarNoDigest =
      3,               // _shared: a third-party split mapping with no digest (IP001): pin fixes it
  kPullAlways = 4,     // production: image.pullPolicy Always (IP005)
  kMixedLayers = 5,    // staging changes a sidecar's repository, inheriting the digest (IP011)
  kChartAlways = 6,    // the chart's template: imagePullPolicy Always (IP013)
  kOverlayNoRef = 7,   // production's overlay has no image.ref, the chart requires it (IP010)
  kTagWithDigest = 8,  // a sidecar tag carrying a digest (IP006, a warning)
  kClean = 9,
};

struct DirtyRepo {
  Tree files;          // what is written before init
  Tree after_migrate;  // the files migrate must change, as they must read after it
  Tree after_pin;      // the files pin must change, as they must read after it
};

std::string Deployment(int i, bool legacy, const std::string& policy) {
  std::string image = legacy ? "\"{{ .Values.image.repository }}:{{ .Values.image.tag }}\""
                             : "{{ required \"image.ref is required\" .Values.image.ref | quote }}";
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: " +
         Name(i) +
         "\n"
         "spec:\n"
         "  template:\n"
         "    spec:\n"
         "      containers:\n"
         "        - name: app\n"
         "          image: " +
         image +
         "\n"
         "          imagePullPolicy: " +
         policy + "\n";
}

DirtyRepo MakeDirtyRepo(const std::string& redis_digest) {
  DirtyRepo repo;
  Tree& f = repo.files;
  f["README.md"] = "# gitops\n";
  for (int i = 0; i < kServices; ++i) {
    const Kind kind = static_cast<Kind>(i % 10);
    const std::string name = Name(i), chart = "sources/charts/" + name + "/";
    const std::string shared = "sources/values/_shared/" + name + ".yaml";
    f[chart + "Chart.yaml"] = "apiVersion: v2\nname: " + name + "\nversion: 1.0.0\n";
    f[chart + "values.yaml"] =
        kind == kLegacyChart
            ? "image:\n  repository: \"\"\n  tag: \"\"\n  pullPolicy: IfNotPresent\n"
            : "image:\n  ref: \"\"\n  pullPolicy: IfNotPresent\n";
    f[chart + "templates/deployment.yaml"] =
        Deployment(i, kind == kLegacyChart,
                   kind == kChartAlways ? "Always" : "{{ .Values.image.pullPolicy }}");

    std::string pinned = "image:\n  ref: " + Ref(i) + "@" + Digest(i) + "\n";
    std::string shared_text = "# " + name + ", all environments\nreplicas: 2\n";
    std::map<std::string, std::string> overlay;
    for (const std::string& env : kEnvironments) overlay[env] = "# " + env + "\n" + pinned;
    switch (kind) {
      case kFloatingInDev:
        overlay["dev"] = "# dev\nimage:\n  ref: " + Ref(i) + ":main\n";
        break;
      case kSplitShared:
      case kLegacyChart: {
        std::string split = "image:\n  repository: " + Ref(i) +
                            "  # ours\n  tag: \"1.4.2\"\n  digest: " + Digest(i) +
                            "\n  pullPolicy: IfNotPresent\n";
        shared_text += split;
        for (const std::string& env : kEnvironments) overlay[env] = "# " + env + "\nreplicas: 1\n";
        if (kind == kSplitShared) {
          repo.after_migrate[shared] = "# " + name + ", all environments\nreplicas: 2\n" +
                                       "image:\n  ref: " + Ref(i) + ":1.4.2@" + Digest(i) +
                                       "  # ours\n  pullPolicy: IfNotPresent\n";
        }
        break;
      }
      case kSidecarNoDigest:
        shared_text +=
            "redis:\n  image:\n    repository: docker.io/library/redis\n    tag: 7.2.4\n";
        repo.after_pin[shared] = "# " + name + ", all environments\nreplicas: 2\n" +
                                 "redis:\n  image:\n    repository: docker.io/library/redis\n"
                                 "    tag: 7.2.4\n    digest: " +
                                 redis_digest + "\n";
        break;
      case kPullAlways:
        overlay["production"] = "# production\n" + pinned + "  pullPolicy: Always\n";
        break;
      case kMixedLayers:
        shared_text +=
            "exporter:\n  image:\n    repository: docker.io/prom/statsd-exporter\n"
            "    tag: v0.26.0\n    digest: " +
            Digest(1000 + i) + "\n";
        overlay["staging"] +=
            "exporter:\n  image:\n    repository: docker.io/prom/graphite-exporter\n";
        break;
      case kOverlayNoRef:
        overlay["production"] = "# production\nreplicas: 3\n";
        break;
      case kTagWithDigest:
        shared_text +=
            "exporter:\n  image:\n    repository: docker.io/prom/statsd-exporter\n"
            "    tag: v0.26.0@" +
            Digest(1000 + i) + "\n";
        break;
      case kChartAlways:
      case kClean:
        break;
    }
    f[shared] = shared_text;
    for (const std::string& env : kEnvironments) {
      f["sources/values/env/" + env + "/" + name + ".yaml"] = overlay[env];
    }
  }
  for (int j = 0; j < kManifests; ++j) {
    std::string image, policy = "        imagePullPolicy: IfNotPresent\n";
    switch (j % 4) {
      case 0:
        image = "busybox:latest";
        break;  // IP001, IP002
      case 1:
        image = "\"Busybox:1.36\"";
        break;  // IP003
      case 2:
        image = "busybox:1.36.1@" + Digest(2000 + j);
        policy = "";
        break;  // IP005
      default:
        image = "busybox:1.36.1@" + Digest(2000 + j);
        break;
    }
    f[fmt::format("sources/manifests/jobs/job-{:02d}.yaml", j)] =
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: job\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: job\n        image: " +
        image + "\n" + policy;
  }
  return repo;
}

Tree ReadTree(const fs::path& root) {
  Tree tree;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
    std::string rel = fs::relative(e.path(), root).generic_string();
    if (rel.starts_with(".git/") || rel == ".git" || !e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    tree[rel] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return tree;
}

// `after` is `before` with exactly `changes` applied (paths whose bytes are given) and the paths
// of `created` added: nothing else differs.
void ExpectTree(const Tree& before, const Tree& after, const Tree& changes,
                const std::set<std::string>& created = {}) {
  for (const auto& [path, bytes] : after) {
    if (created.count(path)) continue;
    auto want = changes.find(path);
    auto was = before.find(path);
    ASSERT_NE(was, before.end()) << "a file appeared: " << path;
    EXPECT_EQ(bytes, want != changes.end() ? want->second : was->second) << path;
  }
  for (const auto& [path, bytes] : before) EXPECT_TRUE(after.count(path)) << "removed: " << path;
  for (const std::string& path : created) EXPECT_TRUE(after.count(path)) << "not created: " << path;
}

class AdoptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = TestRegistry::Shared(Mode::kPlain);
    ASSERT_NE(registry_, nullptr);
  }

  testreg::CommandResult Run(std::vector<std::string> argv) { return testreg::RunCommand(argv); }
  testreg::CommandResult Imagepin(std::vector<std::string> args) {
    args.insert(args.begin(), IMAGEPIN_BINARY);
    args.insert(args.end(), {"-C", repo_.str()});
    return testreg::RunCommand(args);
  }
  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo_.str()});
    testreg::CommandResult r = testreg::RunCommand(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static nlohmann::json Json(const testreg::CommandResult& r) {
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out << r.err;
    return j;
  }
  // A baseline file's accepted findings per rule (entries times their count).
  static std::map<std::string, int> RuleCounts(const std::string& baseline_text) {
    std::map<std::string, int> counts;
    const nlohmann::json baseline = nlohmann::json::parse(baseline_text);
    for (const auto& e : baseline["findings"]) {
      counts[e["ruleId"].get<std::string>()] += e.contains("count") ? e["count"].get<int>() : 1;
    }
    return counts;
  }
  static int Total(const std::map<std::string, int>& counts) {
    int n = 0;
    for (const auto& [rule, count] : counts) n += count;
    return n;
  }

  TestRegistry* registry_ = nullptr;
  testing::TempDir repo_;
};

TEST_F(AdoptionTest, InitBaselineMigratePinOnADirtyRepository) {
  std::string redis = registry_->Push("library/redis", "7.2.4", ImageKind::kIndex);
  ASSERT_FALSE(redis.empty());
  DirtyRepo dirty = MakeDirtyRepo(redis);
  ASSERT_GE(dirty.files.size(), 300u);
  for (const auto& [path, bytes] : dirty.files) repo_.Write(path, bytes);
  Git({"init", "-q", "-b", "main"});
  Git({"remote", "add", "origin", "https://github.com/acme/gitops.git"});

  // init: four files created, nothing else touched.
  Tree before = ReadTree(repo_.path());
  testreg::CommandResult init = Imagepin({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  const std::set<std::string> created = {".imagepin.yaml", ".github/workflows/image-policy.yaml",
                                         ".github/workflows/bump-local-dev-images.yaml",
                                         ".github/workflows/promote-images.yaml"};
  Tree after = ReadTree(repo_.path());
  ExpectTree(before, after, {}, created);
  const std::string config = after[".imagepin.yaml"];
  EXPECT_NE(config.find("ghcr.io/acme/"), std::string::npos) << config;
  // pin asks the test registry for docker.io's images (references keep docker.io).
  repo_.Write(".imagepin.yaml",
              config + "registries:\n  docker.io: {mirror: \"" + registry_->host() + "\"}\n");

  // check: every class found.
  testreg::CommandResult check = Imagepin({"check", "--format", "json"});
  ASSERT_EQ(check.exit_code, 1) << check.err;
  nlohmann::json report = Json(check);
  std::map<std::string, int> rules;
  for (const auto& finding : report["findings"]) ++rules[finding["ruleId"].get<std::string>()];
  for (std::string rule :
       {"IP001", "IP002", "IP003", "IP004", "IP005", "IP006", "IP010", "IP011", "IP013"}) {
    EXPECT_GT(rules[rule], 0) << rule << " not found:\n" << check.out.substr(0, 4000);
  }
  EXPECT_GE(report["summary"]["filesScanned"].get<int>(), 300);

  // write-baseline, then the gate passes; nothing but the baseline file is written.
  before = ReadTree(repo_.path());
  testreg::CommandResult write =
      Imagepin({"check", "--write-baseline", (repo_.path() / ".imagepin-baseline.json").string()});
  EXPECT_EQ(write.exit_code, 0) << write.out << write.err;
  testreg::CommandResult gate =
      Imagepin({"check", "--baseline", (repo_.path() / ".imagepin-baseline.json").string()});
  EXPECT_EQ(gate.exit_code, 0) << gate.out << gate.err;
  after = ReadTree(repo_.path());
  ExpectTree(before, after, {}, {".imagepin-baseline.json"});
  const std::string baseline = after[".imagepin-baseline.json"];
  const std::map<std::string, int> recorded = RuleCounts(baseline);
  EXPECT_EQ(recorded, rules) << "every finding of the check is recorded";

  // A new violation fails the gate, and only it is new.
  const std::string clean = "sources/values/env/dev/" + Name(9) + ".yaml";
  const std::string clean_text = dirty.files[clean];
  repo_.Write(clean, "# dev\nimage:\n  ref: " + Ref(9) + ":latest\n");
  testreg::CommandResult fresh = Imagepin({"check", "--format", "json", "--baseline",
                                           (repo_.path() / ".imagepin-baseline.json").string()});
  EXPECT_EQ(fresh.exit_code, 1) << fresh.err;
  int new_findings = 0;
  const nlohmann::json fresh_report = Json(fresh);
  for (const auto& finding : fresh_report["findings"]) {
    if (finding["baselineState"] != "new") continue;
    ++new_findings;
    EXPECT_EQ(finding["path"], clean) << finding.dump();
  }
  EXPECT_GE(new_findings, 1) << fresh.out.substr(0, 3000);
  EXPECT_EQ(fresh_report["summary"]["errors"].get<int>(), new_findings);
  repo_.Write(clean, clean_text);

  // migrate: exactly the split mappings whose chart reads image.ref.
  before = ReadTree(repo_.path());
  testreg::CommandResult migrate = Imagepin({"migrate"});
  EXPECT_EQ(migrate.exit_code, 1) << migrate.out << migrate.err;  // the legacy charts' are left
  EXPECT_NE(migrate.err.find("reads image.repository"), std::string::npos) << migrate.err;
  after = ReadTree(repo_.path());
  ExpectTree(before, after, dirty.after_migrate);
  EXPECT_EQ(dirty.after_migrate.size(), 8u);

  // pin: the third-party mapping without a digest gets one, beside its tag.
  before = after;
  testreg::CommandResult pin = Imagepin({"pin"});
  EXPECT_NE(pin.exit_code, 3) << pin.out << pin.err;
  after = ReadTree(repo_.path());
  ExpectTree(before, after, dirty.after_pin);
  EXPECT_EQ(dirty.after_pin.size(), 8u);

  // The gate still passes, says what was fixed, and a new baseline is smaller by exactly the
  // findings migrate and pin removed.
  gate = Imagepin({"check", "--baseline", (repo_.path() / ".imagepin-baseline.json").string()});
  EXPECT_EQ(gate.exit_code, 0) << gate.out << gate.err;
  EXPECT_NE(gate.err.find("fixed since the baseline"), std::string::npos) << gate.err;
  testreg::CommandResult rewrite =
      Imagepin({"check", "--write-baseline", (repo_.path() / ".imagepin-baseline.json").string()});
  EXPECT_EQ(rewrite.exit_code, 0) << rewrite.err;
  // migrate fixed the 8 first-party split mappings (IP004) and so the 24 applications of theirs
  // that had no image.ref (IP010, three environments each); pin the 8 sidecars (IP001). The
  // legacy charts' 8 mappings stay, as does everything else.
  std::map<std::string, int> remaining = RuleCounts(repo_.Read(".imagepin-baseline.json"));
  std::map<std::string, int> expected = recorded;
  expected["IP004"] -= 8;
  expected["IP010"] -= 24;
  expected["IP001"] -= 8;
  EXPECT_EQ(remaining, expected);
  EXPECT_EQ(Total(recorded) - Total(remaining), 40);
  gate = Imagepin({"check", "--baseline", (repo_.path() / ".imagepin-baseline.json").string()});
  EXPECT_EQ(gate.exit_code, 0) << gate.out << gate.err;
}

}  // namespace
}  // namespace imagepin
