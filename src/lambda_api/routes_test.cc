#include "lambda_api/routes.h"

#include <gtest/gtest.h>

#include <set>

namespace nimbus::lambda_api {
namespace {

std::string operation(std::string_view method, std::string_view path) {
  auto m = routes().match(method, path);
  return m ? std::string(m->operation) : std::string();
}

TEST(LambdaRoutes, MatchesMethodAndTemplate) {
  EXPECT_EQ(operation("POST", "/2015-03-31/functions"), "CreateFunction");
  EXPECT_EQ(operation("GET", "/2015-03-31/functions"), "ListFunctions");
  EXPECT_EQ(operation("GET", "/2015-03-31/functions/fn"), "GetFunction");
  EXPECT_EQ(operation("POST", "/2015-03-31/functions/fn/invocations"), "Invoke");
  EXPECT_EQ(operation("PUT", "/2015-03-31/functions/fn/aliases/live"), "UpdateAlias");
  EXPECT_EQ(operation("PUT", "/2017-10-31/functions/fn/concurrency"), "PutFunctionConcurrency");
  EXPECT_EQ(operation("PUT", "/2019-09-30/functions/fn/concurrency"), "PutFunctionConcurrency");
  EXPECT_EQ(operation("POST", "/2019-09-25/functions/fn/event-invoke-config"), "UpdateFunctionEventInvokeConfig");
  EXPECT_EQ(operation("GET", "/2019-09-30/functions/fn/provisioned-concurrency"), "GetProvisionedConcurrencyConfig");
}

TEST(LambdaRoutes, CapturesDecodedParameters) {
  auto m = routes().match("DELETE", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn/"
                                   "aliases/a%2Fb");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->operation, "DeleteAlias");
  EXPECT_EQ(*m->handler, &delete_alias);
  EXPECT_EQ(m->param("FunctionName"), "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(m->param("Name"), "a/b");  // an encoded slash stays in its segment
  EXPECT_EQ(m->param("Other"), "");
}

TEST(LambdaRoutes, ATrailingSlashIsIgnored) {
  EXPECT_EQ(operation("GET", "/2015-03-31/functions/"), "ListFunctions");
  EXPECT_EQ(operation("GET", "/2015-03-31/functions/fn/"), "GetFunction");
}

TEST(LambdaRoutes, UnknownMethodsAndPathsMatchNothing) {
  EXPECT_EQ(operation("PATCH", "/2015-03-31/functions/fn"), "");
  EXPECT_EQ(operation("GET", "/2015-03-31/functions/fn/invocations"), "");
  EXPECT_EQ(operation("GET", "/2015-03-31/layers"), "");
  EXPECT_EQ(operation("GET", "/2015-03-31/functions/fn/aliases/a/b"), "");
  EXPECT_EQ(operation("PUT", "/2015-03-31/functions/fn/concurrency"), "");  // concurrency has its own API dates
  EXPECT_EQ(operation("GET", ""), "");
  EXPECT_EQ(operation("GET", "/"), "");
  EXPECT_EQ(operation("POST", "/2015-03-31/functions//invocations"), "");  // an empty name is no name
}

TEST(LambdaRoutes, TableIsWellFormed) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  EXPECT_EQ(routes().size(), route_list().size());
  for (const auto& r : route_list()) {
    EXPECT_TRUE(r.handler) << r.operation;
    EXPECT_TRUE(seen.insert({r.method, r.path}).second) << r.method << " " << r.path;
    EXPECT_EQ(r.path.front(), '/');
  }
}

}  // namespace
}  // namespace nimbus::lambda_api
