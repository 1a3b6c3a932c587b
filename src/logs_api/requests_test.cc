#include "logs_api/requests.h"

#include <gtest/gtest.h>

#include <limits>

namespace nimbus::logs_api {
namespace {

boost::json::object body(std::string_view text) { return *parse_body(text); }

TEST(LogsRequests, BodyAndTypes) {
  EXPECT_TRUE(parse_body("")->empty());
  EXPECT_EQ(parse_body("[]").error().code, base::ErrorCode::kMalformed);
  EXPECT_EQ(check_types(body(R"({"limit":"5"})")).error().code, base::ErrorCode::kMalformed);
  EXPECT_EQ(check_types(body(R"({"logStreamNames":["a",1]})")).error().code, base::ErrorCode::kMalformed);
  EXPECT_TRUE(check_types(body(R"({"limit":5,"logGroupName":"g","descending":true})")));
}

TEST(LogsRequests, GroupOf) {
  EXPECT_EQ(*group_of(body(R"({"logGroupName":"/aws/lambda/f"})")), "/aws/lambda/f");
  EXPECT_EQ(*group_of(body(R"({"logGroupIdentifier":"arn:aws:logs:us-east-1:0:log-group:/aws/lambda/f:*"})")),
            "/aws/lambda/f");
  EXPECT_FALSE(group_of(body(R"({"logGroupName":"a","logGroupIdentifier":"b"})")));
  EXPECT_FALSE(group_of(body("{}")));
}

TEST(LogsRequests, Queries) {
  auto q = log_query(body(R"({"logGroupName":"g","logStreamNames":["s"],"startTime":5,"filterPattern":"ERROR","limit":3})"));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->streams, std::vector<std::string>{"s"});
  EXPECT_EQ(q->start_ms, 5);
  EXPECT_EQ(q->limit, 3u);
  EXPECT_FALSE(log_query(body(R"({"logGroupName":"g","logStreamNames":["s"],"logStreamNamePrefix":"p"})")));
  EXPECT_FALSE(stream_query(body(R"({"logGroupName":"g"})")));
  EXPECT_FALSE(limit_of(body(R"({"limit":0})"), 50, 50));
  EXPECT_EQ(*retention_days(body(R"({"retentionInDays":7})")), 7);
  EXPECT_FALSE(retention_days(body(R"({"retentionInDays":8})")));
}

// Found by fuzz/logs_json_fuzz.cc (fuzz/corpus/logs_json/crash-limit-1.5e20):
// numbers past int64 were cast from double, undefined behaviour that on x86
// turned 1e300 into INT64_MIN. They saturate now, so the checks see them.
TEST(LogsRequests, HugeNumbersSaturate) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(*integer(body(R"({"t":1e300})"), "t"), kMax);
  EXPECT_EQ(*integer(body(R"({"t":-1e300})"), "t"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*integer(body(R"({"t":18446744073709551615})"), "t"), kMax);
  EXPECT_EQ(*integer(body(R"({"t":1.5e3})"), "t"), 1500);
  auto q = log_query(body(R"({"logGroupName":"g","startTime":1e300})"));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->start_ms, kMax);
  auto l = limit_of(body(R"({"limit":1.5e20})"), 50, 50);
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().message.find(std::to_string(kMax)), std::string::npos);
}

}  // namespace
}  // namespace nimbus::logs_api
