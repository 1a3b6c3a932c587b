#include "sqs/message_attributes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace nimbus::sqs {
namespace {

// The digests of the examples published with the algorithm (String, a
// custom Number type, Binary, and the three together).
TEST(MessageAttributes, Md5MatchesPublishedValues) {
  Attributes s{{"attribName1", {"String", "attribValue 1", ""}}};
  EXPECT_EQ(md5_of_attributes(s), "19e27d4e946b072f3f58da80d94fd778");
  Attributes n{{"customNumberTypeAttrib", {"Number.float", "4563442423554324324264524243.32543234", ""}}};
  EXPECT_EQ(md5_of_attributes(n), "9fe1b90bbd9965bdf77bac517c7d2495");
  Attributes b{{"binaryAttribute", {"Binary", "", "Hello binary world!"}}};
  EXPECT_EQ(md5_of_attributes(b), "31a92b15d92f8db860eda32aceb656c3");
  Attributes all = s;
  all.insert(n.begin(), n.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(md5_of_attributes(all), "c932db14a896c663f83c260297d594ff");
  EXPECT_EQ(md5_of_attributes({}), "");
  EXPECT_EQ(md5_hex("hello"), "5d41402abc4b2a76b9719d911017c592");
}

TEST(MessageAttributes, NameTypeAndValueRules) {
  EXPECT_TRUE(check_message_attributes({{"a.b-c_D", {"Number.int", "-12.5e3", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"AWS.x", {"String", "v", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"amazon.x", {"String", "v", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{".x", {"String", "v", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"a..b", {"String", "v", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"a b", {"String", "v", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"x", {"Strung", "v", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"x", {"String", "", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"x", {"Number", "12a", ""}}}).ok());
  EXPECT_FALSE(check_message_attributes({{"x", {"Binary", "", ""}}}).ok());
  Attributes eleven;
  for (int i = 0; i < 11; ++i) eleven["a" + std::to_string(i)] = {"String", "v", ""};
  EXPECT_EQ(check_message_attributes(eleven).error().reason, "InvalidParameterValue");
  EXPECT_TRUE(check_system_attributes({{"AWSTraceHeader", {"String", "Root=1-5759e988-bd862e3fe1be46a994272793", ""}}}).ok());
  EXPECT_FALSE(check_system_attributes({{"Other", {"String", "v", ""}}}).ok());
}

TEST(MessageAttributes, CharactersOfBodies) {
  EXPECT_TRUE(check_message_characters("tab\there\nnew\r é 日本 😀", "message body").ok());
  auto nul = check_message_characters(std::string("a\0b", 3), "message body");
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().reason, "InvalidMessageContents");
  EXPECT_NE(nul.error().message.find("#x0"), std::string::npos);
  EXPECT_FALSE(check_message_characters("\xff", "message body").ok());
  EXPECT_FALSE(check_message_characters("\xef\xbf\xbf", "message body").ok());  // U+FFFF
}

TEST(MessageAttributes, JsonRoundTripAndRefusals) {
  Attributes a{{"s", {"String", "v", ""}}, {"b", {"Binary.png", "", std::string("\x00\x01", 2)}}};
  auto back = attributes_from_json(attributes_json(a));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(md5_of_attributes(*back), md5_of_attributes(a));
  EXPECT_FALSE(attributes_from_json(boost::json::parse(R"({"x": 1})")).ok());
  EXPECT_FALSE(attributes_from_json(boost::json::parse(R"({"x": {"DataType": "Binary", "BinaryValue": "!!"}})")).ok());
  EXPECT_FALSE(attributes_from_json(boost::json::parse(R"({"x": {"DataType": "String", "StringListValues": ["a"]}})")).ok());
  EXPECT_FALSE(attributes_from_json(boost::json::parse(R"([1])")).ok());
}

}  // namespace
}  // namespace nimbus::sqs
