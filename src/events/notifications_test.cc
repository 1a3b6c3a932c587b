#include "events/notifications.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "base/ids.h"
#include "base/sqlite.h"

namespace nimbus::events {
namespace {

TEST(Rules, MatchEventsPrefixAndSuffix) {
  Rule r{"id", "arn", {"s3:ObjectCreated:*"}, "input/", ".jpg"};
  EXPECT_TRUE(rule_matches(r, "ObjectCreated:Put", "input/cat.jpg"));
  EXPECT_TRUE(rule_matches(r, "ObjectCreated:CompleteMultipartUpload", "input/a/b.jpg"));
  EXPECT_FALSE(rule_matches(r, "ObjectRemoved:Delete", "input/cat.jpg"));
  EXPECT_FALSE(rule_matches(r, "ObjectCreated:Put", "output/cat.jpg"));
  EXPECT_FALSE(rule_matches(r, "ObjectCreated:Put", "input/cat.png"));
  Rule del{"d", "arn", {"s3:ObjectRemoved:Delete"}, "", ""};
  EXPECT_TRUE(rule_matches(del, "ObjectRemoved:Delete", "x"));
  EXPECT_FALSE(rule_matches(del, "ObjectCreated:Copy", "x"));
  EXPECT_TRUE(is_known_event("s3:ObjectCreated:Copy"));
  EXPECT_FALSE(is_known_event("s3:ObjectCreated:Sideways"));
}

TEST(EventJson, KeysAreFormEncoded) {
  storage::ObjectEvent ev;
  ev.kind = storage::EventKind::kPut;
  ev.bucket = "photos";
  ev.key = "input/red flower+1.jpg";
  ev.size = 42;
  ev.etag = "abc";
  ev.sequencer = "0000000000000001";
  ev.time_ms = 1445412480123;
  ev.context.request_id = "REQ";
  ev.context.source_ip = "127.0.0.1";
  ev.context.principal = "test";
  std::string j = s3_event_json(ev, {"cfg", "arn", {}, "", ""}, "us-east-1");
  EXPECT_NE(j.find("\"key\":\"input/red+flower%2B1.jpg\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"eventName\":\"ObjectCreated:Put\""), std::string::npos);
  EXPECT_NE(j.find("\"configurationId\":\"cfg\""), std::string::npos);
  EXPECT_NE(j.find("\"eventTime\":\"2015-10-21T07:28:00.123Z\""), std::string::npos);
  EXPECT_NE(j.find("\"arn\":\"arn:aws:s3:::photos\""), std::string::npos);
  EXPECT_NE(j.find("\"size\":42"), std::string::npos);
}

// Issue 12: buckets with versioning say which version an event is about.
TEST(EventJson, VersionsAndDeleteMarkers) {
  storage::ObjectEvent ev;
  ev.kind = storage::EventKind::kDeleteMarkerCreated;
  ev.bucket = "photos";
  ev.key = "k";
  ev.version_id = "0123456789abcdef0123456789abcdef";
  std::string j = s3_event_json(ev, {"cfg", "arn", {}, "", ""}, "us-east-1");
  EXPECT_NE(j.find("\"versionId\":\"0123456789abcdef0123456789abcdef\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"eventName\":\"ObjectRemoved:DeleteMarkerCreated\""), std::string::npos) << j;
  EXPECT_EQ(j.find("\"size\""), std::string::npos) << j;
  EXPECT_TRUE(is_known_event("s3:ObjectRemoved:DeleteMarkerCreated"));
  ev.kind = storage::EventKind::kPut;
  ev.version_id.clear();
  EXPECT_EQ(s3_event_json(ev, {"cfg", "arn", {}, "", ""}, "us-east-1").find("versionId"), std::string::npos);
}

TEST(Notifications, RulesSurviveReopening) {
  std::string dir = (std::filesystem::temp_directory_path() / ("ntf-" + base::random_hex(4))).string();
  std::filesystem::create_directories(dir);
  {
    auto n = Notifications::open(dir, "us-east-1");
    ASSERT_TRUE(n.ok()) << n.error().message;
    ASSERT_TRUE((*n)->set("b", {{"id1", "arn:aws:lambda:us-east-1:0:function:f", {"s3:ObjectCreated:*"}, "in/", ".jpg"}}).ok());
  }
  auto n = Notifications::open(dir, "us-east-1");
  ASSERT_TRUE(n.ok());
  auto rules = (*n)->get("b");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].prefix, "in/");
  EXPECT_EQ(rules[0].events, std::vector<std::string>{"s3:ObjectCreated:*"});
  ASSERT_TRUE((*n)->set("b", {}).ok());
  EXPECT_TRUE((*n)->get("b").empty());
  std::filesystem::remove_all(dir);
}

