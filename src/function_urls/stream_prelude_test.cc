#include "function_urls/stream_prelude.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

using namespace nimbus;
using namespace nimbus::function_urls;

namespace {

const std::string kNuls(8, '\0');

std::string header(const HttpPrelude& p, std::string_view name) {
  for (const auto& [k, v] : p.headers)
    if (base::to_lower(k) == name) return v;
  return "<none>";
}

}  // namespace

TEST(StreamPrelude, ReadsStatusHeadersAndCookies) {
  auto p = parse_http_prelude(R"({"statusCode":201,"headers":{"Content-Type":"text/html","X-N":5},"cookies":["a=1","b=2; Path=/"]})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->status, 201);
  EXPECT_EQ(header(*p, "content-type"), "text/html");
  EXPECT_EQ(header(*p, "x-n"), "5");
  int cookies = 0;
  for (const auto& [k, v] : p->headers)
    if (k == "Set-Cookie") ++cookies;
  EXPECT_EQ(cookies, 2);
}

TEST(StreamPrelude, StatusDefaultsTo200AndEmptyIsAPlain200) {
  auto p = parse_http_prelude(R"({"headers":{"x-a":"b"}})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200);
  EXPECT_EQ(header(*p, "x-a"), "b");
  auto empty = parse_http_prelude("  ");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 200);
  EXPECT_TRUE(empty->headers.empty());
}

TEST(StreamPrelude, BodyMembersAreNotPartOfIt) {
  auto p = parse_http_prelude(R"({"statusCode":200,"body":"x","isBase64Encoded":true})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200);
}

TEST(StreamPrelude, RefusesWhatIsNotAPrelude) {
  for (std::string_view bad : {"[1]", "\"x\"", "{", R"({"statusCode":99})", R"({"statusCode":"abc"})",
                               R"({"headers":[1]})", R"({"headers":{"a":{}}})", R"({"cookies":"a=1"})",
                               R"({"cookies":[1]})"})
    EXPECT_FALSE(parse_http_prelude(bad)) << bad;
}

TEST(PreludeReader, FindsTheDelimiterInOnePiece) {
  PreludeReader r;
  EXPECT_EQ(r.add(R"({"statusCode":404})" + kNuls + "body\0x"), PreludeReader::Step::kDone);
  EXPECT_EQ(r.prelude(), R"({"statusCode":404})");
  EXPECT_EQ(r.take_body(), "body");
}

TEST(PreludeReader, FindsTheDelimiterSplitAcrossPieces) {
  std::string all = R"({"statusCode":202})" + kNuls + std::string("the\0body", 8);
  for (size_t cut1 = 0; cut1 <= all.size(); ++cut1)
    for (size_t cut2 = cut1; cut2 <= all.size(); cut2 += 3) {
      PreludeReader r;
      auto s1 = r.add(std::string_view(all).substr(0, cut1));
      auto s2 = s1 == PreludeReader::Step::kDone ? s1 : r.add(std::string_view(all).substr(cut1, cut2 - cut1));
      auto s3 = s2 == PreludeReader::Step::kDone ? s2 : r.add(std::string_view(all).substr(cut2));
      ASSERT_EQ(s3, PreludeReader::Step::kDone) << cut1 << " " << cut2;
      EXPECT_EQ(r.prelude(), R"({"statusCode":202})");
      // The bytes after the delimiter of the piece that completed it; later pieces are the body's own.
      std::string rest = r.take_body();
      EXPECT_EQ(all.substr(all.size() - 8).substr(0, rest.size()), rest);
    }
}

TEST(PreludeReader, SevenNulsAreNotTheEnd) {
  PreludeReader r;
  EXPECT_EQ(r.add(std::string("{}") + std::string(7, '\0') + "x"), PreludeReader::Step::kMore);
  EXPECT_EQ(r.unterminated().size(), 10u);
}

TEST(PreludeReader, GivesUpPastTheLimit) {
  PreludeReader r;
  std::string big(kMaxPreludeBytes / 2 + 1, ' ');
  EXPECT_EQ(r.add(big), PreludeReader::Step::kMore);
  EXPECT_EQ(r.add(big), PreludeReader::Step::kTooLarge);
}
