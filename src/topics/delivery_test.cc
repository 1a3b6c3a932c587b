#include "topics/delivery.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "queue/store.h"
#include "topics/store.h"
#include "topics/test_support.h"

using namespace nimbus;
using namespace nimbus::topics;

namespace {

constexpr const char* kTopic = "arn:aws:sns:us-east-1:000000000000:orders";

struct FakeFunctions : FunctionSink {
  std::vector<std::pair<std::string, std::string>> calls;  // (arn, event)
  base::Status next;
  base::Status invoke(const std::string&, const std::string& arn, const std::string& event) override {
    calls.emplace_back(arn, event);
    return next;
  }
};

struct FakeQueues : QueueSink {
  struct Sent {
    std::string queue, body;
    MessageAttributes attributes;
    std::string group, dedup;
  };
  std::vector<Sent> sent;
  base::Status send(const std::string& q, const std::string& body, const MessageAttributes& a, const std::string& g,
                    const std::string& d) override {
    sent.push_back({q, body, a, g, d});
    return {};
  }
};

struct Fixture {
  TestDir dir{"delivery-"};
  base::FakeClock clock;
  std::unique_ptr<queue::Store> queues;
  std::unique_ptr<Store> topics;
  FakeFunctions functions;
  FakeQueues sqs;
  std::vector<HttpPost> posts;
  std::vector<int> http_answers;  // popped front per POST; 200 when empty
  std::unique_ptr<Deliveries> deliveries;

  Fixture() {
    queues = std::move(*queue::Store::open(dir.file("queue.db"), clock));
    topics = std::move(*Store::open(dir.file("sns.db")));
    Topic t;
    t.arn = kTopic;
    t.name = "orders";
    (void)topics->create_topic(t);
    DeliveryOptions o;
    o.functions = &functions;
    o.queues = &sqs;
    o.http = [this](HttpPost p, std::function<void(base::Result<int>)> done) {
      posts.push_back(p);
      int status = 200;
      if (!http_answers.empty()) {
        status = http_answers.front();
        http_answers.erase(http_answers.begin());
      }
      done(status);
    };
    deliveries = std::move(*Deliveries::open(*queues, *topics, o));
  }

  std::string subscribe(const std::string& protocol, const std::string& endpoint,
                        std::map<std::string, std::string> attributes = {}) {
    Subscription s;
    s.arn = std::string(kTopic) + ":" + protocol;
    s.topic_arn = kTopic;
    s.protocol = protocol;
    s.endpoint = endpoint;
    s.confirmed = true;
    s.attributes = std::move(attributes);
    (void)topics->subscribe(s);
    return s.arn;
  }

  Delivery delivery(const std::string& sub, const std::string& id = "m1") {
    Delivery d;
    d.id = id + "/" + sub;
    d.subscription_arn = sub;
    d.message_id = id;
    d.body = "{\"hello\":1}";
    return d;
  }

  // Turns of the consumers until nothing changes (the fakes answer inline).
  void drain() {
    for (int i = 0; i < 4; ++i) deliveries->run_once();
  }
};

}  // namespace

