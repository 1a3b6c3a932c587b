#include "functions/async_queue.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>

#include "base/ids.h"
#include "base/sqlite.h"
#include "functions/runtimes.h"
#include "queue/store.h"

namespace nimbus::functions {
namespace {

// The invoke target: records each request and keeps its `done` for the test to answer.
struct FakeTarget {
  struct Call {
    InvokeRequest request;
    std::function<void(base::Result<InvokeResult>)> done;
  };
  std::mutex mu;
  std::vector<Call> calls;
  std::vector<Call> open;

  InvokeTarget target() {
    return [this](InvokeRequest r, std::function<void(base::Result<InvokeResult>)> done) {
      std::lock_guard lock(mu);
      calls.push_back({r, nullptr});
      open.push_back({std::move(r), std::move(done)});
    };
  }
  // Answers the oldest open call.
  void answer(base::Result<InvokeResult> r) {
    Call c;
    {
      std::lock_guard lock(mu);
      ASSERT_FALSE(open.empty()) << "no invocation is running";
      c = std::move(open.front());
      open.erase(open.begin());
    }
    c.done(std::move(r));
  }
  void succeed() { answer(InvokeResult{false, "\"ok\"", "", "$LATEST"}); }
  void fail() { answer(InvokeResult{true, R"({"errorType":"BadThing","errorMessage":"no"})", "", "$LATEST"}); }
  void throttle() { answer(base::make_error(base::ErrorCode::kThrottled, "over the limit")); }
  size_t count() {
    std::lock_guard lock(mu);
    return calls.size();
  }
};

class AsyncQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = (std::filesystem::temp_directory_path() / ("async-" + base::random_hex(6))).string();
    std::filesystem::create_directories(dir);
    open_store();
  }
  void TearDown() override {
    q.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  void open_store() {
    auto s = queue::Store::open(dir + "/queue.db", clock);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
  }
  void open_queue() {
    q.reset();
    options.on_dead_letter = [this](const EventOutcome& dl) { dead.push_back(dl); };
    auto opened = AsyncQueue::open(*store, dir, target.target(), options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    q = std::move(*opened);
  }
  AsyncOptions lambda_like() {
    AsyncOptions o;
    o.retry_delays = {std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)};
    o.max_event_age = std::chrono::milliseconds(60'000);
    o.throttle_delay = std::chrono::milliseconds(500);
    return o;
  }

  std::string dir;
  base::FakeClock clock;
  std::unique_ptr<queue::Store> store;
  FakeTarget target;
  AsyncOptions options = lambda_like();
  std::vector<EventOutcome> dead;
  std::unique_ptr<AsyncQueue> q;
};

TEST_F(AsyncQueueTest, AnEventIsInvokedThenLeavesTheQueue) {
  open_queue();
  auto id = q->enqueue("fn:live", R"({"n":1})", "Root=1-abc", "", 3);
  ASSERT_TRUE(id.ok());
  q->run_once();
  ASSERT_EQ(target.count(), 1u);
  const auto& req = target.calls[0].request;
  EXPECT_EQ(req.function, "fn");
  EXPECT_EQ(req.qualifier, "live");
  EXPECT_EQ(req.payload, R"({"n":1})");
  EXPECT_EQ(req.trace_id, "Root=1-abc");
  EXPECT_EQ(req.depth, 3);
  EXPECT_EQ(req.request_id, *id);
  ASSERT_EQ(q->list().size(), 1u);
  EXPECT_EQ(q->list()[0].state, "in-flight");
  EXPECT_EQ(q->stats()[0].in_flight, 1);
  target.succeed();
  q->run_once();
  EXPECT_TRUE(q->list().empty());
  EXPECT_TRUE(dead.empty());
}

TEST_F(AsyncQueueTest, ACallerGivenIdIsQueuedOnce) {
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "{}", "", "s3-event-1").ok());
  ASSERT_TRUE(q->enqueue("fn", "{}", "", "s3-event-1").ok());
  EXPECT_EQ(q->list().size(), 1u);
  // Its invocation runs under a UUID, as every Lambda request id is, the same on every attempt.
  q->run_once();
  ASSERT_EQ(target.count(), 1u);
  std::string rid = target.calls[0].request.request_id;
  EXPECT_EQ(rid, request_id_of("s3-event-1"));
  EXPECT_EQ(rid.size(), 36u);
  EXPECT_EQ(rid[14], '4') << rid;
  EXPECT_NE(rid, request_id_of("s3-event-2"));
  EXPECT_EQ(request_id_of("0f0e8a4c-1b2d-4c3e-8f4a-5b6c7d8e9f00"), "0f0e8a4c-1b2d-4c3e-8f4a-5b6c7d8e9f00");
  target.succeed();
  q->run_once();
}

