#include "sns/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/router.h"
#include "aws/test_request.h"
#include "base/encoding.h"
#include "queue/store.h"
#include "queue/test_dir.h"

namespace nimbus::sns {
namespace {

using aws::testing::make_request;
using aws::testing::run;
namespace json = boost::json;

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  size_t a = s.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  return s.substr(a, s.find(close, a) - a);
}

struct FakeFunctions : topics::FunctionSink {
  std::vector<std::string> events;
  base::Status invoke(const std::string&, const std::string&, const std::string& event) override {
    events.push_back(event);
    return {};
  }
};

struct Sns {
  queue::TestDir dir{"sns-"};
  auth::CredentialStore credentials = auth::CredentialStore::with_defaults();
  auth::SigningKeyCache keys;
  boost::asio::thread_pool blocking{1};
  std::unique_ptr<queue::Store> queues = std::move(*queue::Store::open(dir.file("queue.db")));
  std::unique_ptr<topics::Store> store = std::move(*topics::Store::open(dir.file("sns.db")));
  std::unique_ptr<topics::Signer> signer = std::move(*topics::Signer::open(dir.file("sns")));
  FakeFunctions functions;
  std::vector<topics::HttpPost> posts;
  std::unique_ptr<topics::Deliveries> deliveries;
  std::unique_ptr<Service> service;
  aws::Router router{aws::Authenticator{credentials, keys, "000000000000", {}}};

  Sns() {
    topics::DeliveryOptions o;
    o.functions = &functions;
    o.http = [this](topics::HttpPost p, std::function<void(base::Result<int>)> done) {
      posts.push_back(std::move(p));
      done(200);
    };
    deliveries = std::move(*topics::Deliveries::open(*queues, *store, o));
    Options so;
    so.public_url = "http://127.0.0.1:4566";
    service = std::make_unique<Service>(*store, *deliveries, *signer, blocking, so);
    router.add(service->links_descriptor());
    router.add(service->descriptor());
  }
  ~Sns() { blocking.join(); }

  http::Response post(const std::string& body) {
    auto t = make_request("POST", "/", body + "&Version=2010-03-31",
                          {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}}, "sns");
    return run(router.handle(t->req));
  }
  http::Response get(const std::string& target) {
    auto t = make_request("GET", target, "", {}, "sns", "");
    return run(router.handle(t->req));
  }
  void deliver() {
    for (int i = 0; i < 3; ++i) deliveries->run_once();
  }
  std::string create(const std::string& name, const std::string& extra = "") {
    auto r = post("Action=CreateTopic&Name=" + name + extra);
    EXPECT_EQ(r.status, 200) << r.body;
    return between(r.body, "<TopicArn>", "</TopicArn>");
  }
};

