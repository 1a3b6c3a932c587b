#include "execute_api/rest_event.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {
namespace {

namespace json = boost::json;

RestRequest request() {
  RestRequest r;
  r.method = "GET";
  r.path = "/test-path/";
  r.full_path = "/test/test-path/";
  r.raw_query = "category=electronics&category=books&plus=test+alias&t=%2B00:00";
  r.headers = {{"host", "abc.execute-api.localhost"}, {"user-agent", "python"}, {"test-header", "aValUE"},
               {"x-multi", "one"}, {"x-multi", "two"}};
  r.header_names = {"Host", "user-agent", "tEsT-HEADeR", "X-Multi", "x-multi"};
  r.source_ip = "127.0.0.1";
  r.domain_name = "abc.execute-api.localhost";
  r.time_ms = 1587481701067;
  return r;
}

RestContext context() {
  RestContext c;
  c.api_id = "abc";
  c.account_id = "000000000000";
  c.stage = "test";
  c.deployment_id = "dep";
  c.resource_id = "res";
  c.resource_path = "/{proxy+}";
  c.request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
  c.extended_request_id = "abcdEFGHijklMNO=";
  c.path_parameters = {{"proxy", "test%2Balias@gmail.com"}};
  return c;
}

TEST(RestEvent, ShapeAsAwsCapturesIt) {
  auto e = json::parse(build_rest_event(request(), context())).as_object();
  EXPECT_FALSE(e.contains("version"));
  EXPECT_EQ(e["resource"], "/{proxy+}");
  EXPECT_EQ(e["path"], "/test-path/");
  EXPECT_EQ(e["httpMethod"], "GET");
  auto& h = e["headers"].as_object();
  EXPECT_EQ(h["tEsT-HEADeR"], "aValUE");
  EXPECT_EQ(h["User-Agent"], "python");
  EXPECT_EQ(h["Host"], "abc.execute-api.localhost");
  EXPECT_EQ(h["X-Multi"], "two");  // the last value, named as first sent
  EXPECT_EQ(e["multiValueHeaders"].as_object()["X-Multi"], json::parse(R"(["one","two"])"));
  auto& q = e["queryStringParameters"].as_object();
  EXPECT_EQ(q["category"], "books");
  EXPECT_EQ(q["plus"], "test alias");
  EXPECT_EQ(q["t"], "+00:00");
  EXPECT_EQ(e["multiValueQueryStringParameters"].as_object()["category"], json::parse(R"(["electronics","books"])"));
  EXPECT_EQ(e["pathParameters"].as_object()["proxy"], "test%2Balias@gmail.com");
  EXPECT_TRUE(e["stageVariables"].is_null());
  EXPECT_TRUE(e["body"].is_null());
  EXPECT_EQ(e["isBase64Encoded"], false);
  auto& rc = e["requestContext"].as_object();
  EXPECT_EQ(rc["path"], "/test/test-path/");
  EXPECT_EQ(rc["resourcePath"], "/{proxy+}");
  EXPECT_EQ(rc["stage"], "test");
  EXPECT_EQ(rc["requestTime"], "21/Apr/2020:15:08:21 +0000");
  EXPECT_EQ(rc["requestTimeEpoch"], 1587481701067);
  EXPECT_EQ(rc["extendedRequestId"], "abcdEFGHijklMNO=");
  EXPECT_TRUE(rc["identity"].as_object()["accessKey"].is_null());
  EXPECT_FALSE(rc.contains("authorizer"));
}

TEST(RestEvent, NullsAndBinaryBodies) {
  auto r = request();
  r.raw_query.clear();
  r.body = std::string("\x89PNG\0", 5);
  r.body_is_binary = true;
  auto c = context();
  c.path_parameters.clear();
  c.stage_variables = {{"env", "test"}};
  c.authorizer = {{"principalId", "user"}, {"k", 1}};
  auto e = json::parse(build_rest_event(r, c)).as_object();
  EXPECT_TRUE(e["queryStringParameters"].is_null());
  EXPECT_TRUE(e["multiValueQueryStringParameters"].is_null());
  EXPECT_TRUE(e["pathParameters"].is_null());
  EXPECT_EQ(e["stageVariables"].as_object()["env"], "test");
  EXPECT_EQ(e["body"], "iVBORwA=");
  EXPECT_EQ(e["isBase64Encoded"], true);
  EXPECT_EQ(e["requestContext"].as_object()["authorizer"].as_object()["principalId"], "user");
}

TEST(RestEvent, AuthorizerEvents) {
  auto t = json::parse(build_token_authorizer_event("allow", "arn:x")).as_object();
  EXPECT_EQ(t["type"], "TOKEN");
  EXPECT_EQ(t["authorizationToken"], "allow");
  EXPECT_EQ(t["methodArn"], "arn:x");
  auto r = json::parse(build_request_authorizer_event(request(), context(), "arn:y")).as_object();
  EXPECT_EQ(r["type"], "REQUEST");
  EXPECT_EQ(r["methodArn"], "arn:y");
  EXPECT_FALSE(r.contains("body"));
  EXPECT_EQ(r["headers"].as_object()["tEsT-HEADeR"], "aValUE");
}

TEST(RestResponse, StrictKeysAndDefaults) {
  auto r = read_rest_response(R"({"headers":{"test-header":"value"}})", false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_FALSE(read_rest_response(R"({"statusCode":200,"wrongValue":"value"})", false));
  EXPECT_FALSE(read_rest_response(R"("justAString")", false));
  EXPECT_FALSE(read_rest_response("not json", false));
  EXPECT_FALSE(read_rest_response(R"({"statusCode":"test"})", false));
  EXPECT_FALSE(read_rest_response(R"({"statusCode":200,"multiValueHeaders":{"x":"v"}})", false));
  EXPECT_FALSE(read_rest_response(R"({"statusCode":200,"body":{"a":1}})", false));
  EXPECT_FALSE(read_rest_response(R"({"errorMessage":"boom","errorType":"E"})", false));
  r = read_rest_response(R"({"statusCode":"201","headers":null,"body":"x"})", false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  bool json_type = false;
  for (const auto& [n, v] : r->headers) json_type = json_type || (n == "Content-Type" && v == "application/json");
  EXPECT_TRUE(json_type);
}

TEST(RestResponse, HeadersMergeAndBase64FollowsAccept) {
  auto r = read_rest_response(
      R"({"statusCode":200,"headers":{"a":"1","B":true,"x-m":"single"},"multiValueHeaders":{"X-M":["m1","m2"]},)"
      R"("body":"dGVzdA==","isBase64Encoded":true})",
      true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "test");
  int xm = 0;
  for (const auto& [n, v] : r->headers) {
    if (n == "B") {
      EXPECT_EQ(v, "true");
    }
    if (n == "X-M") ++xm;
    EXPECT_NE(v, "single");
  }
  EXPECT_EQ(xm, 2);
  r = read_rest_response(R"({"statusCode":200,"body":"dGVzdA==","isBase64Encoded":true})", false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "dGVzdA==");
}

}  // namespace
}  // namespace nimbus::execute_api
