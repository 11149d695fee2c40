#include "apps/discover.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imagepin::apps {
namespace {

policy::Config TwoEnvironments() {
  policy::Config config;
  config.environments = {{"dev", "v/env/dev"}, {"prod", "v/env/prod"}};
  config.shared = "v/_shared";
  config.charts = "charts";
  return config;
}

// "env app chart: layer layer…", a missing layer marked with `?`, chart layers included.
std::vector<std::string> Describe(const Discovery& d) {
  std::vector<std::string> out;
  for (const Application& app : d.apps) {
    std::string line = app.environment + " " + app.name + " " +
                       (app.chart.empty() ? std::string("unknown") : app.chart) + ":";
    for (const Layer& layer : app.layers) {
      line += " " + layer.path + (layer.exists ? "" : "?");
    }
    out.push_back(line);
  }
  return out;
}

TEST(DiscoverApplications, ConventionStacksSharedUnderEachEnvironmentsOverlay) {
  DiscoveryInput input;
  input.files = {"v/_shared/apps/api.yaml", "v/env/dev/apps/api.yaml", "v/env/prod/apps/api.yaml",
                 "v/env/dev/apps/web.yaml"};
  EXPECT_EQ(Describe(DiscoverApplications(TwoEnvironments(), input)),
            (std::vector<std::string>{
                "dev apps/api unknown: v/_shared/apps/api.yaml v/env/dev/apps/api.yaml",
                "prod apps/api unknown: v/_shared/apps/api.yaml v/env/prod/apps/api.yaml",
                "dev apps/web unknown: v/_shared/apps/web.yaml? v/env/dev/apps/web.yaml",
            }));
}

TEST(DiscoverApplications, ASharedFileWithoutOverlaysIsDeployedInEveryEnvironment) {
  DiscoveryInput input;
  input.files = {"v/_shared/data/redis.yaml"};
  EXPECT_EQ(Describe(DiscoverApplications(TwoEnvironments(), input)),
            (std::vector<std::string>{
                "dev data/redis unknown: v/_shared/data/redis.yaml v/env/dev/data/redis.yaml?",
                "prod data/redis unknown: v/_shared/data/redis.yaml v/env/prod/data/redis.yaml?",
            }));
}

TEST(DiscoverApplications, TheChartIsTheOneChartNamedByTheStemAndItsValuesComeFirst) {
  DiscoveryInput input;
  input.files = {"v/env/dev/apps/api.yaml", "v/env/dev/apps/web.yaml", "charts/api/values.yaml"};
  input.charts = {"charts/api", "charts/one/web", "charts/two/web"};
  EXPECT_EQ(Describe(DiscoverApplications(TwoEnvironments(), input)),
            (std::vector<std::string>{
                "dev apps/api charts/api: charts/api/values.yaml v/_shared/apps/api.yaml? "
                "v/env/dev/apps/api.yaml",
                // Two charts are called web: which one is not guessed.
                "dev apps/web unknown: v/_shared/apps/web.yaml? v/env/dev/apps/web.yaml",
            }));
}

TEST(DiscoverApplications, GlobalsComeFirstInEveryStackAndAreNoAppsThemselves) {
  policy::Config config = TwoEnvironments();
  config.applications.globals = {"{env}/globals.yaml"};
  DiscoveryInput input;
  input.files = {"v/env/dev/globals.yaml", "v/env/dev/api.yaml"};
  EXPECT_EQ(Describe(DiscoverApplications(config, input)),
            (std::vector<std::string>{
                "dev api unknown: v/env/dev/globals.yaml v/_shared/api.yaml? v/env/dev/api.yaml"}));
}

TEST(DiscoverApplications, AConfigEntryWinsOverTheConventionForItsFilesAndEnvironments) {
  policy::Config config = TwoEnvironments();
  policy::ApplicationEntry entry;
  entry.name = "billing";
  entry.chart = "{charts}/acme";
  entry.values = {"{shared}/b.yaml", "{env}/billing/{name}.yaml"};
  entry.environments = {"prod"};
  entry.line = 7;
  config.applications.apps = {entry};
  DiscoveryInput input;
  input.files = {"v/_shared/b.yaml", "v/env/prod/billing/billing.yaml"};
  Discovery d = DiscoverApplications(config, input);
  EXPECT_EQ(Describe(d), (std::vector<std::string>{
                             "prod billing charts/acme: charts/acme/values.yaml? v/_shared/b.yaml "
                             "v/env/prod/billing/billing.yaml"}));
  ASSERT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.apps[0].origin, "config");
  EXPECT_EQ(d.apps[0].declared_in, ".imagepin.yaml:7");
}

TEST(DiscoverApplications, ADeclaredAppClaimsItsOverlayButNotAnotherEnvironmentsOverlay) {
  DeclaredApplication d;
  d.kind = "Application";
  d.name = "api-prod";
  d.path = "m/argocd/api.yaml";
  d.line = 3;
  d.chart = "charts/api";
  d.value_files = {"v/_shared/apps/api.yaml", "v/env/prod/apps/api.yaml"};
  d.environment = "prod";
  DiscoveryInput input;
  input.files = {"v/_shared/apps/api.yaml", "v/env/prod/apps/api.yaml", "v/env/dev/apps/api.yaml"};
  input.charts = {"charts/api"};
  input.declared = {d};
  Discovery found = DiscoverApplications(TwoEnvironments(), input);
  EXPECT_EQ(Describe(found),
            (std::vector<std::string>{
                "prod api-prod charts/api: charts/api/values.yaml? v/_shared/apps/api.yaml "
                "v/env/prod/apps/api.yaml",
                // dev's overlay is nobody's: still the convention's app (on the chart its stem
                // names).
                "dev apps/api charts/api: charts/api/values.yaml? v/_shared/apps/api.yaml "
                "v/env/dev/apps/api.yaml",
            }));
  EXPECT_EQ(found.apps[0].origin, "Application");
  EXPECT_EQ(found.apps[0].declared_in, "m/argocd/api.yaml:3");
}

