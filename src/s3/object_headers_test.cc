#include "s3/object_headers.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "s3/object_options.h"

namespace nimbus::s3 {
namespace {

TEST(Ranges, Forms) {
  ByteRange r;
  ASSERT_EQ(parse_range("bytes=0-9", 100, r), RangeResult::kRange);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 9u);
  ASSERT_EQ(parse_range("bytes=90-", 100, r), RangeResult::kRange);
  EXPECT_EQ(r.last, 99u);
  ASSERT_EQ(parse_range("bytes=-10", 100, r), RangeResult::kRange);
  EXPECT_EQ(r.first, 90u);
  ASSERT_EQ(parse_range("bytes=-500", 100, r), RangeResult::kRange);
  EXPECT_EQ(r.first, 0u);
  ASSERT_EQ(parse_range("bytes=50-1000", 100, r), RangeResult::kRange);
  EXPECT_EQ(r.last, 99u);
  EXPECT_EQ(parse_range("bytes=100-", 100, r), RangeResult::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-0", 0, r), RangeResult::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=5-2", 100, r), RangeResult::kWhole);
  EXPECT_EQ(parse_range("bytes=0-1,3-4", 100, r), RangeResult::kWhole);
  EXPECT_EQ(parse_range("items=0-1", 100, r), RangeResult::kWhole);
  EXPECT_EQ(parse_range("bytes=abc", 100, r), RangeResult::kWhole);
}

TEST(Conditions, FollowS3Precedence) {
  storage::ObjectMeta m;
  m.etag = "abc";
  m.last_modified_ms = *base::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT");
  auto eval = [&](base::HeaderList h, std::string_view prefix = "") {
    http::Request r;
    r.headers = std::move(h);
    return evaluate_conditions(r, m, prefix);
  };
  EXPECT_EQ(eval({{"if-match", "\"abc\""}}), 0);
  EXPECT_EQ(eval({{"if-match", "\"xyz\""}}), 412);
  EXPECT_EQ(eval({{"if-none-match", "\"abc\""}}), 304);
  EXPECT_EQ(eval({{"if-none-match", "*"}}), 304);
  EXPECT_EQ(eval({{"if-modified-since", "Wed, 21 Oct 2015 07:28:00 GMT"}}), 304);
  EXPECT_EQ(eval({{"if-modified-since", "Tue, 20 Oct 2015 07:28:00 GMT"}}), 0);
  EXPECT_EQ(eval({{"if-unmodified-since", "Tue, 20 Oct 2015 07:28:00 GMT"}}), 412);
  // If-Match that holds overrides a failing If-Unmodified-Since.
  EXPECT_EQ(eval({{"if-match", "abc"}, {"if-unmodified-since", "Tue, 20 Oct 2015 07:28:00 GMT"}}), 0);
  EXPECT_EQ(eval({{"x-amz-copy-source-if-none-match", "\"abc\""}}, "x-amz-copy-source-"), 412);
}

TEST(Attributes, KeptHeadersAndAwsChunkedStripped) {
  http::Request r;
  r.headers = {{"content-encoding", "aws-chunked,gzip"}, {"x-amz-meta-owner", "me"}, {"authorization", "x"}};
  auto a = attributes_from_request(r);
  EXPECT_EQ(attribute(a, "content-encoding"), "gzip");
  EXPECT_EQ(attribute(a, "x-amz-meta-owner"), "me");
  EXPECT_EQ(attribute(a, "content-type"), "binary/octet-stream");
  EXPECT_EQ(attribute(a, "authorization"), "");
  r.headers = {{"content-encoding", "aws-chunked"}};
  EXPECT_EQ(attribute(attributes_from_request(r), "content-encoding"), "");
}

TEST(ObjectLock, RefusedByHeaderName) {
  auto with = [](base::HeaderList h) {
    http::Request r;
    r.headers = std::move(h);
    return r;
  };
  EXPECT_FALSE(write_options_error(with({})));
  for (const char* h : {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold"}) {
    auto e = write_options_error(with({{h, "x"}}));
    ASSERT_TRUE(e) << h;
    EXPECT_EQ(e->status, 501);
    EXPECT_EQ(e->code, "NotImplemented");
    EXPECT_NE(e->message.find(h), std::string::npos);
    EXPECT_NE(e->message.find("Object Lock"), std::string::npos);
  }
  EXPECT_FALSE(bucket_object_lock_error(with({})));
  EXPECT_FALSE(bucket_object_lock_error(with({{"x-amz-bucket-object-lock-enabled", "false"}})));
  EXPECT_FALSE(bucket_object_lock_error(with({{"x-amz-bucket-object-lock-enabled", "False"}})));
  auto on = bucket_object_lock_error(with({{"x-amz-bucket-object-lock-enabled", "true"}}));
  ASSERT_TRUE(on);
  EXPECT_EQ(on->status, 501);
  EXPECT_NE(on->message.find("x-amz-bucket-object-lock-enabled"), std::string::npos);
  auto bad = bucket_object_lock_error(with({{"x-amz-bucket-object-lock-enabled", "yes"}}));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

}  // namespace
}  // namespace nimbus::s3
