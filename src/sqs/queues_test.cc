// sqs::Queues over a real queue::Store in a temp dir, on a FakeClock.
#include "sqs/queues.h"

#include <gtest/gtest.h>

#include "queue/test_dir.h"
#include "sqs/names.h"

namespace nimbus::sqs {
namespace {

class QueuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = queue::Store::open(dir.file("queue.db"), clock);
    ASSERT_TRUE(s.ok());
    store = std::move(*s);
    queues = std::make_unique<Queues>(*store, "us-east-1");
  }
  SendRequest body(std::string b, std::string group = "", std::string dedup = "") {
    SendRequest r;
    r.body = std::move(b);
    r.message_group_id = std::move(group);
    r.deduplication_id = std::move(dedup);
    return r;
  }
  std::vector<ReceivedMessage> receive(const std::string& q, int64_t max = 10, std::optional<int64_t> vis = {}) {
    ReceiveRequest r;
    r.max = max;
    r.visibility_timeout = vis;
    r.attribute_names = {"All"};
    r.message_attribute_names = {"All"};
    auto got = queues->receive(q, r);
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? *got : std::vector<ReceivedMessage>{};
  }
  queue::TestDir dir{"sqs-"};
  base::FakeClock clock;
  std::unique_ptr<queue::Store> store;
  std::unique_ptr<Queues> queues;
};

TEST_F(QueuesTest, CreateIsIdempotentForTheSameAttributesOnly) {
  EXPECT_TRUE(*queues->create_queue("q", {{"VisibilityTimeout", "60"}}, {{"team", "a"}}));
  EXPECT_FALSE(*queues->create_queue("q", {{"VisibilityTimeout", "60"}}, {}));
  EXPECT_FALSE(*queues->create_queue("q", {}, {}));
  auto clash = queues->create_queue("q", {{"VisibilityTimeout", "61"}}, {});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().reason, "QueueNameExists");
  EXPECT_EQ(queues->tags("q")->at("team"), "a");
  EXPECT_EQ(queues->create_queue("bad.fifo", {}, {}).error().reason, "InvalidParameterValue");
  EXPECT_EQ(queues->create_queue("q2", {{"FifoQueue", "true"}}, {}).error().reason, "InvalidParameterValue");
  EXPECT_EQ(queues->create_queue("q3", {{"VisibilityTimeout", "43201"}}, {}).error().reason, "InvalidAttributeValue");
  EXPECT_EQ(queues->create_queue("q3", {{"Nope", "1"}}, {}).error().reason, "InvalidAttributeName");
  EXPECT_EQ(queues->create_queue("q3", {{"ContentBasedDeduplication", "true"}}, {}).error().reason,
            "InvalidAttributeName");
}

