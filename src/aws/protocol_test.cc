#include "aws/protocol.h"

#include <gtest/gtest.h>

#include "aws/json_protocol.h"

namespace nimbus::aws {
namespace {

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(Protocol, JsonErrorShape) {
  auto r = error_response(Protocol::kJson11, {400, "ResourceNotFoundException", "no such group"}, "req-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"ResourceNotFoundException","message":"no such group"})");
  EXPECT_EQ(header(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(header(r, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(header(r, "x-amzn-RequestId"), "req-1");
  auto j10 = error_response(Protocol::kJson10, {400, "X", "m"}, "id");
  EXPECT_EQ(header(j10, "Content-Type"), "application/x-amz-json-1.0");
}

TEST(Protocol, RestJsonErrorShape) {
  auto r = error_response(Protocol::kRestJson, {429, "TooManyRequestsException", "Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded"}, "id");
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("\"__type\":\"TooManyRequestsException\""), std::string::npos);
  EXPECT_NE(r.body.find("\"Type\":\"User\""), std::string::npos);
  EXPECT_NE(r.body.find("\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\""), std::string::npos);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
}

TEST(Protocol, QueryErrorShape) {
  auto r = error_response(Protocol::kQuery, {400, "ValidationError", "a < b"}, "req-9",
                          "https://sts.amazonaws.com/doc/2011-06-15/");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            "<Code>ValidationError</Code><Message>a &lt; b</Message></Error><RequestId>req-9</RequestId>"
            "</ErrorResponse>");
  EXPECT_EQ(header(r, "Content-Type"), "text/xml");
  auto receiver = error_response(Protocol::kQuery, {500, "InternalFailure", "x", "", false}, "id");
  EXPECT_NE(receiver.body.find("<Type>Receiver</Type>"), std::string::npos);
}

TEST(Protocol, InfersTheProtocolOfAnUnknownRequest) {
  http::Request r;
  r.method = "POST";
  r.target = "/";
  EXPECT_EQ(infer_protocol(r, Protocol::kRestXml), Protocol::kRestXml);
  r.headers = {{"x-amz-target", "AmazonSQS.ListQueues"}, {"content-type", "application/x-amz-json-1.0"}};
  EXPECT_EQ(infer_protocol(r, Protocol::kRestXml), Protocol::kJson10);
  r.headers = {{"x-amz-target", "Logs_20140328.X"}, {"content-type", "application/x-amz-json-1.1"}};
  EXPECT_EQ(infer_protocol(r, Protocol::kRestXml), Protocol::kJson11);
  r.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  EXPECT_EQ(infer_protocol(r, Protocol::kRestXml), Protocol::kQuery);
  r.headers = {};
  r.target = "/?Version=2011-06-15&Action=GetCallerIdentity";
  EXPECT_EQ(infer_protocol(r, Protocol::kRestXml), Protocol::kQuery);
}

TEST(JsonProtocol, BodiesAndTargets) {
  EXPECT_TRUE(parse_json_object("")->empty());
  EXPECT_EQ(parse_json_object("{\"a\":1}")->at("a").as_int64(), 1);
  EXPECT_EQ(parse_json_object("[1]").error().code, base::ErrorCode::kMalformed);
  EXPECT_EQ(parse_json_object("{").error().code, base::ErrorCode::kMalformed);
  http::Request r;
  r.headers = {{"x-amz-target", "Logs_20140328.GetLogEvents"}};
  EXPECT_EQ(target_operation(r, "Logs_20140328."), "GetLogEvents");
  EXPECT_EQ(target_operation(r, "AmazonSQS."), "");
  auto res = json_response(Protocol::kJson11, boost::json::object{{"k", "v"}}, "id");
  EXPECT_EQ(res.body, R"({"k":"v"})");
  EXPECT_EQ(header(res, "Content-Type"), "application/x-amz-json-1.1");
}

}  // namespace
}  // namespace nimbus::aws
