#include "execute_api/addressing.h"

#include <gtest/gtest.h>

namespace nimbus::execute_api {
namespace {

TEST(Addressing, HostForm) {
  auto a = parse_address("abc123.execute-api.localhost:4566", "/prod/pets?x=1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->api_id, "abc123");
  EXPECT_EQ(a->path, "/prod/pets");
  EXPECT_EQ(a->query, "x=1");
  EXPECT_EQ(a->domain_name, "abc123.execute-api.localhost");
  // Found by fuzz/gateway_proxy_fuzz.cc: a target that is not "/…" is no path of the API.
  EXPECT_FALSE(parse_address("abc123.execute-api.localhost:4566", "\x0fprod/pets?x=1"));
  EXPECT_FALSE(parse_address("abc123.execute-api.localhost:4566", "http://elsewhere/x"));
  a = parse_address("abc123.execute-api.localhost.localstack.cloud:4566", "");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "/");
}

TEST(Addressing, PathForms) {
  auto a = parse_address("localhost:4566", "/restapis/abc/dev/_user_request_/pets/1?q");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->api_id, "abc");
  EXPECT_EQ(a->path, "/dev/pets/1");
  a = parse_address("localhost:4566", "/restapis/abc/dev/_user_request_");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "/dev/");
  a = parse_address("localhost:4566", "/_aws/execute-api/abc/prod/x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "/prod/x");
  EXPECT_FALSE(parse_address("localhost:4566", "/restapis/abc/resources"));
  EXPECT_FALSE(is_execute_api("localhost:4566", "/restapis/abc/resources"));
  EXPECT_TRUE(is_execute_api("localhost:4566", "/restapis/abc/dev/_user_request_/x"));
  EXPECT_FALSE(is_execute_api("localhost:4566", "/bucket/key"));
}

}  // namespace
}  // namespace nimbus::execute_api
