#include "execute_api/proxy_event.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {
namespace {

namespace json = boost::json;

ProxyRequest request() {
  ProxyRequest r;
  r.method = "POST";
  r.raw_path = "/prod/pets/a%20b";
  r.raw_query = "p=1&p=2&q=x%20y";
  r.headers = {{"host", "abc.execute-api.localhost"},
               {"user-agent", "curl/8"},
               {"x-multi", "one"},
               {"x-multi", "two"},
               {"cookie", "a=1; b=2"},
               {"content-type", "application/json"}};
  r.body = R"({"x":1})";
  r.source_ip = "127.0.0.1";
  r.domain_name = "abc.execute-api.localhost";
  r.time_ms = 1587481701067;
  return r;
}

ProxyContext context() {
  ProxyContext c;
  c.api_id = "abc";
  c.account_id = "000000000000";
  c.route_key = "POST /pets/{name}";
  c.stage = "prod";
  c.request_id = "LV7fzho-PHcEJPw=";
  c.resource_path = "/pets/{name}";
  c.path_parameters = {{"name", "a b"}};
  return c;
}

TEST(ProxyEventV2, ShapeAsAwsSendsIt) {
  auto e = json::parse(build_v2_event(request(), context())).as_object();
  EXPECT_EQ(e["version"], "2.0");
  EXPECT_EQ(e["rawPath"], "/prod/pets/a%20b");
  EXPECT_EQ(e["rawQueryString"], "p=1&p=2&q=x%20y");
  EXPECT_EQ(e["queryStringParameters"].as_object()["p"], "1,2");
  EXPECT_EQ(e["queryStringParameters"].as_object()["q"], "x y");
  EXPECT_EQ(e["headers"].as_object()["x-multi"], "one,two");
  EXPECT_FALSE(e["headers"].as_object().contains("cookie"));
  EXPECT_EQ(e["cookies"], json::parse(R"(["a=1","b=2"])"));
  EXPECT_EQ(e["pathParameters"].as_object()["name"], "a b");
  EXPECT_FALSE(e.contains("stageVariables"));
  EXPECT_EQ(e["body"], R"({"x":1})");
  EXPECT_EQ(e["isBase64Encoded"], false);
  auto& rc = e["requestContext"].as_object();
  EXPECT_EQ(rc["time"], "21/Apr/2020:15:08:21 +0000");
  EXPECT_EQ(rc["timeEpoch"], 1587481701067);
  EXPECT_EQ(rc["domainPrefix"], "abc");
  EXPECT_EQ(rc["http"].as_object()["userAgent"], "curl/8");
  EXPECT_EQ(rc["stage"], "prod");
}

TEST(ProxyEventV2, BinaryAndEmptyBodies) {
  auto r = request();
  r.headers = {{"content-type", "image/png"}};
  r.body = std::string("\x89PNG\0\1", 6);
  auto e = json::parse(build_v2_event(r, context())).as_object();
  EXPECT_EQ(e["isBase64Encoded"], true);
  EXPECT_EQ(e["body"], "iVBORwAB");
  r.body.clear();
  r.raw_query.clear();
  e = json::parse(build_v2_event(r, context())).as_object();
  EXPECT_FALSE(e.contains("body"));
  EXPECT_FALSE(e.contains("queryStringParameters"));
  EXPECT_FALSE(e.contains("cookies"));
  EXPECT_EQ(e["isBase64Encoded"], false);
  EXPECT_TRUE(is_text_content_type("text/html; charset=utf-8"));
  EXPECT_FALSE(is_text_content_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_text_content_type(""));
}

TEST(ProxyEventV1, ShapeAsHttpApisSendIt) {
  auto e = json::parse(build_v1_event(request(), context())).as_object();
  EXPECT_EQ(e["version"], "1.0");
  EXPECT_EQ(e["resource"], "/pets/{name}");
  EXPECT_EQ(e["httpMethod"], "POST");
  EXPECT_EQ(e["multiValueHeaders"].as_object()["x-multi"], json::parse(R"(["one","two"])"));
  EXPECT_EQ(e["queryStringParameters"].as_object()["p"], "1");
  EXPECT_EQ(e["multiValueQueryStringParameters"].as_object()["p"], json::parse(R"(["1","2"])"));
  EXPECT_TRUE(e["stageVariables"].is_null());
  EXPECT_EQ(e["requestContext"].as_object()["resourcePath"], "/pets/{name}");
  EXPECT_TRUE(e["requestContext"].as_object()["identity"].as_object()["userArn"].is_null());
}

TEST(ProxyEventV1, SignerFillsTheIdentity) {
  ProxyContext c = context();
  c.caller = CallerIdentity{"AKID", "000000000000", "AKID", "AKID", "arn:aws:iam::000000000000:user/AKID"};
  auto e = json::parse(build_v1_event(request(), c)).as_object();
  auto& id = e["requestContext"].as_object()["identity"].as_object();
  EXPECT_EQ(id["accessKey"], "AKID");
  EXPECT_EQ(id["accountId"], "000000000000");
  EXPECT_EQ(id["caller"], "AKID");
  EXPECT_EQ(id["user"], "AKID");
  EXPECT_EQ(id["userArn"], "arn:aws:iam::000000000000:user/AKID");
  EXPECT_EQ(id["sourceIp"], "127.0.0.1");
}

TEST(ProxyResponseV2, StructuredAndInferred) {
  auto r = read_v2_response(R"({"statusCode":201,"headers":{"x-a":"1","x-b":true},"cookies":["c=1","d=2"],"body":"hi"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "hi");
  int cookies = 0;
  for (const auto& [n, v] : r->headers) cookies += n == "Set-Cookie";
  EXPECT_EQ(cookies, 2);
  r = read_v2_response(R"({"hello":"world"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"hello":"world"})");
  r = read_v2_response(R"("just a string")");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "just a string");
  r = read_v2_response(R"({"statusCode":"202","body":"aGk=","isBase64Encoded":true})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "hi");
  EXPECT_FALSE(read_v2_response(R"({"statusCode":"test"})"));
  EXPECT_FALSE(read_v2_response(R"({"statusCode":200,"cookies":{"x":"y"}})"));
  EXPECT_FALSE(read_v2_response(R"({"errorMessage":"boom"})"));
  EXPECT_FALSE(read_v2_response("not json"));
}

TEST(ProxyResponseV1, StatusRequiredAndHeadersMerged) {
  EXPECT_FALSE(read_v1_response(R"({"body":"x"})"));
  EXPECT_FALSE(read_v1_response(R"({"statusCode":200,"multiValueHeaders":{"x":"v"}})"));
  auto r = read_v1_response(R"({"statusCode":200,"headers":{"x":"single","y":"1"},"multiValueHeaders":{"x":["a","b"]}})");
  ASSERT_TRUE(r);
  int xs = 0, ys = 0;
  for (const auto& [n, v] : r->headers) {
    xs += n == "x";
    ys += n == "y";
  }
  EXPECT_EQ(xs, 2);
  EXPECT_EQ(ys, 1);
}

TEST(RequestIds, ShapeOfHttpApiIds) {
  auto id = new_request_id();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.back(), '=');
}

}  // namespace
}  // namespace nimbus::execute_api
