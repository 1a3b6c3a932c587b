#include "base/arn.h"

#include <gtest/gtest.h>

namespace nimbus::base {

TEST(Arn, LambdaFunctions) {
  auto a = parse_lambda_arn("arn:aws:lambda:eu-west-1:000000000000:function:thumbs");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->function, "thumbs");
  EXPECT_EQ(a->qualifier, "");
  auto q = parse_lambda_arn("arn:aws:lambda:us-east-1:000000000000:function:thumbs:live");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->qualifier, "live");
  EXPECT_FALSE(parse_lambda_arn("arn:aws:s3:::bucket"));
  EXPECT_FALSE(parse_lambda_arn("thumbs"));
  EXPECT_FALSE(parse_lambda_arn("arn:aws:lambda:us-east-1:0:function:"));
}

}  // namespace nimbus::base
