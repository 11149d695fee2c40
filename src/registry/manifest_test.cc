#include "registry/manifest.h"

#include <gtest/gtest.h>

namespace imagepin::registry {
namespace {

// An OCI index as BuildKit pushes it: two platforms and an attestation for each.
constexpr char kIndexWithAttestations[] = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1,
     "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
     "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1,
     "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
     "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1,
     "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
     "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                     "vnd.docker.reference.digest": "sha256:1111"},
     "platform": {"architecture": "unknown", "os": "unknown"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1,
     "digest": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
     "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
     "platform": {"architecture": "arm64", "os": "linux"}}
  ]
})";

constexpr char kDockerList[] = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1,
     "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
     "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1,
     "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
     "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}}
  ]
})";

std::vector<std::string> Strings(const std::vector<Platform>& platforms) {
  std::vector<std::string> out;
  for (const Platform& p : platforms) out.push_back(p.ToString());
  return out;
}

TEST(ParseManifestBody, ListsIndexPlatformsWithoutAttestations) {
  auto contents = ParseManifestBody(kIndexWithAttestations);
  ASSERT_TRUE(contents.ok());
  EXPECT_TRUE(contents->is_index);
  EXPECT_EQ(contents->media_type, kOciIndex);
  EXPECT_EQ(Strings(contents->platforms),
            (std::vector<std::string>{"linux/amd64", "linux/arm64/v8"}));
}

TEST(ParseManifestBody, ListsDockerManifestListPlatforms) {
  auto contents = ParseManifestBody(kDockerList);
  ASSERT_TRUE(contents.ok());
  EXPECT_TRUE(contents->is_index);
  EXPECT_EQ(Strings(contents->platforms),
            (std::vector<std::string>{"linux/amd64", "linux/arm/v7"}));
}

TEST(ParseManifestBody, TellsAnImageManifestFromAnIndex) {
  auto contents = ParseManifestBody(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{},"layers":[]})");
  ASSERT_TRUE(contents.ok());
  EXPECT_FALSE(contents->is_index);
  EXPECT_TRUE(contents->platforms.empty());
}

TEST(ParseManifestBody, SkipsEntriesWithoutPlatform) {
  auto contents =
      ParseManifestBody(R"({"manifests":[{"digest":"sha256:aa"},{"platform":{"os":"linux"}},)"
                        R"({"platform":{"os":"windows","architecture":"amd64"}}]})");
  ASSERT_TRUE(contents.ok());
  EXPECT_TRUE(contents->is_index);  // no mediaType, but a manifests array
  EXPECT_EQ(Strings(contents->platforms), (std::vector<std::string>{"windows/amd64"}));
}

TEST(ParseManifestBody, RejectsNonObjects) {
  for (const char* body : {"", "[]", "nope", "\"x\""}) {
    SCOPED_TRACE(body);
    auto contents = ParseManifestBody(body);
    ASSERT_FALSE(contents.ok());
    EXPECT_EQ(contents.error().kind, ErrorKind::kBadResponse);
  }
}

TEST(ParseManifestBody, ListsEveryChildDigestOfAnIndex) {
  Result<IndexContents> c = ParseManifestBody(kIndexWithAttestations);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->children.size(), 4u);
  EXPECT_EQ(c->children[0], "sha256:" + std::string(64, '1'));
  EXPECT_EQ(c->children[3], "sha256:" + std::string(64, '4'));
  EXPECT_EQ(c->revision, "") << "no annotation anywhere";
}

TEST(ParseManifestBody, ReadsTheIndexRevisionAnnotation) {
  Result<IndexContents> c = ParseManifestBody(R"({
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "annotations": {"org.opencontainers.image.revision": "3f2a9c1d"},
    "manifests": [{"digest": "sha256:1", "platform": {"os": "linux", "architecture": "amd64"},
                   "annotations": {"org.opencontainers.image.revision": "other"}}]})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->revision, "3f2a9c1d") << "the index's own wins over its entries'";
}

