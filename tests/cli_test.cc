// End-to-end tests: run the real imagepin binary on the bundled examples and on small
// repositories made here, and compare its output with golden files in tests/golden.
// Set IMAGEPIN_UPDATE_GOLDEN=1 to rewrite the golden files (then review the diff).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const std::string kSource = IMAGEPIN_SOURCE_DIR;
const std::string kBinary = IMAGEPIN_BINARY;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `imagepin ARGS` in `cwd` with optional standard input from a file.
RunResult RunImagepin(const std::string& args, const std::string& cwd = kSource,
                      const std::string& stdin_path = "/dev/null") {
  // ctest runs tests in parallel processes: each test gets its own scratch directory.
  const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
  fs::path tmp = fs::path(testing::TempDir()) /
                 ("imagepin-cli-" + std::string(test->test_suite_name()) + "." + test->name());
  fs::create_directories(tmp);
  fs::path out = tmp / "out", err = tmp / "err";
  std::string command = "cd '" + cwd + "' && NO_COLOR=1 '" + kBinary + "' " + args + " <'" +
                        stdin_path + "' >'" + out.string() + "' 2>'" + err.string() + "'";
  int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadAll(out);
  r.err = ReadAll(err);
  return r;
}

// Elapsed times differ between runs; everything else must not.
std::string Normalize(std::string text) {
  text = std::regex_replace(text, std::regex(R"(, \d+\.\d+s\n)"), ", <elapsed>s\n");
  text = std::regex_replace(text, std::regex(R"("elapsedSeconds": [0-9.e+-]+)"),
                            "\"elapsedSeconds\": 0");
  return text;
}

