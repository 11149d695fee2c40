// `imagepin init`'s detection and planning, pure over InitInput: environments, the shared dir,
// charts, scope and first-party prefixes (from image.ref values, the owner's references and the
// origin remote in https and ssh forms); the rendered config loads back as detected; the
// workflows are examples/github's bytes; the plan creates, keeps, refuses and (--force) replaces.
#include "plan/init.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/sha256.h"
#include "policy/config.h"
#include "rewrite/apply.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::plan {
namespace {

std::vector<std::string> Names(const InitDetection& d) {
  std::vector<std::string> names;
  for (const policy::Environment& e : d.environments) names.push_back(e.name + "=" + e.path);
  return names;
}

std::vector<std::string> Prefixes(const InitDetection& d) {
  std::vector<std::string> out;
  for (const DetectedPrefix& p : d.first_party) out.push_back(p.prefix);
  return out;
}

InitInput Layout() {
  InitInput in;
  in.files = {
      "sources/charts/acme-service/Chart.yaml",
      "sources/charts/acme-service/charts/redis/Chart.yaml",  // a subchart: not a chart dir
      "sources/charts/acme-service/values.yaml",
      "sources/charts/third_party/fluent/fluent-bit/Chart.yaml",
      "sources/manifests/argocd/apps.yaml",
      "sources/manifests/prod-eu/data/postgres.yaml",
      "sources/values/_shared/apps/api.yaml",
      "sources/values/env/dev/apps/api.yaml",
      "sources/values/env/local/apps/api.yaml",
      "sources/values/env/production/apps/api.yaml",
      "sources/values/env/qa/apps/api.yaml",
      "sources/values/env/staging/apps/api.yaml",
      "sources/values/env/zeta/apps/api.yaml",
  };
  in.references = {
      {"sources/values/env/dev/apps/api.yaml", "ghcr.io/acme/api@sha256:" + std::string(64, 'a'),
       true},
      {"sources/values/env/staging/apps/api.yaml", "ghcr.io/acme/api:1.2.3", true},
      {"sources/manifests/prod-eu/data/postgres.yaml", "docker.io/library/postgres:16", false},
      {"sources/charts/acme-service/values.yaml", "quay.io/other/x:1", false},
  };
  in.declared_in = {"sources/manifests/argocd/apps.yaml"};
  return in;
}

TEST(DetectInit, EnvironmentsUnderTheValuesLayoutInLaneOrder) {
  InitDetection d = DetectInit(Layout());
  EXPECT_EQ(d.env_root, "sources/values/env");
  EXPECT_EQ(Names(d),
            (std::vector<std::string>{
                "local=sources/values/env/local", "dev=sources/values/env/dev",
                "qa=sources/values/env/qa", "staging=sources/values/env/staging",
                "production=sources/values/env/production", "zeta=sources/values/env/zeta"}));
}

TEST(DetectInit, TheEnvRootWithMostFilesWinsAndDeclaredValueFilesCount) {
  InitInput in;
  in.files = {"deploy/env/a/x.yaml", "other/envs/b/x.yaml", "other/envs/c/x.yaml",
              "env/not-a-dir.yaml"};
  EXPECT_EQ(DetectInit(in).env_root, "other/envs");
  in.declared_value_files = {"deploy/env/a/y.yaml", "deploy/env/d/y.yaml"};
  InitDetection d = DetectInit(in);
  EXPECT_EQ(d.env_root, "deploy/env");
  EXPECT_EQ(Names(d), (std::vector<std::string>{"a=deploy/env/a", "d=deploy/env/d"}));
  EXPECT_EQ(d.shared, "");  // no deploy/_shared

  InitInput none;
  none.files = {"k8s/deployment.yaml"};
  EXPECT_TRUE(DetectInit(none).environments.empty());
}

TEST(DetectInit, SharedDirBesideTheEnvDir) {
  EXPECT_EQ(DetectInit(Layout()).shared, "sources/values/_shared");
  InitInput in;
  in.files = {"env/dev/a.yaml", "_shared/a.yaml"};
  InitDetection d = DetectInit(in);
  EXPECT_EQ(d.env_root, "env");
  EXPECT_EQ(d.shared, "_shared");
  EXPECT_EQ(d.scope_include, (std::vector<std::string>{"**"}));
}

TEST(DetectInit, ChartsAreTheDirsWithAChartYamlWithoutSubcharts) {
  InitDetection d = DetectInit(Layout());
  EXPECT_EQ(d.chart_dirs,
            (std::vector<std::string>{"sources/charts/acme-service",
                                      "sources/charts/third_party/fluent/fluent-bit"}));
  EXPECT_EQ(d.charts, "sources/charts");
  InitInput one;
  one.files = {"helm/api/Chart.yaml"};
  EXPECT_EQ(DetectInit(one).charts, "helm");
  InitInput none;
  none.files = {"helm/api/values.yaml"};
  EXPECT_EQ(DetectInit(none).charts, "");
}

TEST(DetectInit, ScopeCoversTheValuesAndTheDirsWithImagesOrApplications) {
  InitInput in = Layout();
  in.references.push_back({"k8s/app/deploy.yaml", "nginx:1", false});
  in.references.push_back({"compose.yaml", "redis:7", false});
  in.references.push_back({".github/workflows/ci.yaml", "node:20", false});
  EXPECT_EQ(DetectInit(in).scope_include,
            (std::vector<std::string>{"sources/values/**", "compose.yaml", "k8s/**",
                                      "sources/manifests/**"}));
  // Exactly the default layout.
  EXPECT_EQ(DetectInit(Layout()).scope_include,
            (std::vector<std::string>{"sources/values/**", "sources/manifests/**"}));
}

TEST(DetectInit, FirstPartyFromImageRefValuesOnly) {
  InitDetection d = DetectInit(Layout());
  ASSERT_EQ(Prefixes(d), (std::vector<std::string>{"ghcr.io/acme/"}));
  EXPECT_EQ(d.first_party[0].why, "2 image.ref values");
  InitInput in;
  in.references = {
      {"a.yaml", "registry.example.com:5000/team/app@sha256:" + std::string(64, 'b'), true},
      {"b.yaml", "postgres:16", true},  // docker.io/library: never first-party
      {"c.yaml", "quay.io/vendor/x:1", false}};
  EXPECT_EQ(Prefixes(DetectInit(in)),
            (std::vector<std::string>{"registry.example.com:5000/team/"}));
}

TEST(DetectInit, FirstPartyFromTheOriginRemoteInHttpsAndSshForms) {
  for (const char* url : {"https://github.com/Acme/gitops.git", "https://ci:tok@github.com/acme/x",
                          "git@github.com:acme/gitops.git", "ssh://git@github.com/acme/gitops"}) {
    InitInput in;
    in.origin_url = url;
    InitDetection d = DetectInit(in);
    ASSERT_EQ(Prefixes(d), (std::vector<std::string>{"ghcr.io/acme/"})) << url;
    EXPECT_EQ(d.first_party[0].why, "git remote origin (github.com/acme)") << url;
  }
  InitInput gitlab;
  gitlab.origin_url = "git@gitlab.com:acme/gitops.git";
  EXPECT_TRUE(DetectInit(gitlab).first_party.empty());
}

TEST(DetectInit, FirstPartyFromTheOwnerVariableAndReferencesUnderTheOwner) {
  InitInput in;
  in.github_owner = "Acme-Corp";
  in.references = {{"a.yaml", "docker.io/acme-corp/tool:1", false},
                   {"b.yaml", "docker.io/acme-corp/other:2", false},
                   {"c.yaml", "quay.io/someone/else:1", false}};
  InitDetection d = DetectInit(in);
  ASSERT_EQ(Prefixes(d), (std::vector<std::string>{"ghcr.io/acme-corp/", "docker.io/acme-corp/"}));
  EXPECT_EQ(d.first_party[0].why, "GITHUB_REPOSITORY_OWNER");
  EXPECT_EQ(d.first_party[1].why, "2 references under the owner");
  // The remote and the image.ref values agreeing: one prefix, both reasons.
  InitInput both = Layout();
  both.origin_url = "git@github.com:acme/gitops.git";
  InitDetection b = DetectInit(both);
  ASSERT_EQ(Prefixes(b), (std::vector<std::string>{"ghcr.io/acme/"}));
  EXPECT_EQ(b.first_party[0].why, "git remote origin (github.com/acme); 2 image.ref values");
}

TEST(RenderInitConfig, LoadsBackAsDetectedWithCommentsAndDefaultsCommentedOut) {
  InitInput in = Layout();
  in.origin_url = "https://github.com/acme/gitops";
  InitDetection d = DetectInit(in);
  std::string text = RenderInitConfig(d);
  base::Result<policy::Config> config = policy::ParseConfig(text, ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString() << "\n" << text;
  EXPECT_EQ(config->scope.include, d.scope_include);
  ASSERT_EQ(config->environments.size(), 6u);
  EXPECT_EQ(config->environments[2].name, "qa");
  EXPECT_EQ(config->environments[2].path, "sources/values/env/qa");
  EXPECT_EQ(config->shared, "sources/values/_shared");
  EXPECT_EQ(config->charts, "sources/charts");
  EXPECT_EQ(config->first_party.include, (std::vector<std::string>{"ghcr.io/acme/"}));
  EXPECT_EQ(config->pull_policy, "IfNotPresent");
  EXPECT_NE(text.find("# pullPolicy: IfNotPresent"), std::string::npos);
  EXPECT_NE(text.find("# platforms: [linux/amd64, linux/arm64]"), std::string::npos);
  // Each setting explained: every non-blank line that is not a list item carries a comment.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.starts_with("    - ") || line.starts_with("  - name: ") ||
        line.starts_with("    path: ") || line.ends_with(":") || line.starts_with("#   - ")) {
      continue;
    }
    EXPECT_NE(line.find('#'), std::string::npos) << line;
  }
}

