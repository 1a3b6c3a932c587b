#include "logs_api/requests.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace nimbus::logs_api
