// buses: the store (kept across a reopen), PutEvents' routing (envelope,
// matching, per-entry errors) and the deliveries' retries and dead letters,
// over a real queue.db with a fake clock and a recording sink.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/clock.h"
#include "buses/deliveries.h"
#include "buses/router.h"
#include "buses/rule_timer.h"
#include "buses/store.h"
#include "queue/store.h"
#include "queue/test_dir.h"

using namespace nimbus;
using namespace nimbus::buses;
namespace json = boost::json;

namespace {

struct Recorded {
  std::string id, arn, body;
  std::vector<SinkAttribute> attributes;
};

struct FakeSink : TargetSink {
  std::vector<Recorded> delivered;
  std::vector<base::ErrorCode> failures;  // popped front per delivery; success when empty
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& body,
                       const std::vector<SinkAttribute>& attributes) override {
    if (!failures.empty()) {
      auto code = failures.front();
      failures.erase(failures.begin());
      return base::make_error(code, "refused by the fake");
    }
    delivered.push_back({id, arn, body, attributes});
    return {};
  }
};

constexpr const char* kQueueArn = "arn:aws:sqs:us-east-1:000000000000:orders";
constexpr const char* kDlqArn = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";

struct Fixture {
  queue::TestDir dir{"buses-"};
  base::FakeClock clock;
  std::unique_ptr<queue::Store> queues;
  std::unique_ptr<Store> store;
  FakeSink sink;
  std::unique_ptr<Deliveries> deliveries;
  std::unique_ptr<Router> router;

  Fixture() {
    clock.set_ms(1514000000000);
    queues = std::move(*queue::Store::open(dir.file("queue.db"), clock));
    store = std::move(*Store::open(dir.file("buses.db"), "us-east-1"));
    DeliveryOptions o;
    o.sink = &sink;
    o.retry_delays_ms = {1000};
    deliveries = std::move(*Deliveries::open(*queues, o));
    router = std::make_unique<Router>(*store, *deliveries, clock);
  }

  void rule(const std::string& name, const std::string& pattern, std::vector<Target> targets,
            const std::string& bus = kDefaultBus) {
    Rule r;
    r.name = name;
    r.bus = bus;
    r.event_pattern = pattern;
    ASSERT_TRUE(store->put_rule(r).ok());
    ASSERT_TRUE(store->set_targets(bus, name, std::move(targets)).ok());
  }

  PutEventsEntry entry(std::string detail = R"({"state":"paid","total":12})") {
    PutEventsEntry e;
    e.source = "shop.orders";
    e.detail_type = "Order Paid";
    e.detail = std::move(detail);
    e.resources = {"arn:aws:s3:::bucket"};
    return e;
  }
};

Target target(std::string id, std::string arn) {
  Target t;
  t.id = std::move(id);
  t.arn = std::move(arn);
  return t;
}

}  // namespace

TEST(BusStore, DefaultBusRulesAndTargetsSurviveAReopen) {
  queue::TestDir dir{"buses-"};
  {
    auto store = std::move(*Store::open(dir.file("buses.db"), "us-east-1"));
    ASSERT_TRUE(store->bus("default"));
    EXPECT_EQ(store->bus("default")->arn, "arn:aws:events:us-east-1:000000000000:event-bus/default");
    Bus b;
    b.name = "orders";
    ASSERT_TRUE(store->create_bus(b).ok());
    EXPECT_EQ(store->create_bus(b).error().code, base::ErrorCode::kAlreadyExists);
    Rule r;
    r.name = "paid";
    r.bus = "orders";
    r.event_pattern = R"({"source":["shop"]})";
    auto put = store->put_rule(r);
    ASSERT_TRUE(put.ok());
    EXPECT_EQ(put->arn, "arn:aws:events:us-east-1:000000000000:rule/orders/paid");
    Target t = target("q", kQueueArn);
    t.input.input_path = "$.detail";
    t.retry.maximum_retry_attempts = 3;
    ASSERT_TRUE(store->set_targets("orders", "paid", {t}).ok());
    EXPECT_EQ(store->delete_rule("orders", "paid").error().code, base::ErrorCode::kConflict);
  }
  auto store = std::move(*Store::open(dir.file("buses.db"), "us-east-1"));
  auto r = store->rule("orders", "paid");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->targets.size(), 1u);
  EXPECT_EQ(r->targets[0].input.input_path.value_or(""), "$.detail");
  EXPECT_EQ(r->targets[0].retry.maximum_retry_attempts, 3);
  EXPECT_EQ(store->matchable("orders").size(), 1u);
  ASSERT_TRUE(store->set_state("orders", "paid", "DISABLED").ok());
  EXPECT_TRUE(store->matchable("orders").empty());
  EXPECT_EQ(store->delete_bus("default").error().code, base::ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store->delete_bus("orders").ok());
  EXPECT_FALSE(store->rule("orders", "paid"));
}

