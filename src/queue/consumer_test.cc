#include "queue/consumer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "queue/test_dir.h"

namespace nimbus::queue {
namespace {

// Keeps every started message's `done` until the test finishes it.
class HeldHandler : public Handler {
 public:
  void start(const Message& m, std::function<void(Settle)> done) override {
    std::lock_guard lock(mu);
    started.push_back(m);
    pending.emplace_back(m.id, std::move(done));
    cv.notify_all();
  }
  void finish(const std::string& id, Settlement s) {
    std::function<void(Settle)> done;
    {
      std::lock_guard lock(mu);
      for (auto it = pending.begin(); it != pending.end(); ++it)
        if (it->first == id) {
          done = std::move(it->second);
          pending.erase(it);
          break;
        }
    }
    ASSERT_TRUE(done) << id << " is not running";
    done([s](const Message&) { return s; });
  }
  size_t started_count() {
    std::lock_guard lock(mu);
    return started.size();
  }
  bool wait_started(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return started.size() >= n; });
  }
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Message> started;
  std::vector<std::pair<std::string, std::function<void(Settle)>>> pending;
};

// Acknowledges everything at once, on the consumer's thread.
class AckingHandler : public HeldHandler {
 public:
  void start(const Message& m, std::function<void(Settle)> done) override {
    HeldHandler::start(m, [](Settle) {});
    done([](const Message&) { return Settlement{}; });
  }
};

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::open(dir.file("queue.db"), clock);
    ASSERT_TRUE(s.ok());
    store = std::move(*s);
    ASSERT_TRUE(store->ensure_queue("dlq").ok());
    ASSERT_TRUE(store->ensure_queue("q", {"dlq", 0}).ok());
  }
  void send(const std::string& id, const std::string& key, int64_t delay = 0) {
    OutgoingMessage m;
    m.id = id;
    m.key = key;
    m.payload = id;
    m.delay_ms = delay;
    ASSERT_TRUE(store->send("q", m).ok());
  }
  ConsumerOptions options(int max = 10, int per_key = 0) {
    ConsumerOptions o;
    o.queue = "q";
    o.max_in_flight = max;
    o.per_key_limit = per_key;
    o.visibility_ms = 60'000;
    return o;
  }
  TestDir dir;
  base::FakeClock clock;
  std::unique_ptr<Store> store;
};

TEST_F(ConsumerTest, HoldsThePerKeyAndTotalCaps) {
  for (int i = 0; i < 5; ++i) send("a" + std::to_string(i), "a");
  for (int i = 0; i < 3; ++i) send("b" + std::to_string(i), "b");
  HeldHandler h;
  Consumer c(*store, h, options(3, 2));
  c.run_once();
  ASSERT_EQ(h.started_count(), 3u);
  auto load = c.in_flight_by_key();
  EXPECT_EQ(load["a"], 2);
  EXPECT_EQ(load["b"], 1);
  EXPECT_EQ(c.run_once(), 0) << "at the cap nothing is timed: the next wake is a finished message";
  EXPECT_EQ(h.started_count(), 3u);
  h.finish("a0", {});
  c.run_once();
  ASSERT_EQ(h.started_count(), 4u);
  EXPECT_EQ(h.started.back().id, "a2") << "the oldest due, a has room for one again";
  EXPECT_EQ(store->list("q")->size(), 7u) << "a0 was acknowledged";
  h.finish("b0", {});
  c.run_once();
  ASSERT_EQ(h.started_count(), 5u);
  EXPECT_EQ(h.started.back().id, "b1") << "a is at its cap of 2 though a3 is older";
}

TEST_F(ConsumerTest, ReleasesWithDelayAndWakesWhenDue) {
  send("m", "k");
  HeldHandler h;
  Consumer c(*store, h, options());
  c.run_once();
  Settlement later;
  later.kind = Settlement::Kind::kRelease;
  later.release.delay_ms = 1500;
  h.finish("m", later);
  EXPECT_EQ(c.run_once(), clock.now_ms() + 1500);
  EXPECT_EQ(h.started_count(), 1u);
  clock.advance_ms(1500);
  c.run_once();
  ASSERT_EQ(h.started_count(), 2u);
  EXPECT_EQ(h.started.back().receive_count, 2);
}

