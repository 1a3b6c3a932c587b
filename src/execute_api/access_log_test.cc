#include "execute_api/access_log.h"

#include <gtest/gtest.h>

namespace nimbus::execute_api {
namespace {

RequestFacts facts() {
  RequestFacts f;
  f.request_id = "abc=";
  f.api_id = "a1b2c3";
  f.stage = "$default";
  f.route_key = "GET /items/{id}";
  f.method = "GET";
  f.path = "/items/7";
  f.source_ip = "127.0.0.1";
  f.user_agent = "curl/8";
  f.request_time_ms = 1445412480000;  // 2015-10-21T07:28:00Z
  f.status = 200;
  f.response_length = 42;
  f.integration_status = 200;
  f.function_status = 201;
  f.integration_latency_ms = 3.4;
  f.response_latency_ms = 4.6;
  return f;
}

TEST(AccessLog, SubstitutesContextVariables) {
  EXPECT_EQ(render_access_log("$context.identity.sourceIp - - [$context.requestTime] \"$context.httpMethod "
                              "$context.routeKey $context.protocol\" $context.status $context.responseLength "
                              "$context.requestId",
                              facts()),
            "127.0.0.1 - - [21/Oct/2015:07:28:00 +0000] \"GET GET /items/{id} HTTP/1.1\" 200 42 abc=");
  EXPECT_EQ(render_access_log(R"({"id":"$context.requestId","s":"$context.integration.status",)"
                              R"("i":"$context.integrationStatus","l":"$context.integrationLatency",)"
                              R"("r":"$context.responseLatency","e":"$context.requestTimeEpoch"})",
                              facts()),
            R"({"id":"abc=","s":"201","i":"200","l":"3","r":"5","e":"1445412480000"})");
}

TEST(AccessLog, UnknownAndEmptyVariablesAreDashes) {
  RequestFacts f = facts();
  EXPECT_EQ(render_access_log("$context.identity.caller $context.error.message $context.nope.", f), "- - -.");
  f.integration_latency_ms = -1;
  f.integration_status = 0;
  f.error_message = "Not Found";
  EXPECT_EQ(render_access_log("$context.integrationLatency $context.integrationStatus $context.error.messageString",
                              f),
            "- - \"Not Found\"");
  EXPECT_EQ(render_access_log("cost $5 and $context. alone", f), "cost $5 and $context. alone");
}

TEST(AccessLog, LogGroupOfArn) {
  EXPECT_EQ(log_group_of_arn("arn:aws:logs:us-east-1:000000000000:log-group:/aws/api/access"), "/aws/api/access");
  EXPECT_EQ(log_group_of_arn("arn:aws:logs:us-east-1:000000000000:log-group:my-group:*"), "my-group");
  EXPECT_FALSE(log_group_of_arn("arn:aws:firehose:us-east-1:000000000000:deliverystream/amazon-apigateway-x"));
  EXPECT_FALSE(log_group_of_arn("arn:aws:logs:us-east-1:000000000000:log-group:"));
  EXPECT_FALSE(log_group_of_arn("my-group"));
}

}  // namespace
}  // namespace nimbus::execute_api