TEST_F(QueuesTest, AttributesReportCountsAndSettings) {
  ASSERT_TRUE(queues->create_queue("q", {{"DelaySeconds", "0"}}, {}).ok());
  ASSERT_TRUE(queues->send("q", body("a")).ok());
  SendRequest later = body("b");
  later.delay_seconds = 5;
  ASSERT_TRUE(queues->send("q", later).ok());
  ASSERT_TRUE(queues->send("q", body("c")).ok());
  ASSERT_EQ(receive("q", 1).size(), 1u);
  auto a = queues->get_attributes("q", {"All"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->at("ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(a->at("ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(a->at("ApproximateNumberOfMessagesDelayed"), "1");
  EXPECT_EQ(a->at("QueueArn"), "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(a->at("VisibilityTimeout"), "30");
  EXPECT_EQ(a->count("FifoQueue"), 0u);
  EXPECT_EQ(queues->get_attributes("q", {"FifoQueue"}).error().reason, "InvalidAttributeName");
  ASSERT_TRUE(queues->set_attributes("q", {{"VisibilityTimeout", "5"}}).ok());
  EXPECT_EQ(queues->get_attributes("q", {"VisibilityTimeout"})->at("VisibilityTimeout"), "5");
}

TEST_F(QueuesTest, SendAppliesAwsRulesAndDigests) {
  ASSERT_TRUE(queues->create_queue("q", {{"MaximumMessageSize", "1024"}}, {}).ok());
  SendRequest r = body("hello");
  r.message_attributes["attribName1"] = {"String", "attribValue 1", ""};
  auto sent = queues->send("http://localhost:4566/000000000000/q", r);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(sent->md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(sent->md5_of_message_attributes, "19e27d4e946b072f3f58da80d94fd778");
  EXPECT_TRUE(sent->sequence_number.empty());
  EXPECT_EQ(queues->send("q", body("")).error().reason, "MissingParameter");
  EXPECT_EQ(queues->send("q", body(std::string(1025, 'x'))).error().reason, "InvalidParameterValue");
  EXPECT_EQ(queues->send("q", body(std::string("\x01", 1))).error().reason, "InvalidMessageContents");
  SendRequest dedup = body("x", "", "d");
  EXPECT_EQ(queues->send("q", dedup).error().reason, "InvalidParameterValue");
  SendRequest delay = body("x");
  delay.delay_seconds = 901;
  EXPECT_EQ(queues->send("q", delay).error().reason, "InvalidParameterValue");
  EXPECT_EQ(queues->send("nope", body("x")).error().reason, "QueueDoesNotExist");
  EXPECT_EQ(queues->send("arn:aws:sqs:us-east-1:000000000000:q", body("x")).ok(), true);
}

// SQS: a received message stays invisible for at most 12 hours from its receive, however it is extended.
TEST_F(QueuesTest, VisibilityExtendsToTwelveHoursFromTheReceive) {
  ASSERT_TRUE(queues->create_queue("q", {}, {}).ok());
  ASSERT_TRUE(queues->send("q", body("a")).ok());
  auto got = receive("q", 1, 30);
  ASSERT_EQ(got.size(), 1u);
  clock.advance_ms(20 * 1000);
  auto over = queues->change_visibility("q", got[0].receipt_handle, 43200);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().reason, "InvalidParameterValue");
  EXPECT_NE(over.error().message.find("Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"),
            std::string::npos)
      << over.error().message;
  ASSERT_TRUE(queues->change_visibility("q", got[0].receipt_handle, 43180).ok());  // exactly 12 h in all
  clock.advance_ms(43000 * 1000);
  EXPECT_FALSE(queues->change_visibility("q", got[0].receipt_handle, 181).ok());
  EXPECT_TRUE(queues->change_visibility("q", got[0].receipt_handle, 180).ok());
  // A new receive starts a new 12 hours.
  clock.advance_ms(181 * 1000);
  auto again = receive("q", 1, 30);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(queues->change_visibility("q", again[0].receipt_handle, 43199).ok());
}

TEST_F(QueuesTest, ReceiptHandlesAfterReReceipt) {
  ASSERT_TRUE(queues->create_queue("q", {}, {}).ok());
  ASSERT_TRUE(queues->send("q", body("a")).ok());
  auto first = receive("q", 1, 1);
  ASSERT_EQ(first.size(), 1u);
  clock.advance_ms(1001);
  auto second = receive("q", 1, 30);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(first[0].receipt_handle, second[0].receipt_handle);
  EXPECT_EQ(second[0].attributes.at("ApproximateReceiveCount"), "2");
  EXPECT_EQ(second[0].attributes.at("ApproximateFirstReceiveTimestamp"), first[0].attributes.at("SentTimestamp"));
  auto stale = queues->change_visibility("q", first[0].receipt_handle, 10);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().reason, "InvalidParameterValue");
  EXPECT_TRUE(queues->change_visibility("q", second[0].receipt_handle, 10).ok());
  EXPECT_TRUE(queues->delete_message("q", first[0].receipt_handle).ok()) << "a stale handle deletes (standard)";
  EXPECT_EQ(queues->stats("q")->in_flight, 0);
  EXPECT_TRUE(queues->delete_message("q", second[0].receipt_handle).ok()) << "deleting twice succeeds";
  EXPECT_EQ(queues->delete_message("q", "garbage").error().reason, "ReceiptHandleIsInvalid");
}

TEST_F(QueuesTest, FifoOrderDedupAndSequenceNumbers) {
  ASSERT_TRUE(queues->create_queue("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}}, {}).ok());
  auto a = queues->send("f.fifo", body("one", "g"));
  auto b = queues->send("f.fifo", body("two", "g"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->sequence_number.size(), 20u);
  EXPECT_LT(a->sequence_number, b->sequence_number);
  EXPECT_EQ(queues->send("f.fifo", body("x")).error().reason, "MissingParameter");
  SendRequest delayed = body("x", "g");
  delayed.delay_seconds = 1;
  EXPECT_EQ(queues->send("f.fifo", delayed).error().reason, "InvalidParameterValue");
  auto got = receive("f.fifo", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "one");
  EXPECT_EQ(got[0].attributes.at("MessageGroupId"), "g");
  EXPECT_EQ(got[0].attributes.at("SequenceNumber"), a->sequence_number);
  EXPECT_TRUE(receive("f.fifo").empty()) << "the group is in flight";
  ASSERT_TRUE(queues->delete_message("f.fifo", got[0].receipt_handle).ok());
  auto dup = queues->send("f.fifo", body("one", "g"));
  EXPECT_EQ(dup->message_id, a->message_id) << "deduplicated by content, after the delete too";
  auto next = receive("f.fifo");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].body, "two");
}

TEST_F(QueuesTest, RedrivePolicyMovesToTheDlqAndBack) {
  ASSERT_TRUE(queues->create_queue("dlq", {}, {}).ok());
  ASSERT_TRUE(queues->create_queue(
                        "src", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"})"}}, {})
                  .ok());
  EXPECT_EQ(*queues->dead_letter_sources("dlq"), std::vector<std::string>{"src"});
  // Read back as SQS answers it: maxReceiveCount a number, though it was set as a string; created
  // again with the string form, it is the same queue.
  const std::string as_read = R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2})";
  EXPECT_EQ(queues->get_attributes("src", {"RedrivePolicy"})->at("RedrivePolicy"), as_read);
  EXPECT_TRUE(queues->create_queue(
                        "src", {{"RedrivePolicy", R"({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "maxReceiveCount": "2"})"}}, {})
                  .ok());
  EXPECT_TRUE(queues->create_queue("src", {{"RedrivePolicy", as_read}}, {}).ok());
  ASSERT_TRUE(queues->send("src", body("m")).ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(receive("src", 1, 1).size(), 1u);
    clock.advance_ms(1001);
  }
  EXPECT_TRUE(receive("src").empty());
  auto dead = receive("dlq", 1, 0);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attributes.at("DeadLetterQueueSourceArn"), "arn:aws:sqs:us-east-1:000000000000:src");
  clock.advance_ms(1);  // a 0 s visibility: visible again at once (the next ms)
  EXPECT_EQ(*queues->move_messages("dlq", "", 10), 1);
  EXPECT_EQ(receive("src").size(), 1u);
  auto bad = queues->set_attributes("src", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:none","maxReceiveCount":2})"}});
  EXPECT_EQ(bad.error().reason, "InvalidParameterValue");
}

