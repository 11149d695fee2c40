#include "report/report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "policy/rules.h"
#include "report/json_text.h"

namespace imagepin::report {
namespace {

using Json = nlohmann::ordered_json;
using policy::Finding;
using policy::Severity;
using policy::Suppression;

Finding MakeFinding(std::string path, int line, int column, std::string source_line) {
  Finding finding;
  finding.rule_id = "IP001";
  finding.rule_name = "digest-required";
  finding.severity = Severity::kError;
  finding.message = "image reference has no digest";
  finding.path = std::move(path);
  finding.line = line;
  finding.column = column;
  finding.source_line = std::move(source_line);
  finding.key_path = "image.ref";
  finding.reference = "ghcr.io/acme/api:main";
  return finding;
}

Finding ApiFinding() {
  return MakeFinding("sources/values/env/dev/apps/api.yaml", 5, 6, "ref: ghcr.io/acme/api:main");
}

Finding Warning() {
  Finding finding = MakeFinding("apps/web.yaml", 12, 7, "  tag: 1.2.3@sha256:abc");
  finding.rule_id = "IP006";
  finding.rule_name = "tag-carries-digest";
  finding.severity = Severity::kWarning;
  finding.message = "tag field carries a digest";
  return finding;
}

Finding Suppressed(std::string expires = "") {
  Finding finding = MakeFinding("apps/legacy.yaml", 3, 10, "  image: busybox:latest");
  finding.rule_id = "IP002";
  finding.rule_name = "floating-tag";
  finding.message = "tag \"latest\" floats";
  finding.suppression =
      Suppression{"vendor image, tracked in OPS-12", std::move(expires), ".imagepin.yaml", 7};
  return finding;
}

RunSummary Summary() {
  RunSummary summary;
  summary.tool_version = "0.1.0";
  summary.files_scanned = 1329;
  summary.templates_skipped = 29;
  summary.image_fields = 3433;
  summary.elapsed_seconds = 0.21;
  return summary;
}

std::string Text(const std::vector<Finding>& findings, bool color = false) {
  std::ostringstream out;
  WriteText(findings, Summary(), ReportOptions{color}, out);
  return out.str();
}

Json JsonOf(const std::vector<Finding>& findings) {
  std::ostringstream out;
  WriteJson(findings, Summary(), out);
  return Json::parse(out.str());
}

Json SarifOf(const std::vector<Finding>& findings) {
  std::ostringstream out;
  WriteSarif(findings, Summary(), out);
  return Json::parse(out.str());
}

std::string Github(const std::vector<Finding>& findings) {
  std::ostringstream out;
  WriteGithub(findings, Summary(), out);
  return out.str();
}

std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

constexpr std::string_view kCleanSummary =
    "imagepin: no findings in 1329 files (29 templates skipped), 3433 images, 0.21s";

// --- CountFindings, SummaryLine ---

TEST(CountFindings, CountsSuppressedOnlyAsSuppressed) {
  Counts counts = CountFindings({ApiFinding(), Warning(), Suppressed(), Suppressed()});
  EXPECT_EQ(counts.errors, 1);
  EXPECT_EQ(counts.warnings, 1);
  EXPECT_EQ(counts.suppressed, 2);
}

TEST(SummaryLine, PluralisesCounts) {
  EXPECT_EQ(SummaryLine({3, 1, 2}, Summary()),
            "imagepin: 3 errors, 1 warning, 2 suppressed in 1329 files (29 templates skipped), "
            "3433 images, 0.21s");
}

TEST(SummaryLine, UsesSingularForOne) {
  RunSummary summary{"0.1.0", 1, 1, 1, 1.5};
  EXPECT_EQ(SummaryLine({1, 0, 0}, summary),
            "imagepin: 1 error in 1 file (1 template skipped), 1 image, 1.50s");
}

TEST(SummaryLine, SaysNoFindingsWhenThereAreNone) {
  RunSummary summary = Summary();
  summary.templates_skipped = 0;
  EXPECT_EQ(SummaryLine({}, summary), "imagepin: no findings in 1329 files, 3433 images, 0.21s");
}

TEST(SummaryLine, CountsApplicationsWhenThereAreAny) {
  RunSummary summary = Summary();
  summary.templates_skipped = 0;
  summary.applications = 1;
  EXPECT_EQ(SummaryLine({}, summary),
            "imagepin: no findings in 1329 files, 3433 images, 1 application, 0.21s");
  summary.applications = 812;
  EXPECT_EQ(SummaryLine({}, summary),
            "imagepin: no findings in 1329 files, 3433 images, 812 applications, 0.21s");
}

TEST(SummaryLine, LeavesOutZeroCounts) {
  EXPECT_EQ(SummaryLine({0, 2, 0}, Summary()),
            "imagepin: 2 warnings in 1329 files (29 templates skipped), 3433 images, 0.21s");
  EXPECT_EQ(SummaryLine({0, 0, 1}, Summary()),
            "imagepin: 1 suppressed in 1329 files (29 templates skipped), 3433 images, 0.21s");
}

// --- WriteText ---

TEST(WriteText, PutsCaretUnderColumn) {
  EXPECT_EQ(Text({ApiFinding()}),
            "sources/values/env/dev/apps/api.yaml:5:6: error: image reference has no digest "
            "[IP001 digest-required]\n"
            "    5 | ref: ghcr.io/acme/api:main\n"
            "      |      ^\n"
            "imagepin: 1 error in 1329 files (29 templates skipped), 3433 images, 0.21s\n");
}

TEST(WriteText, CountsColumnsInCodePoints) {
  // "é" is 2 bytes and "日本" 6: the caret goes under column 12 ("i" of "img"), 11 spaces in.
  Finding finding = MakeFinding("a.yaml", 1, 12, "# café 日本 img");
  std::string text = Text({finding});
  EXPECT_NE(text.find("    1 | # café 日本 img\n"
                      "      |            ^\n"),
            std::string::npos)
      << text;
}

TEST(WriteText, CopiesTabsIntoCaretPrefix) {
  Finding finding = MakeFinding("a.yaml", 2, 4, "\t\tx: y");
  std::string text = Text({finding});
  EXPECT_NE(text.find("    2 | \t\tx: y\n"
                      "      | \t\t ^\n"),
            std::string::npos)
      << text;
}

TEST(WriteText, PutsCaretPastEndOfLine) {
  Finding finding = MakeFinding("a.yaml", 2, 8, "image:\r");  // CRLF file: '\r' is dropped
  std::string text = Text({finding});
  EXPECT_NE(text.find("    2 | image:\n"
                      "      |        ^\n"),
            std::string::npos)
      << text;
}

TEST(WriteText, WidensGutterForLongLineNumbers) {
  Finding finding = MakeFinding("a.yaml", 1234567, 1, "x");
  std::string text = Text({finding});
  EXPECT_NE(text.find("1234567 | x\n"
                      "        | ^\n"),
            std::string::npos)
      << text;
}

TEST(WriteText, PrintsOnlyPathForLineZero) {
  Finding finding = MakeFinding("broken.yaml", 0, 0, "");
  finding.rule_id = "IP000";
  finding.rule_name = "parse-error";
  finding.message = "cannot read file";
  EXPECT_EQ(Text({finding}),
            "broken.yaml: error: cannot read file [IP000 parse-error]\n"
            "imagepin: 1 error in 1329 files (29 templates skipped), 3433 images, 0.21s\n");
}

TEST(WriteText, SkipsSnippetWithoutSourceLine) {
  Finding finding = MakeFinding("a.yaml", 9, 3, "");
  EXPECT_EQ(Text({finding}),
            "a.yaml:9:3: error: image reference has no digest [IP001 digest-required]\n"
            "imagepin: 1 error in 1329 files (29 templates skipped), 3433 images, 0.21s\n");
}

TEST(WriteText, PrintsSuppressedAfterUnsuppressedWithoutSnippet) {
  EXPECT_EQ(Text({Suppressed("2030-01-31"), Warning(), Suppressed()}),
            "apps/web.yaml:12:7: warning: tag field carries a digest [IP006 tag-carries-digest]\n"
            "   12 |   tag: 1.2.3@sha256:abc\n"
            "      |       ^\n"
            "apps/legacy.yaml:3:10: suppressed: tag \"latest\" floats [IP002 floating-tag] "
            "(exception: vendor image, tracked in OPS-12, expires 2030-01-31)\n"
            "apps/legacy.yaml:3:10: suppressed: tag \"latest\" floats [IP002 floating-tag] "
            "(exception: vendor image, tracked in OPS-12)\n"
            "imagepin: 1 warning, 2 suppressed in 1329 files (29 templates skipped), 3433 images, "
            "0.21s\n");
}

TEST(WriteText, FoldsLineBreaksInReasonToOneLine) {
  Finding finding = Suppressed();
  finding.suppression->reason = "operator rolls pods\non digest change\r\n(PLAT-2187)\n";
  std::string text = Text({finding});
  EXPECT_EQ(text.substr(0, text.find('\n') + 1),
            "apps/legacy.yaml:3:10: suppressed: tag \"latest\" floats [IP002 floating-tag] "
            "(exception: operator rolls pods on digest change (PLAT-2187))\n");
}

TEST(WriteText, PrintsOnlySummaryWhenClean) {
  EXPECT_EQ(Text({}), fmt::format("{}\n", kCleanSummary));
}

TEST(WriteText, WritesNoEscapesWithoutColor) {
  EXPECT_EQ(Text({ApiFinding(), Warning(), Suppressed()}).find('\x1b'), std::string::npos);
}

TEST(WriteText, ColorsLocationSeveritySuppressedAndSummary) {
  Finding finding = ApiFinding();
  finding.source_line.clear();
  EXPECT_EQ(Text({finding, Warning(), Suppressed()}, /*color=*/true),
            "\x1b[1msources/values/env/dev/apps/api.yaml:5:6\x1b[0m: \x1b[1;31merror\x1b[0m: "
            "image reference has no digest [IP001 digest-required]\n"
            "\x1b[1mapps/web.yaml:12:7\x1b[0m: \x1b[1;33mwarning\x1b[0m: tag field carries a "
            "digest [IP006 tag-carries-digest]\n"
            "   12 |   tag: 1.2.3@sha256:abc\n"
            "      |       ^\n"
            "\x1b[2mapps/legacy.yaml:3:10: suppressed: tag \"latest\" floats [IP002 floating-tag] "
            "(exception: vendor image, tracked in OPS-12)\x1b[0m\n"
            "\x1b[31mimagepin: 1 error, 1 warning, 1 suppressed in 1329 files (29 templates "
            "skipped), 3433 images, 0.21s\x1b[0m\n");
}

TEST(WriteText, ColorsSummaryByOutcome) {
  EXPECT_EQ(Text({}, true), fmt::format("\x1b[32m{}\x1b[0m\n", kCleanSummary));
  // Only suppressed findings: the run passes, so the summary is green too.
  std::string suppressed_only = Text({Suppressed()}, true);
  EXPECT_NE(suppressed_only.find("\x1b[32mimagepin: 1 suppressed"), std::string::npos);
  std::string warning_only = Text({Warning()}, true);
  EXPECT_NE(warning_only.find("\x1b[33mimagepin: 1 warning"), std::string::npos) << warning_only;
}

// True if `text` holds a byte a terminal would act on: a C0 control other than line feed (and tab,
// when `tabs_ok`), DEL, or a C1 control in either its UTF-8 form or as a raw byte.
bool HasTerminalControls(std::string_view text, bool tabs_ok = false) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\t' && tabs_ok)) continue;
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() &&
        (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80)
      return true;  // U+0080..U+009F
    if (c >= 0x80 && c <= 0x9F && (i == 0 || static_cast<unsigned char>(text[i - 1]) < 0x80))
      return true;  // a raw C1 byte where no lead byte precedes it
  }
  return false;
}

