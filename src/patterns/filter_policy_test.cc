#include "patterns/filter_policy.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace nimbus;
using patterns::FilterPolicy;
using patterns::Scope;

namespace {

bool match(std::string_view policy, std::string_view document, Scope scope = Scope::kMessageAttributes) {
  auto p = FilterPolicy::parse(policy, scope);
  EXPECT_TRUE(p.ok()) << policy << ": " << (p.ok() ? "" : p.error().message);
  if (!p) return false;
  return p->matches(boost::json::parse(document));
}

std::string refusal(std::string_view policy, Scope scope = Scope::kMessageAttributes) {
  auto p = FilterPolicy::parse(policy, scope);
  if (p) return "accepted";
  EXPECT_EQ(p.error().code, base::ErrorCode::kInvalidArgument);
  return p.error().message;
}

// The message of AWS's "Subscription filter policy" example page: attributes
// of an order, customer_interests a String.Array.
constexpr std::string_view kOrder =
    R"({"store":"example_corp","event":"order_placed","customer_interests":["soccer","rugby","hockey"],"price_usd":210.75})";

}  // namespace

TEST(FilterPolicy, AwsExampleMatchesTheOrder) {
  EXPECT_TRUE(match(R"({"store":["example_corp"],"event":[{"anything-but":"order_cancelled"}],
                        "customer_interests":["rugby","football","baseball"],"price_usd":[{"numeric":[">=",100]}]})",
                    kOrder));
  EXPECT_FALSE(match(R"({"store":["example_corp"],"event":["order_cancelled"]})", kOrder));
  EXPECT_FALSE(match(R"({"customer_interests":["football","baseball"]})", kOrder));
}

TEST(FilterPolicy, ExactStringsAndNumbersAreTyped) {
  EXPECT_TRUE(match(R"({"price_usd":[210.75]})", kOrder));
  EXPECT_TRUE(match(R"({"n":[301]})", R"({"n":301.000001})"));  // five digits after the point
  EXPECT_FALSE(match(R"({"n":[301]})", R"({"n":301.0001})"));
  EXPECT_FALSE(match(R"({"n":["301"]})", R"({"n":301})"));
  EXPECT_FALSE(match(R"({"n":[301]})", R"({"n":"301"})"));
  EXPECT_TRUE(match(R"({"b":[true],"z":[null]})", R"({"b":true,"z":null})", Scope::kMessageBody));
}

TEST(FilterPolicy, PrefixSuffixAndIgnoreCase) {
  EXPECT_TRUE(match(R"({"customer_interests":[{"prefix":"bas"},{"prefix":"rug"}]})", kOrder));
  EXPECT_FALSE(match(R"({"store":[{"prefix":"corp"}]})", kOrder));
  EXPECT_TRUE(match(R"({"store":[{"suffix":"_corp"}]})", kOrder));
  EXPECT_TRUE(match(R"({"store":[{"equals-ignore-case":"EXAMPLE_Corp"}]})", kOrder));
}

TEST(FilterPolicy, AnythingBut) {
  EXPECT_TRUE(match(R"({"event":[{"anything-but":["order_cancelled","order_failed"]}]})", kOrder));
  EXPECT_FALSE(match(R"({"event":[{"anything-but":["order_placed"]}]})", kOrder));
  EXPECT_TRUE(match(R"({"price_usd":[{"anything-but":[100, 500]}]})", kOrder));
  EXPECT_FALSE(match(R"({"price_usd":[{"anything-but":210.75}]})", kOrder));
  EXPECT_FALSE(match(R"({"event":[{"anything-but":{"prefix":"order_"}}]})", kOrder));
  EXPECT_TRUE(match(R"({"event":[{"anything-but":{"prefix":"cancel"}}]})", kOrder));
  // An absent attribute does not match anything-but.
  EXPECT_FALSE(match(R"({"missing":[{"anything-but":"x"}]})", kOrder));
}