TEST_F(AsyncQueueTest, FailuresAreRetriedOnScheduleThenDeadLettered) {
  open_queue();
  auto id = q->enqueue("fn", R"({"x":1})");
  q->run_once();
  target.fail();
  EXPECT_EQ(q->run_once(), clock.now_ms() + 1000);
  EXPECT_EQ(q->list()[0].attempts, 1);
  EXPECT_EQ(q->list()[0].state, "pending");
  clock.advance_ms(999);
  q->run_once();
  EXPECT_EQ(target.count(), 1u) << "not before its delay";
  clock.advance_ms(1);
  q->run_once();
  ASSERT_EQ(target.count(), 2u);
  target.fail();
  EXPECT_EQ(q->run_once(), clock.now_ms() + 2000);
  clock.advance_ms(2000);
  q->run_once();
  ASSERT_EQ(target.count(), 3u);
  target.fail();
  q->run_once();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, *id);
  EXPECT_EQ(dead[0].condition, "RetriesExhausted");
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(dead[0].payload, R"({"x":1})");
  EXPECT_NE(dead[0].response.find("BadThing"), std::string::npos);
  auto listed = q->list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, "dead");
  EXPECT_NE(listed[0].last_error.find("BadThing"), std::string::npos);
  auto st = q->stats();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].dead, 1);
  EXPECT_EQ(st[0].pending, 0);
  EXPECT_EQ(st[0].oldest_created_ms, 0);
  clock.advance_ms(100'000);
  q->run_once();
  EXPECT_EQ(target.count(), 3u) << "a dead letter is not tried again";
}

TEST_F(AsyncQueueTest, TheFunctionsEventInvokeConfigOverridesRetriesAndDestination) {
  options.config_for = [](const std::string& fn, const std::string& qualifier) -> std::optional<EventInvokeConfig> {
    EXPECT_EQ(fn, "fn");
    EXPECT_EQ(qualifier, "1");  // the event's own qualifier's config
    EventInvokeConfig c;
    c.max_retry_attempts = 0;
    c.on_failure = "arn:aws:s3:::failures";
    return c;
  };
  open_queue();
  ASSERT_TRUE(q->enqueue("fn:1", "{}").ok());
  q->run_once();
  target.fail();
  q->run_once();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 1);
  EXPECT_EQ(dead[0].destination, "arn:aws:s3:::failures");
  EXPECT_EQ(dead[0].function, "fn:1");
}

TEST_F(AsyncQueueTest, AnEventTheHostCannotRunIsRetriedThenADeadLetterWithLambdasErrorJson) {
  options.retry_delays = {std::chrono::milliseconds(10)};
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "{}").ok());
  for (int attempt = 0; attempt < 2; ++attempt) {
    q->run_once();
    target.answer(base::make_error(base::ErrorCode::kUnavailable, "built for arm64", kInvalidRuntimeReason));
    q->run_once();
    clock.advance_ms(10);
  }
  ASSERT_EQ(target.count(), 2u);  // retried as a failed invocation is
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].condition, "RetriesExhausted");
  EXPECT_EQ(dead[0].response, R"({"errorMessage":"built for arm64","errorType":"InvalidRuntimeException"})");
}