TEST(WriteText, EscapesControlCharactersFromFilesVisibly) {
  Finding finding = MakeFinding("evil\x1b]0;owned\x07.yaml", 1, 9, "k: \x1b[31mv");
  finding.message = "image \x1b[2J\u009b\x9b\u202e\x7f has no digest";
  std::string text = Text({finding});
  EXPECT_FALSE(HasTerminalControls(text)) << text;
  EXPECT_EQ(text.substr(0, text.find("[IP001")),
            "evil\\x1b]0;owned\\x07.yaml:1:9: error: image \\x1b[2J\\u009b\\x9b\\u202e\\x7f has "
            "no digest ");
  // The caret stays under `v`: each escape takes as many columns as it has characters.
  EXPECT_NE(text.find("    1 | k: \\x1b[31mv\n"
                      "      |            ^\n"),
            std::string::npos)
      << text;
}

TEST(WriteText, EscapesControlCharactersInSuppressedFindings) {
  Finding finding = Suppressed();
  finding.path = "a\x1b.yaml";
  finding.suppression->reason = "see\x1b[8m hidden\ttext";
  std::string text = Text({finding});
  EXPECT_FALSE(HasTerminalControls(text)) << text;
  EXPECT_NE(text.find("a\\x1b.yaml:3:10: suppressed:"), std::string::npos) << text;
  EXPECT_NE(text.find("(exception: see\\x1b[8m hidden\\ttext)"), std::string::npos) << text;
}