TEST(RenderInitConfig, NothingDetectedLoadsAsTheDefaults) {
  InitDetection d = DetectInit(InitInput{});
  base::Result<policy::Config> config = policy::ParseConfig(RenderInitConfig(d), ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  policy::Config defaults;
  EXPECT_EQ(config->scope.include, defaults.scope.include);
  EXPECT_EQ(config->environments.size(), defaults.environments.size());
  EXPECT_EQ(config->shared, defaults.shared);
  EXPECT_EQ(config->charts, defaults.charts);
  EXPECT_TRUE(config->first_party.include.empty());
}

TEST(RenderInitConfig, QuotesPathsThatWouldReadAsSomethingElse) {
  InitInput in;
  in.files = {"my values/env/dev/a.yaml", "my values/_shared/a.yaml"};
  in.references = {{"my values/env/dev/a.yaml", "ghcr.io/acme/a:1", true}};
  base::Result<policy::Config> config =
      policy::ParseConfig(RenderInitConfig(DetectInit(in)), ".imagepin.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->environments[0].path, "my values/env/dev");
  EXPECT_EQ(config->scope.include, (std::vector<std::string>{"my values/**"}));
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(IMAGEPIN_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(InitFiles, TheConfigThenTheWorkflowsByteForByteAsInExamples) {
  std::vector<InitFile> files = InitFiles(DetectInit(Layout()));
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].path, ".imagepin.yaml");
  for (size_t i = 1; i < files.size(); ++i) {
    std::string name = files[i].path.substr(files[i].path.rfind('/') + 1);
    EXPECT_EQ(files[i].path, ".github/workflows/" + name);
    std::string example = ReadSource("examples/github/" + name);
    ASSERT_FALSE(example.empty()) << name;
    EXPECT_EQ(files[i].contents, example) << name;
  }
  EXPECT_EQ(files[1].path, ".github/workflows/image-policy.yaml");
  EXPECT_EQ(files[2].path, ".github/workflows/bump-local-dev-images.yaml");
  EXPECT_EQ(files[3].path, ".github/workflows/promote-images.yaml");
}

TEST(PlanInit, CreatesKeepsRefusesAndWithForceReplaces) {
  std::vector<InitFile> files = InitFiles(DetectInit(Layout()));
  std::vector<ExistingFile> existing;
  for (const InitFile& f : files) existing.push_back({f.path, false, ""});
  existing[1] = {files[1].path, true, files[1].contents};  // as init writes it
  existing[2] = {files[2].path, true, "name: mine\n"};     // someone's own

  base::Result<InitPlan> refused = PlanInit("/repo", files, existing, false);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->conflicting, (std::vector<std::string>{files[2].path}));
  EXPECT_EQ(refused->unchanged, (std::vector<std::string>{files[1].path}));
  EXPECT_TRUE(refused->edits.empty());  // nothing at all is written

  base::Result<InitPlan> forced = PlanInit("/repo", files, existing, true);
  ASSERT_TRUE(forced.ok());
  ASSERT_EQ(forced->edits.size(), 3u);
  EXPECT_EQ(forced->edits[0].path, "/repo/.imagepin.yaml");
  EXPECT_TRUE(forced->edits[0].CreatesFile());
  const rewrite::Edit& replace = forced->edits[1];
  EXPECT_EQ(replace.display_path, files[2].path);
  EXPECT_FALSE(replace.CreatesFile());
  EXPECT_EQ(replace.file_sha256, base::Sha256Digest("name: mine\n"));
  EXPECT_EQ(replace.begin, 0u);
  EXPECT_EQ(replace.end, 11u);
  EXPECT_EQ(replace.old_text, "name: mine\n");
  EXPECT_EQ(replace.new_text, files[2].contents);
  EXPECT_TRUE(forced->edits[2].CreatesFile());
}

TEST(PlanInit, RefusesAConfigThatWouldNotLoad) {
  std::vector<InitFile> files = {{".imagepin.yaml", "version: 2\n"}};
  base::Result<InitPlan> plan = PlanInit("/repo", files, {{".imagepin.yaml", false, ""}}, false);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, base::ErrorCode::kInternal);
}

