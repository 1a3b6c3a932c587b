// Runner over a real mappings.db and queue (temp dir, the system clock) and a
// function faked by the test: which changes of a mapping restart its poller.
#include "mappings/runner.h"

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

// Tags change nothing a poller does: tagging a mapping while it gathers a batch does not
// restart it, so the batch reaches the function once, each message received once.
TEST(Runner, TaggingAMappingDoesNotRestartItsPoller) {
  queue::TestDir dir{"runner-"};
  auto qs = queue::Store::open(dir.file("queue.db"));
  ASSERT_TRUE(qs.ok());
  sqs::Queues queues(**qs, "us-east-1");
  ASSERT_TRUE(queues.create_queue("q", {}, {}).ok());
  auto ms = Store::open(dir.file("mappings.db"));
  ASSERT_TRUE(ms.ok());
  Store& store = **ms;

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> receive_counts;
  auto invoke = [&](functions::InvokeRequest r, std::function<void(base::Result<functions::InvokeResult>)> done) {
    auto v = json::parse(r.payload);
    {
      std::lock_guard l(mu);
      for (const auto& rec : v.at("Records").as_array())
        receive_counts.push_back(std::string(rec.at("attributes").at("ApproximateReceiveCount").as_string()));
      cv.notify_all();
    }
    std::thread([done = std::move(done)] { done(functions::InvokeResult{}); }).detach();
  };
  Runner runner(store, queues, invoke, PollerOptions{});

  Mapping m;
  m.uuid = "u";
  m.event_source_arn = "arn:aws:sqs:us-east-1:000000000000:q";
  m.function = "f";
  m.batch_size = 20;
  m.batching_window_s = 2;  // the poller holds what it received for 2 s, waiting for more
  ASSERT_TRUE(store.put(m).ok());
  runner.reconcile();
  sqs::SendRequest send;
  send.body = "m";
  ASSERT_TRUE(queues.send("q", send).ok());
  for (int i = 0; i < 200 && queues.stats("q")->in_flight == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(queues.stats("q")->in_flight, 1) << "the poller received it and gathers";

  m.tags["team"] = "a";
  ASSERT_TRUE(store.put(m).ok());
  runner.reconcile();
  std::unique_lock l(mu);
  ASSERT_TRUE(cv.wait_for(l, 20s, [&] { return !receive_counts.empty(); }));
  EXPECT_EQ(receive_counts, std::vector<std::string>{"1"});
  l.unlock();
  runner.stop();
}

}  // namespace
}  // namespace nimbus::mappings
