#include "topics/store.h"

#include <gtest/gtest.h>

#include "topics/test_support.h"

using namespace nimbus;
using namespace nimbus::topics;

namespace {

Topic topic(const std::string& name) {
  Topic t;
  t.arn = "arn:aws:sns:us-east-1:000000000000:" + name;
  t.name = name;
  return t;
}

Subscription sub(const std::string& topic_arn, const std::string& id, const std::string& endpoint) {
  Subscription s;
  s.arn = topic_arn + ":" + id;
  s.topic_arn = topic_arn;
  s.protocol = "http";
  s.endpoint = endpoint;
  s.token = "tok-" + id;
  return s;
}

}  // namespace

TEST(TopicsStore, TopicsAndSubscriptionsSurviveAReopen) {
  TestDir dir("topics-");
  {
    auto store = Store::open(dir.file("sns.db"));
    ASSERT_TRUE(store.ok());
    auto t = topic("orders");
    t.attributes["DisplayName"] = "Orders";
    t.tags["team"] = "a";
    auto created = (*store)->create_topic(t);
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(created->second);
    auto again = (*store)->create_topic(topic("orders"));
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->second);
    EXPECT_EQ(again->first.attributes.at("DisplayName"), "Orders");  // the existing one, unchanged
    ASSERT_TRUE((*store)->subscribe(sub(t.arn, "1", "http://a/")).ok());
    auto dup = (*store)->subscribe(sub(t.arn, "2", "http://a/"));
    ASSERT_TRUE(dup.ok());
    EXPECT_FALSE(dup->second);
    EXPECT_EQ(dup->first.arn, t.arn + ":1");
    ASSERT_TRUE((*store)->subscribe(sub(t.arn, "3", "http://b/")).ok());
    ASSERT_TRUE((*store)->confirm(t.arn + ":1").ok());
    ASSERT_TRUE((*store)->unsubscribe(t.arn + ":3").ok());
    EXPECT_EQ((*store)->unsubscribe(t.arn + ":3").error().code, base::ErrorCode::kNotFound);
    ASSERT_TRUE((*store)->set_subscription_attribute(t.arn + ":1", "RawMessageDelivery", "true").ok());
  }
  auto store = Store::open(dir.file("sns.db"));
  ASSERT_TRUE(store.ok());
  auto t = (*store)->topic("arn:aws:sns:us-east-1:000000000000:orders");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->tags.at("team"), "a");
  EXPECT_EQ(t->subscriptions_deleted, 1);
  auto subs = (*store)->subscriptions_of(t->arn);
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_TRUE(subs[0].confirmed);
  EXPECT_EQ(subs[0].attributes.at("RawMessageDelivery"), "true");
  EXPECT_TRUE((*store)->by_token(t->arn, "tok-1"));
  EXPECT_FALSE((*store)->by_token(t->arn, "tok-3"));
  ASSERT_TRUE((*store)->delete_topic(t->arn).ok());
  EXPECT_TRUE((*store)->subscriptions().empty());
  EXPECT_TRUE((*store)->topics().empty());
}

TEST(TopicsStore, SubscribingToAMissingTopicIsNotFound) {
  TestDir dir("topics-");
  auto store = Store::open(dir.file("sns.db"));
  ASSERT_TRUE(store.ok());
  auto r = (*store)->subscribe(sub("arn:aws:sns:us-east-1:000000000000:nope", "1", "http://a/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, base::ErrorCode::kNotFound);
}
