#include "aws/rest_routes.h"

#include <gtest/gtest.h>

namespace nimbus::aws {
namespace {

TEST(PathTemplate, CapturesSegmentsDecoded) {
  PathTemplate t("/2015-03-31/functions/{FunctionName}/invocations");
  auto m = t.match("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("FunctionName"), "arn:aws:lambda:us-east-1:000000000000:function:f");
  EXPECT_FALSE(t.match("/2015-03-31/functions//invocations"));
  EXPECT_FALSE(t.match("/2015-03-31/functions/f"));
  EXPECT_FALSE(t.match("/2015-03-31/functions/f/invocations/more"));
  EXPECT_TRUE(PathTemplate("/2015-03-31/functions").match("/2015-03-31/functions/"));  // trailing slash
  EXPECT_TRUE(PathTemplate("/2015-03-31/functions").match("/2015-03-31/functions?Marker=x"));
}

TEST(PathTemplate, GreedyCaptureTakesTheRest) {
  PathTemplate t("/restapis/{Id}/stages/{Path+}");
  auto m = t.match("/restapis/abc/stages/prod/items/1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("Id"), "abc");
  EXPECT_EQ(m->at("Path"), "prod/items/1");
  EXPECT_FALSE(t.match("/restapis/abc/stages"));
}

TEST(RouteTable, FirstMatchAndMisses) {
  RouteTable<int> routes;
  routes.add("GET", "/2015-03-31/functions", "ListFunctions", 1);
  routes.add("POST", "/2015-03-31/functions", "CreateFunction", 2);
  routes.add("GET", "/2015-03-31/functions/{FunctionName}", "GetFunction", 3);
  routes.add("DELETE", "/2015-03-31/functions/{FunctionName}", "DeleteFunction", 4);
  auto m = routes.match("GET", "/2015-03-31/functions/f");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->operation, "GetFunction");
  EXPECT_EQ(*m->handler, 3);
  EXPECT_EQ(m->param("FunctionName"), "f");
  EXPECT_EQ(m->param("Qualifier"), "");
  EXPECT_EQ(routes.match("POST", "/2015-03-31/functions")->operation, "CreateFunction");
  RouteTable<int>::Miss miss{};
  EXPECT_FALSE(routes.match("PUT", "/2015-03-31/functions/f", &miss));
  EXPECT_EQ(miss, RouteTable<int>::Miss::kNoMethod);
  EXPECT_FALSE(routes.match("GET", "/2015-03-31/nothing", &miss));
  EXPECT_EQ(miss, RouteTable<int>::Miss::kNoPath);
  EXPECT_EQ(routes.size(), 4u);
}

}  // namespace
}  // namespace nimbus::aws