TEST_F(ConsumerTest, DelayedSendsAreTheNextWake) {
  send("m", "k", 700);
  HeldHandler h;
  Consumer c(*store, h, options());
  EXPECT_EQ(c.run_once(), clock.now_ms() + 700);
  EXPECT_EQ(h.started_count(), 0u);
}

TEST_F(ConsumerTest, DeadLettersThenRunsTheFollowUpOutsideTheStoreLock) {
  send("m", "k");
  HeldHandler h;
  Consumer c(*store, h, options());
  c.run_once();
  bool after_ran = false;
  Settlement dead;
  dead.kind = Settlement::Kind::kDeadLetter;
  dead.condition = "RetriesExhausted";
  dead.error = "boom";
  dead.after = [&] {
    // The follow-up may use the store (it is durable and unlocked by now).
    after_ran = true;
    EXPECT_EQ(store->list("dlq")->size(), 1u);
    OutgoingMessage m;
    m.payload = "a follow-up send";
    EXPECT_TRUE(store->send("q", m).ok());
  };
  h.finish("m", dead);
  c.run_once();
  EXPECT_TRUE(after_ran);
  EXPECT_EQ(store->list("dlq")->at(0).dead_condition, "RetriesExhausted");
}

TEST_F(ConsumerTest, AFailedSettlementIsRetriedWithBackoffNotAHotLoop) {
  send("m", "k");
  HeldHandler h;
  Consumer c(*store, h, options());
  c.run_once();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("queue.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "CREATE TRIGGER no_updates BEFORE UPDATE ON messages BEGIN SELECT RAISE(FAIL, 'injected'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  bool after_ran = false;
  Settlement retry;
  retry.kind = Settlement::Kind::kRelease;
  retry.release.delay_ms = 10;
  retry.after = [&] { after_ran = true; };
  h.finish("m", retry);
  int64_t wake = c.run_once();
  EXPECT_EQ(wake, clock.now_ms() + 1000) << "the write is tried again in a second";
  EXPECT_FALSE(after_ran);
  for (int i = 0; i < 5; ++i) c.run_once();
  EXPECT_EQ(h.started_count(), 1u) << "the message kept its lease: not due at once";
  clock.advance_ms(1000);
  EXPECT_EQ(c.run_once(), clock.now_ms() + 2000) << "still failing: a longer wait";
  ASSERT_EQ(sqlite3_exec(other, "DROP TRIGGER no_updates", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  clock.advance_ms(2000);
  c.run_once();
  EXPECT_TRUE(after_ran);
  clock.advance_ms(10);
  c.run_once();
  EXPECT_EQ(h.started_count(), 2u) << "released with its 10 ms delay, then received again";
}

TEST_F(ConsumerTest, OnItsThreadItWakesOnSendsAndDueTimesWithoutPolling) {
  auto real = Store::open(dir.file("real.db"));
  ASSERT_TRUE(real.ok());
  ASSERT_TRUE((*real)->ensure_queue("q").ok());
  AckingHandler h;
  Consumer c(**real, h, options());
  ASSERT_TRUE(c.start().ok());
  OutgoingMessage m;
  m.payload = "now";
  ASSERT_TRUE((*real)->send("q", m).ok());
  EXPECT_TRUE(h.wait_started(1, std::chrono::seconds(2)));
  OutgoingMessage later;
  later.payload = "later";
  later.delay_ms = 300;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*real)->send("q", later).ok());
  EXPECT_TRUE(h.wait_started(2, std::chrono::seconds(3)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(290));
  for (int i = 0; i < 100 && !(*real)->list("q")->empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE((*real)->list("q")->empty());
  c.stop();
}

TEST_F(ConsumerTest, StartRecoversLeasesOfTheProcessBefore) {
  send("m", "k");
  ReceiveOptions o;
  ASSERT_EQ(store->receive("q", o)->size(), 1u);  // leased by "the process before"
  HeldHandler h;
  ConsumerOptions opts = options();
  Consumer c(*store, h, opts);
  ASSERT_TRUE(c.start().ok());
  ASSERT_TRUE(h.wait_started(1));
  EXPECT_EQ(h.started[0].receive_count, 1) << "the lost receive was refunded";
  c.stop();
  h.finish("m", {});  // late: dropped without harm
}

}  // namespace
}  // namespace nimbus::queue
