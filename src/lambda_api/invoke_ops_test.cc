#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

TEST_F(LambdaApiTest, InvokeRunsThroughTheInvoker) {
  auto r = send("POST", "/2015-03-31/functions/fn:live/invocations", R"({"x":1})",
                {{"x-amz-log-type", "Tail"}, {"x-amz-client-context", "ctx"}});
  ASSERT_EQ(r.status(), 200) << r.raw.body;
  EXPECT_EQ(r.raw.body, R"({"ok":true})");
  EXPECT_EQ(r.header("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(r.header("X-Amz-Log-Result"), base::base64_encode("log"));
  EXPECT_TRUE(r.header("X-Amz-Function-Error").empty());
  ASSERT_EQ(fake_.invoked.size(), 1u);
  const auto& ir = fake_.invoked[0];
  EXPECT_EQ(ir.function, "fn");
  EXPECT_EQ(ir.qualifier, "live");
  EXPECT_EQ(ir.payload, R"({"x":1})");
  EXPECT_TRUE(ir.tail_log);
  EXPECT_EQ(ir.client_context, "ctx");
  EXPECT_EQ(r.header("x-amzn-RequestId"), ir.request_id);  // the invocation's own id
}

TEST_F(LambdaApiTest, InvokeWithoutABodyPassesAnEmptyObject) {
  auto r = send("POST", "/2015-03-31/functions/fn/invocations?Qualifier=3");
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(fake_.invoked.at(0).payload, "{}");
  EXPECT_EQ(fake_.invoked.at(0).qualifier, "3");
  EXPECT_TRUE(r.header("X-Amz-Log-Result").empty());
}

TEST_F(LambdaApiTest, InvokeReportsFunctionErrorsAndThrottling) {
  fake_.reply = functions::InvokeResult{true, R"({"errorMessage":"boom"})", "", "2"};
  auto failed = send("POST", "/2015-03-31/functions/fn/invocations");
  EXPECT_EQ(failed.status(), 200);
  EXPECT_EQ(failed.header("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(failed.header("X-Amz-Executed-Version"), "2");

  fake_.reply = base::make_error(base::ErrorCode::kThrottled, "ReservedFunctionConcurrentInvocationLimitExceeded");
  auto throttled = send("POST", "/2015-03-31/functions/fn/invocations");
  EXPECT_EQ(throttled.status(), 429);
  EXPECT_EQ(throttled.error_type(), "TooManyRequestsException");
  EXPECT_EQ(throttled.text("message"), "Rate Exceeded.");
  EXPECT_EQ(throttled.text("Reason"), "ReservedFunctionConcurrentInvocationLimitExceeded");

  fake_.reply = base::make_error(base::ErrorCode::kNotFound, "Function not found: x");
  EXPECT_EQ(send("POST", "/2015-03-31/functions/fn/invocations").status(), 404);
}

TEST_F(LambdaApiTest, InvokeRejectsAnOversizedPayload) {
  auto r = send("POST", "/2015-03-31/functions/fn/invocations", std::string(6 * 1024 * 1024 + 1, ' '));
  EXPECT_EQ(r.status(), 413);
  EXPECT_EQ(r.error_type(), "RequestEntityTooLargeException");
  EXPECT_EQ(r.text("message"), "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  EXPECT_TRUE(fake_.invoked.empty());
}

TEST_F(LambdaApiTest, EventInvocationsAreQueuedOnTheBlockingPool) {
  ASSERT_EQ(create("fn").status(), 201);
  auto r = send("POST", "/2015-03-31/functions/fn/invocations", R"({"e":1})",
                {{"x-amz-invocation-type", "Event"},
                 {"x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}});
  ASSERT_EQ(r.status(), 202) << r.raw.body;
  EXPECT_EQ(r.header("x-amzn-RequestId"), "async-1");
  ASSERT_EQ(fake_.enqueued.size(), 1u);
  EXPECT_EQ(fake_.enqueued[0].target, "fn");
  EXPECT_EQ(fake_.enqueued[0].payload, R"({"e":1})");
  EXPECT_NE(fake_.enqueued[0].trace_id.find("Root=1-5759e988-bd862e3fe1be46a994272793"), std::string::npos);
  EXPECT_NE(fake_.enqueue_thread, std::this_thread::get_id());  // the durable write is not on the io thread

  auto big = send("POST", "/2015-03-31/functions/fn/invocations", std::string(1024 * 1024 + 1, ' '),
                  {{"x-amz-invocation-type", "Event"}});
  EXPECT_EQ(big.status(), 413);
  EXPECT_EQ(big.text("message"), "Request must be smaller than 1048576 bytes for the InvokeAsync operation");
}

TEST_F(LambdaApiTest, EventAndDryRunCheckTheFunctionFirst) {
  auto missing = send("POST", "/2015-03-31/functions/nope/invocations", "", {{"x-amz-invocation-type", "Event"}});
  EXPECT_EQ(missing.status(), 404);
  EXPECT_EQ(missing.error_type(), "ResourceNotFoundException");
  EXPECT_TRUE(fake_.enqueued.empty());

  ASSERT_EQ(create("fn").status(), 201);
  auto dry = send("POST", "/2015-03-31/functions/fn/invocations", "", {{"x-amz-invocation-type", "DryRun"}});
  EXPECT_EQ(dry.status(), 204);
  auto odd = send("POST", "/2015-03-31/functions/fn/invocations", "", {{"x-amz-invocation-type", "Sometimes"}});
  EXPECT_EQ(odd.status(), 400);
  EXPECT_EQ(odd.error_type(), "InvalidParameterValueException");
  EXPECT_EQ(odd.text("message"), "Unsupported invocation type: Sometimes");
  EXPECT_TRUE(fake_.invoked.empty());
}

// Issue 12: a payload that is not JSON reached the function.
TEST_F(LambdaApiTest, InvokeRefusesAPayloadThatIsNotJson) {
  ASSERT_EQ(create("fn").status(), 201);
  for (const char* type : {"RequestResponse", "Event", "DryRun"}) {
    auto r = send("POST", "/2015-03-31/functions/fn/invocations", "not json", {{"x-amz-invocation-type", type}});
    EXPECT_EQ(r.status(), 400) << type;
    EXPECT_EQ(r.error_type(), "InvalidRequestContentException") << type;
    EXPECT_NE(r.text("message").find("Could not parse request body into json"), std::string::npos);
  }
  EXPECT_TRUE(fake_.invoked.empty());
  EXPECT_TRUE(fake_.enqueued.empty());
  for (const char* ok : {"\"text\"", "42", "[1,2]", "null"})
    EXPECT_EQ(send("POST", "/2015-03-31/functions/fn/invocations", ok).status(), 200) << ok;
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
