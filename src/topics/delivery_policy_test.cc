#include "topics/delivery_policy.h"

#include <gtest/gtest.h>

using namespace nimbus;
using namespace nimbus::topics;

TEST(DeliveryPolicy, AwsDefaultForHttpIsThreeRetriesTwentySecondsApart) {
  auto p = parse_topic_policy("");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(http_delays_ms(p->retry), (std::vector<int64_t>{20000, 20000, 20000}));
  auto rc = retry_config("http", *p);
  EXPECT_EQ(rc.max_retries, 3);
  EXPECT_EQ(effective_topic_policy_json(*p),
            R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)"
            R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},)"
            R"("disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})");
}

TEST(DeliveryPolicy, PhasesOfACustomPolicy) {
  auto p = parse_subscription_policy(
      R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":10,"numRetries":6,"numNoDelayRetries":1,)"
      R"("numMinDelayRetries":1,"numMaxDelayRetries":1,"backoffFunction":"linear"},"requestPolicy":{"headerContentType":"application/json"}})",
      {});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(http_delays_ms(p->retry), (std::vector<int64_t>{0, 1000, 4000, 7000, 10000, 10000}));
  EXPECT_EQ(p->content_type, "application/json");
}

TEST(DeliveryPolicy, TopicCanDisableOverrides) {
  auto t = parse_topic_policy(R"({"http":{"defaultHealthyRetryPolicy":{"numRetries":1,"minDelayTarget":5,"maxDelayTarget":5},"disableSubscriptionOverrides":true}})");
  ASSERT_TRUE(t.ok());
  auto s = parse_subscription_policy(R"({"healthyRetryPolicy":{"numRetries":9}})", *t);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->retry.num_retries, 1);
}

TEST(DeliveryPolicy, BadPoliciesAreRefused) {
  EXPECT_FALSE(parse_topic_policy("nope").ok());
  EXPECT_FALSE(parse_topic_policy(R"({"email":{}})").ok());
  EXPECT_FALSE(parse_subscription_policy(R"({"healthyRetryPolicy":{"numRetries":101}})", {}).ok());
  EXPECT_FALSE(parse_subscription_policy(R"({"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":10}})", {}).ok());
  EXPECT_FALSE(parse_subscription_policy(R"({"throttlePolicy":{"maxReceivesPerSecond":1}})", {}).ok());
  auto e = parse_subscription_policy(R"({"healthyRetryPolicy":{"backoffFunction":"cubic"}})", {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, base::ErrorCode::kInvalidArgument);
}

TEST(DeliveryPolicy, LambdaAndSqsGetAwsManagedRetries) {
  auto rc = retry_config("lambda", {});
  EXPECT_EQ(rc.max_retries, 100015);
  ASSERT_GE(rc.delays_ms.size(), 6u);
  EXPECT_EQ(rc.delays_ms[0], 0);
  EXPECT_EQ(rc.delays_ms[3], 1000);
  EXPECT_EQ(rc.delays_ms.back(), 20000);
}
