// The store's features SQS needs: group-committed sends, FIFO order by key,
// deduplication windows, visibility changes, removal by id, moves,
// receivable dead letters, retention.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>

#include "queue/store.h"
#include "queue/test_dir.h"

namespace nimbus::queue {
namespace {

class StoreSqsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::open(dir.file("queue.db"), clock);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
  }
  OutgoingMessage msg(std::string payload, std::string key = "", std::string dedup = "") {
    OutgoingMessage m;
    m.key = std::move(key);
    m.payload = std::move(payload);
    m.dedup_id = std::move(dedup);
    return m;
  }
  std::vector<Message> receive(const std::string& q, int max = 10, int64_t visibility = 1000) {
    ReceiveOptions o;
    o.max = max;
    o.visibility_ms = visibility;
    auto r = store->receive(q, o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<Message>{};
  }
  TestDir dir;
  base::FakeClock clock;
  std::unique_ptr<Store> store;
};

TEST_F(StoreSqsTest, ConcurrentSendsAllLandWithDistinctGrowingSequenceNumbers) {
  ASSERT_TRUE(store->ensure_queue("q").ok());
  std::vector<std::thread> threads;
  std::vector<std::vector<SendOutcome>> outcomes(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r = store->send_many("q", {msg("m" + std::to_string(t) + "-" + std::to_string(i))});
        ASSERT_TRUE(r.ok());
        outcomes[t].push_back(r->front());
      }
    });
  for (auto& t : threads) t.join();
  std::set<int64_t> seqs;
  for (const auto& per : outcomes) {
    for (size_t i = 1; i < per.size(); ++i) EXPECT_GT(per[i].seq, per[i - 1].seq) << "one thread's sends in order";
    for (const auto& o : per) {
      EXPECT_TRUE(o.added);
      seqs.insert(o.seq);
    }
  }
  EXPECT_EQ(seqs.size(), 200u);
  EXPECT_EQ(store->stats("q")->visible, 200);
}

TEST_F(StoreSqsTest, FifoGivesOneKeyInOrderAndNothingMoreWhileInFlight) {
  QueueConfig c;
  c.fifo = true;
  ASSERT_TRUE(store->ensure_queue("f", c).ok());
  ASSERT_TRUE(store->send_many("f", {msg("a1", "A"), msg("b1", "B"), msg("a2", "A")}).ok());
  auto first = receive("f", 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].payload, "a1");
  auto next = receive("f");
  ASSERT_EQ(next.size(), 1u) << "A is in flight: only B's message";
  EXPECT_EQ(next[0].payload, "b1");
  EXPECT_TRUE(*store->remove("f", first[0].id));
  auto after = receive("f");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].payload, "a2");
  EXPECT_EQ(after[0].first_received_ms, clock.now_ms());
}

TEST_F(StoreSqsTest, DedupHoldsForTheWindowEvenAfterTheMessageIsGone) {
  QueueConfig c;
  c.fifo = true;
  c.dedup_window_ms = 300'000;
  ASSERT_TRUE(store->ensure_queue("f", c).ok());
  auto one = store->send_many("f", {msg("x", "g", "d1")});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->front().added);
  auto got = receive("f");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(*store->remove("f", got[0].id));
  auto again = store->send_many("f", {msg("x", "g", "d1")});
  EXPECT_FALSE(again->front().added);
  EXPECT_EQ(again->front().id, one->front().id) << "a duplicate reports the first message's id";
  EXPECT_TRUE(receive("f").empty());
  clock.advance_ms(300'001);
  EXPECT_TRUE(store->send_many("f", {msg("x", "g", "d1")})->front().added);
}

TEST_F(StoreSqsTest, DedupPerKeyScopesIdsToTheirKey) {
  QueueConfig c;
  c.fifo = true;
  c.dedup_window_ms = 300'000;
  c.dedup_per_key = true;
  ASSERT_TRUE(store->ensure_queue("f", c).ok());
  auto r = store->send_many("f", {msg("x", "g1", "d"), msg("y", "g2", "d"), msg("z", "g1", "d")});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)[0].added);
  EXPECT_TRUE((*r)[1].added);
  EXPECT_FALSE((*r)[2].added);
}