TEST(BusRouter, EnvelopeAsAwsWritesIt) {
  Fixture f;
  f.rule("all", R"({"source":["shop.orders"]})", {target("q", kQueueArn)});
  auto results = f.router->put_events({f.entry()});
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  ASSERT_TRUE((*results)[0].error_code.empty());
  f.deliveries->run_once();
  ASSERT_EQ(f.sink.delivered.size(), 1u);
  EXPECT_EQ(f.sink.delivered[0].arn, kQueueArn);
  json::object event = json::parse(f.sink.delivered[0].body).as_object();
  std::vector<std::string> keys;
  for (const auto& [k, _] : event) keys.emplace_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"version", "id", "detail-type", "source", "account", "time", "region",
                                            "resources", "detail"}));
  EXPECT_EQ(event["version"], "0");
  EXPECT_EQ(event["id"].as_string(), (*results)[0].event_id);
  EXPECT_EQ(event["account"], "000000000000");
  EXPECT_EQ(event["time"], "2017-12-23T03:33:20Z");
  EXPECT_EQ(event["region"], "us-east-1");
  EXPECT_EQ(event["resources"], json::array{"arn:aws:s3:::bucket"});
  EXPECT_EQ(event["detail"].as_object()["state"], "paid");
}

TEST(BusRouter, OnlyMatchingEnabledRulesDeliverAndEntriesFailAlone) {
  Fixture f;
  f.rule("paid", R"({"detail":{"state":["paid"]}})", {target("a", kQueueArn), target("b", kDlqArn)});
  f.rule("refunded", R"({"detail":{"state":["refunded"]}})", {target("c", kQueueArn)});
  auto bad = f.entry("not json");
  auto missing = f.entry();
  missing.source.reset();
  auto elsewhere = f.entry();
  elsewhere.bus = "arn:aws:events:us-east-1:000000000000:event-bus/nope";
  auto results = f.router->put_events({f.entry(), bad, missing, elsewhere});
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE((*results)[0].error_code.empty());
  EXPECT_EQ((*results)[1].error_code, "MalformedDetail");
  EXPECT_EQ((*results)[2].error_code, "InvalidArgument");
  EXPECT_EQ((*results)[2].error_message, "Parameter Source is not valid. Reason: Source is a required argument.");
  EXPECT_EQ((*results)[3].error_code, "ResourceNotFoundException");
  f.deliveries->run_once();
  EXPECT_EQ(f.sink.delivered.size(), 2u);  // both targets of "paid", none of "refunded"
}

TEST(BusDeliveries, RetriesThenTheDeadLetterQueueWithAwsAttributes) {
  Fixture f;
  Target t = target("q", kQueueArn);
  t.retry.maximum_retry_attempts = 2;
  t.dead_letter_arn = kDlqArn;
  f.rule("paid", R"({"source":["shop.orders"]})", {t});
  f.sink.failures = {base::ErrorCode::kIo, base::ErrorCode::kIo, base::ErrorCode::kIo};
  ASSERT_TRUE(f.router->put_events({f.entry()}).ok());
  for (int i = 0; i < 8; ++i) {  // a turn settles the attempt before it; each retry waits 1 s
    f.deliveries->run_once();
    f.clock.advance_ms(1500);
  }
  ASSERT_EQ(f.sink.delivered.size(), 1u);
  EXPECT_EQ(f.sink.delivered[0].arn, kDlqArn);
  std::map<std::string, std::string> attributes;
  for (const auto& a : f.sink.delivered[0].attributes) attributes[a.name] = a.value;
  EXPECT_EQ(attributes["RULE_ARN"], "arn:aws:events:us-east-1:000000000000:rule/paid");
  EXPECT_EQ(attributes["TARGET_ARN"], kQueueArn);
  EXPECT_EQ(attributes["ERROR_CODE"], "InternalException");
  EXPECT_EQ(json::parse(f.sink.delivered[0].body).as_object()["source"], "shop.orders");
}

