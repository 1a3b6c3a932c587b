#include "mappings/filters.h"

#include <gtest/gtest.h>

namespace nimbus::mappings {
namespace {

sqs::ReceivedMessage message(std::string body) {
  sqs::ReceivedMessage m;
  m.message_id = "id";
  m.body = std::move(body);
  m.attributes = {{"ApproximateReceiveCount", "1"}};
  m.message_attributes["kind"] = {"String", "order", ""};
  return m;
}

TEST(Filters, BodyAsJsonOrAsTextAttributesAndAlternatives) {
  auto f = Filters::parse({R"({"body": {"status": ["paid"], "total": [{"numeric": [">", 10]}]}})",
                           R"({"body": [{"prefix": "urgent:"}]})",
                           R"({"messageAttributes": {"kind": {"stringValue": ["refund"]}}})"});
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(f->passes(message(R"({"status": "paid", "total": 12})")));
  EXPECT_FALSE(f->passes(message(R"({"status": "paid", "total": 5})")));
  EXPECT_TRUE(f->passes(message("urgent: call back")));
  EXPECT_FALSE(f->passes(message("call back")));
  auto refund = message("x");
  refund.message_attributes["kind"].string_value = "refund";
  EXPECT_TRUE(f->passes(refund));
  EXPECT_TRUE(Filters::parse({})->passes(message("anything")));
}

TEST(Filters, RefusesWhatLambdaRefuses) {
  EXPECT_FALSE(Filters::parse({"not json"}));
  EXPECT_FALSE(Filters::parse({R"({"body": "not a list"})"}));
  EXPECT_FALSE(Filters::parse({"{}", "{}", "{}", "{}", "{}", "{}"}));  // 6 patterns
  auto e = Filters::parse({R"({"body": [{"nosuch": 1}]})"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message.rfind("Invalid filter pattern definition.", 0), 0u) << e.error().message;
}

}  // namespace
}  // namespace nimbus::mappings
