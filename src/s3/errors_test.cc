#include "s3/errors.h"

#include <gtest/gtest.h>

namespace nimbus::s3 {
namespace {

TEST(Errors, DomainErrorsMapToS3Codes) {
  EXPECT_EQ(to_s3_error({base::ErrorCode::kNotFound, "", base::reason::kNoSuchKey}).code, "NoSuchKey");
  EXPECT_EQ(to_s3_error({base::ErrorCode::kNotFound, "", base::reason::kNoSuchKey}).status, 404);
  EXPECT_EQ(to_s3_error({base::ErrorCode::kUnauthenticated, "", base::reason::kSignatureDoesNotMatch}).code, "SignatureDoesNotMatch");
  EXPECT_EQ(to_s3_error({base::ErrorCode::kConflict, ""}).status, 409);
  EXPECT_EQ(to_s3_error({base::ErrorCode::kPreconditionFailed, "", base::reason::kInvalidRange}).status, 416);
}

TEST(Errors, XmlBodyCarriesCodeResourceAndRequestId) {
  auto r = error_response(s3_error(404, "NoSuchKey", "The specified key does not exist."),
                          {"b", "a&b<c", "/b/a&b<c", "REQ123", false});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("<Code>NoSuchKey</Code>"), std::string::npos);
  EXPECT_NE(r.body.find("<Key>a&amp;b&lt;c</Key>"), std::string::npos);
  EXPECT_NE(r.body.find("<RequestId>REQ123</RequestId>"), std::string::npos);
  auto head = error_response(s3_error(404, "NoSuchKey", ""), {"b", "k", "/b/k", "R", true});
  EXPECT_TRUE(head.omit_body);
}

}  // namespace
}  // namespace nimbus::s3
