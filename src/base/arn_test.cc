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

namespace nimbus::base {

TEST(Arn, ParsesAndPrintsAnyService) {
  auto a = Arn::parse("arn:aws:iam::000000000000:role/deployer");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->service, "iam");
  EXPECT_EQ(a->region, "");
  EXPECT_EQ(a->resource, "role/deployer");
  EXPECT_EQ(a->resource_of("role"), "deployer");
  EXPECT_EQ(a->resource_of("user"), "");
  EXPECT_EQ(a->str(), "arn:aws:iam::000000000000:role/deployer");
  auto g = Arn::parse("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->resource, "log-group:/aws/lambda/f:*");  // colons after the account stay in the resource
  EXPECT_FALSE(Arn::parse("arn:aws:iam"));
  EXPECT_FALSE(Arn::parse("nope:aws:iam::0:role/r"));
  EXPECT_FALSE(Arn::parse("arn:aws:iam::0:"));
  EXPECT_EQ(make_arn("sts", "", "assumed-role/r/s"), "arn:aws:sts::000000000000:assumed-role/r/s");
}

}  // namespace nimbus::base
