// SqsPoller over a real queue (queue::Store + sqs::Queues in a temp dir, the
// system clock) and a function faked by the test: what reaches the function,
// and what is deleted, kept or dead-lettered after each kind of answer.
#include "mappings/sqs_poller.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "queue/test_dir.h"
#include "sqs/queues.h"

namespace nimbus::mappings {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class SqsPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = queue::Store::open(dir.file("queue.db"));
    ASSERT_TRUE(s.ok());
    store = std::move(*s);
    queues = std::make_unique<sqs::Queues>(*store, "us-east-1");
    ASSERT_TRUE(queues->create_queue("dlq", {}, {}).ok());
    ASSERT_TRUE(queues
                    ->create_queue("q",
                                   {{"VisibilityTimeout", "1"},
                                    {"RedrivePolicy",
                                     R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"2"})"}},
                                   {})
                    .ok());
  }
  void TearDown() override { poller.reset(); }

  void send(const std::string& body) {
    sqs::SendRequest r;
    r.body = body;
    ASSERT_TRUE(queues->send("q", r).ok());
  }
  // Starts the poller; `answer` gives each event's result from its record bodies.
  void start(Mapping m, std::function<base::Result<functions::InvokeResult>(const std::vector<std::string>&)> answer) {
    m.uuid = "u";
    m.event_source_arn = "arn:aws:sqs:us-east-1:000000000000:q";
    m.function = "f";
    auto filters = Filters::parse(m.filters);
    ASSERT_TRUE(filters);
    auto invoke = [this, answer](functions::InvokeRequest r,
                                 std::function<void(base::Result<functions::InvokeResult>)> done) {
      std::vector<std::string> bodies;
      auto v = json::parse(r.payload);
      for (const auto& rec : v.at("Records").as_array()) {
        bodies.push_back(std::string(rec.at("body").as_string()));
        ids[bodies.back()] = std::string(rec.at("messageId").as_string());
      }
      auto result = answer(bodies);
      {
        std::lock_guard l(mu);
        events.push_back(bodies);
        cv.notify_all();
      }
      std::thread([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); }).detach();
    };
    poller = std::make_unique<SqsPoller>(m, std::move(*filters), *queues, invoke, PollerOptions{});
  }
  bool wait_for_events(size_t n) {
    std::unique_lock l(mu);
    return cv.wait_for(l, 20s, [&] { return events.size() >= n; });
  }
  int64_t count(const std::string& q) {
    auto s = queues->stats(q);
    return s ? s->visible + s->delayed + s->in_flight : -1;
  }
  bool eventually(std::function<bool()> f) {
    for (int i = 0; i < 400; ++i) {
      if (f()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  static base::Result<functions::InvokeResult> ok(std::string payload = "null") {
    functions::InvokeResult r;
    r.payload = std::move(payload);
    return r;
  }

  queue::TestDir dir{"poller-"};
  std::unique_ptr<queue::Store> store;
  std::unique_ptr<sqs::Queues> queues;
  std::unique_ptr<SqsPoller> poller;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<std::string>> events;
  std::map<std::string, std::string> ids;  // body -> message id
};

TEST_F(SqsPollerTest, ABatchReachesTheFunctionAndSuccessDeletesIt) {
  for (int i = 0; i < 25; ++i) send("m" + std::to_string(i));
  Mapping m;
  m.batch_size = 25;
  m.batching_window_s = 1;
  start(m, [](const auto&) { return ok(); });
  ASSERT_TRUE(wait_for_events(1));
  EXPECT_EQ(events[0].size(), 25u);  // gathered over rounds of 10
  EXPECT_TRUE(eventually([&] { return count("q") == 0; }));
  // A message sent later wakes the poller: no polling interval to wait for.
  send("late");
  ASSERT_TRUE(wait_for_events(2));
  EXPECT_EQ(events[1], std::vector<std::string>{"late"});
}

TEST_F(SqsPollerTest, FailedBatchesComeBackAndReachTheDeadLetterQueue) {
  send("bad");
  start(Mapping{}, [](const auto&) {
    functions::InvokeResult r;
    r.function_error = true;
    r.payload = R"({"errorMessage":"no"})";
    return base::Result<functions::InvokeResult>(r);
  });
  EXPECT_TRUE(eventually([&] { return count("dlq") == 1; }));
  EXPECT_EQ(count("q"), 0);
  std::lock_guard l(mu);
  EXPECT_EQ(events.size(), 2u);  // maxReceiveCount 2
}

TEST_F(SqsPollerTest, ReportedItemFailuresAloneStay) {
  send("a");
  send("b");
  Mapping m;
  m.report_batch_item_failures = true;
  start(m, [this](const std::vector<std::string>& bodies) {
    for (const auto& b : bodies)
      if (b == "b") return ok(R"({"batchItemFailures":[{"itemIdentifier":")" + ids[b] + R"("}]})");
    return ok();
  });
  EXPECT_TRUE(eventually([&] { return count("dlq") == 1; }));
  auto dead = queues->peek("dlq", 10);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ((*dead)[0].payload, "b");
  EXPECT_EQ(count("q"), 0);
}

TEST_F(SqsPollerTest, AnInvalidPartialResponseFailsTheWholeBatch) {
  send("a");
  Mapping m;
  m.report_batch_item_failures = true;
  start(m, [](const auto&) { return ok(R"({"batchItemFailures":[{"itemIdentifier":"not-in-batch"}]})"); });
  EXPECT_TRUE(eventually([&] { return count("dlq") == 1; }));
}

TEST_F(SqsPollerTest, WhatNoFilterLetsThroughIsDeletedUninvoked) {
  send(R"({"kind":"skip"})");
  send(R"({"kind":"take"})");
  Mapping m;
  m.filters = {R"({"body": {"kind": ["take"]}})"};
  start(m, [](const auto&) { return ok(); });
  ASSERT_TRUE(wait_for_events(1));
  EXPECT_TRUE(eventually([&] { return count("q") == 0; }));
  std::lock_guard l(mu);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], std::vector<std::string>{R"({"kind":"take"})"});
}

}  // namespace
}  // namespace nimbus::mappings
