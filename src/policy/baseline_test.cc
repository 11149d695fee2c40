#include "policy/baseline.h"

#include <gtest/gtest.h>

#include "policy/rules.h"

namespace imagepin::policy {
namespace {

Finding At(std::string path, int line, std::string rule, std::string key_path,
           std::string reference) {
  Finding f = NewFinding(rule);
  f.path = std::move(path);
  f.line = line;
  f.key_path = std::move(key_path);
  f.reference = std::move(reference);
  return f;
}

using States = std::vector<BaselineState>;
constexpr BaselineState kNew = BaselineState::kNew;
constexpr BaselineState kUnchanged = BaselineState::kUnchanged;

TEST(Baseline, AFindingOnAnotherLineStillMatches) {
  Baseline baseline = BaselineOf({At("a.yaml", 3, "IP001", "image", "nginx:1.25")});
  BaselineMatch match = MatchBaseline({At("a.yaml", 40, "IP001", "image", "nginx:1.25")}, baseline);
  EXPECT_EQ(match.states, States{kUnchanged});
  EXPECT_EQ(match.absent_count, 0);
}

TEST(Baseline, ASecondCopyOfABaselinedFindingIsNew) {
  Baseline baseline = BaselineOf({At("a.yaml", 3, "IP001", "image", "nginx:1.25")});
  BaselineMatch match = MatchBaseline({At("a.yaml", 3, "IP001", "image", "nginx:1.25"),
                                       At("a.yaml", 9, "IP001", "image", "nginx:1.25")},
                                      baseline);
  EXPECT_EQ(match.states, (States{kUnchanged, kNew}));
  EXPECT_EQ(match.new_count, 1);
  EXPECT_EQ(match.unchanged_count, 1);
}

TEST(Baseline, IdenticalKeysAreCounted) {
  Baseline baseline =
      BaselineOf({At("a.yaml", 3, "IP005", "", ""), At("a.yaml", 9, "IP005", "", "")});
  ASSERT_EQ(baseline.entries.size(), 1u);
  EXPECT_EQ(baseline.entries[0].count, 2);
  BaselineMatch match = MatchBaseline({At("a.yaml", 5, "IP005", "", "")}, baseline);
  EXPECT_EQ(match.states, States{kUnchanged});
  ASSERT_EQ(match.absent.size(), 1u);
  EXPECT_EQ(match.absent[0].count, 1);
  EXPECT_EQ(match.absent_count, 1);
}

TEST(Baseline, AGoneFindingIsAbsent) {
  Baseline baseline = BaselineOf({At("a.yaml", 3, "IP001", "image", "nginx:1.25"),
                                  At("b.yaml", 3, "IP002", "image", "redis:latest")});
  BaselineMatch match =
      MatchBaseline({At("b.yaml", 3, "IP002", "image", "redis:latest")}, baseline);
  EXPECT_EQ(match.states, States{kUnchanged});
  ASSERT_EQ(match.absent.size(), 1u);
  EXPECT_EQ(match.absent[0].path, "a.yaml");
  EXPECT_EQ(match.absent[0].rule_id, "IP001");
}

TEST(Baseline, AKeyPathOrReferenceOrRuleChangeIsNew) {
  Baseline baseline = BaselineOf({At("a.yaml", 3, "IP001", "image", "nginx:1.25")});
  for (const Finding& changed : {At("a.yaml", 3, "IP001", "sidecar.image", "nginx:1.25"),
                                 At("a.yaml", 3, "IP001", "image", "nginx:1.26"),
                                 At("a.yaml", 3, "IP002", "image", "nginx:1.25"),
                                 At("b.yaml", 3, "IP001", "image", "nginx:1.25")}) {
    BaselineMatch match = MatchBaseline({changed}, baseline);
    EXPECT_EQ(match.states, States{kNew}) << changed.path << " " << changed.key_path;
    EXPECT_EQ(match.absent_count, 1);
  }
}

TEST(Baseline, ParseErrorsExpiredExceptionsAndSuppressedFindingsAreNotRecorded) {
  Finding suppressed = At("a.yaml", 3, "IP001", "image", "nginx:1.25");
  suppressed.suppression = Suppression{"vendor image", "", ".imagepin.yaml", 4};
  Baseline baseline = BaselineOf({At("broken.yaml", 1, "IP000", "", ""),
                                  At(".imagepin.yaml", 7, "IP007", "", ""), suppressed});
  EXPECT_TRUE(baseline.entries.empty());
}

TEST(Baseline, AHandWrittenEntryNeverHidesAParseErrorOrASuppressedFinding) {
  Baseline baseline;
  baseline.entries.push_back({"broken.yaml", "IP000", "", "", 1});
  baseline.entries.push_back({"a.yaml", "IP001", "image", "nginx:1.25", 1});
  Finding suppressed = At("a.yaml", 3, "IP001", "image", "nginx:1.25");
  suppressed.suppression = Suppression{"vendor image", "", ".imagepin.yaml", 4};
  BaselineMatch match =
      MatchBaseline({At("broken.yaml", 1, "IP000", "", ""), suppressed}, baseline);
  EXPECT_EQ(match.states, (States{kNew, kNew}));
  EXPECT_EQ(match.absent_count, 2);  // neither entry was taken
}

TEST(Baseline, AbsentEntriesBecomeFileLevelFindingsWithTheRuleSeverity) {
  Baseline baseline = BaselineOf({At("a.yaml", 3, "IP001", "image", "nginx:1.25"),
                                  At("a.yaml", 9, "IP001", "image", "nginx:1.25")});
  baseline.entries.push_back({"b.yaml", "IP999", "x", "", 1});  // a rule this build lacks
  std::vector<Finding> absent = AbsentFindings(MatchBaseline({}, baseline));
  ASSERT_EQ(absent.size(), 2u);
  EXPECT_EQ(absent[0].baseline, BaselineState::kAbsent);
  EXPECT_EQ(absent[0].line, 0);
  EXPECT_EQ(absent[0].rule_name, "digest-required");
  EXPECT_EQ(absent[0].severity, Severity::kError);
  EXPECT_EQ(absent[0].message, "fixed since the baseline: image (nginx:1.25), 2 times");
  EXPECT_EQ(absent[1].rule_id, "IP999");
  EXPECT_EQ(absent[1].severity, Severity::kWarning);
}

TEST(Baseline, SerializedSortedOneEntryPerLineAndParsedBack) {
  Baseline baseline = BaselineOf({At("b.yaml", 3, "IP002", "image", "redis:latest"),
                                  At("a.yaml", 3, "IP001", "image", "nginx:1.25"),
                                  At("a.yaml", 8, "IP001", "image", "nginx:1.25")});
  std::string text = SerializeBaseline(baseline);
  EXPECT_EQ(text,
            "{\n  \"tool\": \"imagepin\",\n  \"version\": 1,\n  \"findings\": [\n"
            "    {\"path\":\"a.yaml\",\"ruleId\":\"IP001\",\"keyPath\":\"image\","
            "\"reference\":\"nginx:1.25\",\"count\":2},\n"
            "    {\"path\":\"b.yaml\",\"ruleId\":\"IP002\",\"keyPath\":\"image\","
            "\"reference\":\"redis:latest\",\"count\":1}\n  ]\n}\n");
  base::Result<Baseline> parsed = ParseBaseline(text, "b.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(SerializeBaseline(*parsed), text);
  EXPECT_EQ(SerializeBaseline(Baseline{}),
            "{\n  \"tool\": \"imagepin\",\n  \"version\": 1,\n  \"findings\": []\n}\n");
}

TEST(Baseline, InvalidJsonIsAnErrorWithLineAndColumn) {
  base::Result<Baseline> parsed =
      ParseBaseline("{\n  \"version\": 1,\n  \"findings\": [x]\n}\n", "b.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().path, "b.json");
  EXPECT_EQ(parsed.error().pos.line, 3);
  EXPECT_EQ(parsed.error().pos.column, 16);
  EXPECT_NE(parsed.error().message.find("invalid baseline: not JSON"), std::string::npos);
}

TEST(Baseline, WrongShapesAreErrorsNeverAnEmptyBaseline) {
  for (const char* text :
       {"", "[]", "{\"findings\": []}", "{\"version\": 2, \"findings\": []}", "{\"version\": 1}",
        "{\"version\": 1, \"findings\": [1]}",
        "{\"version\": 1, \"findings\": [{\"path\": \"a\"}]}",
        "{\"version\": 1, \"findings\": [{\"path\": \"a\", \"ruleId\": \"IP001\", "
        "\"keyPath\": \"\", \"reference\": \"\", \"count\": 0}]}"}) {
    base::Result<Baseline> parsed = ParseBaseline(text, "b.json");
    EXPECT_FALSE(parsed.ok()) << text;
  }
}

}  // namespace
}  // namespace imagepin::policy
