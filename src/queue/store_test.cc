#include "queue/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>

#include "queue/test_dir.h"

namespace nimbus::queue {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    store.reset();
    auto s = Store::open(dir.file("queue.db"), clock);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
    ASSERT_TRUE(store->ensure_queue("dlq").ok());
    ASSERT_TRUE(store->ensure_queue("q", {"dlq", 0}).ok());
  }
  std::vector<Message> receive(int max = 10, int64_t visibility = 1000) {
    ReceiveOptions o;
    o.max = max;
    o.visibility_ms = visibility;
    auto r = store->receive("q", o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<Message>{};
  }
  OutgoingMessage msg(std::string id, std::string key = "", int64_t delay = 0) {
    OutgoingMessage m;
    m.id = std::move(id);
    m.key = std::move(key);
    m.payload = "payload of " + m.id;
    m.attributes = R"({"a":1})";
    m.delay_ms = delay;
    return m;
  }

  TestDir dir;
  base::FakeClock clock;
  std::unique_ptr<Store> store;
};

TEST_F(StoreTest, SendThenReceiveThenAck) {
  ASSERT_TRUE(*store->send("q", msg("a", "k")));
  auto got = receive();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, "a");
  EXPECT_EQ(got[0].key, "k");
  EXPECT_EQ(got[0].payload, "payload of a");
  EXPECT_EQ(got[0].attributes, R"({"a":1})");
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_EQ(got[0].state, MessageState::kInFlight);
  EXPECT_FALSE(got[0].lease.empty());
  EXPECT_TRUE(receive().empty()) << "a leased message is not received twice";
  ASSERT_TRUE(store->ack("q", "a", got[0].lease).ok());
  EXPECT_TRUE(store->list("q")->empty());
  EXPECT_EQ(store->ack("q", "a", got[0].lease).error().code, base::ErrorCode::kNotFound);
}

TEST_F(StoreTest, SendIsIdempotentById) {
  EXPECT_TRUE(*store->send("q", msg("a")));
  EXPECT_FALSE(*store->send("q", msg("a")));
  auto n = store->send_batch("q", {msg("a"), msg("b"), msg("c")});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(store->list("q")->size(), 3u);
  OutgoingMessage anon;
  anon.payload = "x";
  EXPECT_TRUE(*store->send("q", anon));  // a random id
  EXPECT_EQ(store->list("q")->size(), 4u);
}

