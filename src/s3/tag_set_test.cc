#include "s3/tag_set.h"

#include <gtest/gtest.h>

namespace nimbus::s3 {
namespace {

std::string doc(const std::string& tags) { return "<Tagging><TagSet>" + tags + "</TagSet></Tagging>"; }
std::string tag(const std::string& k, const std::string& v) {
  return "<Tag><Key>" + k + "</Key><Value>" + v + "</Value></Tag>";
}

TEST(TagSet, RoundTripKeepsOrderAndWhitespace) {
  S3Error err;
  auto tags = parse_bucket_tagging(doc(tag("b", "2") + tag(" ", " ") + tag("a", "")), err);
  ASSERT_TRUE(tags);
  TagSet want{{"b", "2"}, {" ", " "}, {"a", ""}};
  EXPECT_EQ(*tags, want);
  auto again = parse_bucket_tagging(render_tagging(*tags), err);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, want);
}

TEST(TagSet, Limits) {
  S3Error err;
  std::string fifty, fifty_one;
  for (int i = 0; i < 51; ++i) (i < 50 ? fifty : fifty_one) += tag("k" + std::to_string(i), "v");
  EXPECT_TRUE(parse_bucket_tagging(doc(fifty), err));
  EXPECT_FALSE(parse_bucket_tagging(doc(fifty + fifty_one), err));
  EXPECT_EQ(err.code, "InvalidTag");
  // 128 characters, counted as characters: "é" is two bytes.
  std::string key128;
  for (int i = 0; i < 128; ++i) key128 += "\xC3\xA9";
  EXPECT_TRUE(parse_bucket_tagging(doc(tag(key128, "v")), err));
  EXPECT_FALSE(parse_bucket_tagging(doc(tag(key128 + "x", "v")), err));
  EXPECT_EQ(err.message, "The TagKey you have provided is too long, max 128");
  EXPECT_FALSE(parse_bucket_tagging(doc(tag("k", std::string(257, 'v'))), err));
  EXPECT_EQ(err.message, "The TagValue you have provided is too long, max 256");
  EXPECT_FALSE(parse_bucket_tagging(doc(tag("k", "\xFF")), err));
  EXPECT_EQ(err.message, "The TagValue you have provided is invalid");
}

TEST(TagSet, Malformed) {
  S3Error err;
  for (std::string body : {"", "<Tagging/>", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
                           "<Tagging><TagSet><Tag><Value>a</Value></Tag></TagSet></Tagging>",
                           "<Tagging><TagSet><Tag><Key>a</Key><Key>b</Key><Value/></Tag></TagSet></Tagging>",
                           "<Tagging><TagSet/><TagSet/></Tagging>"}) {
    EXPECT_FALSE(parse_bucket_tagging(body, err)) << body;
    EXPECT_EQ(err.code, "MalformedXML") << body;
  }
}

}  // namespace
}  // namespace nimbus::s3
