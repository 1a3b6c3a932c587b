#include "execute_api/json_schema.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {
namespace {

namespace json = boost::json;

bool ok(const char* schema, const char* instance, const ModelLookup& models = {}) {
  return !validate_json(json::parse(schema), json::parse(instance), models);
}

TEST(JsonSchema, TypesRequiredAndProperties) {
  const char* s = R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"object",
    "required":["name"],"properties":{"name":{"type":"string","minLength":1},"age":{"type":"integer","minimum":0}},
    "additionalProperties":false})";
  EXPECT_TRUE(ok(s, R"({"name":"rex","age":3})"));
  EXPECT_FALSE(ok(s, R"({"age":3})"));
  EXPECT_FALSE(ok(s, R"({"name":""})"));
  EXPECT_FALSE(ok(s, R"({"name":"rex","age":-1})"));
  EXPECT_FALSE(ok(s, R"({"name":"rex","age":1.5})"));
  EXPECT_TRUE(ok(s, R"({"name":"rex","age":2.0})"));
  EXPECT_FALSE(ok(s, R"({"name":"rex","color":"red"})"));
  EXPECT_FALSE(ok(s, R"([1])"));
}

TEST(JsonSchema, Draft4ExclusiveBoundsEnumPatternItems) {
  EXPECT_FALSE(ok(R"({"minimum":5,"exclusiveMinimum":true})", "5"));
  EXPECT_TRUE(ok(R"({"minimum":5})", "5"));
  EXPECT_FALSE(ok(R"({"maximum":5,"exclusiveMaximum":true})", "5"));
  EXPECT_TRUE(ok(R"({"enum":["a",1]})", "1"));
  EXPECT_FALSE(ok(R"({"enum":["a",1]})", R"("b")"));
  EXPECT_TRUE(ok(R"({"pattern":"^[a-z]+$"})", R"("abc")"));
  EXPECT_FALSE(ok(R"({"pattern":"^[a-z]+$"})", R"("ab1")"));
  std::string huge = "\"" + std::string(100000, 'a') + "\"";
  EXPECT_FALSE(ok(R"({"pattern":"^(a|b)*$"})", huge.c_str()));  // refused, not a stack overflow
  // Catastrophic backtracking (found by the rest_proxy fuzz target as a
  // timeout): the match gives up at Boost.Regex's bound instead of spinning.
  std::string ays = "\"" + std::string(40, 'a') + "\"";
  EXPECT_FALSE(ok(R"({"pattern":"^(a*)*(a*)*(a*)*b$"})", ays.c_str()));
  EXPECT_TRUE(ok(R"({"pattern":"^(a*)*b$"})", R"("aab")"));
  EXPECT_TRUE(ok(R"({"pattern":"(unclosed"})", R"("x")"));  // not a regex: does not reject
  EXPECT_FALSE(ok(R"({"type":"array","items":{"type":"string"},"minItems":1})", "[]"));
  EXPECT_FALSE(ok(R"({"type":"array","items":{"type":"string"}})", R"(["a",2])"));
  EXPECT_FALSE(ok(R"({"uniqueItems":true})", "[1,1]"));
  EXPECT_TRUE(ok(R"({"type":["string","null"]})", "null"));
  EXPECT_TRUE(ok(R"({"anyOf":[{"type":"string"},{"type":"number"}]})", "3"));
  EXPECT_FALSE(ok(R"({"oneOf":[{"type":"number"},{"type":"integer"}]})", "3"));
  EXPECT_FALSE(ok(R"({"not":{"type":"string"}})", R"("x")"));
}

TEST(JsonSchema, RefsToDefinitionsAndOtherModels) {
  const char* s = R"({"definitions":{"pet":{"type":"object","required":["id"]}},
                      "type":"array","items":{"$ref":"#/definitions/pet"}})";
  EXPECT_TRUE(ok(s, R"([{"id":1}])"));
  EXPECT_FALSE(ok(s, R"([{"name":1}])"));
  auto other = json::parse(R"({"type":"string"})");
  ModelLookup models = [&](const std::string& name) -> const json::value* { return name == "Name" ? &other : nullptr; };
  const char* r = R"({"properties":{"n":{"$ref":"https://apigateway.amazonaws.com/restapis/abc/models/Name"}}})";
  EXPECT_TRUE(ok(r, R"({"n":"x"})", models));
  EXPECT_FALSE(ok(r, R"({"n":1})", models));
  // A schema that refers to itself ends at the depth limit instead of overflowing.
  EXPECT_FALSE(ok(R"({"$ref":"#"})", "1"));
}

}  // namespace
}  // namespace nimbus::execute_api
