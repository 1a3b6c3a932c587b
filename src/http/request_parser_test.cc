#include "http/request_parser.h"

#include <gtest/gtest.h>

namespace nimbus::http {
namespace {

namespace bhttp = boost::beast::http;

struct Parsed {
  boost::beast::error_code ec;
  std::string body;
  bool done = false;
};

// Feeds `wire` in pieces of `step` bytes, as a connection would, collecting the body.
Parsed parse(RequestParser& p, std::string_view wire, size_t step = 1 << 20) {
  Parsed out;
  std::string pending;
  char buf[7];  // small on purpose: bodies cross many lends
  for (size_t off = 0; off <= wire.size(); off += step) {
    pending.append(wire.substr(off, step));
    for (;;) {
      p.lend_body(buf, sizeof buf);
      boost::beast::error_code ec;
      size_t used = p.feed(pending, ec);
      pending.erase(0, used);
      out.body.append(buf, p.body_received());
      if (ec == bhttp::error::need_buffer) continue;
      if (ec && ec != bhttp::error::need_more) {
        out.ec = ec;
        return out;
      }
      if (p.is_done()) {
        out.done = true;
        return out;
      }
      if (used == 0 && p.body_received() == 0) break;
    }
  }
  return out;
}

TEST(RequestParser, KeepsTheNamesAsSentBesideTheLowerCaseOnes) {
  RequestParser p(8192);
  auto r = parse(p, "GET / HTTP/1.1\r\nHost: a\r\ntEsT-HEADeR: v\r\nX-Api-Key: k\r\nx-api-key: k2\r\n\r\n", 3);
  ASSERT_TRUE(r.done) << r.ec.message();
  ASSERT_EQ(p.headers().size(), 4u);
  ASSERT_EQ(p.original_names().size(), 4u);
  EXPECT_EQ(p.headers()[1].first, "test-header");
  EXPECT_EQ(p.original_names()[1], "tEsT-HEADeR");
  EXPECT_EQ(p.original_names()[2], "X-Api-Key");
  EXPECT_EQ(p.original_names()[3], "x-api-key");
}

TEST(RequestParser, ChunkedBodyWithTrailerInAnySplit) {
  std::string wire =
      "PUT /b/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Amz-Checksum-Crc32: abc\r\n\r\n";
  for (size_t step : {1, 2, 3, 7, 64, 4096}) {
    RequestParser p(8192);
    auto r = parse(p, wire, step);
    ASSERT_TRUE(r.done) << step << " " << r.ec.message();
    EXPECT_EQ(r.body, "hello world");
    EXPECT_EQ(p.method(), "PUT");
    EXPECT_EQ(p.target(), "/b/k");
    ASSERT_EQ(p.trailers().size(), 1u);
    EXPECT_EQ(p.trailers()[0].first, "x-amz-checksum-crc32");
  }
}

TEST(RequestParser, TrailerOverTheBudgetIsRefusedNotThrown) {
  // Beast's own field container throws std::length_error past 64 KiB.
  std::string wire = "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Big: " +
                     std::string(65600, 'a') + "\r\n\r\n";
  RequestParser p(64 * 1024);
  auto r = parse(p, wire, 4096);
  EXPECT_EQ(r.ec, bhttp::error::header_limit);
  EXPECT_EQ(p.failure(r.ec).status, 431);
}

TEST(RequestParser, ExtensionsCountAgainstTheBudget) {
  std::string wire = "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 100; ++i) wire += "1;" + std::string(100, 'e') + "\r\nx\r\n";
  wire += "0\r\n\r\n";
  RequestParser p(4096);
  EXPECT_EQ(parse(p, wire).ec, bhttp::error::header_limit);
  RequestParser roomy(64 * 1024);
  EXPECT_TRUE(parse(roomy, wire).done);
}

TEST(RequestParser, TransferEncodingRules) {
  struct Case {
    std::string headers;
    int status;
  } cases[] = {{"Transfer-Encoding: gzip\r\n", 400},
               {"Transfer-Encoding: chunked, identity\r\n", 400},
               {"Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n", 400},
               {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400},
               {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", 501}};
  for (const auto& c : cases) {
    RequestParser p(8192);
    auto r = parse(p, "PUT / HTTP/1.1\r\nHost: x\r\n" + c.headers + "\r\n0\r\n\r\n");
    ASSERT_TRUE(r.ec) << c.headers;
    EXPECT_EQ(p.failure(r.ec).status, c.status) << c.headers;
  }
  RequestParser old(8192);
  auto r = parse(old, "PUT / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(old.failure(r.ec).status, 400);
}

TEST(RequestParser, BareLineFeedsAndHugeChunksFailAtOnce) {
  for (std::string body : {"5\nhello\n0\n\n", "5\r\nhello\r\n0\n", "ffffffffffffffff\r\nab"}) {
    RequestParser p(8192);
    auto r = parse(p, "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    EXPECT_TRUE(r.ec) << body;
    EXPECT_EQ(p.failure(r.ec).status, 400) << body;
  }
  RequestParser p(8192);
  EXPECT_TRUE(parse(p, "GET / HTTP/1.1\nHost: x\n").ec);
}

TEST(RequestParser, ContentLengthBody) {
  RequestParser p(8192);
  auto r = parse(p, "POST /x?y=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world", 3);
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(p.declared_length(), 11u);
  ASSERT_EQ(p.headers().size(), 2u);
  EXPECT_EQ(p.headers()[1].first, "content-length");
}

}  // namespace
}  // namespace nimbus::http
