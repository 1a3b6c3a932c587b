#include "auth/sigv2.h"

#include <gtest/gtest.h>

#include "base/time.h"

namespace nimbus::auth {
namespace {

// AWS S3 documentation, "Signing and Authenticating REST Requests"
// (Signature Version 2): the Object GET example.
TEST(SigV2, AwsDocumentedHeaderExample) {
  CredentialStore keys;
  keys.add("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  HeaderList h = {{"host", "awsexamplebucket1.us-west-1.s3.amazonaws.com"},
                  {"date", "Tue, 27 Mar 2007 19:36:42 +0000"},
                  {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g="}};
  RequestView req{"GET", "/photos/puppy.jpg", &h};
  EXPECT_EQ(v2_string_to_sign(req, "Tue, 27 Mar 2007 19:36:42 +0000", "awsexamplebucket1"),
            "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg");
  int64_t now = *base::parse_http_date("Tue, 27 Mar 2007 19:36:42 +0000");
  auto ok = verify_v2(req, keys, now, "awsexamplebucket1");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_FALSE(ok->presigned);
  EXPECT_EQ(verify_v2(req, keys, now + 16 * 60 * 1000, "awsexamplebucket1").error().reason,
            base::reason::kRequestTimeTooSkewed);
}

// Query-string form; the signature was computed independently with Python's
// hmac over the documented string to sign.
TEST(SigV2, PresignedQuery) {
  CredentialStore keys;
  keys.add("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  HeaderList h = {{"host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"}};
  RequestView req{"GET",
                  "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=1No4mq5ETf02z8aet9voy6gui6E%3D&"
                  "Expires=1175139620",
                  &h};
  ASSERT_TRUE(is_sigv2(req));
  auto ok = verify_v2(req, keys, 1175139000LL * 1000, "awsexamplebucket1");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(ok->presigned);
  auto expired = verify_v2(req, keys, 1175139621LL * 1000, "awsexamplebucket1");
  EXPECT_EQ(expired.error().code, base::ErrorCode::kAccessDenied);
  auto wrong_bucket = verify_v2(req, keys, 1175139000LL * 1000, "other");
  EXPECT_EQ(wrong_bucket.error().reason, base::reason::kSignatureDoesNotMatch);
  // Expires more than 7 days ahead is refused, as SigV4's X-Amz-Expires is.
  auto too_far = verify_v2(req, keys, (1175139620LL - 8 * 86400) * 1000, "awsexamplebucket1");
  ASSERT_FALSE(too_far.ok());
  EXPECT_EQ(too_far.error().reason, base::reason::kAuthorizationMalformed);
}

}  // namespace
}  // namespace nimbus::auth