TEST(WriteText, CutsALongSourceLineAroundTheCaret) {
  std::string line(1 << 20, 'a');
  line[500000] = 'X';
  Finding finding = MakeFinding("a.yaml", 1, 500001, line);
  std::string text = Text({finding});
  EXPECT_LT(text.size(), 1000u);
  std::string shown = text.substr(text.find("    1 | ") + 8);
  shown = shown.substr(0, shown.find('\n'));
  std::string caret = text.substr(text.find("      | ") + 8);
  caret = caret.substr(0, caret.find('\n'));
  // "…" + 100 characters before the caret, the caret's, 99 after, "…".
  EXPECT_EQ(shown, "\u2026" + std::string(100, 'a') + "X" + std::string(99, 'a') + "\u2026");
  EXPECT_EQ(caret, std::string(101, ' ') + "^");
}

TEST(WriteText, CutsALongSourceLineAtItsStartWhenTheCaretIsNear) {
  Finding finding = MakeFinding("a.yaml", 1, 3, "k: " + std::string(5000, 'v'));
  std::string text = Text({finding});
  EXPECT_NE(text.find("    1 | k: " + std::string(197, 'v') +
                      "\u2026\n"
                      "      |   ^\n"),
            std::string::npos)
      << text;
}

// --- WriteJson ---

