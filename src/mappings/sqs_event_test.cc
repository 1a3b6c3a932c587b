#include "mappings/sqs_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::mappings {
namespace {

namespace json = boost::json;

TEST(SqsEvent, RecordsAsLambdaWritesThem) {
  sqs::ReceivedMessage m;
  m.message_id = "059f36b4-87a3-44ab-83d2-661975830a7d";
  m.receipt_handle = "handle";
  m.body = "test";
  m.md5_of_body = "098f6bcd4621d373cade4e832627b4f6";
  m.md5_of_message_attributes = "abc";
  m.attributes = {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1545082649183"}, {"SenderId", "AIDA"},
                  {"ApproximateFirstReceiveTimestamp", "1545082649185"}};
  m.message_attributes["s"] = {"String", "v", ""};
  m.message_attributes["b"] = {"Binary.png", "", std::string("\x01\x02", 2)};
  auto v = json::parse(sqs_event_json({m}, "arn:aws:sqs:us-east-2:000000000000:q", "us-east-2"));
  const auto& r = v.at("Records").at(0).as_object();
  EXPECT_EQ(r.at("messageId"), "059f36b4-87a3-44ab-83d2-661975830a7d");
  EXPECT_EQ(r.at("receiptHandle"), "handle");
  EXPECT_EQ(r.at("body"), "test");
  EXPECT_EQ(r.at("attributes").at("ApproximateReceiveCount"), "1");
  EXPECT_EQ(r.at("attributes").at("SenderId"), "AIDA");
  EXPECT_EQ(r.at("messageAttributes").at("s").at("stringValue"), "v");
  EXPECT_EQ(r.at("messageAttributes").at("s").at("dataType"), "String");
  EXPECT_TRUE(r.at("messageAttributes").at("s").at("stringListValues").as_array().empty());
  EXPECT_EQ(r.at("messageAttributes").at("b").at("binaryValue"), "AQI=");
  EXPECT_EQ(r.at("md5OfBody"), "098f6bcd4621d373cade4e832627b4f6");
  EXPECT_EQ(r.at("md5OfMessageAttributes"), "abc");
  EXPECT_EQ(r.at("eventSource"), "aws:sqs");
  EXPECT_EQ(r.at("eventSourceARN"), "arn:aws:sqs:us-east-2:000000000000:q");
  EXPECT_EQ(r.at("awsRegion"), "us-east-2");
}

TEST(SqsEvent, PartialBatchResponsesAsLambdaReadsThem) {
  std::set<std::string> ids{"a", "b"};
  // Complete success.
  for (const char* ok : {"", "  ", "null", "{}", "{\"batchItemFailures\": null}", "{\"batchItemFailures\": []}",
                         "\"done\"", "{\"statusCode\": 200}"}) {
    auto r = read_batch_response(ok, ids);
    ASSERT_TRUE(r) << ok;
    EXPECT_TRUE(r->empty()) << ok;
  }
  auto one = read_batch_response(R"({"batchItemFailures": [{"itemIdentifier": "b"}]})", ids);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::set<std::string>{"b"});
  // The whole batch fails.
  for (const char* bad : {"{not json", R"({"batchItemFailures": [{"itemIdentifier": ""}]})",
                          R"({"batchItemFailures": [{"itemIdentifier": null}]})",
                          R"({"batchItemFailures": [{"itemId": "a"}]})",
                          R"({"batchItemFailures": [{"itemIdentifier": "zzz"}]})",
                          R"({"batchItemFailures": "a"})"})
    EXPECT_FALSE(read_batch_response(bad, ids)) << bad;
}

}  // namespace
}  // namespace nimbus::mappings
