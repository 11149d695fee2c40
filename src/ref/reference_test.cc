#include "ref/reference.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imagepin::ref {
namespace {

// Hex strings of the lengths go-digest wants: sha256 64, sha384 96, sha512 128.
std::string Hex(std::size_t n) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += kDigits[(i * 7 + 3) % kDigits.size()];
  return out;
}

const std::string kSha256 = "sha256:" + Hex(64);
const std::string kSha384 = "sha384:" + Hex(96);
const std::string kSha512 = "sha512:" + Hex(128);

struct ValidCase {
  std::string input;
  std::string domain;
  std::string path;
  std::string tag;
  std::string digest;
  std::string normalized;
  std::string familiar;
  std::string short_form;
};

void ExpectValid(const std::vector<ValidCase>& cases) {
  for (const ValidCase& c : cases) {
    SCOPED_TRACE(c.input);
    base::Result<Reference> ref = ParseReference(c.input);
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    EXPECT_EQ(ref->domain, c.domain);
    EXPECT_EQ(ref->path, c.path);
    EXPECT_EQ(ref->tag, c.tag);
    EXPECT_EQ(ref->digest, c.digest);
    EXPECT_EQ(ref->has_tag(), !c.tag.empty());
    EXPECT_EQ(ref->has_digest(), !c.digest.empty());
    EXPECT_EQ(ref->Normalized(), c.normalized);
    EXPECT_EQ(ref->Familiar(), c.familiar);
    EXPECT_EQ(ref->Short(), c.short_form);
  }
}

struct InvalidCase {
  std::string input;
  std::string message;
};

void ExpectInvalid(const std::vector<InvalidCase>& cases) {
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.input);
    base::Result<Reference> ref = ParseReference(c.input);
    ASSERT_FALSE(ref.ok()) << ref->Normalized();
    EXPECT_EQ(ref.error().message, c.message);
    EXPECT_EQ(ref.error().code, base::ErrorCode::kInvalidArgument);
  }
}

constexpr char kInvalidFormat[] = "invalid reference format";
constexpr char kTooLong[] = "repository name must not be more than 255 characters";
constexpr char kDigestLength[] = "invalid checksum digest length";
constexpr char kDigestFormat[] = "invalid checksum digest format";
constexpr char kDigestUnsupported[] = "unsupported digest algorithm";

TEST(ParseReference, DefaultsToDockerHubLibrary) {
  ExpectValid({
      {"nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx",
       "docker.io/library/nginx:latest", "nginx"},
      {"nginx:1.25", "docker.io", "library/nginx", "1.25", "", "docker.io/library/nginx:1.25",
       "docker.io/library/nginx:1.25", "nginx:1.25"},
      {"library/nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx",
       "docker.io/library/nginx:latest", "nginx"},
      {"bitnami/redis:7", "docker.io", "bitnami/redis", "7", "", "docker.io/bitnami/redis:7",
       "docker.io/bitnami/redis:7", "bitnami/redis:7"},
      {"a/b/c", "docker.io", "a/b/c", "", "", "docker.io/a/b/c", "docker.io/a/b/c:latest", "a/b/c"},
      {"docker.io/nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx",
       "docker.io/library/nginx:latest", "nginx"},
      {"docker.io/library/nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx",
       "docker.io/library/nginx:latest", "nginx"},
      // The first component has no '.' or ':', so it is a path component, not a domain.
      {"my_reg/app", "docker.io", "my_reg/app", "", "", "docker.io/my_reg/app",
       "docker.io/my_reg/app:latest", "my_reg/app"},
  });
}

TEST(ParseReference, RewritesLegacyIndexDomain) {
  ExpectValid({
      {"index.docker.io/nginx", "docker.io", "library/nginx", "", "", "docker.io/library/nginx",
       "docker.io/library/nginx:latest", "nginx"},
      {"index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", "",
       "docker.io/library/nginx:1", "docker.io/library/nginx:1", "nginx:1"},
      {"index.docker.io/acme/app", "docker.io", "acme/app", "", "", "docker.io/acme/app",
       "docker.io/acme/app:latest", "acme/app"},
  });
}