TEST(WriteJson, KeepsKeyOrder) {
  Json doc = JsonOf({Suppressed("2030-01-31")});
  EXPECT_EQ(Keys(doc),
            (std::vector<std::string>{"tool", "version", "schemaVersion", "summary", "findings"}));
  EXPECT_EQ(Keys(doc["summary"]),
            (std::vector<std::string>{"errors", "warnings", "suppressed", "baselined",
                                      "fixedSinceBaseline", "filesScanned", "templatesSkipped",
                                      "imageFields", "applications", "templatesAnalysed",
                                      "notAnalysable", "elapsedSeconds"}));
  EXPECT_EQ(Keys(doc["findings"][0]),
            (std::vector<std::string>{"ruleId", "ruleName", "severity", "message", "path", "line",
                                      "column", "document", "keyPath", "reference", "suppressed",
                                      "suppression", "baselineState"}));
  EXPECT_EQ(Keys(doc["findings"][0]["suppression"]),
            (std::vector<std::string>{"reason", "expires", "configPath", "configLine"}));
}

TEST(WriteJson, WritesToolSummaryAndFindingFields) {
  Finding finding = ApiFinding();
  finding.document = 2;
  Json doc = JsonOf({finding, Warning(), Suppressed()});
  EXPECT_EQ(doc["tool"], "imagepin");
  EXPECT_EQ(doc["version"], "0.1.0");
  EXPECT_EQ(doc["schemaVersion"], 1);
  EXPECT_EQ(doc["summary"],
            Json::parse(R"({"errors": 1, "warnings": 1, "suppressed": 1, "baselined": 0,
                            "fixedSinceBaseline": null, "filesScanned": 1329,
                            "templatesSkipped": 29, "imageFields": 3433,
                            "applications": 0, "templatesAnalysed": 0, "notAnalysable": 0,
                            "elapsedSeconds": 0.21})"));
  const Json& first = doc["findings"][0];
  EXPECT_EQ(first["ruleId"], "IP001");
  EXPECT_EQ(first["ruleName"], "digest-required");
  EXPECT_EQ(first["severity"], "error");
  EXPECT_EQ(first["message"], "image reference has no digest");
  EXPECT_EQ(first["path"], "sources/values/env/dev/apps/api.yaml");
  EXPECT_EQ(first["line"], 5);
  EXPECT_EQ(first["column"], 6);
  EXPECT_EQ(first["document"], 2);
  EXPECT_EQ(first["keyPath"], "image.ref");
  EXPECT_EQ(first["reference"], "ghcr.io/acme/api:main");
  EXPECT_EQ(first["suppressed"], false);
  EXPECT_TRUE(first["suppression"].is_null());
  EXPECT_EQ(doc["findings"][1]["severity"], "warning");
}

TEST(WriteJson, KeepsFindingOrder) {
  Json doc = JsonOf({Warning(), Suppressed(), ApiFinding()});
  ASSERT_EQ(doc["findings"].size(), 3u);
  EXPECT_EQ(doc["findings"][0]["ruleId"], "IP006");
  EXPECT_EQ(doc["findings"][1]["ruleId"], "IP002");
  EXPECT_EQ(doc["findings"][2]["ruleId"], "IP001");
}

TEST(WriteJson, WritesNullForEmptyKeyPathAndReference) {
  Finding finding = MakeFinding("broken.yaml", 0, 0, "");
  finding.key_path.clear();
  finding.reference.clear();
  Json out = JsonOf({finding})["findings"][0];
  ASSERT_TRUE(out.contains("keyPath"));
  EXPECT_TRUE(out["keyPath"].is_null());
  ASSERT_TRUE(out.contains("reference"));
  EXPECT_TRUE(out["reference"].is_null());
  EXPECT_EQ(out["line"], 0);
}

TEST(WriteJson, WritesSuppressionWithNullExpiry) {
  Json doc = JsonOf({Suppressed(), Suppressed("2030-01-31")});
  const Json& never = doc["findings"][0];
  EXPECT_EQ(never["suppressed"], true);
  EXPECT_EQ(never["suppression"]["reason"], "vendor image, tracked in OPS-12");
  EXPECT_TRUE(never["suppression"]["expires"].is_null());
  EXPECT_EQ(never["suppression"]["configPath"], ".imagepin.yaml");
  EXPECT_EQ(never["suppression"]["configLine"], 7);
  EXPECT_EQ(doc["findings"][1]["suppression"]["expires"], "2030-01-31");
  EXPECT_EQ(doc["summary"]["errors"], 0);
  EXPECT_EQ(doc["summary"]["suppressed"], 2);
}

