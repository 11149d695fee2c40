// Resolution against a real registry over plain HTTP (Debian's docker-registry on loopback,
// started by the harness in tests/registry/), with skopeo as an independent check.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "registry/integration_test_util.h"

namespace imagepin::registry {
namespace {

using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;

std::vector<std::string> PlatformStrings(const Manifest& manifest) {
  std::vector<std::string> out;
  for (const Platform& platform : manifest.platforms) out.push_back(platform.ToString());
  std::sort(out.begin(), out.end());
  return out;
}

std::string SkopeoDigest(const std::string& image) {
  testreg::CommandResult r = testreg::RunCommand(
      {"skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + image});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

// ---- plain HTTP ------------------------------------------------------------------------------

TEST(ClientIntegration, ResolvesOciIndexWithItsPlatforms) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/index", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/index:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(manifest->media_type, kOciIndex);
  EXPECT_TRUE(manifest->is_index);
  EXPECT_GT(manifest->size, 0);
  // The harness's index also holds an unknown/unknown attestation, which is left out.
  EXPECT_EQ(PlatformStrings(*manifest), (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  EXPECT_TRUE(MissingPlatforms(*manifest, {"linux/amd64", "linux/arm64"}).empty());
  EXPECT_EQ(client.stats().manifest_requests, 1)
      << "one GET: the digest from its header, checked against the body, and the platforms";
}

TEST(ClientIntegration, ResolvesDockerManifestList) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/list", "v1", ImageKind::kManifestList);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/list:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest) << "the list's digest, not the amd64 child's";
  EXPECT_EQ(manifest->media_type, kDockerManifestList);
  EXPECT_TRUE(manifest->is_index);
  EXPECT_EQ(PlatformStrings(*manifest), (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
}

TEST(ClientIntegration, SingleArchManifestLacksEveryPlatform) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/single", "v1", ImageKind::kSingle);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/single:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_FALSE(manifest->is_index);
  EXPECT_EQ(manifest->media_type, kOciManifest);
  EXPECT_EQ(MissingPlatforms(*manifest, {"linux/amd64", "linux/arm64"}),
            (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  EXPECT_EQ(client.stats().manifest_requests, 1)
      << "one GET, whatever the manifest turns out to be";
}

TEST(ClientIntegration, IndexWithoutArm64MissesIt) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/amd64-only", "v1", ImageKind::kIndexAmd64Only).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/amd64-only:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(MissingPlatforms(*manifest, {"linux/amd64", "linux/arm64"}),
            (std::vector<std::string>{"linux/arm64"}));
}

TEST(ClientIntegration, MissingTagIsNotFoundWithTheSpecCode) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/missing", "v1", ImageKind::kSingle).empty());
  Client client(PlainOptions());
  Result<Manifest> manifest = client.Resolve(Ref(reg->host() + "/client/missing:nope"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(manifest.error().http_status, 404);
  EXPECT_EQ(manifest.error().code, "MANIFEST_UNKNOWN");
  EXPECT_FALSE(manifest.error().temporary);
  EXPECT_EQ(manifest.error().reference, reg->host() + "/client/missing:nope");
  EXPECT_NE(manifest.error().ToString().find("MANIFEST_UNKNOWN"), std::string::npos);
}

TEST(ClientIntegration, HeadByDigestProvesTheManifestExists) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/by-digest", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  Client client(PlainOptions());
  Result<Manifest> manifest =
      client.Resolve(Ref(reg->host() + "/client/by-digest@" + digest), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_TRUE(manifest->is_index);
  EXPECT_EQ(client.stats().manifest_requests, 1);

  std::string absent = "sha256:" + std::string(64, 'a');
  Result<Manifest> missing =
      client.Resolve(Ref(reg->host() + "/client/by-digest@" + absent), false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST(ClientIntegration, MovedTagResolvesToTheNewDigestInANewClient) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string before = reg->Push("client/moving", "main", ImageKind::kIndex, /*seed=*/1);
  ASSERT_FALSE(before.empty());
  Client client(PlainOptions());
  ref::Reference reference = Ref(reg->host() + "/client/moving:main");
  ASSERT_EQ(client.Resolve(reference, false)->digest, before);

  std::string after = reg->Push("client/moving", "main", ImageKind::kIndex, /*seed=*/2);
  ASSERT_FALSE(after.empty());
  ASSERT_NE(before, after);
  // One Client resolves a reference once: the same answer, no new request.
  int requests = client.stats().manifest_requests;
  EXPECT_EQ(client.Resolve(reference, false)->digest, before);
  EXPECT_EQ(client.stats().manifest_requests, requests);

  Client fresh(PlainOptions());
  Result<Manifest> moved = fresh.Resolve(reference, false);
  ASSERT_TRUE(moved.ok()) << moved.error().ToString();
  EXPECT_EQ(moved->digest, after);
}

TEST(ClientIntegration, DigestsAgreeWithSkopeo) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  Client client(PlainOptions());
  for (ImageKind kind : {ImageKind::kIndex, ImageKind::kManifestList, ImageKind::kSingle,
                         ImageKind::kIndexAmd64Only}) {
    std::string tag = testreg::KindName(kind);
    SCOPED_TRACE(tag);
    ASSERT_FALSE(reg->Push("client/skopeo", tag, kind, /*seed=*/7).empty());
    std::string image = reg->host() + "/client/skopeo:" + tag;
    Result<Manifest> manifest = client.Resolve(Ref(image), false);
    ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
    EXPECT_EQ(manifest->digest, SkopeoDigest(image));
  }
}

TEST(ClientIntegration, ResolveAllAsksOncePerDistinctReferenceAndKeepsOrder) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(10, "client/many-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 10u);
  // 50 references: each of the 10 five times, shuffled.
  std::vector<ref::Reference> references;
  std::vector<std::string> expected;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 10; ++i) {
      std::string name = reg->host() + "/client/many-" + std::to_string(i);
      references.push_back(Ref(name + ":v1"));
      expected.push_back(digests[i]);
    }
  }
  std::vector<size_t> order(references.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  std::vector<ref::Reference> shuffled;
  std::vector<std::string> shuffled_expected;
  for (size_t i : order) {
    shuffled.push_back(references[i]);
    shuffled_expected.push_back(expected[i]);
  }

  Client client(PlainOptions());
  std::vector<std::pair<size_t, size_t>> progress;
  auto results = client.ResolveAll(
      shuffled, false, [&](size_t done, size_t total) { progress.emplace_back(done, total); });
  ASSERT_EQ(results.size(), 50u);
  for (size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(shuffled[i].Normalized());
    ASSERT_TRUE(results[i].ok()) << results[i].error().ToString();
    EXPECT_EQ(results[i]->digest, shuffled_expected[i]);
  }
  EXPECT_EQ(client.stats().manifest_requests, 10);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(size_t{50}, size_t{50}));
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  // Kept-alive connections: at most one per worker, plus the TLS probe that found plain HTTP.
  EXPECT_LE(client.stats().connections, 8 + 1);
}

TEST(ClientIntegration, SequentialResolutionsReuseOneConnection) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::vector<std::string> digests = reg->PushMany(20, "client/reuse-", "v1", ImageKind::kSingle);
  ASSERT_EQ(digests.size(), 20u);
  Client client(PlainOptions());
  for (int i = 0; i < 20; ++i) {
    Result<Manifest> manifest =
        client.Resolve(Ref(reg->host() + "/client/reuse-" + std::to_string(i) + ":v1"), false);
    ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  }
  EXPECT_EQ(client.stats().manifest_requests, 20);
  EXPECT_LE(client.stats().connections, 2) << "the https probe, then one kept-alive connection";
}

TEST(ClientIntegration, MirrorServesTheRegistryAndResultsKeepItsName) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("acme/mirrored", "v1", ImageKind::kIndex);
  ASSERT_FALSE(digest.empty());
  ClientOptions options = PlainOptions();
  options.mirrors = {{"ghcr.io", reg->host()}};
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref("ghcr.io/acme/mirrored:v1"), true);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  Result<Manifest> missing = client.Resolve(Ref("ghcr.io/acme/mirrored:nope"), false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reference, "ghcr.io/acme/mirrored:nope");
}

}  // namespace
}  // namespace imagepin::registry
