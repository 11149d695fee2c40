// Checks the GitHub Actions files imagepin ships (examples/github/*.yaml and the composite
// action.yml): they parse with imagepin's own YAML parser; each lane triggers on what
// docs/github.md says and runs the imagepin command it needs; the bump lane auto-merges and the
// promote lane never does; and no shell script expands an expression or prints a secret. The
// shell scripts that carry logic (the action's run step, the registry credentials step, the
// promote pair check) are run here with bash and fake GitHub files.
//
// One file, longer than most: the helpers (steps of a job, what a step runs as imagepin) exist
// only for these checks, and the checks read best next to them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/files.h"
#include "tests/testing/action_validator.h"
#include "yaml/document.h"
#include "yaml/parser.h"

namespace {

namespace fs = std::filesystem;
using imagepin::yaml::Document;
using imagepin::yaml::kNoNode;
using imagepin::yaml::NodeId;
using imagepin::yaml::NodeKind;

const fs::path kSource = IMAGEPIN_SOURCE_DIR;
const fs::path kWorkflows = kSource / "examples/github";

// ---------------------------------------------------------------------------------------------
// Reading the files.

// One parsed YAML file. `doc` views `text`, so a YamlFile is held by pointer and never moves.
struct YamlFile {
  std::string path;
  std::string text;
  Document doc;
  int documents = 0;
  std::string error;  // empty when the file read and parsed
};

std::unique_ptr<YamlFile> LoadYaml(const fs::path& path) {
  auto file = std::make_unique<YamlFile>();
  file->path = path.string();
  imagepin::base::Status read = imagepin::base::ReadFileInto(file->path, 1 << 20, &file->text);
  if (!read.ok()) {
    file->error = read.error().ToString();
    return file;
  }
  imagepin::yaml::StreamParser parser;
  imagepin::yaml::SyntaxError syntax;
  bool parsed = parser.Parse(
      file->text,
      [&](const Document& doc) {
        if (file->documents++ == 0) file->doc = doc;
      },
      &syntax);
  if (!parsed) {
    file->error = file->path + ":" + std::to_string(syntax.line) + ":" +
                  std::to_string(syntax.column) + ": " + syntax.message;
  }
  return file;
}

std::vector<fs::path> WorkflowPaths() {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(kWorkflows)) {
    std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".yml") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The node at `keys` below `node` (aliases followed), or kNoNode.
NodeId At(const Document& doc, NodeId node, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) node = doc.Resolve(doc.Get(doc.Resolve(node), key));
  return node;
}

// A scalar's value; "" for anything else.
std::string Scalar(const Document& doc, NodeId id) {
  id = doc.Resolve(id);
  if (id == kNoNode || doc.node(id).kind != NodeKind::kScalar) return "";
  return std::string(doc.Value(id));
}

std::vector<NodeId> Children(const Document& doc, NodeId id) {
  std::vector<NodeId> children;
  id = doc.Resolve(id);
  if (id == kNoNode) return children;
  for (NodeId c = doc.node(id).first_child; c != kNoNode; c = doc.node(c).next_sibling) {
    children.push_back(doc.Resolve(c));
  }
  return children;
}

// A mapping's entries in order, as (key, value node).
std::vector<std::pair<std::string, NodeId>> Entries(const Document& doc, NodeId id) {
  std::vector<std::pair<std::string, NodeId>> entries;
  if (doc.Resolve(id) == kNoNode || doc.node(doc.Resolve(id)).kind != NodeKind::kMapping) {
    return entries;
  }
  std::vector<NodeId> c = Children(doc, id);
  for (size_t i = 0; i + 1 < c.size(); i += 2) entries.emplace_back(Scalar(doc, c[i]), c[i + 1]);
  return entries;
}

std::vector<std::string> ScalarItems(const Document& doc, NodeId seq) {
  std::vector<std::string> items;
  for (NodeId item : Children(doc, seq)) items.push_back(Scalar(doc, item));
  return items;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// One step of a workflow job or of the composite action, with the env it inherits.
struct Step {
  std::string label;  // "job check, step 2 (Write SARIF)", for failure messages
  size_t index = 0;   // position in its job
  std::string id, name, uses, run, condition;
  bool has_shell = false, continue_on_error = false;
  std::string continue_on_error_text;  // as written: an expression is not `true`
  std::map<std::string, std::string> with, env;
};

std::map<std::string, std::string> ScalarMap(const Document& doc, NodeId map) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : Entries(doc, map)) out[key] = Scalar(doc, value);
  return out;
}