TEST(FilterPolicy, NumericRanges) {
  EXPECT_TRUE(match(R"({"price_usd":[{"numeric":[">",0,"<=",210.75]}]})", kOrder));
  EXPECT_FALSE(match(R"({"price_usd":[{"numeric":[">",0,"<",210.75]}]})", kOrder));
  EXPECT_TRUE(match(R"({"price_usd":[{"numeric":["=",210.75]}]})", kOrder));
  EXPECT_FALSE(match(R"({"price_usd":[{"numeric":["<",100]}]})", kOrder));
  EXPECT_FALSE(match(R"({"store":[{"numeric":[">",0]}]})", kOrder));
}

TEST(FilterPolicy, Exists) {
  EXPECT_TRUE(match(R"({"store":[{"exists":true}]})", kOrder));
  EXPECT_FALSE(match(R"({"store":[{"exists":false}]})", kOrder));
  EXPECT_TRUE(match(R"({"coupon":[{"exists":false}]})", kOrder));
  EXPECT_FALSE(match(R"({"coupon":[{"exists":true}]})", kOrder));
}

TEST(FilterPolicy, OrAcrossKeys) {
  EXPECT_TRUE(match(R"({"store":["example_corp"],"$or":[{"event":["nope"]},{"price_usd":[{"numeric":[">",200]}]}]})",
                    kOrder));
  EXPECT_FALSE(match(R"({"$or":[{"event":["nope"]},{"price_usd":[{"numeric":["<",200]}]}]})", kOrder));
}

TEST(FilterPolicy, NestedKeysInBodyScope) {
  std::string body = R"({"order":{"store":"example_corp","items":[{"sku":"a-1"},{"sku":"b-2"}]},"total":12})";
  EXPECT_TRUE(match(R"({"order":{"store":["example_corp"],"items":{"sku":[{"prefix":"b-"}]}}})", body, Scope::kMessageBody));
  EXPECT_FALSE(match(R"({"order":{"store":["other"]}})", body, Scope::kMessageBody));
  EXPECT_TRUE(match(R"({"order":{"coupon":[{"exists":false}]}})", body, Scope::kMessageBody));
  EXPECT_FALSE(match(R"({"total":[{"numeric":[">",20]}]})", body, Scope::kMessageBody));
}

TEST(FilterPolicy, EmptyPolicyMatchesEverything) { EXPECT_TRUE(match("{}", kOrder)); }

TEST(FilterPolicy, RefusedWithAwsMessages) {
  EXPECT_EQ(refusal(R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]})"),
            "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
  // 6 x 6 x 5 = 180 combinations
  EXPECT_EQ(refusal(R"({"a":[1,2,3,4,5,6],"b":[1,2,3,4,5,6],"c":[1,2,3,4,5]})"),
            "Invalid parameter: FilterPolicy: Filter policy is too complex");
  EXPECT_EQ(refusal(R"({"a":{"b":["x"]}})"),
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
  EXPECT_EQ(refusal(R"({"a":"x"})"), "Invalid parameter: FilterPolicy: \"a\" must be an object or an array");
  EXPECT_EQ(refusal(R"({"a":[{"regex":"x"}]})"), "Invalid parameter: FilterPolicy: Unrecognized match type regex");
  EXPECT_EQ(refusal(R"({"a":[{"exists":"yes"}]})"),
            "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.");
  EXPECT_EQ(refusal(R"({"a":[{"numeric":["~",1]}]})"),
            "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: ~");
  EXPECT_EQ(refusal(R"({"a":[{"numeric":[">",5,"<",1]}]})"), "Invalid parameter: FilterPolicy: Bottom must be less than top");
  EXPECT_EQ(refusal(R"({"a":[{"numeric":["<",5,"<",1]}]})"),
            "Invalid parameter: FilterPolicy: Too many elements in numeric expression");
  EXPECT_EQ(refusal(R"({"a":[{"numeric":[">","5"]}]})"), "Invalid parameter: FilterPolicy: Value of > must be numeric");
  EXPECT_NE(refusal(R"({"a":[2000000000]})"), "accepted");
  EXPECT_NE(refusal("[1]"), "accepted");
  EXPECT_NE(refusal("{"), "accepted");
  EXPECT_NE(refusal(R"({"a":[]})"), "accepted");
  EXPECT_NE(refusal(std::string(300 * 1024, ' ') + "{}"), "accepted");
}