TEST(ParseReference, TreatsSingleComponentAsDockerHubName) {
  // Without a '/', nothing is a domain, even when it looks like one.
  ExpectValid({
      {"ghcr.io", "docker.io", "library/ghcr.io", "", "", "docker.io/library/ghcr.io",
       "docker.io/library/ghcr.io:latest", "ghcr.io"},
      {"index.docker.io", "docker.io", "library/index.docker.io", "", "",
       "docker.io/library/index.docker.io", "docker.io/library/index.docker.io:latest",
       "index.docker.io"},
      {"localhost", "docker.io", "library/localhost", "", "", "docker.io/library/localhost",
       "docker.io/library/localhost:latest", "localhost"},
      {"localhost:5000", "docker.io", "library/localhost", "5000", "",
       "docker.io/library/localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
      {"test.com:5000", "docker.io", "library/test.com", "5000", "",
       "docker.io/library/test.com:5000", "docker.io/library/test.com:5000", "test.com:5000"},
  });
}

TEST(ParseReference, DetectsDomainByDotColonLocalhostOrUppercase) {
  ExpectValid({
      {"ghcr.io/acme/api:v1.2.3", "ghcr.io", "acme/api", "v1.2.3", "", "ghcr.io/acme/api:v1.2.3",
       "ghcr.io/acme/api:v1.2.3", "ghcr.io/acme/api:v1.2.3"},
      {"quay.io/app", "quay.io", "app", "", "", "quay.io/app", "quay.io/app:latest", "quay.io/app"},
      {"localhost/app", "localhost", "app", "", "", "localhost/app", "localhost/app:latest",
       "localhost/app"},
      {"localhost:5000/app:dev", "localhost:5000", "app", "dev", "", "localhost:5000/app:dev",
       "localhost:5000/app:dev", "localhost:5000/app:dev"},
      {"registry:5000/team/app", "registry:5000", "team/app", "", "", "registry:5000/team/app",
       "registry:5000/team/app:latest", "registry:5000/team/app"},
      {"Foo/bar", "Foo", "bar", "", "", "Foo/bar", "Foo/bar:latest", "Foo/bar"},
      {"LOCALHOST/app", "LOCALHOST", "app", "", "", "LOCALHOST/app", "LOCALHOST/app:latest",
       "LOCALHOST/app"},
      {"Registry.Example.COM:443/app", "Registry.Example.COM:443", "app", "", "",
       "Registry.Example.COM:443/app", "Registry.Example.COM:443/app:latest",
       "Registry.Example.COM:443/app"},
      // Only the exact lowercase "docker.io" gets the library/ prefix and the short form.
      {"Docker.io/nginx", "Docker.io", "nginx", "", "", "Docker.io/nginx", "Docker.io/nginx:latest",
       "Docker.io/nginx"},
      {"xn--bcher-kva.example/app", "xn--bcher-kva.example", "app", "", "",
       "xn--bcher-kva.example/app", "xn--bcher-kva.example/app:latest",
       "xn--bcher-kva.example/app"},
  });
}

TEST(ParseReference, AcceptsIpAddressDomains) {
  ExpectValid({
      {"10.0.0.1/app", "10.0.0.1", "app", "", "", "10.0.0.1/app", "10.0.0.1/app:latest",
       "10.0.0.1/app"},
      {"192.168.1.10:5000/team/app:1", "192.168.1.10:5000", "team/app", "1", "",
       "192.168.1.10:5000/team/app:1", "192.168.1.10:5000/team/app:1",
       "192.168.1.10:5000/team/app:1"},
      {"[::1]/app", "[::1]", "app", "", "", "[::1]/app", "[::1]/app:latest", "[::1]/app"},
      {"[::1]:5000/app", "[::1]:5000", "app", "", "", "[::1]:5000/app", "[::1]:5000/app:latest",
       "[::1]:5000/app"},
      {"[2001:DB8::FF00:42]:8443/app", "[2001:DB8::FF00:42]:8443", "app", "", "",
       "[2001:DB8::FF00:42]:8443/app", "[2001:DB8::FF00:42]:8443/app:latest",
       "[2001:DB8::FF00:42]:8443/app"},
  });
}

TEST(ParseReference, AcceptsPathSeparators) {
  ExpectValid({
      {"a.b/c_d", "a.b", "c_d", "", "", "a.b/c_d", "a.b/c_d:latest", "a.b/c_d"},
      {"foo/b__ar", "docker.io", "foo/b__ar", "", "", "docker.io/foo/b__ar",
       "docker.io/foo/b__ar:latest", "foo/b__ar"},
      {"foo/b---ar", "docker.io", "foo/b---ar", "", "", "docker.io/foo/b---ar",
       "docker.io/foo/b---ar:latest", "foo/b---ar"},
      {"foo/b.a-r_x__y--z", "docker.io", "foo/b.a-r_x__y--z", "", "", "docker.io/foo/b.a-r_x__y--z",
       "docker.io/foo/b.a-r_x__y--z:latest", "foo/b.a-r_x__y--z"},
      {"0/9", "docker.io", "0/9", "", "", "docker.io/0/9", "docker.io/0/9:latest", "0/9"},
  });
}

TEST(ParseReference, AcceptsTagEdgeCases) {
  const std::string tag128(128, 't');
  ExpectValid({
      {"app:" + tag128, "docker.io", "library/app", tag128, "", "docker.io/library/app:" + tag128,
       "docker.io/library/app:" + tag128, "app:" + tag128},
      {"app:_x", "docker.io", "library/app", "_x", "", "docker.io/library/app:_x",
       "docker.io/library/app:_x", "app:_x"},
      {"app:V1.0-RC_2", "docker.io", "library/app", "V1.0-RC_2", "",
       "docker.io/library/app:V1.0-RC_2", "docker.io/library/app:V1.0-RC_2", "app:V1.0-RC_2"},
      {"app:latest", "docker.io", "library/app", "latest", "", "docker.io/library/app:latest",
       "docker.io/library/app:latest", "app:latest"},
  });
}

TEST(ParseReference, AcceptsDigests) {
  ExpectValid({
      {"app@" + kSha256, "docker.io", "library/app", "", kSha256,
       "docker.io/library/app@" + kSha256, "docker.io/library/app@" + kSha256, "app@" + kSha256},
      {"ghcr.io/acme/api@" + kSha384, "ghcr.io", "acme/api", "", kSha384,
       "ghcr.io/acme/api@" + kSha384, "ghcr.io/acme/api@" + kSha384, "ghcr.io/acme/api@" + kSha384},
      {"acme/api@" + kSha512, "docker.io", "acme/api", "", kSha512, "docker.io/acme/api@" + kSha512,
       "docker.io/acme/api@" + kSha512, "acme/api@" + kSha512},
      // Both: Normalized and Short keep the tag, Familiar drops it.
      {"app:1.0@" + kSha256, "docker.io", "library/app", "1.0", kSha256,
       "docker.io/library/app:1.0@" + kSha256, "docker.io/library/app@" + kSha256,
       "app:1.0@" + kSha256},
      {"localhost:5000/app:dev@" + kSha256, "localhost:5000", "app", "dev", kSha256,
       "localhost:5000/app:dev@" + kSha256, "localhost:5000/app@" + kSha256,
       "localhost:5000/app:dev@" + kSha256},
  });
}

TEST(ParseReference, KeepsUnderscoreDomainInPath) {
  // "my_reg.io" looks like a domain (it has a '.') but the domain grammar has no '_'; the Go regexp
  // then reads it as a path component, so the reference has no domain at all.
  ExpectValid({
      {"my_reg.io/app:1", "", "my_reg.io/app", "1", "", "my_reg.io/app:1", "my_reg.io/app:1",
       "my_reg.io/app:1"},
      {"a_b.c/d", "", "a_b.c/d", "", "", "a_b.c/d", "a_b.c/d:latest", "a_b.c/d"},
  });
  ExpectInvalid({
      {"My_reg.io/app", "repository name must be lowercase"},
      {"my_reg.io:5000/app", kInvalidFormat},
  });
}

TEST(ParseReference, RejectsUppercaseRepository) {
  ExpectInvalid({
      {"foo/Bar", "invalid reference format: repository name (foo/Bar) must be lowercase"},
      {"Nginx", "invalid reference format: repository name (library/Nginx) must be lowercase"},
      {"Foo:bar", "invalid reference format: repository name (library/Foo) must be lowercase"},
      {"ghcr.io/Acme/api:v1",
       "invalid reference format: repository name (Acme/api) must be lowercase"},
      {"FOO", "invalid reference format: repository name (library/FOO) must be lowercase"},
      // The check runs up to the first ':', so without a tag it covers the digest algorithm.
      {"app@SHA256:" + Hex(64),
       "invalid reference format: repository name (library/app@SHA256) must be lowercase"},
  });
}

TEST(ParseReference, RejectsPathsLongerThan255Characters) {
  // The limit is on the path, "library/" included, and excludes the domain.
  ExpectInvalid({
      {std::string(248, 'a'), kTooLong},  // library/ + 248 = 256
      {"foo/" + std::string(252, 'a'), kTooLong},
      {"example.com/" + std::string(256, 'a') + ":tag", kTooLong},
  });
  const std::string longest_hub = std::string(247, 'a');
  const std::string longest_path = std::string(255, 'a');
  ExpectValid({
      {longest_hub, "docker.io", "library/" + longest_hub, "", "",
       "docker.io/library/" + longest_hub, "docker.io/library/" + longest_hub + ":latest",
       longest_hub},
      {"example.com/" + longest_path + ":tag", "example.com", longest_path, "tag", "",
       "example.com/" + longest_path + ":tag", "example.com/" + longest_path + ":tag",
       "example.com/" + longest_path + ":tag"},
  });
}

TEST(ParseReference, RejectsBadDigests) {
  ExpectInvalid({
      {"app@sha256:" + Hex(63), kDigestLength},
      {"app@sha256:" + Hex(65), kDigestLength},
      {"app@sha256:" + Hex(96), kDigestLength},
      {"app@sha384:" + Hex(64), kDigestLength},
      {"app@sha512:" + Hex(64), kDigestLength},
      {"app@md5:" + Hex(32), kDigestUnsupported},
      {"app@sha1:" + Hex(40), kDigestUnsupported},
      {"app@sha256+b64:" + Hex(64), kDigestUnsupported},
      {"app@sha256:" + std::string(64, 'A'), kDigestFormat},
      {"app:1@SHA256:" + Hex(64), kDigestFormat},
      // Fewer than 32 hex digits fail the reference grammar before go-digest sees them.
      {"app@sha256:" + Hex(31), kInvalidFormat},
      {"app@sha256:" + Hex(63) + "g", kInvalidFormat},
      {"app@sha256", kInvalidFormat},
      {"app@:" + Hex(64), kInvalidFormat},
      {"app@1sha:" + Hex(64), kInvalidFormat},
      {"app@sha256:" + Hex(64) + "@sha256:" + Hex(64), kInvalidFormat},
  });
}

TEST(ParseReference, RejectsMalformedReferences) {
  ExpectInvalid({
      {"", kInvalidFormat},
      {":tag", kInvalidFormat},
      {"app:", kInvalidFormat},
      {"app@", kInvalidFormat},
      {"@", kInvalidFormat},
      {"@" + kSha256, kInvalidFormat},
      {"app:1:2", kInvalidFormat},
      {"app:" + std::string(129, 't'), kInvalidFormat},
      {"app:-x", kInvalidFormat},
      {"app:.x", kInvalidFormat},
      {"app:v/1", kInvalidFormat},
      {"foo//bar", kInvalidFormat},
      {"/foo", kInvalidFormat},
      {"foo/", kInvalidFormat},
      {"ghcr.io/", kInvalidFormat},
      {"-foo", kInvalidFormat},
      {"foo-", kInvalidFormat},
      {"foo/.bar", kInvalidFormat},
      {"foo/_bar", kInvalidFormat},
      {"foo/bar__", kInvalidFormat},
      {"foo/b___ar", kInvalidFormat},
      {"foo/b._ar", kInvalidFormat},
      {"foo/b-_ar", kInvalidFormat},
      {"foo/b..ar", kInvalidFormat},
      {"foo bar", kInvalidFormat},
      {" nginx", kInvalidFormat},
      {"nginx ", kInvalidFormat},
      {"nginx\n", kInvalidFormat},
      {std::string("ngi\0nx", 6), kInvalidFormat},
      {"caf\xc3\xa9/app", kInvalidFormat},
      {"http://ghcr.io/app", kInvalidFormat},
  });
}

TEST(ParseReference, RejectsBadDomains) {
  ExpectInvalid({
      {"-a.io/app", kInvalidFormat},
      {"a-.io/app", kInvalidFormat},
      {"a..io/app", kInvalidFormat},
      {".io/app", kInvalidFormat},
      {"a.io:/app", kInvalidFormat},
      {"a.io:50a/app", kInvalidFormat},
      {"a.io:1:2/app", kInvalidFormat},
      {"[]/app", kInvalidFormat},
      {"[::g]/app", kInvalidFormat},
      {"[::1/app", kInvalidFormat},
      {"[fe80::1%eth0]:5000/app", kInvalidFormat},
      {"[::1]:/app", kInvalidFormat},
      {"::1/app", kInvalidFormat},
  });
}

TEST(ParseReference, RejectsImageIdentifiers) {
  // A bare 64-hex string is an image ID, not a name; with a tag or a path it is a name again.
  const std::string id = Hex(64);
  ExpectInvalid({
      {id, "invalid repository name (" + id + "), cannot specify 64-byte hexadecimal strings"},
  });
  ExpectValid({
      {id + ":1", "docker.io", "library/" + id, "1", "", "docker.io/library/" + id + ":1",
       "docker.io/library/" + id + ":1", id + ":1"},
      {Hex(63), "docker.io", "library/" + Hex(63), "", "", "docker.io/library/" + Hex(63),
       "docker.io/library/" + Hex(63) + ":latest", Hex(63)},
  });
}

TEST(ParseReference, NormalizedReparsesToSameParts) {
  const std::vector<std::string> inputs = {
      "nginx",
      "nginx:1@" + kSha256,
      "Foo/bar",
      "localhost/app",
      "[::1]:5000/a/b:c",
      "my_reg.io/app",
      "docker.io/foo.com/app",
      "index.docker.io/library/a/b",
      "docker.io/" + Hex(64),
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input);
    base::Result<Reference> ref = ParseReference(input);
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    for (const std::string& form : {ref->Normalized(), ref->Short()}) {
      SCOPED_TRACE(form);
      base::Result<Reference> again = ParseReference(form);
      ASSERT_TRUE(again.ok()) << again.error().message;
      EXPECT_EQ(again->domain, ref->domain);
      EXPECT_EQ(again->path, ref->path);
      EXPECT_EQ(again->tag, ref->tag);
      EXPECT_EQ(again->digest, ref->digest);
    }
  }
}