// S3's EventBridge destination: the default bus's ARN, every event, no filters of its own.
TEST(Rules, TheEventBusTakesEverything) {
  Rule bus = event_bus_rule("eu-west-1");
  EXPECT_EQ(bus.destination_arn, "arn:aws:events:eu-west-1:000000000000:event-bus/default");
  EXPECT_EQ(destination_kind(bus.destination_arn), DestinationKind::kEventBus);
  EXPECT_TRUE(bus.events.empty());
  EXPECT_TRUE(rule_matches(bus, "ObjectCreated:Put", "anything"));
  EXPECT_TRUE(rule_matches(bus, "LifecycleExpiration:Delete", "x/y"));
  EXPECT_EQ(destination_kind("arn:aws:events:us-east-1:000000000000:rule/r"), std::nullopt);
  EXPECT_EQ(destination_kind("arn:aws:events:us-east-1:000000000000:event-bus/"), std::nullopt);
}

}  // namespace
}  // namespace nimbus::events

namespace nimbus::events {
namespace {

// Records deliveries; fails while `failing` is set.
struct RecordingSink : Sink {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::tuple<std::string, std::string, std::string, int, std::string>> got;
  int calls = 0;
  bool failing = false;
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& payload, int depth,
                       const std::string& trace) override {
    std::lock_guard lock(mu);
    ++calls;
    if (failing) return base::make_error(base::ErrorCode::kIo, "the queue is unwell");
    got.emplace_back(id, arn, payload, depth, trace);
    cv.notify_all();
    return {};
  }
  bool wait_for(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return got.size() >= n; });
  }
};

struct TempDir {
  std::string path = (std::filesystem::temp_directory_path() / ("ntf-" + base::random_hex(4))).string();
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void exec(const std::string& db_path, const std::string& sql) {
  auto db = base::Connection::open(db_path, false);
  ASSERT_TRUE(db.ok());
  auto s = db->exec(sql);
  ASSERT_TRUE(s.ok()) << s.error().message;
}

// An outbox of an older nimbus (before events carried their trace), made by
// hand: its rows are relayed after the upgrade.
TEST(Relay, RowsLeftInAnOlderOutboxAreDeliveredAfterTheUpgrade) {
  TempDir dir;
  exec(dir.path + "/meta.db", R"sql(
CREATE TABLE bucket_notifications(bucket TEXT PRIMARY KEY, rules TEXT NOT NULL);
CREATE TABLE event_outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, function_arn TEXT NOT NULL,
  payload BLOB NOT NULL, created_ms INTEGER NOT NULL, depth INTEGER NOT NULL DEFAULT 1);
INSERT INTO event_outbox(function_arn, payload, created_ms, depth) VALUES('arn:aws:lambda:us-east-1:0:function:f', '{"Records":[1]}', 1, 1);
INSERT INTO event_outbox(function_arn, payload, created_ms, depth) VALUES('arn:aws:lambda:us-east-1:0:function:g:live', '{"Records":[2]}', 2, 3);
)sql");
  auto n = Notifications::open(dir.path, "us-east-1");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ((*n)->pending(), 2u);
  RecordingSink sink;
  (*n)->start(sink);
  ASSERT_TRUE(sink.wait_for(2));
  EXPECT_EQ(std::get<0>(sink.got[0]), "s3-event-1");
  EXPECT_EQ(std::get<2>(sink.got[0]), R"({"Records":[1]})");
  EXPECT_EQ(std::get<0>(sink.got[1]), "s3-event-2");
  EXPECT_EQ(std::get<1>(sink.got[1]), "arn:aws:lambda:us-east-1:0:function:g:live");
  EXPECT_EQ(std::get<3>(sink.got[1]), 3);
  EXPECT_EQ(std::get<4>(sink.got[1]), "");
  for (int i = 0; i < 200 && (*n)->pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ((*n)->pending(), 0u);
  (*n)->stop();
}

TEST(Relay, WakesOnCommittedAndBacksOffAFailingSink) {
  TempDir dir;
  auto n = Notifications::open(dir.path, "us-east-1");
  ASSERT_TRUE(n.ok());
  RecordingSink sink;
  sink.failing = true;
  (*n)->start(sink);
  exec(dir.path + "/meta.db",
       "INSERT INTO event_outbox(function_arn, payload, created_ms, depth, trace) VALUES('arn:f', 'p', 1, 1, 'Root=1')");
  (*n)->committed();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 20; ++i) (*n)->committed();  // commits do not cut a backoff short
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  {
    std::lock_guard lock(sink.mu);
    EXPECT_EQ(sink.calls, 1) << "a failing sink is backed off, not retried in a loop";
    sink.failing = false;
  }
  ASSERT_TRUE(sink.wait_for(1));  // after the first backoff (1 s)
  EXPECT_EQ(std::get<4>(sink.got[0]), "Root=1");
  (*n)->stop();
}