TEST_F(StoreTest, UnknownQueuesAndBadArgumentsAreErrors) {
  EXPECT_EQ(store->send("nope", msg("a")).error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(store->receive("nope", {}).error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(store->send("q", msg("a", "", -1)).error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->ensure_queue("x", {"x", 0}).error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->ensure_queue("x", {"missing", 0}).error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(store->ensure_queue("x", {"", 3}).error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->ensure_queue("", {}).error().code, base::ErrorCode::kInvalidArgument);
  ReceiveOptions zero;
  zero.visibility_ms = 0;
  EXPECT_EQ(store->receive("q", zero).error().code, base::ErrorCode::kInvalidArgument);
}

TEST_F(StoreTest, DelayedMessagesWait) {
  ASSERT_TRUE(store->send("q", msg("later", "", 5000)).ok());
  EXPECT_TRUE(receive().empty());
  EXPECT_EQ(store->list("q")->at(0).state, MessageState::kDelayed);
  EXPECT_EQ(*store->next_visible_ms("q"), clock.now_ms() + 5000);
  clock.advance_ms(4999);
  EXPECT_TRUE(receive().empty());
  clock.advance_ms(1);
  EXPECT_EQ(receive().size(), 1u);
}

TEST_F(StoreTest, AnExpiredLeaseMakesTheMessageReceivableAgain) {
  ASSERT_TRUE(store->send("q", msg("a")).ok());
  auto first = receive(10, 1000);
  ASSERT_EQ(first.size(), 1u);
  clock.advance_ms(999);
  EXPECT_TRUE(receive().empty());
  clock.advance_ms(1);
  auto second = receive(10, 1000);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_NE(second[0].lease, first[0].lease);
  // The first receiver's lease is void: its ack and release are refused.
  EXPECT_EQ(store->ack("q", "a", first[0].lease).error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(store->release("q", "a", first[0].lease, {}).error().code, base::ErrorCode::kNotFound);
  EXPECT_TRUE(store->ack("q", "a", second[0].lease).ok());
}

TEST_F(StoreTest, ReleaseWithDelayAndRefund) {
  ASSERT_TRUE(store->send("q", msg("a")).ok());
  auto got = receive();
  ReleaseOptions later;
  later.delay_ms = 2000;
  later.error = "it failed";
  ASSERT_TRUE(store->release("q", "a", got[0].lease, later).ok());
  auto listed = store->list("q");
  EXPECT_EQ(listed->at(0).state, MessageState::kDelayed);
  EXPECT_EQ(listed->at(0).last_error, "it failed");
  EXPECT_EQ(listed->at(0).receive_count, 1);
  clock.advance_ms(2000);
  got = receive();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receive_count, 2);
  ReleaseOptions refund;
  refund.refund_receive = true;
  ASSERT_TRUE(store->release("q", "a", got[0].lease, refund).ok());
  listed = store->list("q");
  EXPECT_EQ(listed->at(0).receive_count, 1) << "a refunded receive does not count";
  EXPECT_EQ(listed->at(0).last_error, "it failed") << "an empty error keeps the last one";
  EXPECT_EQ(listed->at(0).state, MessageState::kVisible);
}

TEST_F(StoreTest, ReceiveIsOldestDueFirstAndHonoursMax) {
  ASSERT_TRUE(store->send("q", msg("first")).ok());
  clock.advance_ms(1);
  ASSERT_TRUE(store->send("q", msg("second")).ok());
  clock.advance_ms(1);
  ASSERT_TRUE(store->send("q", msg("third")).ok());
  auto got = receive(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, "first");
  EXPECT_EQ(got[1].id, "second");
  EXPECT_EQ(receive(2).size(), 1u);
}

TEST_F(StoreTest, PerKeyCapCountsTheCallersInFlight) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store->send("q", msg("a" + std::to_string(i), "a")).ok());
  ASSERT_TRUE(store->send("q", msg("b0", "b")).ok());
  ReceiveOptions o;
  o.per_key_limit = 2;
  o.in_flight_by_key = {{"a", 1}};
  auto got = store->receive("q", o);
  ASSERT_TRUE(got.ok());
  int as = 0, bs = 0;
  for (const auto& m : *got) (m.key == "a" ? as : bs)++;
  EXPECT_EQ(as, 1);  // one already in flight, cap 2
  EXPECT_EQ(bs, 1);
  o.in_flight_by_key = {{"a", 2}, {"b", 1}};
  EXPECT_TRUE(store->receive("q", o)->empty());
  EXPECT_EQ(*store->next_visible_ms("q", {"a"}), clock.now_ms() + 30'000) << "a is excluded; b's lease ends then";
}

TEST_F(StoreTest, DeadLetterThenRedriveBack) {
  ASSERT_TRUE(store->send("q", msg("a", "fn")).ok());
  auto got = receive();
  ASSERT_TRUE(store->dead_letter("q", "a", got[0].lease, "RetriesExhausted", "boom").ok());
  EXPECT_TRUE(store->list("q")->empty());
  auto dead = store->list("dlq");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->at(0).state, MessageState::kDead);
  EXPECT_EQ(dead->at(0).source_queue, "q");
  EXPECT_EQ(dead->at(0).dead_condition, "RetriesExhausted");
  EXPECT_EQ(dead->at(0).last_error, "boom");
  EXPECT_EQ(dead->at(0).payload, "payload of a");
  auto st = store->stats("q");
  EXPECT_EQ(st->dead, 1);
  EXPECT_EQ(st->visible, 0);

  clock.advance_ms(10'000);
  EXPECT_EQ(*store->redrive("dlq", "other"), 0);
  EXPECT_EQ(*store->redrive("dlq"), 1);
  auto back = store->list("q");
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ(back->at(0).receive_count, 0);
  EXPECT_EQ(back->at(0).sent_ms, clock.now_ms()) << "a redriven message starts a fresh life";
  EXPECT_EQ(back->at(0).state, MessageState::kVisible);
  EXPECT_TRUE(store->list("dlq")->empty());
  EXPECT_EQ(receive().size(), 1u);
}

TEST_F(StoreTest, DeadLetterNeedsADeadLetterQueueAndTheLease) {
  ASSERT_TRUE(store->ensure_queue("plain").ok());
  ASSERT_TRUE(store->send("plain", msg("a")).ok());
  auto got = store->receive("plain", {});
  EXPECT_EQ(store->dead_letter("plain", "a", got->at(0).lease, "x", "").error().code, base::ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store->send("q", msg("b")).ok());
  EXPECT_EQ(store->dead_letter("q", "b", "not-the-lease", "x", "").error().code, base::ErrorCode::kNotFound);
}

TEST_F(StoreTest, MaxReceivesMovesToTheDeadLetterQueue) {
  ASSERT_TRUE(store->ensure_queue("q", {"dlq", 2}).ok());
  ASSERT_TRUE(store->send("q", msg("a")).ok());
  for (int i = 1; i <= 2; ++i) {
    auto got = receive(10, 100);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].receive_count, i);
    clock.advance_ms(100);  // lease expires unsettled
  }
  EXPECT_TRUE(receive().empty());
  auto dead = store->list("dlq");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->at(0).dead_condition, "MaxReceivesExceeded");
  EXPECT_EQ(store->config("q")->max_receives, 2);
}

