#include "s3/notification_config.h"

#include <gtest/gtest.h>

using namespace nimbus;
using namespace nimbus::s3;

namespace {

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
      err);
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
  auto again = parse_notification_configuration(rendered, err);
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
  auto empty = parse_notification_configuration("", err);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto none = parse_notification_configuration("<NotificationConfiguration/>", err);
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
      err);
  ASSERT_TRUE(rules) << err.message;
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].prefix, " ");
}

TEST(NotificationConfig, Refusals) {
  S3Error err;
  auto refused = [&](const std::string& inner) { return !parse_notification_configuration(config(inner), err); };
  // An ARN of the wrong kind for its element.
  EXPECT_TRUE(refused("<QueueConfiguration><Queue>arn:aws:sns:us-east-1:000000000000:t</Queue>"
                      "<Event>s3:ObjectCreated:*</Event></QueueConfiguration>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  EXPECT_NE(err.message.find("not an SQS queue ARN"), std::string::npos);
  EXPECT_TRUE(refused("<TopicConfiguration><Topic>not-an-arn</Topic><Event>s3:ObjectCreated:*</Event>"
                      "</TopicConfiguration>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  // EventBridge is refused by name, never taken and dropped.
  EXPECT_TRUE(refused("<EventBridgeConfiguration/>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  EXPECT_NE(err.message.find("EventBridge"), std::string::npos);
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
      err));
  EXPECT_EQ(err.code, "MalformedXML");
  auto tab = parse_notification_configuration(
      config("<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:uploads</Queue>"
             "<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Prefix</Name><Value>a\tb</Value>"
             "</FilterRule></S3Key></Filter></QueueConfiguration>"),
      err);
  ASSERT_TRUE(tab) << err.message;
  auto again = parse_notification_configuration(render_notification_configuration(*tab), err);
  ASSERT_TRUE(again) << err.message;
  EXPECT_EQ((*again)[0].prefix, "a\tb");
}