TEST_F(StoreSqsTest, ChangeVisibilityNeedsTheCurrentLease) {
  ASSERT_TRUE(store->ensure_queue("q").ok());
  ASSERT_TRUE(store->send_many("q", {msg("x")}).ok());
  auto got = receive("q", 1, 1000);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(store->change_visibility("q", got[0].id, got[0].lease, 0).ok());
  auto again = receive("q", 1, 1000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_EQ(store->change_visibility("q", got[0].id, got[0].lease, 10).error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(store->next_visible_after("q", clock.now_ms()).value(), clock.now_ms() + 1000);
}

TEST_F(StoreSqsTest, ReceivableDeadLettersAreOrdinaryMessagesAndMoveBack) {
  QueueConfig dlq;
  dlq.receivable_dead_letters = true;
  ASSERT_TRUE(store->ensure_queue("dlq", dlq).ok());
  ASSERT_TRUE(store->ensure_queue("q", {"dlq", 1}).ok());
  ASSERT_TRUE(store->send_many("q", {msg("x")}).ok());
  ASSERT_EQ(receive("q", 1, 10).size(), 1u);
  clock.advance_ms(11);
  EXPECT_TRUE(receive("q").empty()) << "over max_receives: moved";
  auto dead = receive("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].origin_queue, "q");
  ASSERT_TRUE(store->change_visibility("dlq", dead[0].id, dead[0].lease, 0).ok());
  EXPECT_EQ(*store->move("dlq", "", 10), 1);
  auto back = receive("q");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].payload, "x");
  EXPECT_EQ(back[0].receive_count, 1);
}

TEST_F(StoreSqsTest, RetentionHidesAndDeletesOldMessages) {
  QueueConfig c;
  c.retention_ms = 60'000;
  ASSERT_TRUE(store->ensure_queue("q", c).ok());
  ASSERT_TRUE(store->send_many("q", {msg("old")}).ok());
  clock.advance_ms(30'000);
  ASSERT_TRUE(store->send_many("q", {msg("new")}).ok());
  clock.advance_ms(30'000);
  EXPECT_EQ(store->stats("q")->visible, 1);
  auto got = receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "new");
}

TEST_F(StoreSqsTest, DeleteQueueDetachesItsSourcesAndPurgeEmpties) {
  ASSERT_TRUE(store->ensure_queue("dlq").ok());
  ASSERT_TRUE(store->ensure_queue("q", {"dlq", 3}).ok());
  ASSERT_TRUE(store->send_many("q", {msg("a"), msg("b")}).ok());
  ASSERT_TRUE(store->delete_queue("dlq").ok());
  EXPECT_EQ(store->config("q")->max_receives, 0);
  EXPECT_EQ(*store->purge("q"), 2);
  EXPECT_EQ(store->queues().size(), 1u);
}

TEST_F(StoreSqsTest, SettingsSurviveReopen) {
  QueueConfig c;
  c.fifo = true;
  c.settings = R"({"x":1})";
  ASSERT_TRUE(store->ensure_queue("f", c).ok());
  ASSERT_TRUE(store->send_many("f", {msg("a", "g")}).ok());
  int64_t seq = store->list("f")->front().seq;
  store.reset();
  auto s = Store::open(dir.file("queue.db"), clock);
  ASSERT_TRUE(s.ok());
  store = std::move(*s);
  EXPECT_EQ(store->config("f")->settings, R"({"x":1})");
  EXPECT_TRUE(store->config("f")->fifo);
  EXPECT_GT(store->send_many("f", {msg("b", "g")})->front().seq, seq);
}

// A queue.db of the schema before SQS (no seq, origin_queue, first_received_ms,
// queue settings): opened, its columns are added and its messages still work.
TEST(StoreUpgrade, AnOlderQueueDbGetsTheNewColumns) {
  TestDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("queue.db").c_str(), &db), SQLITE_OK);
  const char* old_schema = R"sql(
    CREATE TABLE queues(name TEXT PRIMARY KEY, dead_letter_queue TEXT NOT NULL DEFAULT '',
                        max_receives INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE messages(queue TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL DEFAULT '',
      payload BLOB NOT NULL, attributes TEXT NOT NULL DEFAULT '{}', sent_ms INTEGER NOT NULL,
      visible_at_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0, lease TEXT NOT NULL DEFAULT '',
      last_error TEXT NOT NULL DEFAULT '', dead_condition TEXT NOT NULL DEFAULT '',
      source_queue TEXT NOT NULL DEFAULT '', PRIMARY KEY(queue, id));
    INSERT INTO queues(name) VALUES('lambda-async');
    INSERT INTO messages(queue, id, payload, sent_ms, visible_at_ms) VALUES('lambda-async', 'old', 'p', 1, 1);
  )sql";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  base::FakeClock clock;
  auto store = Store::open(dir.file("queue.db"), clock);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_FALSE((*store)->config("lambda-async")->fifo);
  auto sent = (*store)->send_many("lambda-async", {OutgoingMessage{"new", "", "q", "{}", 0, ""}});
  ASSERT_TRUE(sent.ok());
  EXPECT_GT(sent->front().seq, 0);
  ReceiveOptions o;
  auto got = (*store)->receive("lambda-async", o);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].id, "old");
  EXPECT_EQ((*got)[0].first_received_ms, clock.now_ms());
}

}  // namespace
}  // namespace nimbus::queue
