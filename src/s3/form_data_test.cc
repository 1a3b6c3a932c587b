#include "s3/form_data.h"

#include <gtest/gtest.h>

#include "s3/post_policy.h"

namespace nimbus::s3 {
namespace {

struct Collect : FormDataHandler {
  base::Status on_field(std::string n, std::string v) override {
    fields.emplace_back(n, v);
    return {};
  }
  base::Status on_file_start(std::string f, std::string t) override {
    filename = f;
    type = t;
    return {};
  }
  base::Status on_file_data(std::string_view d) override {
    file.append(d);
    return {};
  }
  base::Status on_file_end() override {
    ended = true;
    return {};
  }
  std::vector<std::pair<std::string, std::string>> fields;
  std::string filename, type, file;
  bool ended = false;
};

const std::string kForm =
    "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n"
    "--XyZ  \r\ncontent-disposition: form-data; name=\"x-amz-meta-a\"\r\n\r\nline1\r\nline2\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    "\r\n--Xy\r\n-X--XyZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--XyZ--\r\n";

TEST(FormData, ParsesWhateverTheReadSizes) {
  for (size_t piece = 1; piece <= kForm.size(); ++piece) {
    Collect c;
    FormDataParser p("XyZ", c);
    for (size_t at = 0; at < kForm.size(); at += piece) ASSERT_TRUE(p.feed(kForm.substr(at, piece))) << piece;
    ASSERT_TRUE(p.finish());
    ASSERT_EQ(c.fields.size(), 2u) << piece;
    EXPECT_EQ(c.fields[0], (std::pair<std::string, std::string>{"key", "uploads/${filename}"}));
    EXPECT_EQ(c.fields[1].second, "line1\r\nline2");
    EXPECT_EQ(c.filename, "a;b.jpg");
    EXPECT_EQ(c.type, "image/jpeg");
    EXPECT_EQ(c.file, "\r\n--Xy\r\n-X--XyZ");
    EXPECT_TRUE(c.ended);
  }
}

TEST(FormData, LimitsAndMalformedInput) {
  Collect c;
  FormDataParser p("B", c);
  EXPECT_FALSE(p.feed("--B\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\n" + std::string(70000, 'v')));
  Collect d;
  FormDataParser q("B", d);
  EXPECT_TRUE(q.feed("--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\npartial"));
  EXPECT_FALSE(q.finish());
  EXPECT_EQ(form_boundary("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(form_boundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(form_boundary("text/plain; boundary=x"), std::nullopt);
}

TEST(PostPolicy, ConditionsAndExpiry) {
  S3Error err;
  auto p = parse_post_policy(R"({"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"},
      ["starts-with","$key","u/"],["content-length-range",1,10],{"x-amz-meta-a":"1"}]})", err);
  ASSERT_TRUE(p) << err.message;
  EXPECT_EQ(p->length_range(), (std::pair<int64_t, int64_t>{1, 10}));
  std::vector<std::pair<std::string, std::string>> fields{{"key", "u/x"}, {"x-amz-meta-a", "1"}, {"policy", "p"}};
  EXPECT_FALSE(check_post_fields(*p, fields, "b", 0));
  EXPECT_TRUE(check_post_fields(*p, fields, "other", 0));
  fields.emplace_back("x-amz-meta-b", "2");
  auto e = check_post_fields(*p, fields, "b", 0);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("Extra input fields: x-amz-meta-b"), std::string::npos);
  EXPECT_TRUE(check_post_fields(*p, {{"key", "u/x"}}, "b", INT64_MAX));  // expired
  EXPECT_FALSE(parse_post_policy(R"({"conditions":[]})", err));
  EXPECT_EQ(err.code, "InvalidPolicyDocument");
  EXPECT_FALSE(parse_post_policy(R"({"expiration":"2030-01-01T00:00:00Z","conditions":[["nope","$a","b"]]})", err));
}

}  // namespace
}  // namespace nimbus::s3
