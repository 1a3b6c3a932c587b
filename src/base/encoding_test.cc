#include "base/encoding.h"

#include <gtest/gtest.h>

namespace nimbus::base {

TEST(Encoding, HexRoundTrip) {
  EXPECT_EQ(to_hex("\x01\xab\xff"), "01abff");
  EXPECT_EQ(*from_hex("01ABff"), "\x01\xab\xff");
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
}

TEST(Encoding, Base64) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(*base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(*base64_decode("aGVsbG8h"), "hello!");
  EXPECT_EQ(*base64_decode(""), "");
  EXPECT_FALSE(base64_decode("aGVsbG8"));
  EXPECT_FALSE(base64_decode("aGV$bG8="));
}

TEST(Encoding, UriEncodeFollowsSigV4) {
  EXPECT_EQ(uri_encode("a b+c/d~e", true), "a%20b%2Bc%2Fd~e");
  EXPECT_EQ(uri_encode("a b/d", false), "a%20b/d");
  EXPECT_EQ(uri_encode("\xc3\xa9"), "%C3%A9");
}

TEST(Encoding, UriDecode) {
  EXPECT_EQ(uri_decode("a%20b+c"), "a b+c");
  EXPECT_EQ(uri_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(uri_decode("100%"), "100%");
  EXPECT_EQ(uri_decode("%zz%2f"), "%zz/");
}

TEST(Encoding, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xe6\x97\xa5\xe6\x9c\xac"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xe6\x97"));
}

}  // namespace nimbus::base