TEST(WriteJson, PrettyPrintsWithTwoSpaces) {
  std::ostringstream out;
  WriteJson({}, Summary(), out);
  EXPECT_EQ(out.str().substr(0, 24), "{\n  \"tool\": \"imagepin\",\n");
  EXPECT_NE(out.str().find("\n  \"findings\": []\n}\n"), std::string::npos) << out.str();
}

TEST(WriteJson, ReplacesInvalidUtf8InsteadOfThrowing) {
  Finding finding = ApiFinding();
  finding.path = "bad\xff.yaml";
  Json doc;
  ASSERT_NO_THROW(doc = JsonOf({finding}));
  EXPECT_EQ(doc["findings"][0]["path"], "bad\xEF\xBF\xBD.yaml");
}

TEST(WriteJson, KeepsTheExactBytesOfANonUtf8PathInPathBytes) {
  Finding bad = ApiFinding();
  bad.path = "bad\xff.yaml";
  Json doc = JsonOf({bad, ApiFinding()});
  const Json& first = doc["findings"][0];
  EXPECT_EQ(first["pathBytes"], "YmFk/y55YW1s");  // base64 of "bad\xff.yaml"
  std::vector<std::string> keys = Keys(first);
  ASSERT_GE(keys.size(), 6u);
  EXPECT_EQ(keys[4], "path");
  EXPECT_EQ(keys[5], "pathBytes");
  EXPECT_FALSE(doc["findings"][1].contains("pathBytes"));  // only when the name needs it
}

TEST(WriteJson, WritesEveryStringFromFilesAsUtf8) {
  Finding finding = Suppressed();
  finding.message = "tag \"\xc3\" floats";
  finding.key_path = "a\xfe";
  finding.reference = "busybox:\x80";
  finding.suppression->reason = "cut \xe6\x97";
  std::ostringstream out;
  ASSERT_NO_THROW(WriteJson({finding}, Summary(), out));
  Json doc = Json::parse(out.str());
  const Json& first = doc["findings"][0];
  EXPECT_EQ(first["message"], "tag \"\uFFFD\" floats");
  EXPECT_EQ(first["keyPath"], "a\uFFFD");
  EXPECT_EQ(first["reference"], "busybox:\uFFFD");
  EXPECT_EQ(first["suppression"]["reason"], "cut \uFFFD\uFFFD");
}

TEST(Base64, EncodesTheRfc4648TestVectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64(std::string("\xff\xfe\x00", 3)), "//4A");
}

// --- WriteGithub ---

TEST(WriteGithub, WritesErrorAndWarningCommands) {
  EXPECT_EQ(Github({ApiFinding(), Warning()}),
            "::error file=sources/values/env/dev/apps/api.yaml,line=5,col=6,title=IP001 "
            "digest-required::image reference has no digest\n"
            "::warning file=apps/web.yaml,line=12,col=7,title=IP006 tag-carries-digest::tag field "
            "carries a digest\n"
            "imagepin: 1 error, 1 warning in 1329 files (29 templates skipped), 3433 images, "
            "0.21s\n");
}

TEST(WriteGithub, EscapesPercentColonCommaAndNewlines) {
  Finding finding = MakeFinding("dir:a,b%c.yaml", 1, 2, "");
  finding.message = "100% wrong: a, b\r\nnext";
  std::string out = Github({finding});
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "::error file=dir%3Aa%2Cb%25c.yaml,line=1,col=2,title=IP001 digest-required::"
            "100%25 wrong: a, b%0D%0Anext\n");
}

TEST(WriteGithub, LeavesOutLineAndColumnWhenZero) {
  Finding finding = MakeFinding("broken.yaml", 0, 0, "");
  std::string out = Github({finding});
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "::error file=broken.yaml,title=IP001 digest-required::image reference has no "
            "digest\n");
}

TEST(WriteGithub, WritesSuppressedAsNoticeAfterErrors) {
  Finding suppressed = Suppressed();
  suppressed.suppression->reason = "50%, see: OPS-12";
  EXPECT_EQ(Github({suppressed, ApiFinding()}),
            "::error file=sources/values/env/dev/apps/api.yaml,line=5,col=6,title=IP001 "
            "digest-required::image reference has no digest\n"
            "::notice file=apps/legacy.yaml,line=3,col=10,title=IP002 floating-tag "
            "(suppressed)::tag \"latest\" floats \u2014 exception: 50%25, see: OPS-12\n"
            "imagepin: 1 error, 1 suppressed in 1329 files (29 templates skipped), 3433 images, "
            "0.21s\n");
}