// EventBridge's event patterns: the examples of AWS's "Content filtering in
// Amazon EventBridge event patterns" and "Comparison operators" pages.
namespace {

bool eb(std::string_view pattern, std::string_view event) {
  auto p = FilterPolicy::parse(pattern, Scope::kMessageBody, patterns::Grammar::eventbridge());
  EXPECT_TRUE(p.ok()) << pattern << ": " << (p.ok() ? "" : p.error().message);
  if (!p) return false;
  return p->matches(boost::json::parse(event));
}

std::string eb_refusal(std::string_view pattern) {
  auto p = FilterPolicy::parse(pattern, Scope::kMessageBody, patterns::Grammar::eventbridge());
  return p ? "accepted" : p.error().message;
}

// The EC2 state-change event of AWS's event-pattern pages.
constexpr std::string_view kEc2 = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2", "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 120,
             "source-ip": "10.0.0.123", "FileName": "photos/cat.PNG", "Location": "New York", "Day": "Monday",
             "LastName": "", "Name": "Alice", "Region": "eu-west-1", "service": "EventBridge",
             "items": [{"sku": "a-1", "qty": 2}, {"sku": "b-2", "qty": 7}]}
})";

}  // namespace

TEST(EventPattern, ExactValuesAndArrays) {
  EXPECT_TRUE(eb(R"({"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"state":["running","terminated"]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"state":["running","pending"]}})", kEc2));
  // An array in the event matches when the pattern shares one of its values.
  EXPECT_TRUE(eb(R"({"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0","x"]})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"Location":["New York"],"Day":["Monday"]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"Location":["New York"],"Day":["Tuesday"]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"LastName":[""]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"missing":[null]}})", R"({"detail":{"missing":null}})"));
  EXPECT_FALSE(eb(R"({"detail":{"missing":[null]}})", kEc2));  // null matches a null, not an absence
  EXPECT_FALSE(eb(R"({"detail":{"c-count":["5"]}})", kEc2));
}

TEST(EventPattern, PrefixSuffixAndTheirIgnoreCaseForms) {
  EXPECT_TRUE(eb(R"({"time":[{"prefix":"2017-12-22"}]})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"service":[{"prefix":{"equals-ignore-case":"EVENTB"}}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"service":[{"prefix":"EVENTB"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"FileName":[{"suffix":".png"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"Name":[{"equals-ignore-case":"alice"}]}})", kEc2));
}

