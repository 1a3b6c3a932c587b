#include "observability/log_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/time.h"

namespace nimbus::observability {
namespace {

namespace fs = std::filesystem;

class LogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nimbus-logs-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    open();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  // Retention off by default: these tests use timestamps near 1970.
  void open(LogStoreOptions options = LogStoreOptions{.retention_days = 0}) {
    store_.reset();
    auto s = LogStore::open(dir_.string(), options);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  std::vector<std::string> messages(const LogPage& page) {
    std::vector<std::string> out;
    for (const auto& e : page.events) out.push_back(e.message);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<LogStore> store_;
};

TEST_F(LogStoreTest, GroupsStreamsAndEventsInTimeOrder) {
  store_->append("/aws/lambda/a", "s2", "r2", 2000, "second");
  store_->append("/aws/lambda/a", "s1", "r1", 1000, "first");
  store_->append("/aws/lambda/b", "s1", "", 1500, "other group");
  store_->flush();
  auto groups = store_->groups("/aws/lambda/");
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].name, "/aws/lambda/a");
  EXPECT_EQ((*groups)[0].stored_bytes, 11u);  // "first" and "second"
  auto streams = store_->streams("/aws/lambda/a", "");
  ASSERT_TRUE(streams);
  ASSERT_EQ(streams->size(), 2u);
  EXPECT_EQ((*streams)[0].name, "s1");
  EXPECT_EQ((*streams)[1].last_event_ms, 2000);
  EXPECT_FALSE(store_->streams("/aws/lambda/none", ""));

  auto page = store_->query(LogQuery{.group = "/aws/lambda/a"});
  ASSERT_TRUE(page);
  EXPECT_EQ(messages(*page), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(page->events[0].stream, "s1");
  EXPECT_TRUE(page->next.empty());
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "/aws/lambda/a", .request_id = "r2"})),
            std::vector<std::string>{"second"});
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "/aws/lambda/a", .start_ms = 1500})),
            std::vector<std::string>{"second"});
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "/aws/lambda/a", .pattern = "sec"})),
            std::vector<std::string>{"second"});
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "/aws/lambda/a", .streams = {"s1"}})),
            std::vector<std::string>{"first"});
}

TEST_F(LogStoreTest, PagesWithTokens) {
  for (int i = 0; i < 25; ++i) store_->append("g", "s", "", 1000 + i / 5, "line " + std::to_string(i));
  store_->flush();
  std::vector<std::string> seen;
  LogQuery q{.group = "g", .limit = 10};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->query(q);
    ASSERT_TRUE(page);
    for (auto& m : messages(*page)) seen.push_back(m);
    if (page->next.empty()) break;
    q.after = page->next;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "line 0");
  EXPECT_EQ(seen.back(), "line 24");

  // GetLogEvents: the newest by default, then backwards and forwards by token.
  auto tail = store_->read_stream(StreamQuery{.group = "g", .stream = "s", .limit = 10});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->events.front().message, "line 15");
  EXPECT_EQ(tail->events.back().message, "line 24");
  auto before = store_->read_stream(StreamQuery{.group = "g", .stream = "s", .limit = 10, .token = tail->backward});
  EXPECT_EQ(before->events.front().message, "line 5");
  EXPECT_EQ(before->events.back().message, "line 14");
  auto head = store_->read_stream(StreamQuery{.group = "g", .stream = "s", .limit = 10, .from_head = true});
  EXPECT_EQ(head->events.front().message, "line 0");
  auto next = store_->read_stream(StreamQuery{.group = "g", .stream = "s", .limit = 10, .token = head->forward});
  EXPECT_EQ(next->events.front().message, "line 10");
  auto end = store_->read_stream(StreamQuery{.group = "g", .stream = "s", .limit = 10, .token = tail->forward});
  EXPECT_TRUE(end->events.empty());
  EXPECT_EQ(end->forward, tail->forward);  // at the end the same token comes back, as CloudWatch does
  EXPECT_FALSE(store_->read_stream(StreamQuery{.group = "g", .stream = "s", .token = "garbage"}));
  // Tokens at the ends of int64 are not ours, and from +/- 1 must not overflow on them.
  for (std::string t : {"b/-9223372036854775808", "f/9223372036854775807", "f/-1"})
    EXPECT_FALSE(store_->read_stream(StreamQuery{.group = "g", .stream = "s", .token = t})) << t;
}

TEST_F(LogStoreTest, LongLinesAreSplitNotLost) {
  std::string big(kMaxEventBytes * 2 + 100, 'x');
  big[kMaxEventBytes - 1] = '\xC3';  // a two-byte UTF-8 sequence across the first cut
  big[kMaxEventBytes] = '\xA9';
  store_->append("g", "s", "r", 1, big);
  store_->flush();
  auto page = store_->query(LogQuery{.group = "g"});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->events.size(), 3u);
  std::string joined;
  for (const auto& e : page->events) {
    EXPECT_LE(e.message.size(), kMaxEventBytes);
    joined += e.message;
  }
  EXPECT_EQ(joined, big);
  EXPECT_EQ(page->events[0].message.size(), kMaxEventBytes - 1);  // the sequence was kept whole
}

TEST_F(LogStoreTest, RetentionByAgeAndBySize) {
  open(LogStoreOptions{.retention_days = 30, .retention_interval = std::chrono::hours(1)});
  int64_t day = 86'400'000, now = base::now_ms();
  store_->append("old", "s", "", now - 40 * day, "ancient");
  store_->append("old", "s", "", now - 1000, "recent");
  store_->append("kept", "s", "", now - 40 * day, "kept forever");
  store_->flush();
  ASSERT_TRUE(store_->set_retention("kept", 0));
  ASSERT_TRUE(store_->enforce_retention(now));
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "old"})), std::vector<std::string>{"recent"});
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "kept"})), std::vector<std::string>{"kept forever"});
  EXPECT_FALSE(store_->set_retention("missing", 7));

  open(LogStoreOptions{.retention_days = 0, .max_bytes = 1000, .retention_interval = std::chrono::hours(1)});
  for (int i = 0; i < 50; ++i) store_->append("big", "s", "", i, std::string(100, 'a' + i % 26));
  ASSERT_TRUE(store_->enforce_retention(0));
  auto left = store_->query(LogQuery{.group = "big"});
  ASSERT_TRUE(left);
  EXPECT_LE(left->events.size(), 9u);
  EXPECT_GE(left->events.size(), 1u);
  EXPECT_EQ(left->events.back().timestamp_ms, 49);  // the newest stay
  auto groups = store_->groups("big");
  EXPECT_LE((*groups)[0].stored_bytes, 900u);
}

TEST_F(LogStoreTest, DeleteAndCreateGroups) {
  store_->append("g", "s", "", 1, "x");
  store_->flush();
  EXPECT_FALSE(store_->create_group("g"));
  ASSERT_TRUE(store_->delete_group("g"));
  EXPECT_FALSE(store_->query(LogQuery{.group = "g"}));
  EXPECT_FALSE(store_->delete_group("g"));
  ASSERT_TRUE(store_->create_group("g"));
  store_->append("g", "s", "", 2, "again");
  store_->flush();
  EXPECT_EQ(messages(*store_->query(LogQuery{.group = "g"})), std::vector<std::string>{"again"});
}

}  // namespace
}  // namespace nimbus::observability
