#include "function_urls/cors.h"

#include <gtest/gtest.h>

#include "lambda_api/url_config.h"

namespace nimbus::function_urls {
namespace {

std::string find(const base::HeaderList& h, const std::string& name) {
  for (const auto& [n, v] : h)
    if (n == name) return v;
  return "<none>";
}

TEST(FunctionUrlCors, PreflightEchoesListedOrigin) {
  lambda_api::UrlCors c;
  c.allow_origins = {"https://a.example"};
  c.allow_methods = {"GET", "POST"};
  c.allow_headers = {"x-custom"};
  c.max_age = 60;
  base::HeaderList req{{"origin", "https://a.example"}, {"access-control-request-method", "POST"}};
  ASSERT_TRUE(is_preflight("OPTIONS", req));
  EXPECT_FALSE(is_preflight("GET", req));
  auto h = preflight_headers(c, req);
  EXPECT_EQ(find(h, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(find(h, "Access-Control-Allow-Methods"), "GET,POST");
  EXPECT_EQ(find(h, "Access-Control-Allow-Headers"), "x-custom");
  EXPECT_EQ(find(h, "Access-Control-Max-Age"), "60");
  EXPECT_TRUE(preflight_headers(c, {{"origin", "https://b.example"}, {"access-control-request-method", "GET"}}).empty());
}

TEST(FunctionUrlCors, ResponseHeadersReplaceTheFunctions) {
  lambda_api::UrlCors c;
  c.allow_origins = {"*"};
  c.expose_headers = {"x-one"};
  base::HeaderList reply{{"Access-Control-Allow-Origin", "https://evil"}, {"x-one", "1"}};
  apply_cors(c, {{"origin", "https://a.example"}}, reply);
  EXPECT_EQ(find(reply, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(find(reply, "Access-Control-Expose-Headers"), "x-one");
  EXPECT_EQ(find(reply, "x-one"), "1");
}

TEST(FunctionUrlConfig, ValidatesAsLambda) {
  lambda_api::UrlConfig c;
  auto bad = lambda_api::apply_url_config(boost::json::object{{"AuthType", "OPEN"}}, c, true);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("Member must satisfy enum value set: [AWS_IAM, NONE]"), std::string::npos);
  EXPECT_FALSE(lambda_api::apply_url_config(boost::json::object{}, c, true));
  boost::json::object cors{{"MaxAge", 86401}};
  EXPECT_FALSE(lambda_api::apply_url_config(boost::json::object{{"AuthType", "NONE"}, {"Cors", cors}}, c, true));
  EXPECT_FALSE(lambda_api::check_url_qualifier("$LATEST"));
  EXPECT_FALSE(lambda_api::check_url_qualifier("12"));
  EXPECT_TRUE(lambda_api::check_url_qualifier("live"));
  ASSERT_TRUE(lambda_api::apply_url_config(
      boost::json::object{{"AuthType", "AWS_IAM"}, {"Cors", {{"AllowOrigins", {"*"}}, {"MaxAge", 5}}}}, c, true));
  auto back = lambda_api::decode_url_config(lambda_api::encode_url_config(c));
  EXPECT_EQ(back.auth_type, "AWS_IAM");
  ASSERT_TRUE(back.cors);
  EXPECT_EQ(back.cors->max_age, 5);
  EXPECT_EQ(back.cors->allow_origins, std::vector<std::string>{"*"});
}

TEST(FunctionUrlHost, UrlIdOfHost) {
  std::string id(32, 'a');
  id[3] = '7';
  EXPECT_EQ(lambda_api::url_id_of_host(id + ".lambda-url.us-east-1.localhost:4566"), id);
  EXPECT_EQ(lambda_api::url_id_of_host(id + ".lambda-url.us-east-1.localhost.localstack.cloud"), id);
  EXPECT_EQ(lambda_api::url_id_of_host("abc.lambda-url.us-east-1.localhost"), "");
  EXPECT_EQ(lambda_api::url_id_of_host(id + ".execute-api.us-east-1.localhost"), "");
}

}  // namespace
}  // namespace nimbus::function_urls