TEST(BusDeliveries, AMissingTargetIsNotRetried) {
  Fixture f;
  Target t = target("q", kQueueArn);
  t.dead_letter_arn = kDlqArn;
  f.rule("paid", R"({"source":["shop.orders"]})", {t});
  f.sink.failures = {base::ErrorCode::kNotFound};
  ASSERT_TRUE(f.router->put_events({f.entry()}).ok());
  f.deliveries->run_once();
  f.deliveries->run_once();
  ASSERT_EQ(f.sink.delivered.size(), 1u);
  EXPECT_EQ(f.sink.delivered[0].arn, kDlqArn);
}

TEST(BusRouter, TestEventPattern) {
  EXPECT_TRUE(*Router::test_pattern(R"({"source":["a"]})", R"({"source":"a"})"));
  EXPECT_FALSE(*Router::test_pattern(R"({"source":["a"]})", R"({"source":"b"})"));
  auto bad = Router::test_pattern(R"({"source":"a"})", R"({"source":"b"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, "InvalidEventPatternException");
}

TEST(BusRuleTimer, FiresOnTimeWithTheScheduledEventAndCatchesUpOnce) {
  Fixture f;
  Rule r;
  r.name = "every-minute";
  r.bus = kDefaultBus;
  r.schedule_expression = "rate(1 minute)";
  r.created_ms = f.clock.now_ms();
  ASSERT_TRUE(f.store->put_rule(r).ok());
  ASSERT_TRUE(f.store->set_targets(kDefaultBus, "every-minute", {target("q", kQueueArn)}).ok());
  RuleTimer timer(*f.store, *f.router, f.clock);
  int64_t created = f.clock.now_ms();
  EXPECT_EQ(timer.run_once(), created + 60000);  // rate(): one period after creation
  f.clock.advance_ms(59999);
  timer.run_once();
  f.deliveries->run_once();
  EXPECT_TRUE(f.sink.delivered.empty());
  f.clock.advance_ms(1);
  EXPECT_EQ(timer.run_once(), created + 120000);
  f.deliveries->run_once();
  ASSERT_EQ(f.sink.delivered.size(), 1u);
  json::object event = json::parse(f.sink.delivered[0].body).as_object();
  EXPECT_EQ(event["detail-type"], "Scheduled Event");
  EXPECT_EQ(event["source"], "aws.events");
  EXPECT_EQ(event["resources"], json::array{"arn:aws:events:us-east-1:000000000000:rule/every-minute"});
  EXPECT_EQ(event["detail"], json::object{});
  EXPECT_EQ(event["time"], "2017-12-23T03:34:20Z");
  // Ten minutes down: one fire to catch up, for the latest missed time, then the schedule goes on.
  f.clock.advance_ms(10 * 60000 + 500);
  RuleTimer again(*f.store, *f.router, f.clock);
  EXPECT_EQ(again.run_once(), created + 12 * 60000);
  f.deliveries->run_once();
  ASSERT_EQ(f.sink.delivered.size(), 2u);
  EXPECT_EQ(json::parse(f.sink.delivered[1].body).as_object()["time"], "2017-12-23T03:44:20Z");
  auto upcoming = again.upcoming(3);
  ASSERT_EQ(upcoming.size(), 1u);
  EXPECT_EQ(upcoming[0].fires_ms, (std::vector<int64_t>{created + 12 * 60000, created + 13 * 60000, created + 14 * 60000}));
  ASSERT_TRUE(f.store->set_state(kDefaultBus, "every-minute", "DISABLED").ok());
  EXPECT_EQ(again.run_once(), 0);
}
