#include "aws/fields.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace nimbus::aws {
namespace {

boost::json::object obj(std::string_view s) { return boost::json::parse(s).as_object(); }

TEST(Fields, MemberNames) {
  EXPECT_EQ(member_name("FunctionName"), "functionName");
  EXPECT_EQ(member_name("logGroupName"), "logGroupName");
}

TEST(JsonFields, MissingRequiredFieldInAwsWords) {
  auto in = obj("{}");
  JsonFields f(in);
  EXPECT_FALSE(f.string("FunctionName", {.required = true}));
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message,
            "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not "
            "be null");
}

TEST(JsonFields, SeveralErrorsAreCountedAndJoined) {
  auto in = obj(R"({"FunctionName":"","Timeout":0,"Runtime":"cobol"})");
  JsonFields f(in);
  f.string("FunctionName", {.required = true, .min_length = 1});
  f.integer("Timeout", {.min = 1, .max = 900});
  f.string("Runtime", {.one_of = {"python3.12", "nodejs20.x"}});
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "3 validation errors detected: "
            "Value '' at 'functionName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; "
            "Value 'cobol' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
            "[python3.12, nodejs20.x]");
}

TEST(JsonFields, TypesAndValues) {
  auto in = obj(R"({"Name":"f","Size":128,"Big":1e3,"On":true,"Env":{"A":"1"},"Layers":[],"Bad":"7","Nil":null})");
  JsonFields f(in);
  EXPECT_EQ(f.string("Name", {.pattern = "[a-z]+"}), "f");
  EXPECT_EQ(f.integer("Size", {.max = 10240}), 128);
  EXPECT_EQ(f.integer("Big"), 1000);
  EXPECT_EQ(f.boolean("On"), true);
  EXPECT_TRUE(f.object("Env"));
  EXPECT_TRUE(f.array("Layers"));
  EXPECT_FALSE(f.string("Nil", {.required = false}));
  EXPECT_TRUE(f.status());
  EXPECT_FALSE(f.integer("Bad"));
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, base::ErrorCode::kMalformed);  // a wrong JSON type: SerializationException
}

TEST(JsonFields, PatternAndLength) {
  auto in = obj(R"({"RoleSessionName":"has space","Description":"xxxxxxxxxx"})");
  JsonFields f(in);
  f.string("RoleSessionName", {.pattern = "[\\w+=,.@-]*"});
  f.string("Description", {.max_length = 4});
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("Member must satisfy regular expression pattern: [\\w+=,.@-]*"), std::string::npos);
  EXPECT_NE(s.error().message.find("Member must have length less than or equal to 4"), std::string::npos);
}

TEST(JsonFields, AnOverlongValueIsRefusedForItsLengthWithoutMatchingThePattern) {
  // std::regex recurses per character: matching megabytes would overflow the stack.
  boost::json::object in{{"RoleArn", "arn:aws:iam::000000000000:role/" + std::string(4 << 20, 'a')}};
  JsonFields f(in);
  (void)f.string("RoleArn", {.max_length = 1600, .pattern = "^arn:aws:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$"});
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("1 validation error detected: ", 0), 0u);
  EXPECT_NE(s.error().message.find("Member must have length less than or equal to 1600"), std::string::npos);
}

TEST(JsonFields, UnsupportedFieldsAreRefusedNotIgnored) {
  auto in = obj(R"({"Policy":"{}"})");
  JsonFields f(in);
  f.unsupported("Policy", "AssumeRole");
  f.unsupported("Tags", "AssumeRole");
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "nimbus does not support the parameter Policy of AssumeRole yet");
}

TEST(QueryFields, ReadsAndValidates) {
  auto p = QueryParams::parse("DurationSeconds=100&RoleArn=arn:aws:iam::000000000000:role/r&Flag=maybe&N=x1", "");
  QueryFields f(p);
  EXPECT_EQ(f.string("RoleArn", {.required = true, .min_length = 20}), "arn:aws:iam::000000000000:role/r");
  EXPECT_EQ(f.integer("DurationSeconds", {.min = 900, .max = 43200}), 100);
  EXPECT_FALSE(f.string("RoleSessionName", {.required = true}));
  auto s = f.status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "2 validation errors detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must "
            "have value greater than or equal to 900; Value null at 'roleSessionName' failed to satisfy constraint: "
            "Member must not be null");
  QueryFields g(p);
  EXPECT_FALSE(g.boolean("Flag"));
  EXPECT_FALSE(g.integer("N"));
  EXPECT_NE(g.status().error().message.find("Member must be a number"), std::string::npos);
}

TEST(QueryFields, UnsupportedCoversNestedMembers) {
  auto p = QueryParams::parse("Tags.member.1.Key=a", "");
  QueryFields f(p);
  f.unsupported("Tags", "AssumeRole");
  ASSERT_FALSE(f.status());
  EXPECT_EQ(f.status().error().message, "nimbus does not support the parameter Tags of AssumeRole yet");
}

}  // namespace
}  // namespace nimbus::aws
