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
