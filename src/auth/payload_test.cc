#include "auth/payload.h"

#include <gtest/gtest.h>

#include "base/checksum.h"
#include "base/crypto.h"
#include "base/encoding.h"

namespace nimbus::auth {

namespace {
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

VerifiedRequest streaming_request(PayloadMode mode) {
  VerifiedRequest r;
  r.amz_date = "20130524T000000Z";
  r.scope = {"20130524", "us-east-1", "s3"};
  r.signing_key = derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", r.scope);
  r.signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  r.payload = mode;
  return r;
}

// Encodes `data` as aws-chunked with the given chunk size, signing as a client would.
std::string encode(const VerifiedRequest& r, const std::string& data, size_t chunk, bool sign,
                   const std::string& trailer_line, bool sign_trailer) {
  std::string out, prev = r.signature;
  auto add_chunk = [&](std::string_view piece) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    out += size;
    if (sign) {
      std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + r.amz_date + "\n" + r.scope.str() + "\n" + prev + "\n" +
                        kEmpty + "\n" + base::sha256_hex(piece);
      prev = base::to_hex(base::hmac_sha256(r.signing_key, sts));
      out += ";chunk-signature=" + prev;
    }
    out += "\r\n";
    out.append(piece);
    if (!piece.empty()) out += "\r\n";
  };
  for (size_t i = 0; i < data.size(); i += chunk) add_chunk(std::string_view(data).substr(i, chunk));
  add_chunk("");
  if (!trailer_line.empty()) {
    out += trailer_line + "\r\n";
    if (sign_trailer) {
      std::string sts = "AWS4-HMAC-SHA256-TRAILER\n" + r.amz_date + "\n" + r.scope.str() + "\n" + prev + "\n" +
                        base::sha256_hex(trailer_line + "\n");
      out += "x-amz-trailer-signature:" + base::to_hex(base::hmac_sha256(r.signing_key, sts)) + "\r\n";
    }
  }
  out += "\r\n";
  return out;
}

base::Result<std::string> decode(const VerifiedRequest& r, const std::string& body, size_t feed_size,
                                 PayloadDecoder* keep = nullptr) {
  PayloadDecoder local(r);
  PayloadDecoder& d = keep ? *keep : local;
  std::string out;
  for (size_t i = 0; i < body.size(); i += feed_size)
    if (auto s = d.feed(std::string_view(body).substr(i, feed_size), out); !s) return s.error();
  if (auto s = d.finish(); !s) return s.error();
  return out;
}
}  // namespace

// AWS S3 documentation, "Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks": 66560 bytes of 'a' in 64 KB chunks.
TEST(Payload, AwsDocumentedChunkSignatures) {
  auto r = streaming_request(PayloadMode::kStreamingSigned);
  std::string data(66560, 'a');
  std::string body = encode(r, data, 65536, true, "", false);
  EXPECT_NE(body.find("chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"),
            std::string::npos);
  EXPECT_NE(body.find("chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"),
            std::string::npos);
  EXPECT_NE(body.find("chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"),
            std::string::npos);
  EXPECT_EQ(body.size(), 66824u);  // the documented Content-Length
  for (size_t feed : {1, 7, 4096, 100000}) {
    auto out = decode(r, body, feed);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(*out, data);
  }
}

TEST(Payload, CorruptedChunkIsRejected) {
  auto r = streaming_request(PayloadMode::kStreamingSigned);
  std::string body = encode(r, std::string(70000, 'b'), 65536, true, "", false);
  body[body.find("\r\n") + 10] = 'X';
  auto out = decode(r, body, 8192);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, base::reason::kSignatureDoesNotMatch);
}

TEST(Payload, TruncatedBodyIsIncomplete) {
  auto r = streaming_request(PayloadMode::kStreamingSigned);
  std::string body = encode(r, std::string(1000, 'c'), 512, true, "", false);
  body.resize(body.size() - 100);
  auto out = decode(r, body, 64);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, base::reason::kIncompleteBody);
}

TEST(Payload, UnsignedTrailerCarriesChecksum) {
  auto r = streaming_request(PayloadMode::kStreamingUnsignedTrailer);
  std::string data = "hello world, this is a trailer test";
  base::Checksummer c(base::ChecksumAlgorithm::kCrc32);
  c.update(data.data(), data.size());
  std::string trailer = "x-amz-checksum-crc32:" + c.finish_base64();
  PayloadDecoder d(r);
  auto out = decode(r, encode(r, data, 8, false, trailer, false), 3, &d);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, data);
  ASSERT_EQ(d.trailers().size(), 1u);
  EXPECT_EQ(d.trailers()[0].first, "x-amz-checksum-crc32");
}

TEST(Payload, SignedTrailerIsVerified) {
  auto r = streaming_request(PayloadMode::kStreamingSignedTrailer);
  std::string data(100000, 'z');
  std::string good = encode(r, data, 65536, true, "x-amz-checksum-crc32c:sOO8/Q==", true);
  ASSERT_TRUE(decode(r, good, 1000).ok());
  std::string bad = good;
  bad.replace(bad.find("sOO8/Q=="), 8, "AAAAAA==");
  auto out = decode(r, bad, 1000);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, base::reason::kSignatureDoesNotMatch);
}

TEST(Payload, SignedHashMismatch) {
  VerifiedRequest r;
  r.payload = PayloadMode::kSignedHash;
  r.payload_hash = base::sha256_hex("expected");
  EXPECT_TRUE(decode(r, "expected", 3).ok());
  EXPECT_EQ(decode(r, "different", 3).error().reason, base::reason::kContentSha256Mismatch);
}

}  // namespace nimbus::auth
