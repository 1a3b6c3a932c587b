#include "s3/lifecycle.h"

#include <gtest/gtest.h>

namespace nimbus::s3 {
namespace {

std::string doc(const std::string& rules) {
  return "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + rules + "</LifecycleConfiguration>";
}

TEST(Lifecycle, ParsesRulesAndRendersThemBack) {
  S3Error err;
  auto rules = parse_lifecycle_configuration(
      doc("<Rule><ID>a</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>t</Key><Value>1</Value></Tag>"
          "<ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>"
          "<Expiration><Days>3</Days></Expiration></Rule>"
          "<Rule><ID>b</ID><Prefix>tmp/</Prefix><Status>Disabled</Status>"
          "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
          "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>"),
      err);
  ASSERT_TRUE(rules) << err.message;
  ASSERT_EQ(rules->size(), 2u);
  const auto& a = (*rules)[0];
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.filter.prefix, "logs/");
  EXPECT_EQ(a.filter.tags.size(), 1u);
  EXPECT_EQ(*a.filter.size_greater_than, 5u);
  EXPECT_EQ(*a.expiration_days, 3);
  const auto& b = (*rules)[1];
  EXPECT_TRUE(b.filter.legacy);
  EXPECT_EQ(*b.abort_incomplete_upload_days, 1);
  EXPECT_EQ(*b.expiration_date_ms, 1893456000000);
  auto again = parse_lifecycle_configuration(render_lifecycle_configuration(*rules), err);
  ASSERT_TRUE(again) << err.message;
  EXPECT_EQ(render_lifecycle_configuration(*again), render_lifecycle_configuration(*rules));
}

TEST(Lifecycle, RefusesWhatS3Refuses) {
  S3Error err;
  auto refused = [&](const std::string& rules) { return !parse_lifecycle_configuration(doc(rules), err); };
  EXPECT_TRUE(refused("<Rule><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>"));
  EXPECT_EQ(err.code, "InvalidArgument");
  EXPECT_TRUE(refused("<Rule><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>"));
  EXPECT_EQ(err.code, "MalformedXML");
  EXPECT_TRUE(refused("<Rule><Status>Enabled</Status></Rule>"));  // no action
  // Bytes that are not UTF-8 (found by fuzz/s3_xml: an ID of 88 such bytes
  // stored, then rendered back as 256 bytes of U+FFFD, over the limit).
  EXPECT_TRUE(refused("<Rule><ID>log\xb4\xb4</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"));
  EXPECT_EQ(err.code, "MalformedXML");
  EXPECT_TRUE(refused("<Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>"));
  EXPECT_NE(err.message.find("midnight"), std::string::npos);
  EXPECT_TRUE(refused("<Rule><ID>x</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
                      "<Rule><ID>x</ID><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>"));
  EXPECT_TRUE(refused("<Rule><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass>"
                      "</Transition></Rule>"));
  EXPECT_EQ(err.status, 501);
  EXPECT_TRUE(refused("<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>"
                      "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
                      "</AbortIncompleteMultipartUpload></Rule>"));
  EXPECT_TRUE(refused("<Rule><Filter><Prefix>a</Prefix><Prefix>b</Prefix></Filter><Status>Enabled</Status>"
                      "<Expiration><Days>1</Days></Expiration></Rule>"));
  EXPECT_TRUE(refused("<Rule><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true"
                      "</ExpiredObjectDeleteMarker></Expiration></Rule>"));
  EXPECT_FALSE(parse_lifecycle_configuration("<Nope/>", err));
}

TEST(Lifecycle, FiltersAndDueTimes) {
  LifecycleFilter f;
  f.prefix = "logs/";
  f.tags = {{"k", "v"}};
  f.size_less_than = 100;
  EXPECT_TRUE(lifecycle_filter_matches(f, "logs/a", 5, {{"x", "y"}, {"k", "v"}}));
  EXPECT_FALSE(lifecycle_filter_matches(f, "logs/a", 5, {}));
  EXPECT_FALSE(lifecycle_filter_matches(f, "logs/a", 100, {{"k", "v"}}));
  EXPECT_FALSE(lifecycle_filter_matches(f, "other", 5, {{"k", "v"}}));
  // Rounded up to the next midnight (UTC) after creation + days.
  const int64_t day = 86400000;
  EXPECT_EQ(lifecycle_due_ms(10 * day + 5, 1, day), 12 * day);
  EXPECT_EQ(lifecycle_due_ms(10 * day, 1, day), 11 * day);
}

}  // namespace
}  // namespace nimbus::s3
