#include "execute_api/authorizer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {
namespace {

bool allows(std::string_view policy, const std::string& arn) {
  return policy_allows(boost::json::parse(policy).as_object(), arn);
}

const std::string kArn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets/1";

TEST(PolicyAllows, AllowWildcardsAndExplicitDeny) {
  EXPECT_TRUE(allows(R"({"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":")" + kArn + R"("}]})",
                     kArn));
  EXPECT_TRUE(allows(R"({"Statement":{"Effect":"Allow","Action":["execute-api:*"],
                        "Resource":["arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/*"]}})",
                     kArn));
  EXPECT_FALSE(allows(R"({"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke",
                         "Resource":"arn:aws:execute-api:us-east-1:000000000000:abc/*/POST/*"}]})",
                      kArn))
      << "another method";
  EXPECT_FALSE(allows(R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
                                       {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*/pets/?"}]})",
                      kArn))
      << "an explicit deny wins";
  EXPECT_FALSE(allows(R"({"Statement":[]})", kArn));
  EXPECT_FALSE(allows(R"({"Version":"2012-10-17"})", kArn));
}

TEST(ResolveIdentity, HeadersQueryContextAndStageVariables) {
  ProxyRequest req;
  req.method = "GET";
  req.raw_query = "token=a&token=b&x=1";
  req.headers = {{"authorization", "Bearer t"}, {"x-multi", "1"}, {"x-multi", "2"}};
  ProxyContext ctx;
  ctx.route_key = "GET /pets/{id}";
  ctx.stage_variables = {{"env", "test"}};
  auto v = resolve_identity({"$request.header.Authorization", "$request.querystring.token", "$context.routeKey",
                             "$stageVariables.env", "$request.header.X-Multi"},
                            req, ctx);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (std::vector<std::string>{"Bearer t", "a,b", "GET /pets/{id}", "test", "1,2"}));
  EXPECT_FALSE(resolve_identity({"$request.header.Missing"}, req, ctx));
  EXPECT_FALSE(resolve_identity({"$request.querystring.nope"}, req, ctx));
  EXPECT_FALSE(resolve_identity({"$stageVariables.nope"}, req, ctx));
  EXPECT_TRUE(resolve_identity({}, req, ctx));
}

}  // namespace
}  // namespace nimbus::execute_api