// Every step of every job (workflows) or of runs.steps (the action), in order.
std::vector<Step> StepsOf(const YamlFile& file) {
  const Document& doc = file.doc;
  std::vector<std::pair<std::string, NodeId>> jobs = Entries(doc, At(doc, doc.root(), {"jobs"}));
  if (jobs.empty()) jobs.emplace_back("runs", At(doc, doc.root(), {"runs"}));
  std::map<std::string, std::string> workflow_env = ScalarMap(doc, At(doc, doc.root(), {"env"}));
  std::vector<Step> steps;
  for (const auto& [job_id, job] : jobs) {
    std::map<std::string, std::string> job_env = ScalarMap(doc, At(doc, job, {"env"}));
    std::vector<NodeId> nodes = Children(doc, At(doc, job, {"steps"}));
    for (size_t i = 0; i < nodes.size(); ++i) {
      NodeId n = nodes[i];
      Step s;
      s.index = i;
      s.id = Scalar(doc, At(doc, n, {"id"}));
      s.name = Scalar(doc, At(doc, n, {"name"}));
      s.uses = Scalar(doc, At(doc, n, {"uses"}));
      s.run = Scalar(doc, At(doc, n, {"run"}));
      s.condition = Scalar(doc, At(doc, n, {"if"}));
      s.has_shell = At(doc, n, {"shell"}) != kNoNode;
      s.continue_on_error_text = Scalar(doc, At(doc, n, {"continue-on-error"}));
      s.continue_on_error = s.continue_on_error_text == "true";
      s.with = ScalarMap(doc, At(doc, n, {"with"}));
      s.env = workflow_env;
      for (const auto& [k, v] : job_env) s.env[k] = v;
      for (const auto& [k, v] : ScalarMap(doc, At(doc, n, {"env"}))) s.env[k] = v;
      s.label = "job " + job_id + ", step " + std::to_string(i + 1) + " (" +
                (s.name.empty() ? s.uses : s.name) + ")";
      steps.push_back(std::move(s));
    }
  }
  return steps;
}

bool IsImagepinAction(std::string_view uses) {
  return uses == "./" || Contains(uses, "/imagepin@");
}

std::string Get(const std::map<std::string, std::string>& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// What `step` runs as imagepin, each invocation as the words after `imagepin`: from the
// composite action's inputs (command, args, summary-md), or from each line of a run script
// that mentions `imagepin` (lines that only mention it yield words no command matches).
std::vector<std::vector<std::string>> ImagepinInvocations(const Step& step) {
  std::vector<std::vector<std::string>> invocations;
  if (IsImagepinAction(step.uses)) {
    if (Get(step.with, "command").empty()) return invocations;
    std::string text = Get(step.with, "command") + " " + Get(step.with, "args");
    if (!Get(step.with, "summary-md").empty()) {
      text += " --summary-md " + Get(step.with, "summary-md");
    }
    invocations.push_back(Words(text));
    return invocations;
  }
  static const std::regex kInvocation(R"((^|[\s;&|(])imagepin\s+(.*)$)");
  std::istringstream lines(step.run);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kInvocation)) invocations.push_back(Words(m[2]));
  }
  return invocations;
}

bool HasWord(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// True if `flag VALUE` or `flag=VALUE` is among `words`.
bool HasFlag(const std::vector<std::string>& words, std::string_view flag, std::string_view value) {
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == std::string(flag) + "=" + std::string(value)) return true;
    if (words[i] == flag && i + 1 < words.size() && words[i + 1] == value) return true;
  }
  return false;
}

struct Invocation {
  const Step* step = nullptr;
  std::vector<std::string> words;  // after `imagepin`, starting with the command
};

// The first step running `imagepin <command>` with all of `flags` ({flag, value}; value ""
// means the flag's presence); step is nullptr if there is none.
Invocation FindImagepin(const std::vector<Step>& steps, std::string_view command,
                        std::vector<std::pair<std::string, std::string>> flags = {}) {
  for (const Step& s : steps) {
    for (std::vector<std::string>& words : ImagepinInvocations(s)) {
      if (words.empty() || words[0] != command) continue;
      bool all = std::all_of(flags.begin(), flags.end(), [&](const auto& f) {
        return f.second.empty() ? HasWord(words, f.first) : HasFlag(words, f.first, f.second);
      });
      if (all) return {&s, std::move(words)};
    }
  }
  return {};
}

const Step* FindUses(const std::vector<Step>& steps, std::string_view action) {
  for (const Step& s : steps) {
    if (s.uses.rfind(std::string(action) + "@", 0) == 0) return &s;
  }
  return nullptr;
}

// The shipped files, parsed once.
class ShippedFiles : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const fs::path& p : WorkflowPaths()) workflows_[p.filename().string()] = LoadYaml(p);
    action_ = LoadYaml(kSource / "action.yml");
  }
  static const YamlFile& Workflow(const std::string& name) {
    auto it = workflows_.find(name);
    if (it != workflows_.end()) return *it->second;
    static YamlFile missing;
    missing.error = "no workflow named " + name;
    return missing;
  }
  static std::vector<const YamlFile*> AllFiles() {
    std::vector<const YamlFile*> all;
    for (const auto& [name, file] : workflows_) all.push_back(file.get());
    all.push_back(action_.get());
    return all;
  }
  static std::map<std::string, std::unique_ptr<YamlFile>> workflows_;
  static std::unique_ptr<YamlFile> action_;
};
std::map<std::string, std::unique_ptr<YamlFile>> ShippedFiles::workflows_;
std::unique_ptr<YamlFile> ShippedFiles::action_;

// ---------------------------------------------------------------------------------------------
// Running the scripts.

