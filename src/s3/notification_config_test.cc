#include "s3/notification_config.h"

#include <gtest/gtest.h>

using namespace nimbus;
using namespace nimbus::s3;

namespace {

constexpr const char* kRegion = "us-east-1";

std::string config(const std::string& inner) { return "<NotificationConfiguration>" + inner + "</NotificationConfiguration>"; }

}  // namespace

TEST(NotificationConfig, FunctionQueueAndTopicRules) {
  S3Error err;
  auto rules = parse_notification_configuration(
      config("<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:uploads</Queue>"
             "<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value>"
             "</FilterRule></S3Key></Filter></QueueConfiguration>"
             "<TopicConfiguration><Id>t</Id><Topic>arn:aws:sns:us-east-1:000000000000:removed</Topic>"
             "<Event>s3:ObjectRemoved:*</Event></TopicConfiguration>"
             "<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumb:live"
             "</CloudFunction><Event>s3:LifecycleExpiration:*</Event></CloudFunctionConfiguration>"),
      kRegion, err);
  ASSERT_TRUE(rules) << err.message;
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].id, "q");
  EXPECT_EQ((*rules)[0].prefix, "in/");
  EXPECT_EQ(events::destination_kind((*rules)[0].destination_arn), events::DestinationKind::kQueue);
  EXPECT_EQ(events::destination_kind((*rules)[1].destination_arn), events::DestinationKind::kTopic);
  EXPECT_EQ(events::destination_kind((*rules)[2].destination_arn), events::DestinationKind::kFunction);
  EXPECT_FALSE((*rules)[2].id.empty());  // S3 names a rule without an Id

  // What Get answers parses again to the same rules.
  std::string rendered = render_notification_configuration(*rules);
  EXPECT_NE(rendered.find("<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("<Topic>arn:aws:sns:"), std::string::npos);
  EXPECT_NE(rendered.find("<CloudFunctionConfiguration>"), std::string::npos);
  EXPECT_NE(rendered.find("<Name>Prefix</Name><Value>in/</Value>"), std::string::npos);
  auto again = parse_notification_configuration(rendered, kRegion, err);
  ASSERT_TRUE(again) << err.message;
  ASSERT_EQ(again->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*again)[i].id, (*rules)[i].id);
    EXPECT_EQ((*again)[i].destination_arn, (*rules)[i].destination_arn);
    EXPECT_EQ((*again)[i].events, (*rules)[i].events);
    EXPECT_EQ((*again)[i].prefix, (*rules)[i].prefix);
  }
}

TEST(NotificationConfig, EmptyClears) {
  S3Error err;
  auto empty = parse_notification_configuration("", kRegion, err);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto none = parse_notification_configuration("<NotificationConfiguration/>", kRegion, err);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// Issue 12: whitespace-only text is a value, not nothing.
TEST(NotificationConfig, WhitespacePrefixIsKept) {
  S3Error err;
  auto rules = parse_notification_configuration(
      "<NotificationConfiguration>\n <CloudFunctionConfiguration>\n  <CloudFunction>"
      "arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>\n  <Event>s3:ObjectCreated:*</Event>\n"
      "  <Filter><S3Key><FilterRule><Name>Prefix</Name><Value> </Value></FilterRule></S3Key></Filter>\n"
      " </CloudFunctionConfiguration>\n</NotificationConfiguration>",
      kRegion, err);
  ASSERT_TRUE(rules) << err.message;
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].prefix, " ");
}