TEST(Reference, ShortStripsLibraryOnlyFromSingleComponentPaths) {
  ExpectValid({
      {"docker.io/library/a/b", "docker.io", "library/a/b", "", "", "docker.io/library/a/b",
       "docker.io/library/a/b:latest", "library/a/b"},
      {"library/library/x", "docker.io", "library/library/x", "", "", "docker.io/library/library/x",
       "docker.io/library/library/x:latest", "library/library/x"},
      {"library/library", "docker.io", "library/library", "", "", "docker.io/library/library",
       "docker.io/library/library:latest", "library"},
  });
}

TEST(Reference, ShortKeepsDockerIoWhenPathLooksLikeDomain) {
  // Go's FamiliarString gives "foo.com/app" here, which parses as another registry's image.
  ExpectValid({
      {"docker.io/foo.com/app", "docker.io", "foo.com/app", "", "", "docker.io/foo.com/app",
       "docker.io/foo.com/app:latest", "docker.io/foo.com/app"},
      {"docker.io/localhost/app:1", "docker.io", "localhost/app", "1", "",
       "docker.io/localhost/app:1", "docker.io/localhost/app:1", "docker.io/localhost/app:1"},
      {"docker.io/library/foo.com", "docker.io", "library/foo.com", "", "",
       "docker.io/library/foo.com", "docker.io/library/foo.com:latest", "foo.com"},
  });
}

