#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include "base/crypto.h"
#include "base/time.h"

namespace nimbus::auth {

namespace {
constexpr const char* kAccess = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

CredentialStore example_keys() {
  CredentialStore c;
  c.add(kAccess, kSecret);
  return c;
}

int64_t t0() { return *base::parse_amz_date("20130524T000000Z"); }

// AWS S3 documentation, "Signature Calculations for the Authorization
// Header": the GET Object example's headers, signed.
HeaderList documented_get_headers() {
  return {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"range", "bytes=0-9"},
      {"x-amz-content-sha256", kEmpty},
      {"x-amz-date", "20130524T000000Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
  };
}
}  // namespace

// AWS S3 documentation, "Signature Calculations for the Authorization
// Header": GET Object example.
TEST(SigV4, AwsDocumentedGetObject) {
  HeaderList h = documented_get_headers();
  auto r = verify({"GET", "/test.txt", &h}, example_keys(), t0());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->access_key, kAccess);
  EXPECT_EQ(r->scope.region, "us-east-1");
  EXPECT_EQ(r->scope.service, "s3");
  EXPECT_EQ(r->payload, PayloadMode::kSignedHash);
}

// Same documentation: presigned GET of /test.txt valid for 86400 s.
TEST(SigV4, AwsDocumentedPresignedUrl) {
  HeaderList h = {{"host", "examplebucket.s3.amazonaws.com"}};
  std::string target =
      "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%"
      "2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  auto r = verify({"GET", target, &h}, example_keys(), t0() + 1000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->presigned);
  auto expired = verify({"GET", target, &h}, example_keys(), t0() + 86401 * 1000LL);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, base::ErrorCode::kAccessDenied);
}

TEST(SigV4, Failures) {
  HeaderList h = documented_get_headers();
  auto keys = example_keys();
  auto tampered = verify({"GET", "/test.txt2", &h}, keys, t0());
  EXPECT_EQ(tampered.error().reason, base::reason::kSignatureDoesNotMatch);
  auto skewed = verify({"GET", "/test.txt", &h}, keys, t0() + 16 * 60 * 1000);
  EXPECT_EQ(skewed.error().reason, base::reason::kRequestTimeTooSkewed);
  CredentialStore other;
  other.add("someone", "else");
  EXPECT_EQ(verify({"GET", "/test.txt", &h}, other, t0()).error().reason, base::reason::kInvalidAccessKeyId);
  HeaderList bad = {{"host", "x"}, {"authorization", "AWS4-HMAC-SHA256 Credential=garbage"}};
  EXPECT_EQ(verify({"GET", "/", &bad}, keys, t0()).error().reason, base::reason::kAuthorizationMalformed);
}

TEST(SigV4, CanonicalForms) {
  EXPECT_EQ(canonical_uri("/b/a%20b+c/%E2%82%AC", false), "/b/a%20b%2Bc/%E2%82%AC");
  EXPECT_EQ(canonical_uri("/2015-03-31/functions/arn%3Aaws/invocations", true),
            "/2015-03-31/functions/arn%253Aaws/invocations");
  EXPECT_EQ(canonical_query("uploads&prefix=a%2Fb&max-keys=2", false), "max-keys=2&prefix=a%2Fb&uploads=");
  EXPECT_EQ(canonical_query("b=2&a=x y&X-Amz-Signature=s", true), "a=x%20y&b=2");
}

TEST(SigV4, SignedRequestsVerify) {
  Scope scope{"20130524", "us-east-1", "lambda"};
  HeaderList h = {{"host", "127.0.0.1:4566"}, {"x-amz-date", "20130524T000000Z"}, {"content-type", "application/json"}};
  std::string body_hash = base::sha256_hex("{}");
  h.emplace_back("authorization", authorization_header("POST", "/2015-03-31/functions/f%3A1/invocations", "a=b", h,
                                                       body_hash, kAccess, kSecret, scope, "20130524T000000Z", true));
  VerifyOptions opts;
  opts.double_encode_path = true;
  auto r = verify({"POST", "/2015-03-31/functions/f%3A1/invocations?a=b", &h, body_hash}, example_keys(), t0(), opts);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(SigV4, PeekScopeForRouting) {
  HeaderList h = {{"authorization",
                   "AWS4-HMAC-SHA256 Credential=AK/20240101/eu-west-1/lambda/aws4_request, SignedHeaders=host, "
                   "Signature=00"}};
  auto s = peek_scope({"POST", "/", &h});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->service, "lambda");
  EXPECT_EQ(s->region, "eu-west-1");
}

}  // namespace nimbus::auth
