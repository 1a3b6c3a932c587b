#include "base/checksum.h"

#include <gtest/gtest.h>

#include "base/crypto.h"
#include "base/encoding.h"

namespace nimbus::base {

TEST(Checksum, KnownCheckValues) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
}

static std::string checksum_of(ChecksumAlgorithm a, std::string_view data) {
  Checksummer c(a);
  // feed in two pieces to exercise incremental use
  c.update(data.data(), data.size() / 2);
  c.update(data.data() + data.size() / 2, data.size() - data.size() / 2);
  return c.finish_base64();
}

TEST(Checksum, Base64OfBigEndianDigest) {
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32, "123456789"), base64_encode("\xCB\xF4\x39\x26"));
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc32c, "123456789"), base64_encode("\xE3\x06\x92\x83"));
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kCrc64Nvme, "123456789"),
            base64_encode(std::string("\xAE\x8B\x14\x86\x0A\x79\x98\x88", 8)));
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kSha256, "abc"), base64_encode(sha256("abc")));
  EXPECT_EQ(checksum_of(ChecksumAlgorithm::kSha1, ""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
}

TEST(Checksum, Names) {
  EXPECT_EQ(*parse_checksum_algorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_FALSE(parse_checksum_algorithm("md5"));
  EXPECT_EQ(checksum_header(ChecksumAlgorithm::kSha256), "x-amz-checksum-sha256");
}

TEST(Crypto, Md5AndHmac) {
  EXPECT_EQ(to_hex(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  // RFC 4231 test case 2
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace nimbus::base