TEST(Reference, ShortDropsLibraryBeforeBareImageIdButKeepsDockerIo) {
  // Go's FamiliarString drops "library/" and gives the bare hex, which ParseReference (like
  // ParseNormalizedNamed) refuses as an image ID. Short() drops "library/" too and keeps
  // "docker.io/", the spelling distribution's normalize_test.go lists as a valid name.
  const std::string id = Hex(64);
  ExpectValid({
      {"docker.io/" + id, "docker.io", "library/" + id, "", "", "docker.io/library/" + id,
       "docker.io/library/" + id + ":latest", "docker.io/" + id},
      {"library/" + id, "docker.io", "library/" + id, "", "", "docker.io/library/" + id,
       "docker.io/library/" + id + ":latest", "docker.io/" + id},
      {"index.docker.io/library/" + id, "docker.io", "library/" + id, "", "",
       "docker.io/library/" + id, "docker.io/library/" + id + ":latest", "docker.io/" + id},
      // With a tag or digest the hex is a name again, so Short() is FamiliarString exactly.
      {"docker.io/" + id + ":1", "docker.io", "library/" + id, "1", "",
       "docker.io/library/" + id + ":1", "docker.io/library/" + id + ":1", id + ":1"},
      {"library/" + id + "@" + kSha256, "docker.io", "library/" + id, "", kSha256,
       "docker.io/library/" + id + "@" + kSha256, "docker.io/library/" + id + "@" + kSha256,
       id + "@" + kSha256},
  });
  base::Result<Reference> ref = ParseReference("docker.io/" + id);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  base::Result<Reference> again = ParseReference(ref->Short());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->Normalized(), ref->Normalized());
}