TEST(WriteGithub, EscapesControlCharactersVisibly) {
  Finding finding = MakeFinding("a\x1b[1m.yaml", 1, 2, "");
  finding.message = "image \x1b]8;;http://x\x07\u009b\xff has no digest\nsecond line";
  Finding suppressed = Suppressed();
  suppressed.suppression->reason = "ok\x1b[8m";
  std::string out = Github({finding, suppressed});
  EXPECT_FALSE(HasTerminalControls(out)) << out;
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "::error file=a\\x1b[1m.yaml,line=1,col=2,title=IP001 digest-required::image "
            "\\x1b]8;;http://x\\x07\\u009b\\xff has no digest%0Asecond line\n");
  EXPECT_NE(out.find("exception: ok\\x1b[8m\n"), std::string::npos) << out;
}

TEST(WriteGithub, WritesOnlySummaryWhenClean) {
  EXPECT_EQ(Github({}), fmt::format("{}\n", kCleanSummary));
}

// --- WriteSarif ---

// One finding per rule (the line-0 parse error included), then a suppressed one.
std::vector<Finding> EveryRule() {
  std::vector<Finding> findings;
  int line = 1;
  for (const policy::RuleInfo& rule : policy::AllRules()) {
    Finding finding = MakeFinding("apps/my app/values.yaml", line, 3, "  ref: x");
    finding.rule_id = std::string(rule.id);
    finding.rule_name = std::string(rule.name);
    finding.severity = rule.severity;
    finding.message = std::string(rule.summary);
    if (rule.id == "IP000") finding.line = finding.column = 0;
    findings.push_back(finding);
    ++line;
  }
  findings.push_back(Suppressed("2030-01-31"));
  Finding from_stdin = ApiFinding();
  from_stdin.path = "-";
  findings.push_back(from_stdin);
  return findings;
}

TEST(WriteSarif, WritesLogAndRunMetadata) {
  Json log = SarifOf({});
  EXPECT_EQ(Keys(log), (std::vector<std::string>{"$schema", "version", "runs"}));
  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  const Json& run = log["runs"][0];
  const Json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "imagepin");
  EXPECT_EQ(driver["version"], "0.1.0");
  EXPECT_EQ(driver["semanticVersion"], "0.1.0");
  EXPECT_EQ(driver["informationUri"], "https://github.com/imagepin/imagepin");
  EXPECT_EQ(run["invocations"], Json::parse(R"([{"executionSuccessful": true}])"));
  EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
  EXPECT_EQ(run["results"], Json::array());
  EXPECT_FALSE(run.contains("originalUriBaseIds"));
}

TEST(WriteSarif, DescribesEveryRule) {
  Json rules = SarifOf({})["runs"][0]["tool"]["driver"]["rules"];
  auto catalogue = policy::AllRules();
  ASSERT_EQ(rules.size(), catalogue.size());
  for (size_t i = 0; i < catalogue.size(); ++i) {
    const policy::RuleInfo& rule = catalogue[i];
    SCOPED_TRACE(std::string(rule.id));
    EXPECT_EQ(rules[i]["id"], rule.id);
    EXPECT_EQ(rules[i]["name"], rule.name);
    EXPECT_EQ(rules[i]["shortDescription"]["text"], rule.summary);
    EXPECT_TRUE(rules[i]["fullDescription"]["text"].is_string());
    EXPECT_FALSE(rules[i].contains("helpUri"));
    EXPECT_NE(rules[i]["help"]["text"].get<std::string>().find(policy::RuleDocAnchor(rule)),
              std::string::npos);
    EXPECT_EQ(rules[i]["defaultConfiguration"]["level"],
              rule.severity == Severity::kError ? "error" : "warning");
  }
}

TEST(WriteSarif, PointsRuleIndexAtTheRule) {
  Json log = SarifOf(EveryRule());
  const Json& rules = log["runs"][0]["tool"]["driver"]["rules"];
  const Json& results = log["runs"][0]["results"];
  ASSERT_EQ(results.size(), EveryRule().size());
  for (const Json& result : results) {
    int index = result["ruleIndex"];
    ASSERT_GE(index, 0);
    ASSERT_LT(index, static_cast<int>(rules.size()));
    EXPECT_EQ(rules[index]["id"], result["ruleId"]);
  }
}

