#include "aws/eventstream.h"

#include <gtest/gtest.h>

#include "base/checksum.h"
#include "base/encoding.h"

namespace nimbus::aws {
namespace {

uint32_t u32(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 | uint32_t(uint8_t(s[at + 2])) << 8 |
         uint32_t(uint8_t(s[at + 3]));
}

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

TEST(EventStream, PayloadChunkAsBotocoreDecodesIt) {
  // Built independently (Python's struct and binascii.crc32) and decoded by
  // botocore's EventStreamBuffer to these headers and payload.
  EXPECT_EQ(hex(encode_event("PayloadChunk", "application/octet-stream", "hello")),
            "0000006f0000005af5fe871f0b3a6576656e742d7479706507000c5061796c6f61644368756e6b0d3a636f6e74656e742d74"
            "7970650700186170706c69636174696f6e2f6f637465742d73747265616d0d3a6d6573736167652d74797065070005657665"
            "6e7468656c6c6f29e71260");
}

TEST(EventStream, PreludeAndMessageCrcs) {
  std::string payload(100000, 'x');  // larger than a uint16: lengths are uint32
  std::string m = encode_event_message({{"a", "b"}}, payload);
  ASSERT_EQ(m.size(), 12 + 6 + payload.size() + 4);
  EXPECT_EQ(u32(m, 0), m.size());
  EXPECT_EQ(u32(m, 4), 6u);
  EXPECT_EQ(u32(m, 8), base::crc32(std::string_view(m).substr(0, 8)));
  EXPECT_EQ(u32(m, m.size() - 4), base::crc32(std::string_view(m).substr(0, m.size() - 4)));
  EXPECT_EQ(m.substr(12, 6), std::string("\x01" "a\x07\x00\x01" "b", 6));
}

TEST(EventStream, EmptyPayloadAndNoHeaders) {
  std::string m = encode_event_message({}, "");
  ASSERT_EQ(m.size(), 16u);
  EXPECT_EQ(u32(m, 0), 16u);
  EXPECT_EQ(u32(m, 4), 0u);
}

}  // namespace
}  // namespace nimbus::aws