TEST_F(StoreTest, StatsPerQueueAndKey) {
  ASSERT_TRUE(store->send("q", msg("a1", "a")).ok());
  clock.advance_ms(10);
  ASSERT_TRUE(store->send("q", msg("a2", "a", 1000)).ok());
  ASSERT_TRUE(store->send("q", msg("b1", "b")).ok());
  ASSERT_TRUE(store->send("q", msg("b2", "b")).ok());
  int64_t first_sent = clock.now_ms() - 10;
  ReceiveOptions o;
  o.max = 1;
  auto got = store->receive("q", o);  // a1, the oldest
  ASSERT_EQ(got->at(0).id, "a1");
  auto by = store->stats_by_key("q");
  ASSERT_EQ(by->size(), 2u);
  EXPECT_EQ(by->at(0).key, "a");
  EXPECT_EQ(by->at(0).in_flight, 1);
  EXPECT_EQ(by->at(0).delayed, 1);
  EXPECT_EQ(by->at(0).visible, 0);
  EXPECT_EQ(by->at(0).oldest_sent_ms, first_sent);
  EXPECT_EQ(by->at(1).key, "b");
  EXPECT_EQ(by->at(1).visible, 2);
  auto total = store->stats("q");
  EXPECT_EQ(total->visible, 2);
  EXPECT_EQ(total->delayed, 1);
  EXPECT_EQ(total->in_flight, 1);
  EXPECT_EQ(total->dead, 0);
  EXPECT_EQ(total->oldest_sent_ms, first_sent);
  EXPECT_EQ(store->stats("dlq")->oldest_sent_ms, 0);
}

TEST_F(StoreTest, ListenersHearSendsReleasesAndRedrives) {
  std::atomic<int> heard{0}, other{0};
  int id = store->subscribe("q", [&] { ++heard; });
  store->subscribe("dlq", [&] { ++other; });
  ASSERT_TRUE(store->send("q", msg("a")).ok());
  EXPECT_EQ(heard, 1);
  ASSERT_TRUE(store->send("q", msg("a")).ok());
  EXPECT_EQ(heard, 1) << "a duplicate changes nothing";
  auto got = receive();
  ASSERT_TRUE(store->release("q", "a", got[0].lease, {}).ok());
  EXPECT_EQ(heard, 2);
  got = receive();
  ASSERT_TRUE(store->dead_letter("q", "a", got[0].lease, "c", "").ok());
  ASSERT_TRUE(*store->redrive("dlq"));
  EXPECT_EQ(heard, 3);
  store->unsubscribe(id);
  ASSERT_TRUE(store->send("q", msg("b")).ok());
  EXPECT_EQ(heard, 3);
  EXPECT_EQ(other, 0);
}

TEST_F(StoreTest, MessagesAndQueuesSurviveReopening) {
  ASSERT_TRUE(store->ensure_queue("q", {"dlq", 5}).ok());
  ASSERT_TRUE(store->send("q", msg("a", "k", 100)).ok());
  ASSERT_TRUE(store->send("q", msg("b", "k")).ok());
  auto got = receive(1);
  ASSERT_EQ(got[0].id, "b");
  reopen();  // (ensure_queue again with the old policy)
  ASSERT_TRUE(store->ensure_queue("q", {"dlq", 5}).ok());
  EXPECT_EQ(store->config("q")->max_receives, 5);
  auto listed = store->list("q");
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(0).id, "a");
  EXPECT_EQ(listed->at(0).payload, "payload of a");
  EXPECT_EQ(listed->at(1).state, MessageState::kInFlight);
  // A consumer starting over takes back what the last process had leased.
  EXPECT_EQ(*store->recover_leases("q"), 1);
  listed = store->list("q");
  EXPECT_EQ(listed->at(1).state, MessageState::kVisible);
  EXPECT_EQ(listed->at(1).receive_count, 0);
}

TEST_F(StoreTest, AFailedWriteIsReportedAndChangesNothing) {
  ASSERT_TRUE(store->send("q", msg("a")).ok());
  auto got = receive();
  // Another connection makes every update of the table fail.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("queue.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "CREATE TRIGGER no_updates BEFORE UPDATE ON messages BEGIN SELECT RAISE(FAIL, 'injected'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto s = store->release("q", "a", got[0].lease, {});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("injected"), std::string::npos) << s.error().message;
  EXPECT_EQ(store->list("q")->at(0).state, MessageState::kInFlight) << "still leased: not due at once";
  ASSERT_EQ(sqlite3_exec(other, "DROP TRIGGER no_updates", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_TRUE(store->release("q", "a", got[0].lease, {}).ok());
}

}  // namespace
}  // namespace nimbus::queue
