// Retries, deadlines and corruption, through the harness's fault proxy in front of the real
// registry: one test per fault the real transport meets. The retry arithmetic itself (attempt
// limits, Retry-After limits, backoff, the deadline's cut) is sender_test's, over fakes.
#include <gtest/gtest.h>

#include <chrono>

#include "registry/fake_clock_test_util.h"
#include "registry/integration_test_util.h"

namespace imagepin::registry {
namespace {

using testreg::ImageKind;
using testreg::Mode;
using testreg::TestRegistry;

// ---- faults ----------------------------------------------------------------------------------

TEST(ClientFaultIntegration, RetriesAfterTooManyRequestsHonouringRetryAfter) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/limited", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 429,
           "headers": {"Retry-After": "1"}, "times": 1}])");
  ASSERT_FALSE(proxy.empty());
  // The proxy's real Retry-After header, slept on a fake clock: the exact wait, at once.
  ClientOptions options = FastRetries();
  auto clock = std::make_shared<FakeClock>();
  options.clock = clock;
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/limited:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 1);
  EXPECT_EQ(clock->sleeps(), std::vector<Clock::Duration>{std::chrono::seconds(1)})
      << "waited for Retry-After, not the 20 ms backoff";
}

TEST(ClientFaultIntegration, RetriesServiceUnavailableTwiceThenSucceeds) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/unavailable", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": 2}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/unavailable:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 2);
  EXPECT_EQ(client.stats().manifest_requests, 3);
}

TEST(ClientFaultIntegration, RetriesAConnectionReset) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/reset", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(R"([{"path": "/manifests/", "kind": "reset"}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/reset:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 1);
}

TEST(ClientFaultIntegration, SlowResponsePastTheDeadlineFailsQuickly) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/slow", "v1", ImageKind::kSingle).empty());
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "delay", "seconds": 10, "times": -1}])");
  ASSERT_FALSE(proxy.empty());
  ClientOptions options = FastRetries();
  options.retry.deadline = std::chrono::seconds(1);
  Client client(options);
  auto began = std::chrono::steady_clock::now();
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/slow:v1"), false);
  auto took = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kDeadline) << manifest.error().ToString();
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST(ClientFaultIntegration, CorruptedIndexBodyIsADigestMismatch) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kPlain);
  ASSERT_NE(reg, nullptr);
  ASSERT_FALSE(reg->Push("client/corrupt", "v1", ImageKind::kIndex).empty());
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "method": "GET", "kind": "corrupt", "times": -1}])");
  ASSERT_FALSE(proxy.empty());
  Client client(FastRetries());
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/corrupt:v1"), true);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kDigestMismatch) << manifest.error().ToString();
  EXPECT_FALSE(manifest.error().temporary);
}

TEST(ClientFaultIntegration, RetriesThroughATlsFaultProxy) {
  TestRegistry* reg = TestRegistry::Shared(Mode::kTls);
  ASSERT_NE(reg, nullptr);
  std::string digest = reg->Push("client/tls-proxied", "v1", ImageKind::kSingle);
  std::string proxy = reg->StartFaultProxy(
      R"([{"path": "/manifests/", "kind": "status", "status": 503, "times": 1}])");
  ASSERT_FALSE(proxy.empty());
  ClientOptions options = FastRetries();
  options.ca_file = reg->ca_file();
  Client client(options);
  Result<Manifest> manifest = client.Resolve(Ref(proxy + "/client/tls-proxied:v1"), false);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(client.stats().retries, 1);
}

TEST(ClientFaultIntegration, ConnectionRefusedIsATemporaryNetworkError) {
  ClientOptions options = FastRetries();
  options.retry.max_attempts = 2;
  Client client(options);
  // Port 1 on loopback: nothing listens there.
  Result<Manifest> manifest = client.Resolve(Ref("127.0.0.1:1/nothing/here:v1"), false);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kNetwork);
  EXPECT_TRUE(manifest.error().temporary);
  EXPECT_EQ(client.stats().retries, 1);
}

}  // namespace
}  // namespace imagepin::registry