TEST(NotificationConfig, Refusals) {
  S3Error err;
  auto refused = [&](const std::string& inner) {
    return !parse_notification_configuration(config(inner), kRegion, err);
  };
  // An ARN of the wrong kind for its element.
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sns:us-east-1:000000000000:t</Queue>"
                      "<Event>s3:ObjectCreated:*</Event></QueueConfiguration>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  EXPECT_NE(err.message.find("not an SQS queue ARN"), std::string::npos);
  EXPECT_TRUE(refused("<TopicConfiguration><Topic>not-an-arn</Topic><Event>s3:ObjectCreated:*</Event>"
                      "</TopicConfiguration>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  // EventBridgeConfiguration has no members, and is there once or not at all.
  EXPECT_TRUE(refused("<EventBridgeConfiguration><Event>s3:ObjectCreated:*</Event></EventBridgeConfiguration>"));
  EXPECT_EQ(err.code, "MalformedXML");
  EXPECT_TRUE(refused("<EventBridgeConfiguration/><EventBridgeConfiguration/>"));
  EXPECT_EQ(err.code, "MalformedXML");
  // Unknown elements do not validate.
  EXPECT_TRUE(refused("<SomethingConfiguration/>"));
  EXPECT_EQ(err.code, "MalformedXML");
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
                      "<Event>s3:ObjectCreated:*</Event><Priority>1</Priority></QueueConfiguration>"));
  EXPECT_EQ(err.code, "MalformedXML");
  // No event, or an event S3 does not know.
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue></QueueConfiguration>"));
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
                      "<Event>s3:ObjectRestore:*</Event></QueueConfiguration>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  // Overlap counts across destination kinds.
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
                      "<Event>s3:ObjectCreated:*</Event></QueueConfiguration>"
                      "<TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic>"
                      "<Event>s3:ObjectCreated:Put</Event></TopicConfiguration>"));
  EXPECT_NE(err.message.find("overlap"), std::string::npos);
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
                      "<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>middle</Name><Value>x"
                      "</Value></FilterRule></S3Key></Filter></QueueConfiguration>"));
  EXPECT_TRUE(refused("<QueueConfiguration><Id>\xff</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
                      "<Event>s3:ObjectCreated:*</Event></QueueConfiguration>"));
}

// fuzz/s3_xml: a suffix with a control character was stored and came back from Get as U+FFFD
// (XML 1.0 has no such characters): it is MalformedXML, as such a document is for S3.
TEST(NotificationConfig, ControlCharactersAreNotXml) {
  S3Error err;
  EXPECT_FALSE(parse_notification_configuration(
      config("<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:uploads</Queue>"
             "<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Suffix</Name><Value>.\x14pg</Value>"
             "</FilterRule></S3Key></Filter></QueueConfiguration>"),
      kRegion, err));
  EXPECT_EQ(err.code, "MalformedXML");
  auto tab = parse_notification_configuration(
      config("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:uploads</Queue>"
             "<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Prefix</Name><Value>a\tb</Value>"
             "</FilterRule></S3Key></Filter></QueueConfiguration>"),
      kRegion, err);
  ASSERT_TRUE(tab) << err.message;
  auto again = parse_notification_configuration(render_notification_configuration(*tab), kRegion, err);
  ASSERT_TRUE(again) << err.message;
  EXPECT_EQ((*again)[0].prefix, "a\tb");
}

// EventBridgeConfiguration turns on delivery of every event to the default
// bus: one rule to the region's default bus, after the others wherever the
// element stood, rendered back as S3 writes it (open and closed, last).
TEST(NotificationConfig, EventBridge) {
  S3Error err;
  auto rules = parse_notification_configuration(
      config("<EventBridgeConfiguration></EventBridgeConfiguration>"
             "<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:eu-west-1:000000000000:uploads</Queue>"
             "<Event>s3:ObjectCreated:*</Event></QueueConfiguration>"),
      "eu-west-1", err);
  ASSERT_TRUE(rules) << err.message;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].id, "q");
  const events::Rule& bus = (*rules)[1];
  EXPECT_EQ(bus.destination_arn, "arn:aws:events:eu-west-1:000000000000:event-bus/default");
  EXPECT_EQ(events::destination_kind(bus.destination_arn), events::DestinationKind::kEventBus);
  EXPECT_TRUE(bus.events.empty());
  EXPECT_TRUE(bus.prefix.empty() && bus.suffix.empty());

  std::string rendered = render_notification_configuration(*rules);
  EXPECT_NE(rendered.find("</QueueConfiguration><EventBridgeConfiguration></EventBridgeConfiguration>"
                          "</NotificationConfiguration>"),
            std::string::npos)
      << rendered;
  auto again = parse_notification_configuration(rendered, "eu-west-1", err);
  ASSERT_TRUE(again) << err.message;
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[1].destination_arn, bus.destination_arn);

  // Alone, and self-closed as the SDKs may send it.
  auto alone = parse_notification_configuration(config("<EventBridgeConfiguration/>"), kRegion, err);
  ASSERT_TRUE(alone) << err.message;
  ASSERT_EQ(alone->size(), 1u);
  EXPECT_EQ(render_notification_configuration(*alone),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><NotificationConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><EventBridgeConfiguration></EventBridgeConfiguration>"
            "</NotificationConfiguration>");
  // A configuration without it turns it off.
  auto off = parse_notification_configuration(config(""), kRegion, err);
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->empty());
  // No event type of its own, so it overlaps nothing.
  EXPECT_TRUE(parse_notification_configuration(
      config("<EventBridgeConfiguration/><TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic>"
             "<Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>"),
      kRegion, err));
}