TEST(WriteSarif, WritesResultFields) {
  Json result = SarifOf({ApiFinding(), Warning()})["runs"][0]["results"];
  EXPECT_EQ(result[0]["ruleId"], "IP001");
  EXPECT_EQ(result[0]["level"], "error");
  EXPECT_EQ(result[0]["message"]["text"], "image reference has no digest");
  EXPECT_EQ(result[0]["locations"], Json::parse(R"([{"physicalLocation": {
      "artifactLocation": {"uri": "sources/values/env/dev/apps/api.yaml", "uriBaseId": "%SRCROOT%"},
      "region": {"startLine": 5, "startColumn": 6}}}])"));
  EXPECT_EQ(result[1]["level"], "warning");
}

TEST(WriteSarif, MarksOnlySuppressedResultsAsSuppressed) {
  Json results = SarifOf({ApiFinding(), Suppressed("2030-01-31")})["runs"][0]["results"];
  // §3.27.23: suppressions is on every result or none; an empty array means "not suppressed".
  EXPECT_EQ(results[0]["suppressions"], Json::array());
  ASSERT_EQ(results[1]["suppressions"].size(), 1u);
  EXPECT_EQ(results[1]["suppressions"][0], Json::parse(R"({
      "kind": "external", "status": "accepted",
      "justification": "vendor image, tracked in OPS-12",
      "location": {"physicalLocation": {
          "artifactLocation": {"uri": ".imagepin.yaml", "uriBaseId": "%SRCROOT%"},
          "region": {"startLine": 7}}},
      "properties": {"expires": "2030-01-31"}})"));
}

TEST(WriteSarif, LeavesOutRegionForLineZero) {
  Finding finding = MakeFinding("broken.yaml", 0, 0, "");
  Json location = SarifOf({finding})["runs"][0]["results"][0]["locations"][0];
  EXPECT_FALSE(location["physicalLocation"].contains("region"));
  EXPECT_EQ(location["physicalLocation"]["artifactLocation"]["uri"], "broken.yaml");
}

TEST(WriteSarif, MapsStdinAndPercentEncodesPaths) {
  Finding from_stdin = ApiFinding();
  from_stdin.path = "-";
  Finding odd = ApiFinding();
  odd.path = "apps/my app/a:b%#ü.yaml";
  Json results = SarifOf({from_stdin, odd})["runs"][0]["results"];
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "stdin");
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "apps/my%20app/a%3Ab%25%23%C3%BC.yaml");
}

TEST(WriteSarif, PercentEncodesNonUtf8PathsByteForByte) {
  Finding finding = ApiFinding();
  finding.path = "bad\xff\x1b.yaml";
  finding.message = "cut \xe6\x97";
  Json result;
  ASSERT_NO_THROW(result = SarifOf({finding})["runs"][0]["results"][0]);
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "bad%FF%1B.yaml");
  EXPECT_EQ(result["message"]["text"], "cut \uFFFD\uFFFD");
}

TEST(WriteSarif, KeepsFingerprintWhenLinesMove) {
  Finding moved = ApiFinding();
  moved.line = 40;
  moved.column = 1;
  Finding other_ref = ApiFinding();
  other_ref.reference = "ghcr.io/acme/api:dev";
  Finding other_document = ApiFinding();
  other_document.document = 1;
  Json results = SarifOf({ApiFinding(), moved, other_ref, other_document})["runs"][0]["results"];
  std::vector<std::string> prints;
  for (const Json& result : results) {
    ASSERT_EQ(Keys(result["partialFingerprints"]), std::vector<std::string>{"imagepin/v1"});
    prints.push_back(result["partialFingerprints"]["imagepin/v1"]);
    EXPECT_EQ(prints.back().size(), 16u);
  }
  EXPECT_EQ(prints[0], prints[1]);
  EXPECT_NE(prints[0], prints[2]);
  EXPECT_NE(prints[0], prints[3]);
  EXPECT_NE(prints[2], prints[3]);
}

struct Validation {
  int exit_status = -1;  // -1 when the validator did not exit normally
  std::string output;
};

// Runs tests/validate_sarif.py on `sarif` (written to a temporary file) with the official schema.
Validation ValidateSarif(const std::string& sarif, const std::string& name) {
  std::filesystem::path file = std::filesystem::path(testing::TempDir()) /
                               fmt::format("imagepin_{}_{}.sarif", name, getpid());
  {
    std::ofstream out(file);
    out << sarif;
  }
  std::string source_dir = IMAGEPIN_SOURCE_DIR;
  std::string command = fmt::format(
      "/usr/bin/python3 '{0}/tests/validate_sarif.py' '{0}/tests/data/sarif-schema-2.1.0.json' "
      "'{1}' 2>&1",
      source_dir, file.string());
  Validation validation;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) validation.output += buffer;
    int status = pclose(pipe);
    if (WIFEXITED(status)) validation.exit_status = WEXITSTATUS(status);
  }
  std::filesystem::remove(file);
  return validation;
}

