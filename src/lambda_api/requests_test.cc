#include "lambda_api/requests.h"

#include <gtest/gtest.h>

namespace nimbus::lambda_api {
namespace {

boost::json::object body(std::string_view text) { return *parse_body(text); }

TEST(LambdaRequests, ParseBody) {
  EXPECT_TRUE(parse_body("")->empty());
  EXPECT_EQ(parse_body("[1]").error().code, base::ErrorCode::kMalformed);
  EXPECT_EQ(parse_body("{\"a\":").error().code, base::ErrorCode::kMalformed);
}

TEST(LambdaRequests, ParseRef) {
  EXPECT_EQ(parse_ref("fn")->name, "fn");
  EXPECT_EQ(parse_ref("fn:live")->qualifier, "live");
  EXPECT_EQ(parse_ref("000000000000:function:fn:3")->qualifier, "3");
  EXPECT_EQ(parse_ref("arn:aws:lambda:us-east-1:000000000000:function:fn")->name, "fn");
  EXPECT_FALSE(parse_ref("arn:aws:s3:::bucket"));
  EXPECT_FALSE(parse_ref(""));
  EXPECT_FALSE(parse_ref(std::string(65, 'a')));
}

TEST(LambdaRequests, ApplyConfig) {
  functions::FunctionConfig c;
  c.runtime = "provided.al2023";
  ASSERT_TRUE(apply_config(body(R"({"MemorySize":256,"Timeout":30,"Environment":{"Variables":{"A":"1"}}})"), c));
  EXPECT_EQ(c.memory_mb, 256);
  EXPECT_EQ(c.timeout_s, 30);
  EXPECT_EQ(c.environment.at("A"), "1");
  EXPECT_FALSE(apply_config(body(R"({"Environment":{"Variables":{"A":1}}})"), c));
  EXPECT_FALSE(apply_config(body(R"({"Runtime":"cobol"})"), c));
}

// 2^32 + 128 used to wrap to 128 when narrowed to int and was accepted.
TEST(LambdaRequests, OutOfRangeNumbersDoNotWrap) {
  functions::FunctionConfig c;
  c.runtime = "provided.al2023";
  EXPECT_FALSE(apply_config(body(R"({"MemorySize":4294967424})"), c));
  c.memory_mb = 128;
  EXPECT_FALSE(apply_config(body(R"({"Timeout":4294967297})"), c));
  c.timeout_s = 3;
  EXPECT_FALSE(apply_config(body(R"({"EphemeralStorage":{"Size":4294967808}})"), c));
  EXPECT_FALSE(provisioned_concurrency(body(R"({"ProvisionedConcurrentExecutions":-4294967295})")));
}

TEST(LambdaRequests, EventInvokeConfig) {
  functions::EventInvokeConfig c;
  ASSERT_TRUE(apply_event_invoke_config(
      body(R"({"MaximumRetryAttempts":1,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:s3:::dlq"}}})"), c));
  EXPECT_EQ(*c.max_retry_attempts, 1);
  EXPECT_EQ(c.on_failure, "arn:aws:s3:::dlq");
  EXPECT_FALSE(apply_event_invoke_config(body(R"({"MaximumEventAgeInSeconds":59})"), c));
  // Queues, topics and functions take both outcomes; an S3 bucket failures only; EventBridge is refused by name.
  ASSERT_TRUE(apply_event_invoke_config(
      body(R"({"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:sns:us-east-1:0:t"},)"
           R"("OnFailure":{"Destination":"arn:aws:sqs:us-east-1:0:q"}}})"), c));
  EXPECT_EQ(c.on_success, "arn:aws:sns:us-east-1:0:t");
  EXPECT_EQ(c.on_failure, "arn:aws:sqs:us-east-1:0:q");
  ASSERT_TRUE(apply_event_invoke_config(
      body(R"({"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:lambda:us-east-1:0:function:next"}}})"), c));
  EXPECT_EQ(c.on_failure, "arn:aws:sqs:us-east-1:0:q");  // a side not given is kept (UpdateFunctionEventInvokeConfig)
  ASSERT_TRUE(apply_event_invoke_config(body(R"({"DestinationConfig":{"OnSuccess":{}}})"), c));
  EXPECT_EQ(c.on_success, "");
  EXPECT_FALSE(apply_event_invoke_config(
      body(R"({"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:s3:::ok-bucket"}}})"), c));
  auto bus = apply_event_invoke_config(
      body(R"({"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:events:us-east-1:0:event-bus/default"}}})"), c);
  ASSERT_FALSE(bus);
  EXPECT_NE(bus.error().message.find("EventBridge"), std::string::npos);
  EXPECT_FALSE(apply_event_invoke_config(body(R"({"DestinationConfig":{"OnFailure":{"Destination":"queue-q"}}})"), c));
}

TEST(LambdaRequests, Concurrency) {
  EXPECT_EQ(*reserved_concurrency(body(R"({"ReservedConcurrentExecutions":0})")), 0);
  EXPECT_FALSE(reserved_concurrency(body(R"({"ReservedConcurrentExecutions":-1})")));
  EXPECT_FALSE(reserved_concurrency(body("{}")));
  EXPECT_EQ(*provisioned_concurrency(body(R"({"ProvisionedConcurrentExecutions":2})")), 2);
  EXPECT_FALSE(provisioned_concurrency(body(R"({"ProvisionedConcurrentExecutions":0})")));
}

}  // namespace
}  // namespace nimbus::lambda_api
