#include <gtest/gtest.h>

#include "sqs/names.h"
#include "sqs/receipt.h"

namespace nimbus::sqs {
namespace {

TEST(Names, QueueNameRules) {
  EXPECT_TRUE(check_queue_name("orders_1-a", false).ok());
  EXPECT_TRUE(check_queue_name("orders.fifo", true).ok());
  EXPECT_FALSE(check_queue_name("orders.fifo", false).ok());
  EXPECT_FALSE(check_queue_name("orders", true).ok());
  EXPECT_FALSE(check_queue_name("", false).ok());
  EXPECT_FALSE(check_queue_name(std::string(81, 'a'), false).ok());
  EXPECT_TRUE(check_queue_name(std::string(80, 'a'), false).ok());
  EXPECT_FALSE(check_queue_name("a b", false).ok());
  EXPECT_EQ(check_queue_name("a.b", false).error().reason, "InvalidParameterValue");
}

TEST(Names, EveryUrlFormNamesTheQueue) {
  EXPECT_EQ(name_from_url("http://localhost:4566/000000000000/q1"), "q1");
  EXPECT_EQ(name_from_url("http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q1"), "q1");
  EXPECT_EQ(name_from_url("https://sqs.eu-west-1.amazonaws.com/000000000000/q.fifo"), "q.fifo");
  EXPECT_EQ(name_from_url("/000000000000/q1"), "q1");
  EXPECT_EQ(name_from_url("http://localhost:4566/queue/us-east-1/000000000000/q1"), "q1");
  EXPECT_EQ(name_from_url("http://localhost:4566/123456789012/q1"), std::nullopt);
  EXPECT_EQ(name_from_url("http://localhost:4566/"), std::nullopt);
  EXPECT_EQ(name_from_arn("arn:aws:sqs:us-east-1:000000000000:q1"), "q1");
  EXPECT_EQ(name_from_arn("arn:aws:sns:us-east-1:000000000000:q1"), std::nullopt);
  EXPECT_EQ(name_from_any("q1"), "q1");
  EXPECT_EQ(queue_url("localhost:4566", "q1"), "http://localhost:4566/000000000000/q1");
  EXPECT_EQ(queue_arn("us-east-1", "q1"), "arn:aws:sqs:us-east-1:000000000000:q1");
}

TEST(Receipts, RoundTripAndRefuseAnythingElse) {
  Receipt r{"q1", "6f1d2c1e-0000-4000-8000-000000000000", "abcdef012345"};
  auto back = decode_receipt(encode_receipt(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->queue, "q1");
  EXPECT_EQ(back->message_id, r.message_id);
  EXPECT_EQ(back->lease, r.lease);
  EXPECT_FALSE(decode_receipt(""));
  EXPECT_FALSE(decode_receipt("not base64!"));
  EXPECT_FALSE(decode_receipt("bnIxIHE="));  // "nr1 q": too few parts
  EXPECT_FALSE(decode_receipt(std::string(2000, 'A')));
}

}  // namespace
}  // namespace nimbus::sqs
