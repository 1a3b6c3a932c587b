#include "s3/tag_set.h"

#include <gtest/gtest.h>

namespace nimbus::s3 {
namespace {

std::optional<TagSet> parse_bucket(std::string_view body, S3Error& err) {
  return parse_tagging(body, TagSetKind::kBucket, err);
}

std::string doc(const std::string& tags) { return "<Tagging><TagSet>" + tags + "</TagSet></Tagging>"; }
std::string tag(const std::string& k, const std::string& v) {
  return "<Tag><Key>" + k + "</Key><Value>" + v + "</Value></Tag>";
}

TEST(TagSet, RoundTripKeepsOrderAndWhitespace) {
  S3Error err;
  auto tags = parse_bucket(doc(tag("b", "2") + tag(" ", " ") + tag("a", "")), err);
  ASSERT_TRUE(tags);
  TagSet want{{"b", "2"}, {" ", " "}, {"a", ""}};
  EXPECT_EQ(*tags, want);
  auto again = parse_bucket(render_tagging(*tags), err);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, want);
}

TEST(TagSet, Limits) {
  S3Error err;
  std::string fifty, fifty_one;
  for (int i = 0; i < 51; ++i) (i < 50 ? fifty : fifty_one) += tag("k" + std::to_string(i), "v");
  EXPECT_TRUE(parse_bucket(doc(fifty), err));
  EXPECT_FALSE(parse_bucket(doc(fifty + fifty_one), err));
  EXPECT_EQ(err.code, "InvalidTag");
  // 128 characters, counted as characters: "é" is two bytes.
  std::string key128;
  for (int i = 0; i < 128; ++i) key128 += "\xC3\xA9";
  EXPECT_TRUE(parse_bucket(doc(tag(key128, "v")), err));
  EXPECT_FALSE(parse_bucket(doc(tag(key128 + "x", "v")), err));
  EXPECT_EQ(err.message, "The TagKey you have provided is too long, max 128");
  EXPECT_FALSE(parse_bucket(doc(tag("k", std::string(257, 'v'))), err));
  EXPECT_EQ(err.message, "The TagValue you have provided is too long, max 256");
  EXPECT_FALSE(parse_bucket(doc(tag("k", "\xFF")), err));
  EXPECT_EQ(err.message, "The TagValue you have provided is invalid");
}

TEST(TagSet, Malformed) {
  S3Error err;
  for (std::string body : {"", "<Tagging/>", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
                           "<Tagging><TagSet><Tag><Value>a</Value></Tag></TagSet></Tagging>",
                           "<Tagging><TagSet><Tag><Key>a</Key><Key>b</Key><Value/></Tag></TagSet></Tagging>",
                           "<Tagging><TagSet/><TagSet/></Tagging>"}) {
    EXPECT_FALSE(parse_bucket(body, err)) << body;
    EXPECT_EQ(err.code, "MalformedXML") << body;
  }
}

TEST(TagSet, ObjectLimitsAndWords) {
  // Objects: at most 10 (BadRequest), any UTF-8 text, "aws:" keys allowed; S3's object messages.
  S3Error err;
  auto parse = [&](const std::string& body) { return parse_tagging(body, TagSetKind::kObject, err); };
  std::string ten, eleven;
  for (int i = 0; i < 10; ++i) ten += tag("k" + std::to_string(i), "v");
  EXPECT_TRUE(parse(doc(ten)));
  EXPECT_FALSE(parse(doc(ten + tag("k10", "v"))));
  EXPECT_EQ(err.code, "BadRequest");
  EXPECT_EQ(err.message, "Object tags cannot be greater than 10");
  auto odd = parse(doc(tag("a&b", "x!y") + tag("aws:k", "")));
  ASSERT_TRUE(odd);
  EXPECT_EQ((*odd)[0].first, "a&b");
  EXPECT_FALSE(parse(doc(tag(std::string(129, 'k'), "v"))));
  EXPECT_EQ(err.message, "The TagKey you have provided is invalid");
  EXPECT_FALSE(parse(doc(tag("k", std::string(257, 'v')))));
  EXPECT_EQ(err.message, "The TagValue you have provided is invalid");
  EXPECT_FALSE(parse(doc(tag("k", "\xFF"))));
  EXPECT_EQ(err.message, "The TagKey and TagValue you have provided must be UTF-8");
  EXPECT_FALSE(parse(doc(tag("k", "1") + tag("k", "2"))));
  EXPECT_EQ(err.message, "Cannot provide multiple Tags with the same key");
  // The header form takes the same limits.
  auto header = parse_tagging_header("a=1&b%20c=d%2Fe&empty", err);
  ASSERT_TRUE(header);
  EXPECT_EQ(*header, (TagSet{{"a", "1"}, {"b c", "d/e"}, {"empty", ""}}));
  EXPECT_FALSE(parse_tagging_header("k=1&k=2", err));
  EXPECT_EQ(err.code, "InvalidTag");
}

}  // namespace
}  // namespace nimbus::s3