TEST(DiscoverApplications, ADeclaredSharedFileIsNoConventionAppWhereNoOverlayExists) {
  DeclaredApplication d;
  d.kind = "Application";
  d.name = "redis";
  d.value_files = {"v/_shared/data/redis.yaml"};
  d.environment = "prod";
  DiscoveryInput input;
  input.files = {"v/_shared/data/redis.yaml"};
  input.declared = {d};
  EXPECT_EQ(Describe(DiscoverApplications(TwoEnvironments(), input)),
            (std::vector<std::string>{"prod redis unknown: v/_shared/data/redis.yaml"}));
}

TEST(DiscoverApplications, ADeclaredAppWithoutAnEnvironmentIsANoticeNotAGuess) {
  DeclaredApplication d;
  d.kind = "HelmRelease";
  d.name = "podinfo";
  d.path = "clusters/x/podinfo.yaml";
  d.line = 2;
  d.column = 1;
  DiscoveryInput input;
  input.declared = {d};
  Discovery found = DiscoverApplications(TwoEnvironments(), input);
  EXPECT_TRUE(found.apps.empty());
  ASSERT_EQ(found.notices.size(), 1u);
  EXPECT_EQ(found.notices[0].path, "clusters/x/podinfo.yaml");
  EXPECT_EQ(found.notices[0].pos.line, 2);
  EXPECT_NE(found.notices[0].message.find("HelmRelease podinfo"), std::string::npos);
}

TEST(DiscoverApplications, AMissingValueFileWithoutIgnoreMissingIsANote) {
  DeclaredApplication d;
  d.kind = "Application";
  d.name = "api-prod";
  d.path = "m/api.yaml";
  d.line = 4;
  d.value_files = {"v/env/prod/apps/api.yaml", "v/env/prod/apps/gone.yaml"};
  d.environment = "prod";
  DiscoveryInput input;
  input.files = {"v/env/prod/apps/api.yaml"};
  input.declared = {d};
  Discovery found = DiscoverApplications(TwoEnvironments(), input);
  ASSERT_EQ(found.notices.size(), 1u);
  EXPECT_EQ(found.notices[0].pos.line, 4);
  EXPECT_NE(found.notices[0].message.find("v/env/prod/apps/gone.yaml does not exist"),
            std::string::npos);
  input.declared[0].ignore_missing_value_files = true;
  EXPECT_TRUE(DiscoverApplications(TwoEnvironments(), input).notices.empty());
}

TEST(DiscoverApplications, ADeclaredChartWithoutChartYamlIsANoteAndUnknown) {
  DeclaredApplication d;
  d.kind = "Application";
  d.name = "api-prod";
  d.path = "m/api.yaml";
  d.line = 2;
  d.chart = "charts/gone";
  d.value_files = {"v/env/prod/apps/api.yaml"};
  d.environment = "prod";
  DiscoveryInput input;
  input.files = {"v/env/prod/apps/api.yaml"};
  input.declared = {d};
  Discovery found = DiscoverApplications(TwoEnvironments(), input);
  EXPECT_EQ(Describe(found),
            (std::vector<std::string>{"prod api-prod unknown: v/env/prod/apps/api.yaml"}));
  ASSERT_EQ(found.notices.size(), 1u);
  EXPECT_NE(found.notices[0].message.find("chart path charts/gone holds no Chart.yaml"),
            std::string::npos);
}

TEST(DiscoverApplications, FluxValuesFilesReplaceTheChartsOwnValues) {
  DeclaredApplication d;
  d.kind = "HelmRelease";
  d.name = "podinfo";
  d.chart = "charts/podinfo";
  d.environment = "prod";
  DiscoveryInput input;
  input.files = {"charts/podinfo/values.yaml", "charts/podinfo/values-prod.yaml"};
  input.charts = {"charts/podinfo"};
  d.value_files = {"charts/podinfo/values-prod.yaml"};
  input.declared = {d};
  EXPECT_EQ(
      Describe(DiscoverApplications(TwoEnvironments(), input)),
      (std::vector<std::string>{"prod podinfo charts/podinfo: charts/podinfo/values-prod.yaml"}));
  // Listed, it counts where it is listed; without valuesFiles, the chart's values come first.
  input.declared[0].value_files = {"charts/podinfo/values.yaml", "charts/podinfo/values-prod.yaml"};
  EXPECT_EQ(
      Describe(DiscoverApplications(TwoEnvironments(), input)),
      (std::vector<std::string>{"prod podinfo charts/podinfo: charts/podinfo/values.yaml "
                                "charts/podinfo/values.yaml charts/podinfo/values-prod.yaml"}));
  input.declared[0].value_files.clear();
  EXPECT_EQ(Describe(DiscoverApplications(TwoEnvironments(), input)),
            (std::vector<std::string>{"prod podinfo charts/podinfo: charts/podinfo/values.yaml"}));
}

TEST(ExpandPattern, ReplacesEveryPlaceholderItHasAValueFor) {
  PatternValues v;
  v.shared = "s";
  v.env = "e/dev";
  v.envname = "dev";
  v.path = "apps/api.yaml";
  EXPECT_EQ(ExpandPattern("{env}/{envname}-{path}", v), "e/dev/dev-apps/api.yaml");
  EXPECT_EQ(ExpandPattern("{shared}/{name}.yaml", v), "s/{name}.yaml");
}

}  // namespace
}  // namespace imagepin::apps