TEST(Sns, CreateTopicIsIdempotentAndRefusesDifferentAttributes) {
  Sns s;
  std::string arn = s.create("orders", "&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Orders");
  EXPECT_EQ(arn, "arn:aws:sns:us-east-1:000000000000:orders");
  EXPECT_EQ(s.create("orders", "&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Orders"), arn);
  auto r = s.post("Action=CreateTopic&Name=orders&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Other");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(between(r.body, "<Code>", "</Code>"), "InvalidParameter");
  r = s.post("Action=CreateTopic&Name=bad%20name");
  EXPECT_EQ(between(r.body, "<Message>", "</Message>"), "Invalid parameter: Topic Name");
  r = s.post("Action=GetTopicAttributes&TopicArn=" + base::uri_encode(arn));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<key>DisplayName</key><value>Orders</value>"), std::string::npos);
  EXPECT_NE(r.body.find("<key>SubscriptionsConfirmed</key><value>0</value>"), std::string::npos);
  EXPECT_NE(r.body.find("<key>EffectiveDeliveryPolicy</key>"), std::string::npos);
  r = s.post("Action=SetTopicAttributes&AttributeName=Nope&AttributeValue=1&TopicArn=" + base::uri_encode(arn));
  EXPECT_EQ(between(r.body, "<Message>", "</Message>"), "Invalid parameter: AttributeName");
  r = s.post("Action=GetTopicAttributes&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Anope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(between(r.body, "<Code>", "</Code>"), "NotFound");
  // DeleteTopic is idempotent: twice, or of a topic that never was, succeeds.
  for (int i = 0; i < 2; ++i) {
    r = s.post("Action=DeleteTopic&TopicArn=" + base::uri_encode(arn));
    EXPECT_EQ(r.status, 200) << r.body;
  }
  r = s.post("Action=GetTopicAttributes&TopicArn=" + base::uri_encode(arn));
  EXPECT_EQ(r.status, 404);
}

TEST(Sns, ListTopicsPagesByHundred) {
  Sns s;
  for (int i = 0; i < 105; ++i) s.create("t" + std::to_string(1000 + i));
  auto r = s.post("Action=ListTopics");
  std::string token = between(r.body, "<NextToken>", "</NextToken>");
  ASSERT_FALSE(token.empty());
  size_t first = 0;
  for (size_t p = 0; (p = r.body.find("<TopicArn>", p)) != std::string::npos; ++p) ++first;
  EXPECT_EQ(first, 100u);
  r = s.post("Action=ListTopics&NextToken=" + base::uri_encode(token));
  size_t second = 0;
  for (size_t p = 0; (p = r.body.find("<TopicArn>", p)) != std::string::npos; ++p) ++second;
  EXPECT_EQ(second, 5u);
  EXPECT_EQ(r.body.find("<NextToken>"), std::string::npos);
}

TEST(Sns, HttpSubscriptionHandshakeThenFilteredNotifications) {
  Sns s;
  std::string arn = s.create("orders");
  auto r = s.post("Action=Subscribe&Protocol=http&Endpoint=http%3A%2F%2F127.0.0.1%3A9%2Fhook&TopicArn=" +
                  base::uri_encode(arn) +
                  "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=" +
                  base::uri_encode(R"({"color":["red"]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(between(r.body, "<SubscriptionArn>", "</SubscriptionArn>"), "pending confirmation");
  s.deliver();
  ASSERT_EQ(s.posts.size(), 1u);
  auto confirmation = json::parse(s.posts[0].body).as_object();
  EXPECT_EQ(confirmation["Type"], "SubscriptionConfirmation");
  std::string url(confirmation["SubscribeURL"].as_string());
  ASSERT_EQ(url.rfind("http://127.0.0.1:4566/?Action=ConfirmSubscription&", 0), 0u) << url;
  // Notifications wait for the confirmation.
  r = s.post("Action=Publish&Message=early&TopicArn=" + base::uri_encode(arn));
  ASSERT_EQ(r.status, 200) << r.body;
  s.deliver();
  EXPECT_EQ(s.posts.size(), 1u);
  r = s.get(url.substr(std::string("http://127.0.0.1:4566").size()));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string sub_arn = between(r.body, "<SubscriptionArn>", "</SubscriptionArn>");
  EXPECT_EQ(sub_arn.rfind(arn + ":", 0), 0u);

  std::string attrs = "&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String"
                      "&MessageAttributes.entry.1.Value.StringValue=";
  r = s.post("Action=Publish&Message=blue&Subject=hi&TopicArn=" + base::uri_encode(arn) + attrs + "blue");
  ASSERT_EQ(r.status, 200) << r.body;
  r = s.post("Action=Publish&Message=red&Subject=hi&TopicArn=" + base::uri_encode(arn) + attrs + "red");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string id = between(r.body, "<MessageId>", "</MessageId>");
  s.deliver();
  ASSERT_EQ(s.posts.size(), 2u);
  auto n = json::parse(s.posts[1].body).as_object();
  EXPECT_EQ(n["Type"], "Notification");
  EXPECT_EQ(n["MessageId"], json::value(id));
  EXPECT_EQ(n["Message"], "red");
  EXPECT_EQ(n["Subject"], "hi");
  EXPECT_EQ(n["MessageAttributes"].at("color").at("Value"), "red");
  EXPECT_EQ(*base::find_header(s.posts[1].headers, "x-amz-sns-subscription-arn"), sub_arn);

  r = s.post("Action=GetTopicAttributes&TopicArn=" + base::uri_encode(arn));
  EXPECT_NE(r.body.find("<key>SubscriptionsConfirmed</key><value>1</value>"), std::string::npos);
  r = s.get("/?Action=Unsubscribe&SubscriptionArn=" + base::uri_encode(sub_arn));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(s.store->subscription(sub_arn));
  // A signed Unsubscribe of the subscription now gone succeeds, as SNS answers it; of what is
  // no subscription ARN, it is a bad parameter.
  r = s.post("Action=Unsubscribe&SubscriptionArn=" + base::uri_encode(sub_arn));
  EXPECT_EQ(r.status, 200) << r.body;
  r = s.post("Action=Unsubscribe&SubscriptionArn=" + base::uri_encode(arn));
  EXPECT_EQ(between(r.body, "<Message>", "</Message>"), "Invalid parameter: SubscriptionArn");
  r = s.post("Action=Unsubscribe&SubscriptionArn=garbage");
  EXPECT_EQ(between(r.body, "<Message>", "</Message>"), "Invalid parameter: SubscriptionArn");
}

TEST(Sns, SubscribingAgainWhilePendingSendsTheConfirmationAgain) {
  Sns s;
  std::string arn = base::uri_encode(s.create("orders"));
  std::string subscribe = "Action=Subscribe&Protocol=http&Endpoint=http%3A%2F%2F127.0.0.1%3A9%2Fhook&TopicArn=" + arn;
  ASSERT_EQ(s.post(subscribe).status, 200);
  auto again = s.post(subscribe + "&ReturnSubscriptionArn=true");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(between(again.body, "<SubscriptionArn>", "</SubscriptionArn>"), "pending confirmation");
  s.deliver();
  ASSERT_EQ(s.posts.size(), 2u);
  EXPECT_EQ(json::parse(s.posts[0].body).at("Token"), json::parse(s.posts[1].body).at("Token"));
  EXPECT_EQ(s.store->subscriptions().size(), 1u);
}

TEST(Sns, LambdaSubscriptionGetsTheSnsEvent) {
  Sns s;
  std::string arn = s.create("orders");
  auto r = s.post("Action=Subscribe&Protocol=lambda&Endpoint=" +
                  base::uri_encode("arn:aws:lambda:us-east-1:000000000000:function:fn") + "&TopicArn=" +
                  base::uri_encode(arn));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string sub = between(r.body, "<SubscriptionArn>", "</SubscriptionArn>");
  r = s.post("Action=Publish&TopicArn=" + base::uri_encode(arn) + "&MessageStructure=json&Message=" +
             base::uri_encode(R"({"default":"d","lambda":"for lambda"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  s.deliver();
  ASSERT_EQ(s.functions.events.size(), 1u);
  auto e = json::parse(s.functions.events[0]);
  EXPECT_EQ(e.at("Records").at(0).at("EventSubscriptionArn"), json::value(sub));
  EXPECT_EQ(e.at("Records").at(0).at("Sns").at("Message"), "for lambda");
  EXPECT_TRUE(e.at("Records").at(0).at("Sns").at("Subject").is_null());
}

TEST(Sns, BodyScopeFilterPoliciesReadTheMessage) {
  Sns s;
  std::string arn = s.create("orders");
  auto r = s.post("Action=Subscribe&Protocol=lambda&Endpoint=" +
                  base::uri_encode("arn:aws:lambda:us-east-1:000000000000:function:fn") + "&TopicArn=" +
                  base::uri_encode(arn) + "&Attributes.entry.1.key=FilterPolicyScope&Attributes.entry.1.value=MessageBody" +
                  "&Attributes.entry.2.key=FilterPolicy&Attributes.entry.2.value=" +
                  base::uri_encode(R"({"order":{"total":[{"numeric":[">",100]}]}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const char* m : {R"({"order":{"total":50}})", "not json", R"({"order":{"total":150}})"})
    ASSERT_EQ(s.post("Action=Publish&TopicArn=" + base::uri_encode(arn) + "&Message=" + base::uri_encode(m)).status, 200);
  s.deliver();
  ASSERT_EQ(s.functions.events.size(), 1u);
  EXPECT_EQ(json::parse(s.functions.events[0]).at("Records").at(0).at("Sns").at("Message"), R"({"order":{"total":150}})");
  // Attribute scope refuses nested policies, as AWS.
  r = s.post("Action=Subscribe&Protocol=lambda&Endpoint=" +
             base::uri_encode("arn:aws:lambda:us-east-1:000000000000:function:other") + "&TopicArn=" +
             base::uri_encode(arn) + "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=" +
             base::uri_encode(R"({"order":{"total":[1]}})"));
  EXPECT_EQ(between(r.body, "<Message>", "</Message>"),
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
}

TEST(Sns, PublishRefusals) {
  Sns s;
  std::string arn = base::uri_encode(s.create("orders"));
  auto code_of = [&](const std::string& body) {
    auto r = s.post(body);
    return between(r.body, "<Code>", "</Code>") + ": " + between(r.body, "<Message>", "</Message>");
  };
  EXPECT_EQ(code_of("Action=Publish&TopicArn=" + arn + "&Message=" + std::string(256 * 1024 + 1, 'x')),
            "InvalidParameter: Invalid parameter: Message too long");
  EXPECT_EQ(code_of("Action=Publish&TopicArn=" + arn), "InvalidParameter: Invalid parameter: Empty message");
  EXPECT_EQ(code_of("Action=Publish&TopicArn=" + arn + "&MessageStructure=json&Message=%7B%7D"),
            "InvalidParameter: Invalid parameter: Message Structure - No default entry in JSON message body");
  EXPECT_EQ(code_of("Action=Publish&PhoneNumber=%2B15555550100&Message=x"),
            "InvalidParameter: Invalid parameter: PhoneNumber Reason: nimbus does not send SMS messages");
  EXPECT_EQ(code_of("Action=Publish&TopicArn=" + arn +
                    "&Message=x&MessageAttributes.entry.1.Name=n&MessageAttributes.entry.1.Value.DataType=Number"
                    "&MessageAttributes.entry.1.Value.StringValue=abc"),
            "ParameterValueInvalid: Could not cast message attribute &apos;n&apos; value to number.");
  EXPECT_EQ(code_of("Action=Subscribe&Protocol=email&Endpoint=a%40b.c&TopicArn=" + arn).substr(0, 45),
            "InvalidParameter: Invalid parameter: Protocol");
  EXPECT_EQ(code_of("Action=Subscribe&Protocol=sqs&Endpoint=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aq&TopicArn=" +
                    arn)
                .substr(0, 45),
            "InvalidParameter: Invalid parameter: Protocol");
  std::string entries;
  for (int i = 1; i <= 11; ++i)
    entries += "&PublishBatchRequestEntries.member." + std::to_string(i) + ".Id=e" + std::to_string(i) +
               "&PublishBatchRequestEntries.member." + std::to_string(i) + ".Message=m";
  EXPECT_EQ(code_of("Action=PublishBatch&TopicArn=" + arn + entries),
            "TooManyEntriesInBatchRequest: The batch request contains more entries than permissible.");
}

TEST(Sns, FifoTopicsDeduplicateForFiveMinutes) {
  Sns s;
  std::string arn = base::uri_encode(
      s.create("orders.fifo", "&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"
                              "&Attributes.entry.2.key=ContentBasedDeduplication&Attributes.entry.2.value=true"));
  auto r1 = s.post("Action=Publish&TopicArn=" + arn + "&Message=same&MessageGroupId=g");
  auto r2 = s.post("Action=Publish&TopicArn=" + arn + "&Message=same&MessageGroupId=g");
  ASSERT_EQ(r1.status, 200) << r1.body;
  EXPECT_EQ(between(r1.body, "<MessageId>", "</MessageId>"), between(r2.body, "<MessageId>", "</MessageId>"));
  EXPECT_FALSE(between(r1.body, "<SequenceNumber>", "</SequenceNumber>").empty());
  auto r3 = s.post("Action=Publish&TopicArn=" + arn + "&Message=other&MessageGroupId=g");
  EXPECT_NE(between(r1.body, "<MessageId>", "</MessageId>"), between(r3.body, "<MessageId>", "</MessageId>"));
  // Created again with content-based deduplication off: not the same topic (it was dropped unseen).
  auto again = s.post("Action=CreateTopic&Name=orders.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"
                      "&Attributes.entry.2.key=ContentBasedDeduplication&Attributes.entry.2.value=false");
  EXPECT_EQ(between(again.body, "<Message>", "</Message>"),
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
  EXPECT_EQ(s.create("orders.fifo", "&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"),
            base::uri_decode(arn));
  auto r4 = s.post("Action=Publish&TopicArn=" + arn + "&Message=x");
  EXPECT_EQ(between(r4.body, "<Message>", "</Message>"),
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  auto batch = s.post("Action=PublishBatch&TopicArn=" + arn +
                      "&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=m"
                      "&PublishBatchRequestEntries.member.1.MessageGroupId=g"
                      "&PublishBatchRequestEntries.member.2.Id=b&PublishBatchRequestEntries.member.2.Message=m");
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_NE(batch.body.find("<Successful><member><Id>a</Id>"), std::string::npos);
  EXPECT_NE(batch.body.find("<Failed><member><Id>b</Id><Code>InvalidParameter</Code>"), std::string::npos);
}

// The deduplication window holds across a restart: a new Service over the same sns.db remembers it.
TEST(Sns, FifoDeduplicationSurvivesARestart) {
  Sns s;
  std::string arn = base::uri_encode(
      s.create("kept.fifo", "&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"));
  auto first = s.post("Action=Publish&TopicArn=" + arn + "&Message=once&MessageGroupId=g&MessageDeduplicationId=d1");
  ASSERT_EQ(first.status, 200) << first.body;
  Options so;
  so.public_url = "http://127.0.0.1:4566";
  Service restarted(*s.store, *s.deliveries, *s.signer, s.blocking, so);
  aws::Router router{aws::Authenticator{s.credentials, s.keys, "000000000000", {}}};
  router.add(restarted.descriptor());
  auto post = [&](const std::string& body) {
    auto t = make_request("POST", "/", body + "&Version=2010-03-31",
                          {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}}, "sns");
    return run(router.handle(t->req));
  };
  auto again = post("Action=Publish&TopicArn=" + arn + "&Message=once&MessageGroupId=g&MessageDeduplicationId=d1");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(between(first.body, "<MessageId>", "</MessageId>"), between(again.body, "<MessageId>", "</MessageId>"));
  EXPECT_EQ(between(first.body, "<SequenceNumber>", "</SequenceNumber>"),
            between(again.body, "<SequenceNumber>", "</SequenceNumber>"));
  auto other = post("Action=Publish&TopicArn=" + arn + "&Message=once&MessageGroupId=g&MessageDeduplicationId=d2");
  EXPECT_NE(between(first.body, "<MessageId>", "</MessageId>"), between(other.body, "<MessageId>", "</MessageId>"));
}

TEST(Sns, Tags) {
  Sns s;
  std::string arn = base::uri_encode(s.create("orders"));
  auto r = s.post("Action=TagResource&ResourceArn=" + arn + "&Tags.member.1.Key=team&Tags.member.1.Value=a");
  ASSERT_EQ(r.status, 200) << r.body;
  r = s.post("Action=ListTagsForResource&ResourceArn=" + arn);
  EXPECT_NE(r.body.find("<Tags><member><Key>team</Key><Value>a</Value></member></Tags>"), std::string::npos);
  r = s.post("Action=UntagResource&ResourceArn=" + arn + "&TagKeys.member.1=team");
  r = s.post("Action=ListTagsForResource&ResourceArn=" + arn);
  EXPECT_NE(r.body.find("<Tags></Tags>"), std::string::npos);
  r = s.post("Action=ListTagsForResource&ResourceArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Anope");
  EXPECT_EQ(between(r.body, "<Code>", "</Code>"), "ResourceNotFound");
}

}  // namespace
}  // namespace nimbus::sns
