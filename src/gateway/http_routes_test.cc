#include "gateway/http_routes.h"

#include <gtest/gtest.h>

namespace nimbus::gateway {
namespace {

RouteTable table(std::initializer_list<const char*> keys) {
  RouteTable t;
  int n = 0;
  for (const char* k : keys) {
    auto parsed = parse_route_key(k);
    EXPECT_TRUE(parsed) << k;
    t.add("r" + std::to_string(n++), k, *parsed);
  }
  return t;
}

std::string selected(const RouteTable& t, const char* method, const char* path) {
  auto m = t.select(method, path);
  return m ? m->route_key : "none";
}

TEST(RouteKeys, ParseAndRefuse) {
  EXPECT_TRUE(parse_route_key("$default")->is_default);
  auto k = parse_route_key("GET /pets/{id}/{rest+}");
  ASSERT_TRUE(k);
  ASSERT_EQ(k->segments.size(), 3u);
  EXPECT_EQ(k->segments[1].kind, RouteKey::Segment::kParam);
  EXPECT_EQ(k->segments[2].kind, RouteKey::Segment::kGreedy);
  EXPECT_FALSE(parse_route_key("FETCH /x"));
  EXPECT_FALSE(parse_route_key("GET x"));
  EXPECT_FALSE(parse_route_key("GET /{proxy+}/more"));
  EXPECT_FALSE(parse_route_key("GET /a{b}"));
  EXPECT_FALSE(parse_route_key("GET"));
}

TEST(RouteSelection, MostSpecificWins) {
  auto t = table({"ANY /{proxy+}", "GET /pets/{proxy+}", "GET /pets/{id}", "GET /pets/dog/1", "$default"});
  EXPECT_EQ(selected(t, "GET", "/pets/dog/1"), "GET /pets/dog/1");
  EXPECT_EQ(selected(t, "GET", "/pets/cat"), "GET /pets/{id}");
  EXPECT_EQ(selected(t, "GET", "/pets/cat/2"), "GET /pets/{proxy+}");
  EXPECT_EQ(selected(t, "POST", "/pets/cat"), "ANY /{proxy+}");
  EXPECT_EQ(selected(t, "GET", "/"), "$default");  // a greedy parameter takes one segment at least
}

TEST(RouteSelection, NamedMethodBeatsAny) {
  auto t = table({"ANY /items", "POST /items"});
  EXPECT_EQ(selected(t, "POST", "/items"), "POST /items");
  EXPECT_EQ(selected(t, "DELETE", "/items"), "ANY /items");
  EXPECT_EQ(selected(t, "GET", "/other"), "none");
}

TEST(RouteSelection, ParametersAreDecoded) {
  auto t = table({"GET /files/{name}", "GET /all/{path+}"});
  auto m = t.select("GET", "/files/a%20b");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("name"), "a b");
  m = t.select("GET", "/all/x/y%2Fz");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("path"), "x/y/z");
  EXPECT_EQ(selected(t, "GET", "/files/"), "none");  // an empty segment is no parameter
}

TEST(RouteSelection, LiteralsAreCaseSensitive) {
  auto t = table({"GET /Pets"});
  EXPECT_EQ(selected(t, "GET", "/Pets"), "GET /Pets");
  EXPECT_EQ(selected(t, "GET", "/pets"), "none");
}

}  // namespace
}  // namespace nimbus::gateway
