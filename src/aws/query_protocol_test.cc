#include "aws/query_protocol.h"

#include <gtest/gtest.h>

namespace nimbus::aws {
namespace {

TEST(QueryParams, FormBodyAndUrlQuery) {
  auto p = QueryParams::parse("Action=AssumeRole&RoleSessionName=a+b%2Fc", "Version=2011-06-15&Action=Ignored");
  EXPECT_EQ(p.get("Action"), "AssumeRole");  // the body wins
  EXPECT_EQ(p.get("Version"), "2011-06-15");
  EXPECT_EQ(p.get("RoleSessionName"), "a b/c");
  EXPECT_FALSE(p.has("Policy"));
  EXPECT_EQ(p.get("Policy"), "");
  EXPECT_FALSE(p.find("Policy"));
}

TEST(QueryParams, OfARequestReadsAFormBodyOnly) {
  http::Request r;
  r.target = "/?Action=GetCallerIdentity";
  r.headers = {{"content-type", "application/json"}};
  auto p = QueryParams::of(r, "Action=Other");
  EXPECT_EQ(p.get("Action"), "GetCallerIdentity");
  r.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  EXPECT_EQ(QueryParams::of(r, "Action=Other").get("Action"), "Other");
}

TEST(QueryParams, MemberListsInIndexOrder) {
  auto p = QueryParams::parse(
      "Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.10.Key=c&Tags.member.1.Key=a&Tags.member.1.Value=1"
      "&PolicyArns.member.1.arn=arn:aws:iam::aws:policy/x&TransitiveTagKeys.member.1=a&TransitiveTagKeys.member.2=b",
      "");
  auto tags = p.list("Tags");
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0].get("Key"), "a");
  EXPECT_EQ(tags[0].get("Value"), "1");
  EXPECT_EQ(tags[1].get("Key"), "b");
  EXPECT_EQ(tags[2].get("Key"), "c");  // 10 after 2
  EXPECT_EQ(p.list("PolicyArns")[0].get("arn"), "arn:aws:iam::aws:policy/x");
  EXPECT_EQ(p.strings("TransitiveTagKeys"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(p.list("Nothing").empty());
}

TEST(QueryParams, FlattenedListsAndMaps) {
  auto p = QueryParams::parse(
      "AttributeName.1=All&AttributeName.2=Policy&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5"
      "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true&Bad.x=1",
      "");
  EXPECT_EQ(p.strings("AttributeName"), (std::vector<std::string>{"All", "Policy"}));
  EXPECT_EQ(p.map("Attribute"), (std::map<std::string, std::string>{{"DelaySeconds", "5"}}));
  EXPECT_EQ(p.map("Attributes"), (std::map<std::string, std::string>{{"RawMessageDelivery", "true"}}));
  EXPECT_TRUE(p.list("Bad").empty());  // no index
  EXPECT_EQ(p.sub("Attribute.1").get("Name"), "DelaySeconds");
}

TEST(QueryProtocol, Replies) {
  XmlWriter x;
  x.open("Credentials").element("AccessKeyId", "ASIA<&>").close("Credentials");
  EXPECT_EQ(x.str(), "<Credentials><AccessKeyId>ASIA&lt;&amp;&gt;</AccessKeyId></Credentials>");
  auto r = query_response("GetCallerIdentity", "https://sts.amazonaws.com/doc/2011-06-15/", "<Account>1</Account>", "id-1");
  EXPECT_EQ(r.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
            "<Account>1</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>id-1</RequestId>"
            "</ResponseMetadata></GetCallerIdentityResponse>");
}

}  // namespace
}  // namespace nimbus::aws