TEST(ParseManifestBody, TakesTheRevisionItsPlatformEntriesAgreeOn) {
  constexpr char kAgree[] = R"({"manifests": [
    {"digest": "sha256:1", "platform": {"os": "linux", "architecture": "amd64"},
     "annotations": {"org.opencontainers.image.revision": "abc1234"}},
    {"digest": "sha256:2", "platform": {"os": "linux", "architecture": "arm64"},
     "annotations": {"org.opencontainers.image.revision": "abc1234"}},
    {"digest": "sha256:3", "platform": {"os": "unknown", "architecture": "unknown"}}]})";
  EXPECT_EQ(ParseManifestBody(kAgree)->revision, "abc1234") << "attestations do not count";
  constexpr char kDisagree[] = R"({"manifests": [
    {"digest": "sha256:1", "platform": {"os": "linux", "architecture": "amd64"},
     "annotations": {"org.opencontainers.image.revision": "abc1234"}},
    {"digest": "sha256:2", "platform": {"os": "linux", "architecture": "arm64"}}]})";
  EXPECT_EQ(ParseManifestBody(kDisagree)->revision, "");
}

TEST(ParseManifestBody, ReadsAnImageManifestsRevision) {
  Result<IndexContents> c = ParseManifestBody(R"({
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {}, "layers": [],
    "annotations": {"org.opencontainers.image.revision": "v1.2.3"}})");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->is_index);
  EXPECT_EQ(c->revision, "v1.2.3");
}

TEST(ParsePlatform, ReadsOsArchAndVariant) {
  auto p = ParsePlatform("linux/arm64/v8");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->os, "linux");
  EXPECT_EQ(p->architecture, "arm64");
  EXPECT_EQ(p->variant, "v8");
  EXPECT_EQ(p->ToString(), "linux/arm64/v8");
  auto q = ParsePlatform("linux/amd64");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->variant, "");
  EXPECT_EQ(q->ToString(), "linux/amd64");
}

TEST(ParsePlatform, RejectsOtherShapes) {
  for (const char* bad : {"", "linux", "linux/", "/amd64", "linux//v8", "a/b/c/d", "Linux/AMD64",
                          "linux/amd 64", "-linux/amd64"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParsePlatform(bad).ok());
  }
}

TEST(MissingPlatforms, ListsRequiredPlatformsTheIndexLacks) {
  Manifest index;
  index.is_index = true;
  index.platforms = {{"linux", "amd64", ""}, {"linux", "arm", "v7"}};
  EXPECT_TRUE(MissingPlatforms(index, {"linux/amd64"}).empty());
  EXPECT_EQ(MissingPlatforms(index, {"linux/amd64", "linux/arm64"}),
            (std::vector<std::string>{"linux/arm64"}));
  EXPECT_TRUE(MissingPlatforms(index, {"linux/arm"}).empty());  // any variant
  EXPECT_EQ(MissingPlatforms(index, {"linux/arm/v6"}), (std::vector<std::string>{"linux/arm/v6"}));
  EXPECT_EQ(MissingPlatforms(index, {"windows/amd64", "bogus"}),
            (std::vector<std::string>{"windows/amd64", "bogus"}));
}

TEST(MissingPlatforms, TreatsArm64V8AsTheDefaultVariant) {
  Manifest index;
  index.is_index = true;
  index.platforms = {{"linux", "arm64", ""}};
  EXPECT_TRUE(MissingPlatforms(index, {"linux/arm64/v8"}).empty());
  index.platforms = {{"linux", "arm64", "v8"}};
  EXPECT_TRUE(MissingPlatforms(index, {"linux/arm64"}).empty());
}

TEST(MissingPlatforms, SingleManifestLacksEveryPlatform) {
  Manifest single;
  single.is_index = false;
  EXPECT_EQ(MissingPlatforms(single, {"linux/amd64", "linux/arm64"}),
            (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
}

TEST(IsIndexMediaType, KnowsBothIndexTypesAndIgnoresParameters) {
  EXPECT_TRUE(IsIndexMediaType(kOciIndex));
  EXPECT_TRUE(IsIndexMediaType(kDockerManifestList));
  EXPECT_TRUE(IsIndexMediaType(std::string(kOciIndex) + "; charset=utf-8"));
  EXPECT_FALSE(IsIndexMediaType(kOciManifest));
  EXPECT_FALSE(IsIndexMediaType("application/json"));
  EXPECT_TRUE(IsKnownManifestMediaType(kDockerManifest));
  EXPECT_FALSE(IsKnownManifestMediaType("application/vnd.docker.distribution.manifest.v1+json"));
}

}  // namespace
}  // namespace imagepin::registry