TEST(Deliveries, LambdaSubscriptionsBecomeAsyncInvocations) {
  Fixture f;
  auto sub = f.subscribe("lambda", "arn:aws:lambda:us-east-1:000000000000:function:fn");
  ASSERT_TRUE(f.deliveries->enqueue({f.delivery(sub)}, false).ok());
  f.drain();
  ASSERT_EQ(f.functions.calls.size(), 1u);
  EXPECT_EQ(f.functions.calls[0].first, "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(f.functions.calls[0].second, "{\"hello\":1}");
  EXPECT_TRUE((*f.queues->list(Deliveries::kQueue)).empty());
}

TEST(Deliveries, HttpCarriesAwsHeadersAndRetriesPerPolicy) {
  Fixture f;
  auto sub = f.subscribe("http", "http://127.0.0.1:1/hook");
  f.http_answers = {500, 503};
  ASSERT_TRUE(f.deliveries->enqueue({f.delivery(sub)}, false).ok());
  f.drain();
  ASSERT_EQ(f.posts.size(), 1u);
  const auto& h = f.posts[0].headers;
  EXPECT_EQ(*base::find_header(h, "x-amz-sns-message-type"), "Notification");
  EXPECT_EQ(*base::find_header(h, "x-amz-sns-message-id"), "m1");
  EXPECT_EQ(*base::find_header(h, "x-amz-sns-topic-arn"), kTopic);
  EXPECT_EQ(*base::find_header(h, "x-amz-sns-subscription-arn"), sub);
  EXPECT_EQ(*base::find_header(h, "content-type"), "text/plain; charset=UTF-8");
  f.clock.advance_ms(19'000);
  f.drain();
  EXPECT_EQ(f.posts.size(), 1u);  // not before the policy's 20 s
  f.clock.advance_ms(1'000);
  f.drain();
  EXPECT_EQ(f.posts.size(), 2u);
  f.clock.advance_ms(20'000);
  f.drain();
  EXPECT_EQ(f.posts.size(), 3u);  // the third attempt answers 200
  EXPECT_TRUE((*f.queues->list(Deliveries::kQueue)).empty());
  EXPECT_TRUE((*f.queues->list(Deliveries::kDeadLetterQueue)).empty());
}

TEST(Deliveries, ClientErrorsGoToTheRedrivePolicyQueueAtOnce) {
  Fixture f;
  auto sub = f.subscribe("http", "http://127.0.0.1:1/hook",
                         {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"})"}});
  f.http_answers = {404};
  ASSERT_TRUE(f.deliveries->enqueue({f.delivery(sub)}, false).ok());
  f.drain();
  ASSERT_EQ(f.sqs.sent.size(), 1u);
  EXPECT_EQ(f.sqs.sent[0].queue, "arn:aws:sqs:us-east-1:000000000000:dlq");
  EXPECT_EQ(f.sqs.sent[0].body, "{\"hello\":1}");
  EXPECT_TRUE((*f.queues->list(Deliveries::kDeadLetterQueue)).empty());
}

TEST(Deliveries, WithoutARedrivePolicyAFailedDeliveryStaysInTheDeadLetterQueue) {
  Fixture f;
  auto sub = f.subscribe("lambda", "arn:aws:lambda:us-east-1:000000000000:function:gone");
  f.functions.next = base::make_error(base::ErrorCode::kNotFound, "Function not found");
  ASSERT_TRUE(f.deliveries->enqueue({f.delivery(sub)}, false).ok());
  f.drain();
  auto dead = f.queues->list(Deliveries::kDeadLetterQueue);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].last_error, "Function not found");
}

TEST(Deliveries, SqsGetsAttributesGroupAndDedup) {
  Fixture f;
  auto sub = f.subscribe("sqs", "arn:aws:sqs:us-east-1:000000000000:q.fifo");
  auto d = f.delivery(sub);
  d.raw = true;
  d.attributes["k"] = {"String", "v"};
  d.message_group_id = "g";
  d.dedup_id = "dd";
  ASSERT_TRUE(f.deliveries->enqueue({d}, true).ok());
  f.drain();
  ASSERT_EQ(f.sqs.sent.size(), 1u);
  EXPECT_EQ(f.sqs.sent[0].attributes.at("k").value, "v");
  EXPECT_EQ(f.sqs.sent[0].group, "g");
  EXPECT_EQ(f.sqs.sent[0].dedup, "dd");
}

TEST(Deliveries, DeliveriesOfADeletedSubscriptionAreDropped) {
  Fixture f;
  auto sub = f.subscribe("http", "http://127.0.0.1:1/hook");
  ASSERT_TRUE(f.deliveries->enqueue({f.delivery(sub)}, false).ok());
  ASSERT_TRUE(f.topics->unsubscribe(sub).ok());
  f.drain();
  EXPECT_TRUE(f.posts.empty());
  EXPECT_TRUE((*f.queues->list(Deliveries::kQueue)).empty());
}