TEST(Reference, RepositoryJoinsDomainAndPath) {
  base::Result<Reference> ref = ParseReference("ghcr.io/acme/api:1@" + kSha256);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->Repository(), "ghcr.io/acme/api");
  base::Result<Reference> hub = ParseReference("nginx");
  ASSERT_TRUE(hub.ok());
  EXPECT_EQ(hub->Repository(), "docker.io/library/nginx");
  base::Result<Reference> no_domain = ParseReference("my_reg.io/app");
  ASSERT_TRUE(no_domain.ok());
  EXPECT_EQ(no_domain->Repository(), "my_reg.io/app");
}

TEST(IsValidDigest, AcceptsKnownAlgorithmsWithExactLowercaseHex) {
  for (const std::string& digest : {kSha256, kSha384, kSha512}) {
    SCOPED_TRACE(digest);
    EXPECT_TRUE(IsValidDigest(digest));
  }
}

TEST(IsValidDigest, RejectsEverythingElse) {
  const std::vector<std::string> digests = {
      "",
      "sha256",
      "sha256:",
      ":" + Hex(64),
      Hex(64),
      "sha256:" + Hex(63),
      "sha256:" + Hex(65),
      "sha256:" + std::string(64, 'A'),
      "sha256:" + Hex(63) + "g",
      "SHA256:" + Hex(64),
      "sha384:" + Hex(64),
      "sha512:" + Hex(96),
      "md5:" + Hex(32),
      "sha256:" + Hex(64) + "\n",
      " sha256:" + Hex(64),
  };
  for (const std::string& digest : digests) {
    SCOPED_TRACE(digest);
    EXPECT_FALSE(IsValidDigest(digest));
  }
}

}  // namespace
}  // namespace imagepin::ref
