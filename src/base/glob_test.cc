#include "base/glob.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace imagepin::base {
namespace {

struct GlobCase {
  std::string_view pattern;
  std::string_view text;
  bool match;
};

void ExpectGlobCases(std::initializer_list<GlobCase> cases, char separator) {
  for (const GlobCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << "pattern \"" << c.pattern << "\" text \"" << c.text
                                      << "\" separator '" << separator << "'");
    EXPECT_EQ(GlobMatch(c.pattern, c.text, separator), c.match);
  }
}

TEST(GlobMatch, LiteralPatternMatchesOnlyTheWholeIdenticalText) {
  ExpectGlobCases(
      {
          {"a/b.yaml", "a/b.yaml", true},
          {"a/b.yaml", "a/b.yml", false},
          {"a/b.yaml", "a/b.yaml.bak", false},  // the whole string must match
          {"a/b.yaml", "x/a/b.yaml", false},
          {"a/b.yaml", "A/b.yaml", false},  // case-sensitive
          {"a/b", "a/b/", false},
      },
      '/');
}

TEST(GlobMatch, EmptyPatternMatchesOnlyEmptyText) {
  ExpectGlobCases(
      {
          {"", "", true},
          {"", "a", false},
          {"a", "", false},
          {"*", "", true},
          {"**", "", true},
          {"?", "", false},
      },
      '/');
}

TEST(GlobMatch, QuestionMarkMatchesExactlyOneNonSeparatorCharacter) {
  ExpectGlobCases(
      {
          {"a?c", "abc", true},
          {"a?c", "ac", false},
          {"a?c", "abbc", false},
          {"a?c", "a/c", false},
          {"???", "abc", true},
          {"v1.?", "v1.2", true},
      },
      '/');
}

TEST(GlobMatch, StarMatchesWithinOneSegmentOnly) {
  ExpectGlobCases(
      {
          {"*", "values.yaml", true},
          {"*", "a/values.yaml", false},
          {"*.yaml", "values.yaml", true},
          {"*.yaml", "dir/values.yaml", false},
          {"a/*/c", "a/b/c", true},
          {"a/*/c", "a//c", true},  // an empty run is a run
          {"a/*/c", "a/b/x/c", false},
          {"a/*", "a/b", true},
          {"a/*", "a/b/c", false},
          {"a*z", "abcz", true},
          {"a*z", "ab/cz", false},
          {"*b*", "abc", true},
          {"*b*", "a/c", false},
          {"sources/values/env/*/apps/web.yaml", "sources/values/env/dev/apps/web.yaml", true},
          {"sources/values/env/*/apps/web.yaml", "sources/values/env/dev/apps/legacy/web.yaml",
           false},
      },
      '/');
}

TEST(GlobMatch, StarBacktracksToFindALaterMatch) {
  ExpectGlobCases(
      {
          {"*.yaml", "a.yaml.yaml", true},
          {"*-rules.yaml", "prometheus-rules-rules.yaml", true},
          {"a*b*c", "aXbYbZc", true},
          {"a*b*c", "aXbYbZ", false},
      },
      '/');
}

TEST(GlobMatch, DoubleStarMatchesAcrossSegments) {
  ExpectGlobCases(
      {
          {"**", "a", true},
          {"**", "a/b/c.yaml", true},
          {"sources/values/**", "sources/values/env/dev/apps/api.yaml", true},
          {"sources/values/**", "sources/values/api.yaml", true},
          {"sources/values/**", "sources/charts/acme-service/values.yaml", false},
          {"sources/values/**", "sources/values-old/api.yaml", false},
          {"**/*.yaml", "a/b/c.yaml", true},
          {"**/*.yaml", "c.yaml", true},
          {"**/*.yaml", "a/b/c.yml", false},
      },
      '/');
}

TEST(GlobMatch, DoubleStarInTheMiddleMatchesZeroOrMoreWholeSegments) {
  ExpectGlobCases(
      {
          {"a/**/b", "a/b", true},  // zero segments
          {"a/**/b", "a/x/b", true},
          {"a/**/b", "a/x/y/z/b", true},
          {"a/**/b", "a/x/y/z/c", false},
          {"a/**/b", "a/b/c", false},
          {"a/**/b", "x/a/b", false},
          // `**` stands for whole segments: the part after it must start a segment.
          {"a/**/b", "a/xb", false},
          {"a/**/b", "a/x/yb", false},
          {"**/b", "xb", false},
          {"**/b", "b", true},
          {"**/b", "x/b", true},
          {"sources/manifests/**/prometheus.yaml",
           "sources/manifests/prod-eu/monitoring/prometheus.yaml", true},
          {"sources/manifests/**/prometheus.yaml", "sources/manifests/prometheus.yaml", true},
          {"sources/manifests/**/prometheus.yaml",
           "sources/manifests/prod-eu/monitoring/prometheus-rules.yaml", false},
          {"sources/manifests/**/prometheus.yaml", "sources/manifests/my-prometheus.yaml", false},
          {"a/**/b/**/c", "a/x/b/y/c", true},
          {"a/**/b/**/c", "a/b/c", true},
          {"a/**/b/**/c", "a/x/c", false},
          {"a/**/*.yaml", "a/x/y.yaml", true},
          {"a/**/*.yaml", "a/y.yaml", true},
          {"a/**/*.yaml", "a/x/y.json", false},
      },
      '/');
}