// Needs Debian's /usr/bin/python3 and python3-jsonschema; fails (does not skip) without them, as
// the check matters.
TEST(WriteSarif, ValidatesAgainstOfficialSchema) {
  std::ostringstream out;
  WriteSarif(EveryRule(), Summary(), out);
  Validation full = ValidateSarif(out.str(), "valid");
  EXPECT_EQ(full.exit_status, 0) << full.output;

  std::ostringstream empty;
  WriteSarif({}, Summary(), empty);
  Validation none = ValidateSarif(empty.str(), "empty");
  EXPECT_EQ(none.exit_status, 0) << none.output;
}

// --- Baseline (check --baseline) ---

// A new error, a baselined error and a fixed (absent) entry, as cmd_check hands them over.
std::vector<Finding> WithBaseline() {
  Finding fresh = ApiFinding();
  fresh.baseline = policy::BaselineState::kNew;
  Finding old = MakeFinding("apps/old.yaml", 4, 8, "  image: nginx:1.25");
  old.reference = "nginx:1.25";
  old.baseline = policy::BaselineState::kUnchanged;
  Finding gone = MakeFinding("apps/gone.yaml", 0, 0, "");
  gone.reference = "redis:7";
  gone.message = "fixed since the baseline: image.ref (redis:7)";
  gone.baseline = policy::BaselineState::kAbsent;
  return {fresh, old, gone};
}

RunSummary BaselineSummary() {
  RunSummary summary = Summary();
  summary.baseline = true;
  summary.fixed_since_baseline = 1;
  return summary;
}

TEST(Baselined, CountedApartAndNeverErrors) {
  Counts counts = CountFindings(WithBaseline());
  EXPECT_EQ(counts.errors, 1);
  EXPECT_EQ(counts.baselined, 1);
  EXPECT_EQ(counts.warnings, 0);
}

TEST(Baselined, TextAndGithubShowOnlyTheNewFindingAndCountTheRest) {
  std::ostringstream text, github;
  WriteText(WithBaseline(), BaselineSummary(), ReportOptions{}, text);
  WriteGithub(WithBaseline(), BaselineSummary(), github);
  for (const std::string& out : {text.str(), github.str()}) {
    EXPECT_NE(out.find("api.yaml"), std::string::npos) << out;
    EXPECT_EQ(out.find("old.yaml"), std::string::npos) << out;
    EXPECT_EQ(out.find("gone.yaml"), std::string::npos) << out;
    EXPECT_NE(out.find("imagepin: 1 error, 1 baselined in 1329 files"), std::string::npos) << out;
  }
}

TEST(Baselined, JsonMarksEachFindingAndCountsTheFixed) {
  std::ostringstream out;
  WriteJson(WithBaseline(), BaselineSummary(), out);
  Json doc = Json::parse(out.str());
  EXPECT_EQ(doc["summary"]["errors"], 1);
  EXPECT_EQ(doc["summary"]["baselined"], 1);
  EXPECT_EQ(doc["summary"]["fixedSinceBaseline"], 1);
  ASSERT_EQ(doc["findings"].size(), 2u);  // the absent entry is not a finding of this run
  EXPECT_EQ(doc["findings"][0]["baselineState"], "new");
  EXPECT_EQ(doc["findings"][1]["baselineState"], "unchanged");
}

TEST(Baselined, SarifSetsBaselineStateOnEveryResultAndValidates) {
  std::ostringstream out;
  WriteSarif(WithBaseline(), BaselineSummary(), out);
  Json log = Json::parse(out.str());
  const Json& results = log["runs"][0]["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["baselineState"], "new");
  EXPECT_EQ(results[1]["baselineState"], "unchanged");
  EXPECT_EQ(results[2]["baselineState"], "absent");
  // The absent result names the file, with no region: its line is not known any more.
  EXPECT_FALSE(results[2]["locations"][0]["physicalLocation"].contains("region"));
  Validation validation = ValidateSarif(out.str(), "baseline");
  EXPECT_EQ(validation.exit_status, 0) << validation.output;
  // Without a baseline, no result has the property.
  EXPECT_FALSE(SarifOf({ApiFinding()})["runs"][0]["results"][0].contains("baselineState"));
}

// Guards the test above against a validator that accepts anything.
TEST(WriteSarif, SchemaCheckRejectsBrokenLog) {
  Json log = SarifOf({ApiFinding()});
  log["runs"][0]["results"][0]["level"] = "fatal";
  Validation broken = ValidateSarif(log.dump(), "broken");
  EXPECT_EQ(broken.exit_status, 1) << broken.output;
  EXPECT_NE(broken.output.find("INVALID at runs/0/results/0/level"), std::string::npos)
      << broken.output;
}

}  // namespace
}  // namespace imagepin::report