TEST_F(AsyncQueueTest, EventsPastTheirMaximumAgeAreDeadLetters) {
  options.retry_delays = {std::chrono::milliseconds(45'000), std::chrono::milliseconds(45'000)};
  options.max_event_age = std::chrono::milliseconds(60'000);
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "{}").ok());
  q->run_once();
  target.fail();  // retry in 45 s: age 45 s
  q->run_once();
  clock.advance_ms(45'000);
  q->run_once();
  target.fail();  // retry in 45 s would be at 90 s
  q->run_once();
  clock.advance_ms(45'000);
  q->run_once();
  ASSERT_EQ(target.count(), 3u);
  clock.advance_ms(1);  // 90 s old when it fails
  target.fail();
  q->run_once();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].condition, "EventAgeExceeded");
}

TEST_F(AsyncQueueTest, ThrottledEventsWaitWithoutSpendingAttempts) {
  options.config_for = [](const std::string&, const std::string&) -> std::optional<EventInvokeConfig> {
    EventInvokeConfig c;
    c.max_retry_attempts = 0;  // one failure would be the end
    return c;
  };
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "{}").ok());
  for (int i = 0; i < 5; ++i) {
    q->run_once();
    ASSERT_EQ(target.count(), static_cast<size_t>(i + 1));
    target.throttle();
    EXPECT_EQ(q->run_once(), clock.now_ms() + 500);
    EXPECT_EQ(q->list()[0].attempts, 0);
    clock.advance_ms(500);
  }
  q->run_once();
  target.succeed();
  q->run_once();
  EXPECT_TRUE(dead.empty());
  EXPECT_TRUE(q->list().empty());
}

TEST_F(AsyncQueueTest, AnUnknownFunctionIsADeadLetterAtOnce) {
  open_queue();
  ASSERT_TRUE(q->enqueue("gone", "{}").ok());
  q->run_once();
  target.answer(base::make_error(base::ErrorCode::kNotFound, "Function not found"));
  q->run_once();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].response, "Function not found");
}

TEST_F(AsyncQueueTest, OneFunctionTakesTurnsWithoutHoldingUpOthers) {
  options.max_in_flight_per_function = 2;
  open_queue();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q->enqueue("busy", "{}").ok());
  ASSERT_TRUE(q->enqueue("other:prod", "{}").ok());
  q->run_once();
  ASSERT_EQ(target.count(), 3u);
  int busy = 0;
  for (const auto& c : target.calls) busy += c.request.function == "busy";
  EXPECT_EQ(busy, 2);
  target.succeed();
  q->run_once();
  EXPECT_EQ(target.count(), 4u);
}

TEST_F(AsyncQueueTest, DeadLettersAreHandledOutsideTheQueueLockAndCanEnqueue) {
  options.retry_delays.clear();
  open_queue();
  // The dead-letter follow-up enqueues: under the old design (the callback
  // under the database mutex) this would deadlock.
  options.on_dead_letter = nullptr;
  std::vector<std::string> follow_ups;
  auto opened = AsyncQueue::open(*store, dir, target.target(), [&] {
    AsyncOptions o = options;
    o.on_dead_letter = [&](const EventOutcome& dl) {
      auto id = q->enqueue("audit", dl.id);
      ASSERT_TRUE(id.ok());
      follow_ups.push_back(*id);
    };
    return o;
  }());
  ASSERT_TRUE(opened.ok());
  q = std::move(*opened);
  ASSERT_TRUE(q->enqueue("fn", "{}").ok());
  q->run_once();
  target.fail();
  q->run_once();
  ASSERT_EQ(follow_ups.size(), 1u);
  EXPECT_EQ(q->list().size(), 2u);  // the dead letter and the audit event
}

TEST_F(AsyncQueueTest, RedriveGivesDeadLettersFreshAttempts) {
  options.retry_delays.clear();
  options.config_for = [](const std::string&, const std::string&) -> std::optional<EventInvokeConfig> {
    EventInvokeConfig c;
    c.max_retry_attempts = 0;
    return c;
  };
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "{}").ok());
  q->run_once();
  target.fail();
  q->run_once();
  ASSERT_EQ(dead.size(), 1u);
  auto n = q->redrive();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  auto listed = q->list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, "pending");
  EXPECT_EQ(listed[0].attempts, 0);
  q->run_once();
  ASSERT_EQ(target.count(), 2u);
  target.succeed();
  q->run_once();
  EXPECT_TRUE(q->list().empty());
}

