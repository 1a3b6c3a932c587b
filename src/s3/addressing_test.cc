#include "s3/addressing.h"

#include <gtest/gtest.h>

namespace nimbus::s3 {
namespace {

Address parse(std::string target, std::string host = "127.0.0.1:4566") {
  http::Request r;
  r.target = std::move(target);
  r.headers = {{"host", std::move(host)}};
  return parse_address(r, default_virtual_host_suffixes());
}

TEST(Addressing, PathStyle) {
  auto a = parse("/photos/input/red%20flower+1%2F..%2F%E2%82%AC.jpg?uploads&prefix=a%2Fb+c");
  EXPECT_EQ(a.bucket, "photos");
  EXPECT_EQ(a.key, "input/red flower+1/../\xe2\x82\xac.jpg");
  EXPECT_TRUE(a.has("uploads"));
  EXPECT_EQ(*a.param("prefix"), "a/b c");
  EXPECT_FALSE(a.virtual_hosted);
}

TEST(Addressing, ServiceAndBucketLevel) {
  EXPECT_EQ(parse("/").bucket, "");
  auto b = parse("/bucket");
  EXPECT_EQ(b.bucket, "bucket");
  EXPECT_EQ(b.key, "");
  EXPECT_EQ(parse("/bucket/").key, "");
}

TEST(Addressing, VirtualHosted) {
  auto a = parse("/some/key.txt?list-type=2", "photos.localhost:4566");
  EXPECT_TRUE(a.virtual_hosted);
  EXPECT_EQ(a.bucket, "photos");
  EXPECT_EQ(a.key, "some/key.txt");
  EXPECT_EQ(parse("/", "my.bucket.s3.localhost").bucket, "my.bucket");
  EXPECT_EQ(parse("/b/k", "localhost:4566").bucket, "b");
}

}  // namespace
}  // namespace nimbus::s3
