#include "execute_api/cors.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {
namespace {

std::string get(const base::HeaderList& h, std::string_view name) {
  const std::string* v = base::find_header(h, name);
  return v ? *v : "<none>";
}

CorsConfig config(std::string_view json) { return *cors_config(boost::json::parse(json).as_object()); }

TEST(Cors, PreflightEchoesAListedOrigin) {
  auto c = config(R"({"allowOrigins":["https://a.example"],"allowMethods":["GET","POST"],
                      "allowHeaders":["content-type","x-k"],"maxAge":300,"allowCredentials":true})");
  base::HeaderList req{{"origin", "https://a.example"}, {"access-control-request-method", "POST"},
                       {"access-control-request-headers", "Content-Type, x-k"}};
  ASSERT_TRUE(is_preflight("OPTIONS", req));
  auto h = preflight_headers(c, req);
  EXPECT_EQ(get(h, "access-control-allow-origin"), "https://a.example");
  EXPECT_EQ(get(h, "access-control-allow-methods"), "GET,POST");
  EXPECT_EQ(get(h, "access-control-allow-headers"), "content-type,x-k");
  EXPECT_EQ(get(h, "access-control-max-age"), "300");
  EXPECT_EQ(get(h, "access-control-allow-credentials"), "true");
  req[1].second = "DELETE";
  EXPECT_TRUE(preflight_headers(c, req).empty()) << "a method not allowed";
  req[0].second = "https://evil.example";
  req[1].second = "GET";
  EXPECT_TRUE(preflight_headers(c, req).empty()) << "an origin not allowed";
}

TEST(Cors, StarOriginAndResponsesLoseTheBackendsHeaders) {
  auto c = config(R"({"allowOrigins":["*"],"allowMethods":["*"],"exposeHeaders":["x-id"]})");
  base::HeaderList reply{{"content-type", "text/plain"}, {"Access-Control-Allow-Origin", "https://backend"}};
  apply_cors(c, {{"origin", "https://site"}}, reply);
  EXPECT_EQ(get(reply, "access-control-allow-origin"), "*");
  EXPECT_EQ(get(reply, "access-control-expose-headers"), "x-id");
  EXPECT_EQ(get(reply, "Access-Control-Allow-Origin"), "<none>");
  base::HeaderList plain{{"access-control-allow-origin", "x"}};
  apply_cors(c, {}, plain);
  EXPECT_TRUE(plain.empty()) << "no Origin: no CORS headers, and none from the backend";
  EXPECT_FALSE(is_preflight("OPTIONS", {{"origin", "https://site"}}));
}

}  // namespace
}  // namespace nimbus::execute_api
