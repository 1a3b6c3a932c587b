#include "events/notifications.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/ids.h"

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

}  // namespace
}  // namespace nimbus::events