void ExpectGolden(const std::string& actual, const std::string& name) {
  fs::path golden = fs::path(kSource) / "tests" / "golden" / name;
  if (std::getenv("IMAGEPIN_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with IMAGEPIN_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, ReadAll(golden)) << "output differs from " << golden;
}

const std::string kViolations = kSource + "/examples/gitops-violations";
const std::string kExample = kSource + "/examples/gitops";

TEST(CheckCommand, PassesOnTheBundledExampleRepository) {
  RunResult r = RunImagepin("check", kExample);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // The documented exception is reported as suppressed, not dropped.
  EXPECT_NE(r.out.find("suppressed: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[IP001 digest-required]"), std::string::npos) << r.out;
}

TEST(CheckCommand, FindsEveryRuleInTheViolationsExample) {
  RunResult r = RunImagepin("check --format json", kViolations);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  std::set<std::string> rules;
  for (const auto& f : report["findings"]) rules.insert(f["ruleId"].get<std::string>());
  for (const char* id : {"IP000", "IP001", "IP002", "IP003", "IP004", "IP005", "IP006", "IP007"}) {
    EXPECT_TRUE(rules.count(id)) << id << " did not fire";
  }
}

TEST(CheckCommand, TextOutputMatchesGolden) {
  RunResult r = RunImagepin("check --color never", kViolations);
  EXPECT_EQ(r.exit_code, 1);
  ExpectGolden(Normalize(r.out), "violations.txt");
}

TEST(CheckCommand, JsonOutputMatchesGolden) {
  RunResult r = RunImagepin("check --format json", kViolations);
  EXPECT_EQ(r.exit_code, 1);
  ExpectGolden(Normalize(r.out), "violations.json");
}

TEST(CheckCommand, SarifOutputMatchesGoldenAndValidatesAgainstSchema) {
  RunResult r = RunImagepin("check --format sarif", kViolations);
  EXPECT_EQ(r.exit_code, 1);
  ExpectGolden(Normalize(r.out), "violations.sarif");
  fs::path sarif = fs::path(testing::TempDir()) / "imagepin-violations.sarif";
  std::ofstream(sarif) << r.out;
  std::string validate = "/usr/bin/python3 '" + kSource + "/tests/validate_sarif.py' '" + kSource +
                         "/tests/data/sarif-schema-2.1.0.json' '" + sarif.string() + "' >/dev/null";
  EXPECT_EQ(std::system(validate.c_str()), 0) << "SARIF output does not validate";
}

TEST(CheckCommand, GithubOutputMatchesGolden) {
  RunResult r = RunImagepin("check --format github", kViolations);
  EXPECT_EQ(r.exit_code, 1);
  ExpectGolden(Normalize(r.out), "violations.github");
}

TEST(CheckCommand, ChecksARenderedStreamFromStandardInput) {
  fs::path stream = fs::path(testing::TempDir()) / "imagepin-rendered.yaml";
  std::ofstream(stream) << "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
                           "spec:\n  template:\n    spec:\n      containers:\n"
                           "        - name: a\n          image: nginx:latest\n"
                           "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: b}\n"
                           "spec:\n  template:\n    spec:\n      containers:\n"
                           "        - name: b\n          image: busybox@sha256:"
                           "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f\n"
                           "          imagePullPolicy: IfNotPresent\n";
  for (const char* args : {"check --stdin --format json", "check - --format json"}) {
    SCOPED_TRACE(args);
    RunResult r = RunImagepin(args, kSource, stream.string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    nlohmann::json report = nlohmann::json::parse(r.out);
    std::multiset<std::string> found;
    for (const auto& f : report["findings"]) {
      EXPECT_EQ(f["path"], "-");
      found.insert(f["ruleId"].get<std::string>() + "@" + std::to_string(f["line"].get<int>()));
    }
    EXPECT_EQ(found, (std::multiset<std::string>{"IP001@9", "IP002@9", "IP005@8"}));
  }
}

// A repository holding the chart `api` (sources/charts/api), and what `helm template` prints
// for it: two documents from its templates, one from a packaged subchart the repository does
// not hold, and one without a `# Source:` comment.
struct RenderedFixture {
  fs::path repo;
  fs::path stream;
};

RenderedFixture MakeRenderedFixture(const std::string& name, const std::string& config = "") {
  RenderedFixture fixture;
  fixture.repo = fs::path(testing::TempDir()) / ("imagepin-rendered-" + name);
  fs::remove_all(fixture.repo);
  fs::create_directories(fixture.repo / "sources/charts/api/templates");
  std::ofstream(fixture.repo / "sources/charts/api/Chart.yaml")
      << "apiVersion: v2\nname: api\nversion: 1.0.0\n";
  std::ofstream(fixture.repo / "sources/charts/api/templates/deployment.yaml")
      << "kind: Deployment\n";
  std::ofstream(fixture.repo / "sources/charts/api/templates/cronjob.yaml") << "kind: CronJob\n";
  if (!config.empty()) std::ofstream(fixture.repo / ".imagepin.yaml") << config;
  fixture.stream = fixture.repo / "rendered.yaml";
  std::ofstream(fixture.stream) << "---\n"                                                    // 1
                                   "# Source: api/templates/deployment.yaml\n"                // 2
                                   "apiVersion: apps/v1\n"                                    // 3
                                   "kind: Deployment\n"                                       // 4
                                   "metadata: {name: api}\n"                                  // 5
                                   "spec:\n"                                                  // 6
                                   "  template:\n"                                            // 7
                                   "    spec:\n"                                              // 8
                                   "      containers:\n"                                      // 9
                                   "        - name: api\n"                                    // 10
                                   "          image: nginx:latest\n"                          // 11
                                   "---\n"                                                    // 12
                                   "# Source: api/templates/cronjob.yaml\n"                   // 13
                                   "apiVersion: batch/v1\n"                                   // 14
                                   "kind: CronJob\n"                                          // 15
                                   "metadata: {name: api-cron}\n"                             // 16
                                   "spec:\n"                                                  // 17
                                   "  jobTemplate:\n"                                         // 18
                                   "    spec:\n"                                              // 19
                                   "      template:\n"                                        // 20
                                   "        spec:\n"                                          // 21
                                   "          containers:\n"                                  // 22
                                   "            - name: cron\n"                               // 23
                                   "              image: busybox:1.36\n"                      // 24
                                   "              imagePullPolicy: IfNotPresent\n"            // 25
                                   "---\n"                                                    // 26
                                   "# Source: api/charts/redis/templates/statefulset.yaml\n"  // 27
                                   "apiVersion: apps/v1\n"                                    // 28
                                   "kind: StatefulSet\n"                                      // 29
                                   "metadata: {name: redis}\n"                                // 30
                                   "spec:\n"                                                  // 31
                                   "  template:\n"                                            // 32
                                   "    spec:\n"                                              // 33
                                   "      containers:\n"                                      // 34
                                   "        - name: redis\n"                                  // 35
                                   "          image: redis:7.4.1\n"                           // 36
                                   "          imagePullPolicy: IfNotPresent\n"                // 37
                                   "---\n"                                                    // 38
                                   "apiVersion: v1\n"                                         // 39
                                   "kind: Pod\n"                                              // 40
                                   "metadata: {name: debug}\n"                                // 41
                                   "spec:\n"                                                  // 42
                                   "  containers:\n"                                          // 43
                                   "    - name: debug\n"                                      // 44
                                   "      image: alpine:3.20\n"                               // 45
                                   "      imagePullPolicy: IfNotPresent\n";                   // 46
  return fixture;
}

TEST(CheckCommand, RenderedStreamFindingsPointAtTheTemplateTheSourceCommentNames) {
  RenderedFixture fixture = MakeRenderedFixture("json");
  RunResult r =
      RunImagepin("check - --format json", fixture.repo.string(), fixture.stream.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  std::multiset<std::string> found;
  for (const auto& f : report["findings"]) {
    std::string message = f["message"];
    if (f["path"] != "-") message = message.substr(message.rfind(" (") + 1);
    found.insert(f["ruleId"].get<std::string>() + " " + f["path"].get<std::string>() + ":" +
                 std::to_string(f["line"].get<int>()) + ":" +
                 std::to_string(f["column"].get<int>()) + " " + message);
  }
  EXPECT_EQ(
      found,
      (std::multiset<std::string>{
          // The chart's templates in the repository: the file, the stream line in the text.
          "IP001 sources/charts/api/templates/deployment.yaml:0:0 (line 11, column 18 of "
          "the rendered stream)",
          "IP002 sources/charts/api/templates/deployment.yaml:0:0 (line 11, column 18 of "
          "the rendered stream)",
          "IP005 sources/charts/api/templates/deployment.yaml:0:0 (line 10, column 11 of "
          "the rendered stream)",
          "IP001 sources/charts/api/templates/cronjob.yaml:0:0 (line 24, column 22 of the "
          "rendered stream)",
          // A subchart the repository does not hold: the Source path as printed.
          "IP001 api/charts/redis/templates/statefulset.yaml:0:0 (line 36, column 18 of the "
          "rendered stream)",
          // No Source comment: standard input, at its line, the message as it was.
          "IP001 -:45:14 image alpine:3.20 is not pinned by digest (tags are mutable); pin it "
          "as alpine:3.20@sha256:<digest>"}))
      << r.out;
}

TEST(CheckCommand, RenderedStreamAnnotationsNameTheTemplateFileWithoutALine) {
  RenderedFixture fixture = MakeRenderedFixture("formats");
  RunResult github =
      RunImagepin("check - --format github", fixture.repo.string(), fixture.stream.string());
  EXPECT_EQ(github.exit_code, 1) << github.err;
  EXPECT_NE(github.out.find("::error file=sources/charts/api/templates/cronjob.yaml,title="),
            std::string::npos)
      << github.out;
  EXPECT_NE(github.out.find("(line 24, column 22 of the rendered stream)"), std::string::npos);
  EXPECT_NE(github.out.find("::error file=-,line=45,col=14,"), std::string::npos) << github.out;

  RunResult text =
      RunImagepin("check - --color never", fixture.repo.string(), fixture.stream.string());
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_NE(text.out.find("\nsources/charts/api/templates/cronjob.yaml: error: "),
            std::string::npos)
      << text.out;

  RunResult sarif =
      RunImagepin("check - --format sarif", fixture.repo.string(), fixture.stream.string());
  EXPECT_EQ(sarif.exit_code, 1) << sarif.err;
  std::set<std::string> uris;
  nlohmann::json log = nlohmann::json::parse(sarif.out);
  for (const auto& result : log["runs"][0]["results"]) {
    const auto& location = result["locations"][0]["physicalLocation"];
    std::string uri = location["artifactLocation"]["uri"];
    uris.insert(uri);
    EXPECT_EQ(location.contains("region"), uri == "stdin") << uri;
  }
  EXPECT_EQ(uris, (std::set<std::string>{"sources/charts/api/templates/deployment.yaml",
                                         "sources/charts/api/templates/cronjob.yaml",
                                         "api/charts/redis/templates/statefulset.yaml", "stdin"}));
}

TEST(CheckCommand, ExceptionsMatchTheTemplatePathOfARenderedFinding) {
  RenderedFixture fixture =
      MakeRenderedFixture("exception",
                          "exceptions:\n"
                          "  - path: sources/charts/api/templates/cronjob.yaml\n"
                          "    rule: IP001\n"
                          "    reason: test\n");
  RunResult r =
      RunImagepin("check - --format json", fixture.repo.string(), fixture.stream.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  int suppressed = 0;
  for (const auto& f : report["findings"]) {
    bool cron = f["path"] == "sources/charts/api/templates/cronjob.yaml";
    EXPECT_EQ(f["suppressed"].get<bool>(), cron) << f.dump();
    suppressed += cron;
  }
  EXPECT_EQ(suppressed, 1);
}

// Rendered output is never a template: a stream that fails to parse is IP000 even with `{{`
// in it (an unrendered file in a repository would be skipped as a template).
TEST(CheckCommand, RenderedStreamThatFailsToParseIsIP000EvenWithBraces) {
  fs::path stream = fs::path(testing::TempDir()) / "imagepin-rendered-braces.yaml";
  std::ofstream(stream) << "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }\n"
                           "spec:\n  containers:\n    - image: nginx:latest\n";
  RunResult r = RunImagepin("check - --format json", kSource, stream.string());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report["findings"].size(), 1u) << r.out;
  const auto& f = report["findings"][0];
  EXPECT_EQ(f["ruleId"], "IP000");
  EXPECT_EQ(f["path"], "-");
  EXPECT_GT(f["line"].get<int>(), 0) << f.dump();
  EXPECT_EQ(report["summary"]["templatesSkipped"], 0) << r.out;
}

// The parse error of a document Helm names is reported on that template, the stream's line in
// the message.
TEST(CheckCommand, RenderedStreamParseErrorInASourcedDocumentNamesTheTemplate) {
  RenderedFixture fixture = MakeRenderedFixture("parse-error");
  std::ofstream(fixture.stream) << "---\n# Source: api/templates/deployment.yaml\nmetadata:\n"
                                   "  name: {{ .Release.Name }\nspec: {}\n";
  RunResult r =
      RunImagepin("check - --format json", fixture.repo.string(), fixture.stream.string());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report["findings"].size(), 1u) << r.out;
  const auto& f = report["findings"][0];
  EXPECT_EQ(f["ruleId"], "IP000");
  EXPECT_EQ(f["path"], "sources/charts/api/templates/deployment.yaml");
  EXPECT_EQ(f["line"], 0);
  EXPECT_EQ(f["message"],
            "YAML syntax error: did not find expected ',' or '}' while parsing a flow mapping "
            "(line 5, column 1 of the rendered stream)");
}

TEST(CheckCommand, ConfigErrorExitsTwoWithFileLineColumn) {
  fs::path repo = fs::path(testing::TempDir()) / "imagepin-bad-config-repo";
  fs::create_directories(repo);
  std::ofstream(repo / ".imagepin.yaml") << "version: 1\nscope:\n  includes: [x]\n";
  RunResult r = RunImagepin("check", repo.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(".imagepin.yaml:3:3: error: unknown key \"includes\"", 0), 0) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
}

// The gate bypasses that were: each of these files passed with exit 0.
TEST(CheckCommand, YamlThatLoadersReadDifferentlyFailsTheGate) {
  fs::path repo = fs::path(testing::TempDir()) / "imagepin-bypass-repo";
  fs::remove_all(repo);
  fs::create_directories(repo / "sources/values");
  std::ofstream(repo / ".imagepin.yaml") << "scope:\n  maxDepth: 5\n";
  std::ofstream(repo / "sources/values/dup.yaml")
      << "image:\n  ref: ghcr.io/acme/api@sha256:" << std::string(64, 'a')
      << "\n  pullPolicy: IfNotPresent\n  ref: ghcr.io/acme/api:main\n  pullPolicy: Always\n";
  std::ofstream(repo / "sources/values/alias.yaml") << "image: *nope\n";
  std::ofstream(repo / "sources/values/deep.yaml") << "a: {b: {c: {d: {e: {f: 1}}}}}\n";
  RunResult r = RunImagepin("check --format json", repo.string());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> by_path;
  for (const auto& f : report["findings"]) {
    by_path[f["path"]] += f["ruleId"].get<std::string>() + "@" +
                          std::to_string(f["line"].get<int>()) + " " +
                          f["message"].get<std::string>();
  }
  EXPECT_EQ(by_path["sources/values/dup.yaml"],
            "IP000@4 duplicate key \"ref\" (first at line 2, column 3): YAML loaders keep the last "
            "one");
  EXPECT_EQ(by_path["sources/values/alias.yaml"], "IP000@1 undefined alias *nope");
  EXPECT_EQ(by_path["sources/values/deep.yaml"],
            "IP000@1 nesting deeper than 5 levels (scope.maxDepth)");
}

TEST(CheckCommand, StandardInputHasTheSizeCap) {
  fs::path repo = fs::path(testing::TempDir()) / "imagepin-stdin-cap-repo";
  fs::remove_all(repo);
  fs::create_directories(repo);
  std::ofstream(repo / ".imagepin.yaml") << "scope:\n  maxFileSize: 1KiB\n";
  fs::path big = repo / "big.yaml";
  {
    std::ofstream out(big);
    for (int i = 0; i < 200; ++i)
      out << "image: nginx:1.27.0@sha256:" << std::string(64, 'a') << "\n---\n";
  }
  RunResult r = RunImagepin("check - --format json", repo.string(), big.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report["findings"].size(), 1u);
  EXPECT_EQ(report["findings"][0]["ruleId"], "IP000");
  EXPECT_EQ(report["findings"][0]["message"],
            "skipped: larger than the 1 KiB limit (scope.maxFileSize)");
}

TEST(CheckCommand, ErrorLinesEscapeControlCharactersInPaths) {
  RunResult r = RunImagepin("check \"$(printf 'evil\\033[2Jname.yaml')\"", kExample);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "raw ESC reached the terminal";
  EXPECT_NE(r.err.find("evil\\x1b[2Jname.yaml"), std::string::npos) << r.err;
}

TEST(CheckCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(RunImagepin("check --format xml", kExample).exit_code, 2);
  EXPECT_EQ(RunImagepin("check no/such/path", kExample).exit_code, 2);
  EXPECT_EQ(RunImagepin("frobnicate").exit_code, 2);
}

TEST(CheckCommand, NeverWritesToTheRepository) {
  fs::path repo = fs::path(testing::TempDir()) / "imagepin-readonly-repo";
  fs::remove_all(repo);
  fs::copy(kViolations, repo, fs::copy_options::recursive);
  auto snapshot = [&] {
    std::string all;
    for (const auto& e : fs::recursive_directory_iterator(repo)) {
      if (e.is_regular_file()) all += e.path().string() + "\n" + ReadAll(e.path());
    }
    return all;
  };
  std::string before = snapshot();
  RunImagepin("check", repo.string());
  EXPECT_EQ(snapshot(), before);
}

TEST(CheckCommand, ReportsBrokenFilesAndGoesOn) {
  fs::path repo = fs::path(testing::TempDir()) / "imagepin-broken-files-repo";
  fs::remove_all(repo);
  fs::create_directories(repo / "sources/values");
  std::ofstream(repo / "sources/values/binary.yaml") << std::string("\0\1\2image", 8);
  std::ofstream(repo / "sources/values/empty.yaml") << "";
  std::ofstream(repo / "sources/values/comments.yaml") << "# nothing here\n";
  std::ofstream(repo / "sources/values/good.yaml") << "image: nginx:1.27.0\n";
  fs::create_symlink("loop.yaml", repo / "sources/values/loop.yaml");
  RunResult r = RunImagepin("check --format json", repo.string());
  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json report = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> by_path;
  for (const auto& f : report["findings"]) by_path[f["path"]] += f["ruleId"].get<std::string>();
  EXPECT_EQ(by_path["sources/values/binary.yaml"], "IP000");
  EXPECT_EQ(by_path["sources/values/loop.yaml"], "IP000");
  EXPECT_EQ(by_path["sources/values/good.yaml"], "IP001");
  EXPECT_FALSE(by_path.count("sources/values/empty.yaml"));
  EXPECT_FALSE(by_path.count("sources/values/comments.yaml"));
  EXPECT_EQ(report["summary"]["filesScanned"], 5);
}

TEST(ImagesCommand, ListsEveryImageFieldOfTheExample) {
  RunResult r = RunImagepin("images --format json", kExample);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json fields = nlohmann::json::parse(r.out);
  std::set<std::string> forms;
  for (const auto& f : fields) {
    forms.insert(f["form"].get<std::string>());
    EXPECT_GT(f["line"].get<int>(), 0);
    EXPECT_FALSE(f["path"].get<std::string>().starts_with("/"));
  }
  EXPECT_EQ(forms, (std::set<std::string>{"container", "kustomize", "ref", "split", "string"}));
  RunResult table = RunImagepin("images", kExample);
  EXPECT_EQ(table.exit_code, 0);
  // One header line plus one line per field.
  EXPECT_EQ(static_cast<size_t>(std::count(table.out.begin(), table.out.end(), '\n')),
            fields.size() + 1);
}

TEST(RefCommand, PrintsJsonLinesAndExitsOneOnInvalidInput) {
  RunResult r = RunImagepin("ref --json nginx Foo/Bar:x");
  EXPECT_EQ(r.exit_code, 1);
  std::istringstream lines(r.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  nlohmann::json a = nlohmann::json::parse(first), b = nlohmann::json::parse(second);
  EXPECT_EQ(a["normalized"], "docker.io/library/nginx");
  EXPECT_EQ(a["familiar"], "docker.io/library/nginx:latest");
  EXPECT_EQ(a["valid"], true);
  EXPECT_EQ(b["valid"], false);
  EXPECT_TRUE(b["domain"].is_null());
  EXPECT_EQ(RunImagepin("ref ghcr.io/acme/api:v1").exit_code, 0);
}

}  // namespace
