// Sender over a fake transport and a fake clock: retries, backoff, Retry-After, the deadline
// and redirects, each with the exact sleeps and requests it makes, in microseconds.
#include "registry/sender.h"

#include <gtest/gtest.h>

#include <atomic>

#include "registry/fake_clock_test_util.h"
#include "registry/fake_transport_test_util.h"

namespace imagepin::registry {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers the i-th request with responses[i] (the last one once they run out).
FakeTransport::Handler InTurn(std::vector<HttpResponse> responses) {
  auto next = std::make_shared<std::atomic<size_t>>(0);
  return [responses = std::move(responses), next](const HttpRequest&) {
    size_t i = (*next)++;
    return responses[std::min(i, responses.size() - 1)];
  };
}

HttpRequest Get(std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  return request;
}

class SenderTest : public ::testing::Test {
 protected:
  Result<HttpResponse> Send(FakeTransport& transport, HttpRequest request,
                            milliseconds budget = milliseconds(60'000)) {
    Sender sender(transport, options_, counters_, clock_);
    return sender.Send(std::move(request), Deadline(budget, clock_), RequestKind::kManifest);
  }

  ClientOptions options_;
  Counters counters_;
  FakeClock clock_;
};

TEST_F(SenderTest, RetriesTemporaryStatusesSleepingFullJitterWithinTheDoublingCap) {
  FakeTransport transport(InTurn({Answer(503), Answer(500), Answer(408), Answer(200)}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(transport.requests().size(), 4u);
  EXPECT_EQ(counters_.retries.load(), 3);
  EXPECT_EQ(counters_.manifest_requests.load(), 4);
  std::vector<Clock::Duration> sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  for (size_t retry = 0; retry < sleeps.size(); ++retry) {
    EXPECT_LT(sleeps[retry], BackoffCap(static_cast<int>(retry), options_.retry)) << retry;
  }
}

TEST_F(SenderTest, GivesUpAfterMaxAttemptsSayingHowMany) {
  FakeTransport transport(InTurn({Answer(502)}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kServer);
  EXPECT_EQ(response.error().http_status, 502);
  EXPECT_NE(response.error().message.find("(after 4 attempts)"), std::string::npos)
      << response.error().message;
  EXPECT_EQ(transport.requests().size(), 4u);
  EXPECT_EQ(counters_.manifest_requests.load(), 4);
  EXPECT_EQ(counters_.retries.load(), 3);
}

TEST_F(SenderTest, RetryAfterReplacesTheBackoff) {
  FakeTransport transport(InTurn({Answer(429, {{"retry-after", "7"}}), Answer(200)}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(clock_.sleeps(), std::vector<Clock::Duration>{seconds(7)});
}

TEST_F(SenderTest, RetryAfterPastTheLimitFailsWithoutSleeping) {
  FakeTransport transport(InTurn({Answer(429, {{"retry-after", "3600"}})}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kTooManyRequests);
  EXPECT_EQ(response.error().http_status, 429);
  EXPECT_TRUE(response.error().temporary);
  EXPECT_NE(response.error().message.find("Retry-After 3600s is over the 20s limit"),
            std::string::npos)
      << response.error().message;
  EXPECT_TRUE(clock_.sleeps().empty());
  EXPECT_EQ(transport.requests().size(), 1u);
  EXPECT_EQ(counters_.retries.load(), 0);
}

TEST_F(SenderTest, ARetryThatWouldSleepPastTheDeadlineIsNotMade) {
  FakeTransport transport(InTurn({Answer(503, {{"retry-after", "5"}}), Answer(200)}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"), milliseconds(4000));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kServer);
  EXPECT_NE(response.error().message.find("no time left before the deadline"), std::string::npos)
      << response.error().message;
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(SenderTest, EachAttemptsTimeoutIsCutToWhatIsLeftOfTheDeadline) {
  FakeTransport transport(InTurn({Answer(503, {{"retry-after", "2"}}), Answer(200)}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"), milliseconds(5000));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  std::vector<HttpRequest> sent = transport.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].timeout, milliseconds(5000));
  EXPECT_EQ(sent[0].connect_timeout, milliseconds(5000));
  EXPECT_EQ(sent[1].timeout, milliseconds(3000)) << "the 2 s Retry-After came off the budget";
  // Far from the deadline the policy's own bounds apply.
  FakeTransport roomy(InTurn({Answer(200)}));
  ASSERT_TRUE(Send(roomy, Get("https://reg.test/v2/")).ok());
  EXPECT_EQ(roomy.requests()[0].timeout, options_.retry.request_timeout);
  EXPECT_EQ(roomy.requests()[0].connect_timeout, options_.retry.connect_timeout);
}

TEST_F(SenderTest, ATimeoutThatUsesUpTheDeadlineIsTheDeadlines) {
  FakeTransport transport([&](const HttpRequest& request) {
    clock_.Advance(request.timeout);  // the transport waited as long as it was allowed
    return Failed(TransportFailure::kTimeout, "Operation timed out");
  });
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"), milliseconds(1000));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kDeadline);
  EXPECT_EQ(response.error().message, "deadline passed waiting for the registry");
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(SenderTest, NothingIsSentOnceTheDeadlineHasPassed) {
  FakeTransport transport(InTurn({Answer(200)}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/"), milliseconds(0));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kDeadline);
  EXPECT_TRUE(transport.requests().empty());
}

TEST_F(SenderTest, ConnectionFailuresAreRetriedTlsFailuresAreNot) {
  FakeTransport refused(InTurn({Failed(TransportFailure::kConnect), Answer(200)}));
  ASSERT_TRUE(Send(refused, Get("https://reg.test/v2/")).ok());
  EXPECT_EQ(refused.requests().size(), 2u);

  FakeTransport untrusted(InTurn({Failed(TransportFailure::kTlsVerify), Answer(200)}));
  Result<HttpResponse> response = Send(untrusted, Get("https://reg.test/v2/"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kTls);
  EXPECT_FALSE(response.error().temporary);
  EXPECT_EQ(untrusted.requests().size(), 1u);
}

// ---- redirects -------------------------------------------------------------------------------

HttpRequest WithAuthorization(std::string url) {
  HttpRequest request = Get(std::move(url));
  request.headers = {"Accept: */*", "Authorization: Bearer t0k3n"};
  return request;
}

TEST_F(SenderTest, ARedirectToAnotherOriginDropsAuthorization) {
  FakeTransport transport(
      InTurn({Answer(307, {{"location", "https://blobs.test/x?sig=1"}}), Answer(200)}));
  ASSERT_TRUE(Send(transport, WithAuthorization("https://reg.test/v2/a")).ok());
  std::vector<HttpRequest> sent = transport.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(HeaderOf(sent[0], "authorization"), "Bearer t0k3n");
  EXPECT_EQ(sent[1].url, "https://blobs.test/x?sig=1");
  EXPECT_EQ(HeaderOf(sent[1], "authorization"), "");
  EXPECT_EQ(HeaderOf(sent[1], "accept"), "*/*") << "only the credentials stay behind";
  EXPECT_TRUE(clock_.sleeps().empty()) << "a redirect is not a retry";
}

TEST_F(SenderTest, ADifferentPortOrSchemeIsAnotherOrigin) {
  for (const char* location : {"https://reg.test:8443/v2/b", "http://127.0.0.1/v2/b"}) {
    SCOPED_TRACE(location);
    FakeTransport transport(InTurn({Answer(302, {{"location", location}}), Answer(200)}));
    ASSERT_TRUE(Send(transport, WithAuthorization("https://reg.test/v2/a")).ok());
    EXPECT_EQ(HeaderOf(transport.requests().at(1), "authorization"), "");
  }
}

TEST_F(SenderTest, ARedirectWithinTheOriginKeepsAuthorization) {
  FakeTransport transport(InTurn({Answer(301, {{"location", "/v2/moved"}}), Answer(200)}));
  ASSERT_TRUE(Send(transport, WithAuthorization("https://reg.test/v2/a")).ok());
  std::vector<HttpRequest> sent = transport.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].url, "https://reg.test/v2/moved");
  EXPECT_EQ(HeaderOf(sent[1], "authorization"), "Bearer t0k3n");
}

TEST_F(SenderTest, A303TurnsTheRequestIntoAGet) {
  FakeTransport transport(InTurn({Answer(303, {{"location", "/v2/other"}}), Answer(200)}));
  HttpRequest post = Get("https://reg.test/token");
  post.method = "POST";
  ASSERT_TRUE(Send(transport, post).ok());
  EXPECT_EQ(transport.requests().at(1).method, "GET");
}

TEST_F(SenderTest, MoreThanFiveRedirectsIsABadResponse) {
  FakeTransport transport(InTurn({Answer(302, {{"location", "/v2/again"}})}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/a"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kBadResponse);
  EXPECT_EQ(response.error().message, "more than 5 redirects");
  EXPECT_EQ(transport.requests().size(), 6u);
}

TEST_F(SenderTest, APlainHttpRedirectToAPublicHostIsRefusedUnsent) {
  FakeTransport transport(InTurn({Answer(307, {{"location", "http://reg.example.com/v2/a"}})}));
  Result<HttpResponse> response = Send(transport, WithAuthorization("https://reg.test/v2/a"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kInsecureRefused);
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(SenderTest, ARedirectToAUrlWithControlCharactersIsRefusedUnsent) {
  FakeTransport transport(InTurn({Answer(307, {{"location",
                                                "/v2/a\x01"
                                                "b"}})}));
  Result<HttpResponse> response = Send(transport, Get("https://reg.test/v2/a"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kBadResponse);
  EXPECT_EQ(transport.requests().size(), 1u);
}

}  // namespace
}  // namespace imagepin::registry