// The plan's edits as ApplyEdits takes them: a file that appeared since init read the
// repository is refused, and so is a replaced file that changed since; nothing is written.
TEST(PlanInit, ItsEditsRefuseAFileThatAppearedOrChangedSince) {
  imagepin::testing::TempDir repo;
  std::vector<InitFile> files = InitFiles(DetectInit(Layout()));
  std::vector<ExistingFile> none;
  for (const InitFile& f : files) none.push_back({f.path, false, ""});
  base::Result<InitPlan> plan = PlanInit(repo.str(), files, none, false);
  ASSERT_TRUE(plan.ok());
  repo.Write(".github/workflows/promote-images.yaml", "name: someone else's\n");
  rewrite::ApplyOptions options;
  options.root = repo.str();
  options.create_directories = true;
  base::Result<std::vector<rewrite::FileChange>> refused =
      rewrite::ApplyEdits(plan->edits, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("was created since"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(std::filesystem::exists(repo.path() / ".imagepin.yaml"));
  EXPECT_EQ(repo.Read(".github/workflows/promote-images.yaml"), "name: someone else's\n");

  std::vector<ExistingFile> existing = none;
  existing[3] = {files[3].path, true, "name: someone else's\n"};
  base::Result<InitPlan> forced = PlanInit(repo.str(), files, existing, true);
  ASSERT_TRUE(forced.ok());
  repo.Write(".github/workflows/promote-images.yaml", "name: changed again\n");
  base::Result<std::vector<rewrite::FileChange>> stale =
      rewrite::ApplyEdits(forced->edits, options);
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("changed since"), std::string::npos)
      << stale.error().message;
  EXPECT_FALSE(std::filesystem::exists(repo.path() / ".imagepin.yaml"));

  repo.Write(".github/workflows/promote-images.yaml", "name: someone else's\n");
  base::Result<std::vector<rewrite::FileChange>> done = rewrite::ApplyEdits(forced->edits, options);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  for (const InitFile& f : files) EXPECT_EQ(repo.Read(f.path), f.contents) << f.path;
}

}  // namespace
}  // namespace imagepin::plan