struct ScriptResult {
  int exit_code = -1;
  std::string output;  // standard output and error together
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ShellQuote(std::string_view s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A fresh scratch directory for the running test.
fs::path ScratchDir() {
  const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir =
      fs::path(testing::TempDir()) /
      ("imagepin-workflows-" + std::string(test->test_suite_name()) + "." + test->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs `script` in `dir` the way GitHub runs a bash step (`bash --noprofile --norc -eo pipefail
// FILE`) with only PATH, HOME and `env` in the environment.
ScriptResult RunStepScript(const std::string& script, const std::map<std::string, std::string>& env,
                           const fs::path& dir) {
  static int counter = 0;
  fs::path file = dir / ("step" + std::to_string(++counter) + ".sh");
  fs::path out = dir / ("step" + std::to_string(counter) + ".out");
  std::ofstream(file) << script;
  std::string command = "cd " + ShellQuote(dir.string()) + " && env -i PATH=" +
                        ShellQuote(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin") +
                        " HOME=" + ShellQuote(dir.string());
  for (const auto& [k, v] : env) command += " " + k + "=" + ShellQuote(v);
  command += " bash --noprofile --norc -eo pipefail " + ShellQuote(file.string()) + " >" +
             ShellQuote(out.string()) + " 2>&1";
  int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out)};
}

// ---------------------------------------------------------------------------------------------
// Every file.

TEST_F(ShippedFiles, EveryFileIsOneYamlMapping) {
  EXPECT_GE(workflows_.size(), 3u);
  for (const YamlFile* file : AllFiles()) {
    SCOPED_TRACE(file->path);
    ASSERT_EQ(file->error, "");
    EXPECT_EQ(file->documents, 1);
    ASSERT_NE(file->doc.root(), kNoNode);
    EXPECT_EQ(file->doc.node(file->doc.root()).kind, NodeKind::kMapping);
  }
}

// The schemas GitHub reads them by (workflow and action), through @action-validator/cli, which
// scripts/install-deps.sh installs in .tools/; skipped without it.
TEST_F(ShippedFiles, EveryFilePassesActionValidator) {
  const std::string validator = imagepin::testing::ActionValidator();
  if (validator.empty()) GTEST_SKIP() << "no action-validator (.tools/ or PATH)";
  for (const YamlFile* file : AllFiles()) {
    imagepin::testing::CommandResult r = imagepin::testing::RunCommand({validator, file->path});
    EXPECT_EQ(r.exit_code, 0) << file->path << "\n" << r.out << r.err;
  }
}

TEST_F(ShippedFiles, WorkflowsDeclareTriggersPermissionsAndBoundedJobs) {
  for (const auto& [name, file] : workflows_) {
    SCOPED_TRACE(name);
    const Document& doc = file->doc;
    // libyaml reads `on` as the string "on" (it knows no YAML 1.1 booleans), as GitHub does.
    EXPECT_FALSE(Entries(doc, At(doc, doc.root(), {"on"})).empty());
    EXPECT_FALSE(Entries(doc, At(doc, doc.root(), {"permissions"})).empty())
        << "least privilege: the workflow token's permissions are stated";
    auto jobs = Entries(doc, At(doc, doc.root(), {"jobs"}));
    ASSERT_FALSE(jobs.empty());
    for (const auto& [job_id, job] : jobs) {
      SCOPED_TRACE(job_id);
      EXPECT_NE(Scalar(doc, At(doc, job, {"runs-on"})), "");
      EXPECT_NE(Scalar(doc, At(doc, job, {"timeout-minutes"})), "");
      EXPECT_FALSE(Children(doc, At(doc, job, {"steps"})).empty());
    }
    bool uses_imagepin = false;
    for (const Step& s : StepsOf(*file)) uses_imagepin |= IsImagepinAction(s.uses);
    EXPECT_TRUE(uses_imagepin) << "runs imagepin through the composite action";
  }
}

TEST_F(ShippedFiles, EveryActionIsReferencedAtAVersion) {
  for (const YamlFile* file : AllFiles()) {
    for (const Step& s : StepsOf(*file)) {
      if (s.uses.empty() || s.uses.rfind("./", 0) == 0) continue;
      SCOPED_TRACE(file->path + ": " + s.label);
      size_t at = s.uses.find('@');
      ASSERT_NE(at, std::string::npos) << s.uses;
      EXPECT_LT(at + 1, s.uses.size()) << s.uses;
    }
  }
}

// An expression inside a script is pasted into the shell before it runs: a branch name or an
// input could inject code. Values reach scripts through env instead.
TEST_F(ShippedFiles, NoRunScriptContainsAnExpression) {
  for (const YamlFile* file : AllFiles()) {
    for (const Step& s : StepsOf(*file)) {
      SCOPED_TRACE(file->path + ": " + s.label);
      EXPECT_FALSE(Contains(s.run, "${{")) << s.run;
    }
  }
}

TEST_F(ShippedFiles, NoRunScriptPrintsASecret) {
  static const std::regex kPrints(R"(\b(echo|printf|cat)\b)");
  for (const YamlFile* file : AllFiles()) {
    for (const Step& s : StepsOf(*file)) {
      SCOPED_TRACE(file->path + ": " + s.label);
      for (const auto& [name, value] : s.env) {
        // Secrets, and tokens other steps mint (the GitHub App token).
        if (!Contains(value, "secrets.") && !Contains(value, "outputs.token")) continue;
        EXPECT_FALSE(Contains(s.run, "set -x")) << "tracing would print $" << name;
        std::istringstream lines(s.run);
        for (std::string line; std::getline(lines, line);) {
          bool mentions = Contains(line, "$" + name) || Contains(line, "${" + name + "}");
          if (!mentions || !std::regex_search(line, kPrints)) continue;
          // Printing is fine into a pipe or a file; never to the log.
          bool redirected = Contains(line, "|") || Contains(line, ">");
          EXPECT_TRUE(redirected) << "prints $" << name << " to the log: " << line;
          EXPECT_FALSE(Contains(line, "GITHUB_OUTPUT") || Contains(line, "GITHUB_ENV") ||
                       Contains(line, "GITHUB_STEP_SUMMARY"))
              << "writes $" << name << " where later steps and the log can see it: " << line;
        }
      }
    }
  }
}

TEST_F(ShippedFiles, EveryRunScriptIsValidBash) {
  fs::path dir = ScratchDir();
  for (const YamlFile* file : AllFiles()) {
    for (const Step& s : StepsOf(*file)) {
      if (s.run.empty()) continue;
      SCOPED_TRACE(file->path + ": " + s.label);
      fs::path script = dir / "script.sh";
      std::ofstream(script) << s.run;
      std::string command = "bash -n " + ShellQuote(script.string()) + " 2>/dev/null";
      EXPECT_EQ(std::system(command.c_str()), 0) << s.run;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// image-policy.yaml: the required check.

TEST_F(ShippedFiles, ImagePolicyRunsOnPullRequestsTouchingWhatIsDeployed) {
  const YamlFile& file = Workflow("image-policy.yaml");
  ASSERT_EQ(file.error, "");
  const Document& doc = file.doc;
  std::vector<std::string> paths =
      ScalarItems(doc, At(doc, doc.root(), {"on", "pull_request", "paths"}));
  for (const char* want :
       {"sources/values/**", "sources/manifests/**", "sources/charts/**", ".imagepin.yaml"}) {
    EXPECT_TRUE(HasWord(paths, want)) << want;
  }
  std::vector<std::string> push_paths =
      ScalarItems(doc, At(doc, doc.root(), {"on", "push", "paths"}));
  EXPECT_TRUE(HasWord(push_paths, "sources/charts/**"));
  // A repository can put it under one always-run gate job.
  EXPECT_NE(At(doc, doc.root(), {"on", "workflow_call"}), kNoNode);
  EXPECT_EQ(Scalar(doc, At(doc, doc.root(), {"permissions", "contents"})), "read");
  EXPECT_EQ(Scalar(doc, At(doc, doc.root(), {"permissions", "security-events"})), "write");
}

TEST_F(ShippedFiles, ImagePolicyGatesOnCheckWithAnnotations) {
  std::vector<Step> steps = StepsOf(Workflow("image-policy.yaml"));
  const Step* gate = FindImagepin(steps, "check", {{"--format", "github"}}).step;
  ASSERT_NE(gate, nullptr);
  // Exit 1 must fail the job: nothing may soften the gate.
  EXPECT_FALSE(gate->continue_on_error);
  EXPECT_NE(Get(gate->with, "allow-findings"), "true");
  EXPECT_EQ(gate->condition, "");
}

TEST_F(ShippedFiles, ImagePolicyUploadsSarifEvenWhenTheCheckFails) {
  std::vector<Step> steps = StepsOf(Workflow("image-policy.yaml"));
  const Step* gate = FindImagepin(steps, "check", {{"--format", "github"}}).step;
  const Step* sarif = FindImagepin(steps, "check", {{"--format", "sarif"}}).step;
  const Step* upload = FindUses(steps, "github/codeql-action/upload-sarif");
  ASSERT_NE(gate, nullptr);
  ASSERT_NE(sarif, nullptr);
  ASSERT_NE(upload, nullptr);
  EXPECT_TRUE(Contains(sarif->run, "> imagepin.sarif") ||
              Get(sarif->with, "output-file") == "imagepin.sarif");
  EXPECT_TRUE(sarif->index < gate->index || Contains(sarif->condition, "always()"))
      << "the SARIF is written even after the gate fails";
  EXPECT_GT(upload->index, std::max(gate->index, sarif->index));
  EXPECT_TRUE(Contains(upload->condition, "always()"));
  EXPECT_EQ(Get(upload->with, "sarif_file"), "imagepin.sarif");
}

// ---------------------------------------------------------------------------------------------
// bump-local-dev-images.yaml: the automatic lane.

TEST_F(ShippedFiles, BumpRunsOnScheduleOnDispatchAndByHand) {
  const YamlFile& file = Workflow("bump-local-dev-images.yaml");
  ASSERT_EQ(file.error, "");
  const Document& doc = file.doc;
  NodeId on = At(doc, doc.root(), {"on"});
  std::vector<NodeId> schedules = Children(doc, At(doc, on, {"schedule"}));
  ASSERT_FALSE(schedules.empty());
  EXPECT_NE(Scalar(doc, At(doc, schedules[0], {"cron"})), "");
  EXPECT_TRUE(
      HasWord(ScalarItems(doc, At(doc, on, {"repository_dispatch", "types"})), "image-published"));
  EXPECT_NE(doc.Get(on, "workflow_dispatch"), kNoNode);
  EXPECT_NE(Scalar(doc, At(doc, doc.root(), {"concurrency", "group"})), "")
      << "two runs must not push the same branch at once";
}

TEST_F(ShippedFiles, BumpOpensOnePullRequestThatMergesItself) {
  std::vector<Step> steps = StepsOf(Workflow("bump-local-dev-images.yaml"));
  const Step* bump =
      FindImagepin(steps, "bump", {{"--env", "local,dev"}, {"--summary-md", ""}}).step;
  const Step* pr = FindUses(steps, "peter-evans/create-pull-request");
  ASSERT_NE(bump, nullptr);
  ASSERT_NE(pr, nullptr);
  EXPECT_GT(pr->index, bump->index);
  EXPECT_EQ(Get(pr->with, "branch"), "imagepin/bump-local-dev");
  EXPECT_TRUE(Contains(Get(pr->with, "body-path"), "steps." + bump->id + ".outputs.summary-path"))
      << Get(pr->with, "body-path");
  const Step* merge = nullptr;
  for (const Step& s : steps) {
    if (Contains(s.run, "gh pr merge")) merge = &s;
  }
  ASSERT_NE(merge, nullptr);
  EXPECT_GT(merge->index, pr->index);
  EXPECT_TRUE(Contains(merge->run, "--auto"));
  EXPECT_TRUE(Contains(merge->run, "--squash"));
}

// Exit 3 (a reference that did not resolve) must fail the job before a pull request exists.
// Fail fast by default; --keep-going only under one repository variable, which also lets the
// pull request steps run after the failed step and fails the job at the end.
TEST_F(ShippedFiles, AFailedBumpOpensNoPullRequest) {
  std::vector<Step> steps = StepsOf(Workflow("bump-local-dev-images.yaml"));
  const Step* bump = FindImagepin(steps, "bump").step;
  ASSERT_NE(bump, nullptr);
  EXPECT_FALSE(bump->continue_on_error);
  const std::string keep_going = "vars.IMAGEPIN_BUMP_KEEP_GOING == 'true'";
  EXPECT_EQ(bump->continue_on_error_text, "${{ " + keep_going + " }}");
  EXPECT_EQ(Get(bump->with, "args"),
            "--env local,dev ${{ " + keep_going + " && '--keep-going' || '' }}");
  EXPECT_NE(Get(bump->with, "allow-findings"), "true");
  const Step& last = steps.back();
  EXPECT_EQ(last.condition, "steps.bump.outcome == 'failure'");
  EXPECT_TRUE(Contains(last.run, "exit 1")) << last.run;
  for (const Step& s : steps) {
    if (s.index <= bump->index) continue;
    SCOPED_TRACE(s.label);
    for (const char* runs_after_failure : {"always()", "failure()", "cancelled()"}) {
      EXPECT_FALSE(Contains(s.condition, runs_after_failure)) << s.condition;
    }
  }
}

// The dispatch path: a producer's image-pushed event runs `imagepin set` on its payload.
TEST_F(ShippedFiles, APushedImageIsSetAndGetsItsOwnPullRequestThatMergesItself) {
  const YamlFile& file = Workflow("bump-local-dev-images.yaml");
  ASSERT_EQ(file.error, "");
  EXPECT_TRUE(HasWord(
      ScalarItems(file.doc, At(file.doc, file.doc.root(), {"on", "repository_dispatch", "types"})),
      "image-pushed"));
  std::vector<Step> steps = StepsOf(file);
  const Step* bump = FindImagepin(steps, "bump").step;
  Invocation set = FindImagepin(steps, "set", {{"--summary-md", ""}});
  ASSERT_NE(bump, nullptr);
  ASSERT_NE(set.step, nullptr);
  EXPECT_EQ(bump->condition, "github.event.action != 'image-pushed'");
  EXPECT_EQ(set.step->condition, "github.event.action == 'image-pushed'");
  // The payload comes through the environment, after `--`: never an option, never code.
  EXPECT_EQ(Get(set.step->env, "IMAGE"), "${{ github.event.client_payload.image }}");
  EXPECT_EQ(Get(set.step->env, "TARGET_ENV"), "${{ github.event.client_payload.env }}");
  std::vector<std::string> tail(set.words.end() - 3, set.words.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"--", "\"$TARGET_ENV\"", "\"$IMAGE\""}));
  // imagepin is on PATH before the step: the action ran without a command.
  bool built = false;
  for (const Step& s : steps) {
    if (s.index < set.step->index && IsImagepinAction(s.uses) && Get(s.with, "command").empty() &&
        s.condition == set.step->condition) {
      built = true;
    }
  }
  EXPECT_TRUE(built);
  const Step* pr = nullptr;
  const Step* merge = nullptr;
  for (const Step& s : steps) {
    if (s.id == "set-pr") pr = &s;
    if (Contains(s.run, "gh pr merge")) merge = &s;
  }
  ASSERT_NE(pr, nullptr);
  ASSERT_NE(merge, nullptr);
  EXPECT_TRUE(pr->uses.starts_with("peter-evans/create-pull-request@"));
  EXPECT_EQ(pr->condition, set.step->condition);
  EXPECT_GT(pr->index, set.step->index);
  EXPECT_EQ(Get(pr->with, "branch"), "${{ steps.set.outputs.branch }}");
  EXPECT_EQ(Get(pr->with, "body-path"), "${{ steps.set.outputs.summary-path }}");
  EXPECT_GT(merge->index, pr->index);
  EXPECT_TRUE(Contains(merge->condition, "steps.set-pr.outputs.pull-request-operation"));
  EXPECT_TRUE(Contains(Get(merge->env, "PR_NUMBER"), "steps.set-pr.outputs.pull-request-number"));
}

// The set step's script, against a stand-in imagepin that records its arguments: the payload
// arrives as two arguments whatever it holds, a lane other than local and dev is refused before
// imagepin runs, and the outputs name the branch of that environment and repository.
TEST_F(ShippedFiles, TheSetStepPassesThePayloadAsDataAndOnlyForTheFastLanes) {
  std::vector<Step> steps = StepsOf(Workflow("bump-local-dev-images.yaml"));
  const Step* set = FindImagepin(steps, "set").step;
  ASSERT_NE(set, nullptr);
  fs::path dir = ScratchDir();
  fs::create_directories(dir / "bin");
  std::ofstream(dir / "bin/imagepin") << "#!/bin/sh\nfor a in \"$@\"; do echo \"arg:$a\"; done\n";
  fs::permissions(dir / "bin/imagepin", fs::perms::owner_all);
  auto run = [&](const std::string& image, const std::string& env) {
    std::ofstream(dir / "output", std::ios::trunc);
    return RunStepScript("PATH=\"" + (dir / "bin").string() + ":$PATH\"\n" + set->run,
                         {{"IMAGE", image},
                          {"TARGET_ENV", env},
                          {"RUNNER_TEMP", dir.string()},
                          {"GITHUB_OUTPUT", (dir / "output").string()}},
                         dir);
  };
  const std::string hostile = "ghcr.io/acme/api:v1@sha256:1 $(touch pwned) `touch pwned` *";
  ScriptResult r = run(hostile, "dev");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "arg:set\narg:--summary-md\narg:" + (dir / "set-summary.md").string() +
                          "\narg:--\narg:dev\narg:" + hostile + "\n");
  EXPECT_FALSE(fs::exists(dir / "pwned"));
  EXPECT_EQ(ReadAll(dir / "output"), "summary-path=" + (dir / "set-summary.md").string() +
                                         "\nbranch=imagepin/set-dev-ghcr.io-acme-api\n"
                                         "environment=dev\n");
  for (const char* lane : {"staging", "production", "dev; touch pwned", ""}) {
    SCOPED_TRACE(lane);
    ScriptResult refused = run("ghcr.io/acme/api@sha256:1", lane);
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_FALSE(Contains(refused.output, "arg:")) << "imagepin did not run";
    EXPECT_FALSE(Contains(refused.output, lane[0] ? lane : "\x01")) << "the payload is not echoed";
    EXPECT_EQ(ReadAll(dir / "output"), "");
  }
  EXPECT_FALSE(fs::exists(dir / "pwned"));
}

// ---------------------------------------------------------------------------------------------
// promote-images.yaml: the reviewed lane.

TEST_F(ShippedFiles, PromoteIsStartedByHandWithSourceAndTargetChoices) {
  const YamlFile& file = Workflow("promote-images.yaml");
  ASSERT_EQ(file.error, "");
  const Document& doc = file.doc;
  auto triggers = Entries(doc, At(doc, doc.root(), {"on"}));
  ASSERT_EQ(triggers.size(), 1u);
  EXPECT_EQ(triggers[0].first, "workflow_dispatch");
  NodeId inputs = At(doc, triggers[0].second, {"inputs"});
  for (const char* name : {"source", "target"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(Scalar(doc, At(doc, inputs, {name, "type"})), "choice");
    std::vector<std::string> options = ScalarItems(doc, At(doc, inputs, {name, "options"}));
    EXPECT_FALSE(options.empty());
    for (const std::string& o : options) {
      EXPECT_TRUE(o == "dev" || o == "staging" || o == "production") << o;
    }
  }
  EXPECT_NE(At(doc, inputs, {"only"}), kNoNode);
  EXPECT_NE(Scalar(doc, At(doc, inputs, {"only", "required"})), "true");
}

TEST_F(ShippedFiles, PromoteVerifiesAndOpensALabelledPullRequest) {
  std::vector<Step> steps = StepsOf(Workflow("promote-images.yaml"));
  Invocation promote = FindImagepin(steps, "promote", {{"--verify", ""}, {"--summary-md", ""}});
  ASSERT_NE(promote.step, nullptr);
  // `${{ inputs.source }}` splits into three words; the source comes before the target.
  std::string joined;
  for (const std::string& w : promote.words) joined += w + " ";
  EXPECT_TRUE(Contains(joined, "promote ${{ inputs.source }} ${{ inputs.target }} --verify"))
      << joined;
  EXPECT_TRUE(Contains(joined, "--only")) << joined;
  const Step* pr = FindUses(steps, "peter-evans/create-pull-request");
  ASSERT_NE(pr, nullptr);
  EXPECT_GT(pr->index, promote.step->index);
  EXPECT_EQ(Get(pr->with, "branch"), "imagepin/promote-${{ inputs.source }}-${{ inputs.target }}");
  EXPECT_NE(Get(pr->with, "labels"), "");
}

TEST_F(ShippedFiles, PromoteNeverAutoMerges) {
  for (const Step& s : StepsOf(Workflow("promote-images.yaml"))) {
    SCOPED_TRACE(s.label);
    EXPECT_FALSE(Contains(s.run, "gh pr merge")) << s.run;
    EXPECT_FALSE(Contains(s.run, "enablePullRequestAutoMerge")) << s.run;
    EXPECT_FALSE(Contains(s.uses, "merge")) << s.uses;
    for (const auto& [key, value] : s.with) EXPECT_FALSE(Contains(key, "merge")) << key;
  }
}

TEST_F(ShippedFiles, PromoteAcceptsOnlyDevToStagingAndStagingToProduction) {
  std::vector<Step> steps = StepsOf(Workflow("promote-images.yaml"));
  const Step* promote = FindImagepin(steps, "promote").step;
  ASSERT_NE(promote, nullptr);
  const Step* guard = nullptr;
  for (const Step& s : steps) {
    if (s.index < promote->index && s.env.count("SOURCE") && s.env.count("TARGET")) guard = &s;
  }
  ASSERT_NE(guard, nullptr) << "a step before promote checks the pair";
  fs::path dir = ScratchDir();
  for (const char* source : {"dev", "staging", "production"}) {
    for (const char* target : {"dev", "staging", "production"}) {
      std::string pair = std::string(source) + "->" + target;
      SCOPED_TRACE(pair);
      bool valid = pair == "dev->staging" || pair == "staging->production";
      ScriptResult r = RunStepScript(guard->run, {{"SOURCE", source}, {"TARGET", target}}, dir);
      EXPECT_EQ(r.exit_code == 0, valid) << r.output;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The registry credentials step (bump and promote).

TEST_F(ShippedFiles, RegistryCredentialsAreWrittenToADockerConfigAndNeverPrinted) {
  const std::string token = "ghp_NotARealTokenButLongEnough0123456789";
  for (const char* name : {"bump-local-dev-images.yaml", "promote-images.yaml"}) {
    SCOPED_TRACE(name);
    const Step* login = nullptr;
    std::vector<Step> steps = StepsOf(Workflow(name));
    for (const Step& s : steps) {
      if (Contains(s.run, "DOCKER_CONFIG")) login = &s;
    }
    ASSERT_NE(login, nullptr);
    EXPECT_EQ(login->env.at("REGISTRY_TOKEN"), "${{ secrets.GHCR_READ_TOKEN }}");
    fs::path dir = ScratchDir();
    fs::path github_env = dir / "github_env";
    ScriptResult r = RunStepScript(login->run,
                                   {{"REGISTRY", "ghcr.io"},
                                    {"REGISTRY_USER", "acme-bot"},
                                    {"REGISTRY_TOKEN", token},
                                    {"RUNNER_TEMP", dir.string()},
                                    {"GITHUB_ENV", github_env.string()}},
                                   dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(Contains(r.output, token));
    EXPECT_FALSE(Contains(r.output, "auth"));
    EXPECT_EQ(ReadAll(github_env), "DOCKER_CONFIG=" + (dir / "docker").string() + "\n");
    fs::path config = dir / "docker/config.json";
    EXPECT_EQ(fs::status(config).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    nlohmann::json json = nlohmann::json::parse(ReadAll(config));
    // base64("acme-bot:" + token), as `docker login` writes it.
    std::string expected_auth;
    {
      fs::path b64 = dir / "b64";
      std::string command = "printf %s " + ShellQuote("acme-bot:" + token) + " | base64 -w0 > " +
                            ShellQuote(b64.string());
      ASSERT_EQ(std::system(command.c_str()), 0);
      expected_auth = ReadAll(b64);
    }
    EXPECT_EQ(json["auths"]["ghcr.io"]["auth"], expected_auth);

    // No secret: a warning and anonymous access, not a broken config.
    fs::remove_all(dir / "docker");
    fs::remove(github_env);
    r = RunStepScript(login->run,
                      {{"REGISTRY", "ghcr.io"},
                       {"REGISTRY_TOKEN", ""},
                       {"RUNNER_TEMP", dir.string()},
                       {"GITHUB_ENV", github_env.string()}},
                      dir);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(Contains(r.output, "::warning::")) << r.output;
    EXPECT_FALSE(fs::exists(dir / "docker/config.json"));
  }
}

// ---------------------------------------------------------------------------------------------
// action.yml: the composite action.

TEST_F(ShippedFiles, ActionIsCompositeAndBuildsImagepinFromSource) {
  ASSERT_EQ(action_->error, "");
  const Document& doc = action_->doc;
  EXPECT_EQ(Scalar(doc, At(doc, doc.root(), {"runs", "using"})), "composite");
  for (const char* input : {"command", "args", "summary-md"}) {
    EXPECT_NE(At(doc, doc.root(), {"inputs", input}), kNoNode) << input;
  }
  for (const char* output : {"exit-code", "summary-path"}) {
    EXPECT_NE(Scalar(doc, At(doc, doc.root(), {"outputs", output, "value"})), "") << output;
  }
  std::vector<Step> steps = StepsOf(*action_);
  std::string scripts;
  for (const Step& s : steps) {
    SCOPED_TRACE(s.label);
    if (!s.run.empty()) {
      EXPECT_TRUE(s.has_shell) << "composite run steps must name a shell";
    }
    scripts += s.run;
  }
  EXPECT_TRUE(Contains(scripts, "scripts/install-deps.sh"));
  EXPECT_TRUE(Contains(scripts, "cmake -S \"$GITHUB_ACTION_PATH\""));
  EXPECT_TRUE(Contains(scripts, "-DCMAKE_BUILD_TYPE=Release"));
  EXPECT_TRUE(Contains(scripts, "cmake --build"));
  EXPECT_NE(FindUses(steps, "actions/cache/restore"), nullptr);
  EXPECT_NE(FindUses(steps, "actions/cache/save"), nullptr);
}

// The action's last step, run against a stand-in imagepin that records its arguments.
class ActionRunStep : public ShippedFiles {
 protected:
  void SetUp() override {
    for (const Step& s : StepsOf(*action_)) {
      if (s.id == "run") script_ = s.run;
    }
    ASSERT_NE(script_, "");
    dir_ = ScratchDir();
    fake_ = dir_ / "imagepin";
    // Prints each argument on its own line, writes a summary if asked, exits with $FAKE_EXIT.
    std::ofstream(fake_) << "#!/bin/sh\n"
                            "for a in \"$@\"; do echo \"arg:$a\"; done\n"
                            "while [ $# -gt 0 ]; do\n"
                            "  [ \"$1\" = --summary-md ] && echo '# summary' > \"$2\"\n"
                            "  shift\n"
                            "done\n"
                            "exit \"${FAKE_EXIT:-0}\"\n";
    fs::permissions(fake_, fs::perms::owner_all);
  }

  ScriptResult Run(std::map<std::string, std::string> inputs, int fake_exit) {
    std::ofstream(dir_ / "github_output", std::ios::trunc);
    std::ofstream(dir_ / "step_summary", std::ios::trunc);
    std::map<std::string, std::string> env = {
        {"IMAGEPIN_BIN", fake_.string()},
        {"IMAGEPIN_COMMAND", ""},
        {"IMAGEPIN_ARGS", ""},
        {"IMAGEPIN_SUMMARY_MD", ""},
        {"IMAGEPIN_OUTPUT_FILE", ""},
        {"IMAGEPIN_ALLOW_FINDINGS", "false"},
        {"FAKE_EXIT", std::to_string(fake_exit)},
        {"GITHUB_OUTPUT", (dir_ / "github_output").string()},
        {"GITHUB_STEP_SUMMARY", (dir_ / "step_summary").string()},
    };
    for (auto& [k, v] : inputs) env[k] = v;
    return RunStepScript(script_, env, dir_);
  }
  std::string Outputs() { return ReadAll(dir_ / "github_output"); }

  std::string script_;
  fs::path dir_, fake_;
};

TEST_F(ActionRunStep, PassesArgumentsWordByWordWithoutGlobbing) {
  std::ofstream(dir_ / "match-me.yaml") << "";
  ScriptResult r = Run({{"IMAGEPIN_COMMAND", "bump"},
                        {"IMAGEPIN_ARGS", "--env local,dev\n  *.yaml  "},
                        {"IMAGEPIN_SUMMARY_MD", "out/bump-summary.md"}},
                       0);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output,
                       "arg:bump\narg:--env\narg:local,dev\narg:*.yaml\narg:--summary-md\n"
                       "arg:out/bump-summary.md\n"))
      << r.output;
  EXPECT_TRUE(Contains(Outputs(), "exit-code=0\n"));
  EXPECT_TRUE(Contains(
      Outputs(), "summary-path=" + fs::weakly_canonical(dir_ / "out/bump-summary.md").string()))
      << Outputs();
  EXPECT_EQ(ReadAll(dir_ / "step_summary"), "# summary\n");
}

TEST_F(ActionRunStep, FailsOnAnyNonZeroExitAndRecordsIt) {
  for (int code : {1, 2, 3}) {
    SCOPED_TRACE(code);
    ScriptResult r = Run({{"IMAGEPIN_COMMAND", "check"}}, code);
    EXPECT_EQ(r.exit_code, code) << r.output;
    EXPECT_TRUE(Contains(Outputs(), "exit-code=" + std::to_string(code) + "\n"));
    EXPECT_TRUE(Contains(r.output, "::error title=imagepin check::exit code")) << r.output;
  }
}

TEST_F(ActionRunStep, AllowFindingsPassesExitOneButNotTwoOrThree) {
  EXPECT_EQ(Run({{"IMAGEPIN_COMMAND", "check"}, {"IMAGEPIN_ALLOW_FINDINGS", "true"}}, 1).exit_code,
            0);
  EXPECT_TRUE(Contains(Outputs(), "exit-code=1\n"));
  for (int code : {2, 3}) {
    EXPECT_EQ(
        Run({{"IMAGEPIN_COMMAND", "check"}, {"IMAGEPIN_ALLOW_FINDINGS", "true"}}, code).exit_code,
        code);
  }
}

TEST_F(ActionRunStep, WritesStandardOutputToTheOutputFile) {
  ScriptResult r = Run({{"IMAGEPIN_COMMAND", "check"},
                        {"IMAGEPIN_ARGS", "--format sarif"},
                        {"IMAGEPIN_OUTPUT_FILE", "imagepin.sarif"}},
                       1);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(ReadAll(dir_ / "imagepin.sarif"), "arg:check\narg:--format\narg:sarif\n");
  EXPECT_FALSE(Contains(r.output, "arg:")) << r.output;
}

}  // namespace