TEST_F(QueuesTest, DeletingADeadLetterQueueTakesItsSourcesRedrivePolicies) {
  ASSERT_TRUE(queues->create_queue("dlq", {}, {}).ok());
  ASSERT_TRUE(queues->create_queue(
                        "src", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"})"}}, {})
                  .ok());
  ASSERT_TRUE(queues->delete_queue("dlq").ok());
  auto attrs = queues->get_attributes("src", {"All"});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->count("RedrivePolicy"), 0u);
  // The source's other attributes can still be changed.
  EXPECT_TRUE(queues->set_attributes("src", {{"VisibilityTimeout", "5"}}).ok());
}

TEST_F(QueuesTest, MessageAttributeFilters) {
  ASSERT_TRUE(queues->create_queue("q", {}, {}).ok());
  SendRequest r = body("b");
  r.message_attributes = {{"a.x", {"String", "1", ""}}, {"a.y", {"String", "2", ""}}, {"b", {"Number", "3", ""}}};
  ASSERT_TRUE(queues->send("q", r).ok());
  ReceiveRequest req;
  req.max = 1;
  req.message_attribute_names = {"a.*"};
  auto got = queues->receive("q", req);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].message_attributes.size(), 2u);
  EXPECT_TRUE((*got)[0].attributes.empty());
  Attributes expect{{"a.x", {"String", "1", ""}}, {"a.y", {"String", "2", ""}}};
  EXPECT_EQ((*got)[0].md5_of_message_attributes, md5_of_attributes(expect));
}

}  // namespace
}  // namespace nimbus::sqs
