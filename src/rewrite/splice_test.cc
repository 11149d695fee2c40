#include "rewrite/splice.h"

#include <gtest/gtest.h>

#include <string>

#include "rewrite/test_util.h"

namespace imagepin::rewrite {
namespace {

using testing::EditAt;
using testing::EditFor;
using testing::ScanImages;

// Rewrites every image reference scan finds in `source` to `new_ref` and returns the result.
std::string RewriteRefs(const std::string& source, const std::string& new_ref) {
  std::vector<Edit> edits;
  for (const scan::ImageField& f : ScanImages(source)) {
    edits.push_back(EditFor(source, f.ref, new_ref));
  }
  base::Result<std::string> out = Splice(source, edits);
  EXPECT_TRUE(out.ok()) << out.error().ToString();
  return out.ok() ? *out : "";
}

TEST(Splice, KeepsCommentsQuotingAndBlankLinesByteForByte) {
  std::string source =
      "# top comment\n"
      "api:\n"
      "  image: ghcr.io/acme/api:main   # dev tracks main\n"
      "\n"
      "web:\n"
      "  image: 'ghcr.io/acme/web:main' # single\n"
      "\n\n"
      "worker:\n"
      "  image: \"ghcr.io/acme/worker:main\" # double\n";
  std::string want =
      "# top comment\n"
      "api:\n"
      "  image: ghcr.io/acme/x:v2   # dev tracks main\n"
      "\n"
      "web:\n"
      "  image: 'ghcr.io/acme/x:v2' # single\n"
      "\n\n"
      "worker:\n"
      "  image: \"ghcr.io/acme/x:v2\" # double\n";
  EXPECT_EQ(RewriteRefs(source, "ghcr.io/acme/x:v2"), want);
}

TEST(Splice, KeepsCrlfLineEndingsAndBom) {
  std::string source = "\xEF\xBB\xBFimage: nginx:1.27\r\n# c\r\nother: 1\r\n";
  EXPECT_EQ(RewriteRefs(source, "nginx:1.28.0"),
            "\xEF\xBB\xBFimage: nginx:1.28.0\r\n# c\r\nother: 1\r\n");
}

TEST(Splice, RefusesANewValueThatWouldJoinAGluedAnchorsName) {
  // `&ref:C...` is anchor `ref` on the scalar `:C...`; writing `ghcrx` there would make the
  // anchor `refghcrx` with no value (the splice fuzzer's finding). Refused, nothing written.
  std::string source = "image:\n &ref:main\n";
  base::Result<std::string> edited = Splice(source, {EditAt(source, ":main", "ghcr.io/a@x")});
  ASSERT_FALSE(edited.ok());
  EXPECT_NE(edited.error().message.find("right after its anchor"), std::string::npos);
  // `/` cannot end an anchor name either: libyaml would reject `&ref/a`.
  EXPECT_FALSE(Splice(source, {EditAt(source, ":main", "/a")}).ok());
  // A value that ends the name as `:` does is fine.
  EXPECT_TRUE(Splice(source, {EditAt(source, ":main", ":other")}).ok());
}

TEST(Splice, EditsTheAnchoredScalarNotTheAnchor) {
  std::string source =
      "base:\n"
      "  image: &img ghcr.io/acme/api:main # shared\n"
      "copy:\n"
      "  image: *img\n";
  EXPECT_EQ(RewriteRefs(source, "ghcr.io/acme/api@sha256:ab"),
            "base:\n"
            "  image: &img ghcr.io/acme/api@sha256:ab # shared\n"
            "copy:\n"
            "  image: *img\n");
}

TEST(Splice, EditsEveryDocumentOfAStream) {
  std::string source =
      "image: a:1\n"
      "---\n"
      "# second\n"
      "image: \"b:1\"\n"
      "...\n"
      "---\n"
      "image: 'c:1'\n";
  EXPECT_EQ(RewriteRefs(source, "z:2"),
            "image: z:2\n---\n# second\nimage: \"z:2\"\n...\n---\nimage: 'z:2'\n");
}

TEST(Splice, QuotesAPlainTagThatWouldBecomeAFloat) {
  std::string source = "image:\n  repository: nginx\n  tag: 1.27.3 # pinned\n";
  std::vector<scan::ImageField> fields = ScanImages(source);
  ASSERT_EQ(fields.size(), 1u);
  base::Result<std::string> out = Splice(source, {EditFor(source, fields[0].tag, "1.10")});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "image:\n  repository: nginx\n  tag: \"1.10\" # pinned\n");
}

TEST(Splice, WithoutEditsReturnsTheInput) {
  std::string source =
      "\xEF\xBB\xBF"
      "a: 1\r\n\r\n";
  base::Result<std::string> out = Splice(source, {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, source);
}

TEST(Splice, RejectsATextThatIsNoLongerThere) {
  std::string source = "image: nginx:1.27\n";
  Edit edit = EditAt(source, "nginx:1.27", "nginx:1.28");
  edit.display_path = "apps/values.yaml";
  edit.line = 1;
  edit.column = 8;
  std::string changed = "image: nginx:1.26\n";
  base::Result<std::string> out = Splice(changed, {edit});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, base::ErrorCode::kIo);
  EXPECT_EQ(out.error().ToString(),
            "apps/values.yaml:1:8: expected `nginx:1.27` but found `nginx:1.26`; the file "
            "changed since it was scanned");
  // A span past the end of a file that shrank.
  EXPECT_FALSE(Splice("image: x\n", {edit}).ok());
}

TEST(Splice, RejectsOverlappingEdits) {
  std::string source = "image: ghcr.io/acme/api:main\n";
  Edit whole = EditAt(source, "ghcr.io/acme/api:main", "x:1");
  Edit part = EditAt(source, "api:main", "y:2");
  base::Result<std::string> out = Splice(source, {whole, part});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, base::ErrorCode::kInternal);
  EXPECT_NE(out.error().message.find("overlapping"), std::string::npos);
}

TEST(Splice, AllowsEditsThatTouch) {
  std::string source = "ab\n";
  base::Result<std::string> out =
      Splice(source, {EditAt(source, "b", "B"), EditAt(source, "a", "A")});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "AB\n");
}

TEST(Splice, CollapsesIdenticalDuplicatesAndRejectsDisagreeingOnes) {
  std::string source = "image: a:1\n";
  Edit edit = EditAt(source, "a:1", "a:2");
  base::Result<std::vector<Edit>> checked = CheckEdits(source, {edit, edit});
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->size(), 1u);

  Edit other = edit;
  other.new_text = "a:3";
  base::Result<std::string> out = Splice(source, {edit, other});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("conflicting edits"), std::string::npos);
}

TEST(Splice, DropsNoOpEditsButStillChecksThem) {
  std::string source = "a: x\nb: y\n";
  Edit same = EditAt(source, "x", "x");
  base::Result<std::vector<Edit>> checked = CheckEdits(source, {same, EditAt(source, "y", "z")});
  ASSERT_TRUE(checked.ok());
  ASSERT_EQ(checked->size(), 1u);
  EXPECT_EQ(checked->front().new_text, "z");

  same.old_text = "q";  // stale, even though it changes nothing
  EXPECT_FALSE(CheckEdits(source, {same}).ok());
}

}  // namespace
}  // namespace imagepin::rewrite
