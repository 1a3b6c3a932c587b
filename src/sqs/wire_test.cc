#include "sqs/wire.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace nimbus::sqs {
namespace {

namespace json = boost::json;

TEST(Wire, QueryParametersBecomeTheJsonShape) {
  std::map<std::string, std::string, std::less<>> p = {
      {"Action", "SendMessageBatch"},
      {"QueueUrl", "http://h/000000000000/q"},
      {"SendMessageBatchRequestEntry.1.Id", "a"},
      {"SendMessageBatchRequestEntry.1.MessageBody", "one"},
      {"SendMessageBatchRequestEntry.1.DelaySeconds", "5"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name", "k"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType", "String"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue", "v"},
      {"SendMessageBatchRequestEntry.2.Id", "b"},
      {"SendMessageBatchRequestEntry.2.MessageBody", "two"},
  };
  auto o = query_to_json(p);
  EXPECT_EQ(json::serialize(o),
            R"({"QueueUrl":"http://h/000000000000/q","Entries":[{"DelaySeconds":5,"Id":"a","MessageBody":"one",)"
            R"("MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}},{"Id":"b","MessageBody":"two"}]})");
}

TEST(Wire, MapsAndListsOfQueryRequests) {
  std::map<std::string, std::string, std::less<>> p = {
      {"Action", "CreateQueue"}, {"QueueName", "q"},        {"Attribute.1.Name", "VisibilityTimeout"}, {"Attribute.1.Value", "60"},
      {"Tag.1.Key", "team"},     {"Tag.1.Value", "a"},                     {"AttributeName.2", "B"},
      {"AttributeName.1", "A"},  {"MaxNumberOfMessages", "x"}};
  auto o = query_to_json(p);
  EXPECT_EQ(o.at("Attributes").as_object().at("VisibilityTimeout"), "60");
  EXPECT_EQ(o.at("tags").as_object().at("team"), "a");
  EXPECT_EQ(json::serialize(o.at("AttributeNames")), R"(["A","B"])");
  EXPECT_EQ(o.at("MaxNumberOfMessages"), "x") << "not an integer: left for the operation to refuse";
}

TEST(Wire, ResultsBecomeQueryXml) {
  auto r = json::parse(R"({"Messages":[{"MessageId":"m","Attributes":{"SenderId":"s"},
      "MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}]})").as_object();
  EXPECT_EQ(json_to_query_xml("ReceiveMessage", r),
            "<Message><MessageId>m</MessageId><Attribute><Name>SenderId</Name><Value>s</Value></Attribute>"
            "<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value>"
            "</MessageAttribute></Message>");
  auto b = json::parse(R"({"Successful":[{"Id":"a"}],"Failed":[{"Id":"b","SenderFault":true}]})").as_object();
  EXPECT_EQ(json_to_query_xml("DeleteMessageBatch", b),
            "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"
            "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault></BatchResultErrorEntry>");
  auto l = json::parse(R"({"QueueUrls":["u1","u2"]})").as_object();
  EXPECT_EQ(json_to_query_xml("ListQueues", l), "<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>");
}

}  // namespace
}  // namespace nimbus::sqs