TEST(Relay, AFailedDeleteIsReportedAndRetriedLater) {
  TempDir dir;
  auto n = Notifications::open(dir.path, "us-east-1");
  ASSERT_TRUE(n.ok());
  exec(dir.path + "/meta.db",
       "INSERT INTO event_outbox(function_arn, payload, created_ms, depth, trace) VALUES('arn:f', 'p', 1, 1, '');"
       "CREATE TRIGGER no_deletes BEFORE DELETE ON event_outbox BEGIN SELECT RAISE(FAIL, 'injected'); END;");
  RecordingSink sink;
  (*n)->start(sink);
  ASSERT_TRUE(sink.wait_for(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  {
    std::lock_guard lock(sink.mu);
    EXPECT_EQ(sink.calls, 1) << "no hot loop while the delete fails";
  }
  EXPECT_EQ((*n)->pending(), 1u);
  exec(dir.path + "/meta.db", "DROP TRIGGER no_deletes");
  for (int i = 0; i < 400 && (*n)->pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ((*n)->pending(), 0u);
  {
    std::lock_guard lock(sink.mu);
    EXPECT_EQ(sink.calls, 2) << "handed over again (the queue takes it once, by id)";
  }
  (*n)->stop();
}

// With EventBridge on, every change stages one more row: the bus's event,
// built at the commit (its id fixed then), relayed under the row's id.
TEST(Relay, TheBusGetsEveryEventAsEventBridgeReceivesIt) {
  TempDir dir;
  auto n = Notifications::open(dir.path, "us-east-1");
  ASSERT_TRUE(n.ok());
  Rule queue{"q", "arn:aws:sqs:us-east-1:000000000000:jpegs", {"s3:ObjectCreated:*"}, "in/", ""};
  ASSERT_TRUE((*n)->set("b", {queue, event_bus_rule("us-east-1")}).ok());
  auto db = base::Connection::open(dir.path + "/meta.db", false);
  ASSERT_TRUE(db.ok());
  storage::ObjectEvent put;
  put.bucket = "b";
  put.key = "out/x";
  put.size = 3;
  put.etag = "e";
  put.sequencer = "01";
  put.time_ms = 1000;
  ASSERT_TRUE((*n)->on_commit(*db, put).ok());
  storage::ObjectEvent del = put;
  del.kind = storage::EventKind::kDelete;
  del.key = "in/y";
  ASSERT_TRUE((*n)->on_commit(*db, del).ok());
  EXPECT_EQ((*n)->pending(), 2u) << "the queue's rule matches neither; the bus takes both";
  RecordingSink sink;
  (*n)->start(sink);
  ASSERT_TRUE(sink.wait_for(2));
  (*n)->stop();
  EXPECT_EQ(std::get<0>(sink.got[0]), "s3-event-1");
  EXPECT_EQ(std::get<1>(sink.got[0]), "arn:aws:events:us-east-1:000000000000:event-bus/default");
  EXPECT_NE(std::get<2>(sink.got[0]).find(R"("detail-type":"Object Created","source":"aws.s3")"), std::string::npos)
      << std::get<2>(sink.got[0]);
  EXPECT_NE(std::get<2>(sink.got[1]).find(R"("deletion-type":"Permanently Deleted")"), std::string::npos)
      << std::get<2>(sink.got[1]);
  EXPECT_NE(std::get<2>(sink.got[0]).substr(0, 40), std::get<2>(sink.got[1]).substr(0, 40)) << "each event its own id";
  // The rule is kept as any other: read back at the next start.
  auto again = Notifications::open(dir.path, "us-east-1");
  ASSERT_TRUE(again.ok());
  auto rules = (*again)->get("b");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(destination_kind(rules[1].destination_arn), DestinationKind::kEventBus);
  EXPECT_TRUE(rules[1].events.empty());
}

}  // namespace
}  // namespace nimbus::events