TEST_F(AsyncQueueTest, EventsSurviveAReopen) {
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "kept").ok());
  q->run_once();  // in flight when "nimbus dies"
  q.reset();
  store.reset();
  open_store();
  open_queue();
  ASSERT_TRUE(q->start().ok());  // recovers the lease of the process before
  for (int i = 0; i < 200 && target.count() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(target.count(), 2u);
  EXPECT_EQ(target.calls[1].request.payload, "kept");
  q->stop();
}

TEST_F(AsyncQueueTest, AFailedRetryWriteIsNotAHotLoop) {
  open_queue();
  ASSERT_TRUE(q->enqueue("fn", "{}").ok());
  q->run_once();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/queue.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "CREATE TRIGGER no_updates BEFORE UPDATE ON messages BEGIN SELECT RAISE(FAIL, 'injected'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  target.fail();
  for (int i = 0; i < 10; ++i) q->run_once();
  clock.advance_ms(5000);
  for (int i = 0; i < 10; ++i) q->run_once();
  EXPECT_EQ(target.count(), 1u) << "the event keeps its lease while its retry cannot be written";
  ASSERT_EQ(sqlite3_exec(other, "DROP TRIGGER no_updates", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  clock.advance_ms(30'000);
  q->run_once();  // the release is written now (1 s delay from now)
  clock.advance_ms(1000);
  q->run_once();
  EXPECT_EQ(target.count(), 2u);
  EXPECT_EQ(q->list()[0].attempts, 1);
}

// An invocations.db of the nimbus before the queue, made by hand.
TEST_F(AsyncQueueTest, EventsOfAnOlderInvocationsDbAreMigratedOnceAndDelivered) {
  {
    auto db = base::Connection::open(dir + "/invocations.db", false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec(R"sql(
CREATE TABLE async_events(
  id TEXT PRIMARY KEY, function TEXT NOT NULL, payload BLOB NOT NULL, trace_id TEXT NOT NULL,
  attempts INTEGER NOT NULL, created_ms INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL,
  state TEXT NOT NULL, last_error TEXT NOT NULL, depth INTEGER NOT NULL DEFAULT 1);
CREATE INDEX async_due ON async_events(state, next_attempt_ms);
INSERT INTO async_events VALUES('old-pending', 'fn:prod', '{"old":1}', 'Root=1-x', 1, 1600000000000, 0, 'pending', 'e1', 2);
INSERT INTO async_events VALUES('old-dead', 'fn', '{"old":2}', '', 3, 1600000000001, 0, 'dead', 'e3', 1);
)sql").ok());
  }
  open_queue();
  EXPECT_FALSE(std::filesystem::exists(dir + "/invocations.db"));
  auto listed = q->list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "old-pending");
  EXPECT_EQ(listed[0].function, "fn:prod");
  EXPECT_EQ(listed[0].attempts, 1);
  EXPECT_EQ(listed[0].last_error, "e1");
  EXPECT_EQ(listed[1].state, "dead");
  q->run_once();
  ASSERT_EQ(target.count(), 1u);
  EXPECT_EQ(target.calls[0].request.request_id, request_id_of("old-pending"));
  EXPECT_EQ(target.calls[0].request.qualifier, "prod");
  EXPECT_EQ(target.calls[0].request.depth, 2);
  EXPECT_EQ(target.calls[0].request.trace_id, "Root=1-x");
  target.succeed();
  q->run_once();
  EXPECT_EQ(*q->redrive(), 1) << "the migrated dead letter redrives like any other";
  q->run_once();
  EXPECT_EQ(target.count(), 2u);
}

}  // namespace
}  // namespace nimbus::functions
