#include "s3/request_parsing.h"

#include <gtest/gtest.h>

namespace nimbus::s3 {
namespace {

TEST(RequestParsing, DeleteRequest) {
  S3Error err;
  auto d = parse_delete_request("<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object>"
                                "<Object><Key>b/c</Key></Object></Delete>", err);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->quiet);
  ASSERT_EQ(d->objects.size(), 2u);
  EXPECT_EQ(d->objects[1].key, "b/c");
  auto v = parse_delete_request("<Delete><Object><Key>k</Key><VersionId>v1</VersionId><ETag>\"e\"</ETag></Object></Delete>", err);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->objects[0].version_id, "v1");
  EXPECT_EQ(v->objects[0].etag, "e");
  EXPECT_FALSE(parse_delete_request("<Delete><Object><Key>k</Key><Size>1</Size></Object></Delete>", err));
  EXPECT_EQ(err.status, 501);
  EXPECT_FALSE(parse_delete_request("<Delete><Object><VersionId>1</VersionId></Object></Delete>", err));
  EXPECT_EQ(err.code, "MalformedXML");
  EXPECT_FALSE(parse_delete_request("<Delete>", err));
  EXPECT_EQ(err.code, "MalformedXML");
}

// Issue 12: a key that is only whitespace was dropped while parsing, so
// DeleteObjects reported it Deleted and deleted "" instead.
TEST(RequestParsing, WhitespaceOnlyTextIsKept) {
  S3Error err;
  auto d = parse_delete_request("<Delete>\n  <Object>\n    <Key> </Key>\n  </Object>\n  <Object><Key>\t\n</Key>"
                                "</Object><Object><Key>  a  </Key></Object>\n</Delete>", err);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->objects.size(), 3u);
  EXPECT_EQ(d->objects[0].key, " ");
  EXPECT_EQ(d->objects[1].key, "\t\n");
  EXPECT_EQ(d->objects[2].key, "  a  ");
  // Indentation between elements is still not text.
  auto parts = parse_complete_multipart("<CompleteMultipartUpload>\n  <Part>\n    <PartNumber>1</PartNumber>\n"
                                        "    <ETag>\"e\"</ETag>\n  </Part>\n</CompleteMultipartUpload>\n", err);
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0].etag, "e");
}

TEST(RequestParsing, CompleteMultipart) {
  S3Error err;
  auto parts = parse_complete_multipart("<CompleteMultipartUpload><Part><ETag>\"abc\"</ETag><PartNumber>2</PartNumber>"
                                        "</Part></CompleteMultipartUpload>", err);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].part_number, 2);
  EXPECT_EQ((*parts)[0].etag, "abc");
  EXPECT_FALSE(parse_complete_multipart("<CompleteMultipartUpload><Part><ETag>x</ETag><PartNumber>10001</PartNumber>"
                                        "</Part></CompleteMultipartUpload>", err));
  EXPECT_FALSE(parse_complete_multipart("<Other/>", err));
  EXPECT_EQ(err.status, 400);
}

TEST(RequestParsing, CopySource) {
  S3Error err;
  auto s = parse_copy_source("/src%20b/a%2Fb.txt?versionId=null", err);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bucket, "src b");
  EXPECT_EQ(s->key, "a/b.txt");
  EXPECT_FALSE(parse_copy_source("bucket/", err));
  EXPECT_EQ(err.code, "InvalidArgument");
  EXPECT_EQ(s->version_id, "null");
  // The id is checked by the store, which knows the bucket's versioning.
  EXPECT_EQ(parse_copy_source("b/k?versionId=3", err)->version_id, "3");
  EXPECT_FALSE(parse_copy_source("b/k", err)->version_id);
  EXPECT_FALSE(parse_copy_source("b/k?partNumber=3", err));
}

TEST(RequestParsing, CreateBucketConfiguration) {
  S3Error err;
  EXPECT_EQ(*parse_create_bucket_configuration("", err), "");
  EXPECT_EQ(*parse_create_bucket_configuration(
                "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
                err),
            "eu-west-1");
  EXPECT_FALSE(parse_create_bucket_configuration("<a", err));
}

TEST(RequestParsing, NewKeysMustFitInXml) {
  EXPECT_FALSE(new_key_error("photos/été 🌞 1.jpg"));
  EXPECT_FALSE(new_key_error("tab\tnewline\ncr\r"));
  EXPECT_EQ(new_key_error(std::string(1025, 'k'))->code, "KeyTooLongError");
  EXPECT_EQ(new_key_error(std::string("a\0b", 3))->code, "InvalidArgument");
  EXPECT_EQ(new_key_error("bell\x07")->code, "InvalidArgument");
  EXPECT_EQ(new_key_error("bad\xff")->code, "InvalidArgument");
  EXPECT_EQ(new_key_error("nonchar\xEF\xBF\xBF")->code, "InvalidArgument");
}

TEST(RequestParsing, LocationConstraintIsARegionName) {
  S3Error err;
  auto ok = parse_create_bucket_configuration(
      "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>", err);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "eu-west-1");
  EXPECT_FALSE(parse_create_bucket_configuration(
      "<CreateBucketConfiguration><LocationConstraint>eu&#13;&#10;X: y</LocationConstraint></CreateBucketConfiguration>",
      err));
  EXPECT_EQ(err.code, "InvalidLocationConstraint");
}

}  // namespace
}  // namespace nimbus::s3