TEST(GlobMatch, TrailingDoubleStarMatchesEverythingBelow) {
  ExpectGlobCases(
      {
          {"a/**", "a/b", true},
          {"a/**", "a/b/c/d", true},
          {"a/**", "ab/c", false},
          {"a/**", "b/a/c", false},
      },
      '/');
}

TEST(GlobMatch, DotsAreLiteralWithSlashSeparator) {
  ExpectGlobCases(
      {
          {"a.yaml", "a.yaml", true},
          {"a.yaml", "aXyaml", false},
          {"*.yaml", "a.b.yaml", true},  // '.' is not a separator here
          {"quay.io/prometheus/*", "quay.io/prometheus/prometheus:v2.53.0", true},
          {"quay.io/prometheus/*", "quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0",
           false},
          {"nginx:*", "nginx:1.27.0", true},
          {"nginx:*", "docker.io/library/nginx:1.27.0", false},
      },
      '/');
}

TEST(GlobMatch, DotSeparatorLimitsStarToOneKeySegment) {
  ExpectGlobCases(
      {
          {"*.image", "metrics.image", true},
          {"*.image", "webhook.image", true},
          {"*.image", "image", false},
          {"*.image", "a.b.image", false},
          {"spec.image", "spec.image", true},
          {"spec.?mage", "spec.image", true},
          {"spec?image", "spec.image", false},  // `?` does not match the separator
          {"spec.template.spec.containers[*]", "spec.template.spec.containers[1]", true},
          {"spec.template.spec.containers[*]", "spec.template.spec.containers[1].image", false},
          // With '.' as separator, '/' is an ordinary character.
          {"*", "quay.io/a", false},
          {"*", "a/b", true},
      },
      '.');
}

TEST(GlobMatch, DotSeparatorDoubleStarCrossesKeySegments) {
  ExpectGlobCases(
      {
          {"**.containers[*]", "spec.template.spec.containers[0]", true},
          {"**.containers[*]", "containers[3]", true},
          {"**.containers[*]", "spec.sidecontainers[0]", false},
          {"**.image", "a.b.c.image", true},
          {"**.image", "a.b.c.myimage", false},
          {"a.**", "a.b.c", true},
          {"a.**", "ab.c", false},
      },
      '.');
}

TEST(GlobMatch, SeparatorDefaultsToSlash) {
  EXPECT_TRUE(GlobMatch("a/*", "a/b.c"));
  EXPECT_FALSE(GlobMatch("a/*", "a/b/c"));
}

TEST(GlobStaticPrefix, CutsBeforeTheFirstSegmentWithAWildcard) {
  struct Case {
    std::string_view pattern;
    char separator;
    std::string_view prefix;
  } cases[] = {
      {"sources/values/**", '/', "sources/values"},
      {"sources/manifests/**/prometheus.yaml", '/', "sources/manifests"},
      {"sources/values/env/*/apps/web.yaml", '/', "sources/values/env"},
      {"a/b*/c", '/', "a"},
      {"a/b?/c", '/', "a"},
      {"*.yaml", '/', ""},
      {"**", '/', ""},
      {"**/x.yaml", '/', ""},
      {"", '/', ""},
      {"a/b/c.yaml", '/', "a/b/c.yaml"},  // no wildcard: the whole pattern
      {"spec.template.*.image", '.', "spec.template"},
      {"spec.template.*.image", '/', ""},  // '.' is not the separator: nothing before '*'
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "pattern \"" << c.pattern << "\" separator '" << c.separator << "'");
    EXPECT_EQ(GlobStaticPrefix(c.pattern, c.separator), c.prefix);
  }
}

TEST(GlobStaticPrefix, PrefixIsAViewIntoThePattern) {
  std::string pattern = "sources/values/**";
  std::string_view prefix = GlobStaticPrefix(pattern);
  ASSERT_EQ(prefix, "sources/values");
  EXPECT_EQ(prefix.data(), pattern.data());
}

}  // namespace
}  // namespace imagepin::base