TEST(EventPattern, AnythingButInAllItsForms) {
  EXPECT_TRUE(eb(R"({"detail":{"state":[{"anything-but":"initializing"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"d-count":[{"anything-but":123}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"state":[{"anything-but":["stopped","terminated"]}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"Region":[{"anything-but":{"prefix":"us-"}}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"Region":[{"anything-but":{"prefix":"eu-"}}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"FileName":[{"anything-but":{"suffix":".PNG"}}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"state":[{"anything-but":{"equals-ignore-case":"TERMINATED"}}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"state":[{"anything-but":{"equals-ignore-case":["RUNNING","stopped"]}}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"FileName":[{"anything-but":{"wildcard":"*/lib/*"}}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"FileName":[{"anything-but":{"wildcard":["*/lib/*","photos/*"]}}]}})", kEc2));
}

TEST(EventPattern, NumericRanges) {
  EXPECT_TRUE(eb(R"({"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}, {"numeric":[">",100]}]}})",
                 kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"c-count":[{"numeric":[">",5]}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"x":[{"numeric":["=",3.018e2]}]}})", R"({"detail":{"x":301.8}})"));
  // Six digits after the point count; the seventh does not.
  EXPECT_FALSE(eb(R"({"n":[301]})", R"({"n":301.000001})"));
  EXPECT_TRUE(eb(R"({"n":[301]})", R"({"n":301.0000001})"));
  EXPECT_TRUE(eb(R"({"n":[{"numeric":["<",4999999999]}]})", R"({"n":-4999999999})"));
  EXPECT_NE(eb_refusal(R"({"n":[{"numeric":["<",5000000001]}]})"), "accepted");
}

TEST(EventPattern, CidrMatchesIpv4AndIpv6) {
  EXPECT_TRUE(eb(R"({"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"source-ip":[{"cidr":"10.0.0.123"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"ip":[{"cidr":"2001:db8::/32"}]})", R"({"ip":"2001:db8:1::5"})"));
  EXPECT_FALSE(eb(R"({"ip":[{"cidr":"2001:db8::/32"}]})", R"({"ip":"2001:db9::5"})"));
  EXPECT_FALSE(eb(R"({"ip":[{"cidr":"10.0.0.0/8"}]})", R"({"ip":"not an address"})"));
  EXPECT_NE(eb_refusal(R"({"ip":[{"cidr":"10.0.0.0/33"}]})"), "accepted");
  EXPECT_NE(eb_refusal(R"({"ip":[{"cidr":"bogus/8"}]})"), "accepted");
}

TEST(EventPattern, Wildcards) {
  EXPECT_TRUE(eb(R"({"detail":{"FileName":[{"wildcard":"photos/*.PNG"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"FileName":[{"wildcard":"*"}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"FileName":[{"wildcard":"*.png"}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"f":[{"wildcard":"a*b*c"}]})", R"({"f":"aXXbYYbZc"})"));
  EXPECT_FALSE(eb(R"({"f":[{"wildcard":"a*b*c"}]})", R"({"f":"aXXbYYbZ"})"));
  EXPECT_TRUE(eb(R"({"f":[{"wildcard":"lit\\*eral*"}]})", R"({"f":"lit*eral!"})"));
  EXPECT_FALSE(eb(R"({"f":[{"wildcard":"lit\\*eral"}]})", R"({"f":"litXeral"})"));
  EXPECT_TRUE(eb(R"({"f":[{"wildcard":"back\\\\slash"}]})", R"({"f":"back\\slash"})"));
  EXPECT_EQ(eb_refusal(R"({"f":[{"wildcard":"a**b"}]})"),
            "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2");
  EXPECT_NE(eb_refusal(R"({"f":[{"wildcard":"bad\\escape"}]})"), "accepted");
  // A long value against a star-heavy pattern stays quick (no exponential backtracking).
  std::string text(20000, 'a');
  EXPECT_FALSE(eb(R"({"f":[{"wildcard":"*a*a*a*a*a*a*a*a*b"}]})", "{\"f\":\"" + text + "\"}"));
}

TEST(EventPattern, ExistsAndOr) {
  EXPECT_TRUE(eb(R"({"detail":{"state":[{"exists":true}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"coupon":[{"exists":false}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"state":[{"exists":false}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",200]}]}]}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",20]}]}]}})", kEc2));
  EXPECT_TRUE(eb(R"({"source":["aws.ec2"],"$or":[{"region":["us-west-1"]},{"account":["nope"]}]})", kEc2));
}

TEST(EventPattern, ArraysOfObjectsMatchAnyElement) {
  EXPECT_TRUE(eb(R"({"detail":{"items":{"sku":["b-2"],"qty":[7]}}})", kEc2));
  EXPECT_FALSE(eb(R"({"detail":{"items":{"sku":["c-3"]}}})", kEc2));
}

TEST(EventPattern, RefusedWithEventBridgeWording) {
  EXPECT_EQ(eb_refusal(R"({"source":"aws.ec2"})"), "Event pattern is not valid. Reason: \"source\" must be an object or an array");
  EXPECT_EQ(eb_refusal(R"({"a":[{"regex":"x"}]})"), "Event pattern is not valid. Reason: Unrecognized match type regex");
  EXPECT_NE(eb_refusal("[]"), "accepted");
  // Many keys are fine for EventBridge (SNS allows five).
  EXPECT_EQ(eb_refusal(R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]})"), "accepted");
}

TEST(FilterPolicy, SnsHasCidrButNotWildcardsOrEventBridgeForms) {
  EXPECT_TRUE(match(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"10.0.0.9"})"));
  EXPECT_EQ(refusal(R"({"a":[{"wildcard":"x*"}]})"), "Invalid parameter: FilterPolicy: Unrecognized match type wildcard");
  EXPECT_NE(refusal(R"({"a":[{"prefix":{"equals-ignore-case":"x"}}]})"), "accepted");
  EXPECT_NE(refusal(R"({"a":[{"anything-but":{"wildcard":"x*"}}]})"), "accepted");
}
