#include "execute_api/rest_api.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {
namespace {

namespace json = boost::json;

std::shared_ptr<const CompiledRestApi> tree() {
  auto content = json::parse(R"({
    "api": {"binaryMediaTypes": ["image/png", "application/*"]},
    "resources": [
      {"id": "r0", "path": "/", "resourceMethods": {"GET": {"authorizationType": "NONE"}}},
      {"id": "p", "parentId": "r0", "pathPart": "pets", "path": "/pets",
       "resourceMethods": {"ANY": {"authorizationType": "NONE"}, "POST": {"authorizationType": "NONE",
         "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "timeoutInMillis": 1000,
           "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f:live/invocations"}}}},
      {"id": "id", "parentId": "p", "pathPart": "{id}", "path": "/pets/{id}", "resourceMethods": {"GET": {}}},
      {"id": "dog", "parentId": "p", "pathPart": "dog", "path": "/pets/dog", "resourceMethods": {"GET": {}}},
      {"id": "toy", "parentId": "id", "pathPart": "toys", "path": "/pets/{id}/toys", "resourceMethods": {"GET": {}}},
      {"id": "any", "parentId": "r0", "pathPart": "{proxy+}", "path": "/{proxy+}", "resourceMethods": {"ANY": {}}}
    ]})");
  return compile_rest_api(content.as_object());
}

TEST(RestTree, LiteralBeatsParamBeatsGreedy) {
  auto api = tree();
  auto m = match_rest(*api, "GET", "/pets/dog");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource->path, "/pets/dog");
  m = match_rest(*api, "GET", "/pets/7");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource->path, "/pets/{id}");
  EXPECT_EQ(m->path_parameters.at("id"), "7");
  m = match_rest(*api, "GET", "/pets/dog/toys");  // backtracks from the literal into {id}
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource->path, "/pets/{id}/toys");
  EXPECT_EQ(m->path_parameters.at("id"), "dog");
  m = match_rest(*api, "GET", "/pets/7/other/deep");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource->path, "/{proxy+}");
  EXPECT_EQ(m->path_parameters.at("proxy"), "pets/7/other/deep");
}

TEST(RestTree, TrailingSlashAndEmptySegmentsAreIgnoredAndValuesStayRaw) {
  auto api = tree();
  auto m = match_rest(*api, "GET", "/pets/a%2Bb@x/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("id"), "a%2Bb@x");
  m = match_rest(*api, "GET", "//hello/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("proxy"), "hello");
  m = match_rest(*api, "GET", "/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource->path, "/");
}

TEST(RestTree, MethodFallsBackToAnyAndMissingMethodIsNull) {
  auto api = tree();
  auto m = match_rest(*api, "DELETE", "/pets");
  ASSERT_TRUE(m && m->method);
  EXPECT_EQ(m->method->verb, "ANY");
  m = match_rest(*api, "POST", "/pets");
  ASSERT_TRUE(m && m->method);
  EXPECT_EQ(m->method->verb, "POST");
  ASSERT_TRUE(m->method->integration);
  EXPECT_EQ(m->method->integration->function, "f");
  EXPECT_EQ(m->method->integration->qualifier, "live");
  EXPECT_EQ(m->method->integration->timeout_ms, 1000);
  m = match_rest(*api, "POST", "/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method, nullptr);
}

TEST(RestTree, NoGreedyMeansNoMatch) {
  auto content = json::parse(R"({"resources": [{"id": "r", "path": "/"},
      {"id": "a", "parentId": "r", "pathPart": "a", "path": "/a", "resourceMethods": {"GET": {}}}]})");
  auto api = compile_rest_api(content.as_object());
  EXPECT_FALSE(match_rest(*api, "GET", "/b"));
  EXPECT_FALSE(match_rest(*api, "GET", "/a/b"));
  EXPECT_TRUE(match_rest(*api, "GET", "/a"));
}

TEST(RestBinary, MediaTypesMatchExactlyOrByFamily) {
  auto api = tree();
  EXPECT_TRUE(is_binary_type(api->binary_media_types, "image/png"));
  EXPECT_TRUE(is_binary_type(api->binary_media_types, "Application/Octet-Stream; x=y"));
  EXPECT_FALSE(is_binary_type(api->binary_media_types, "image/jpeg"));
  EXPECT_FALSE(is_binary_type(api->binary_media_types, ""));
  EXPECT_TRUE(accepts_binary(api->binary_media_types, "text/html, image/png;q=0.9"));
  EXPECT_FALSE(accepts_binary(api->binary_media_types, "*/*"));
  EXPECT_TRUE(is_binary_type({"*/*"}, "text/plain"));
}

}  // namespace
}  // namespace nimbus::execute_api
