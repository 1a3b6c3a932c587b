#include "s3/upload.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "auth/payload.h"
#include "base/checksum.h"
#include "base/encoding.h"
#include "http/offload.h"
#include "s3/conditional_writes.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

constexpr base::ChecksumAlgorithm kAlgorithms[] = {base::ChecksumAlgorithm::kCrc32, base::ChecksumAlgorithm::kCrc32c,
                                                   base::ChecksumAlgorithm::kCrc64Nvme, base::ChecksumAlgorithm::kSha1,
                                                   base::ChecksumAlgorithm::kSha256};

bool parse_u64(const std::string& s, uint64_t& out) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::strtoull(s.c_str(), nullptr, 10);
  return true;
}

}  // namespace

void add_written_checksum(http::Response& r, const storage::DataWriter& w) {
  if (auto a = w.checksum_algorithm()) r.set(base::checksum_header(*a), w.checksum_base64());
}

awaitable<std::unique_ptr<storage::DataWriter>> receive_body(Deps& d, Call& c, S3Error& err,
                                                             const std::string& upload_checksum) {
  const http::Request& req = c.req;
  bool chunked = c.auth.payload == auth::PayloadMode::kStreamingSigned ||
                 c.auth.payload == auth::PayloadMode::kStreamingSignedTrailer ||
                 c.auth.payload == auth::PayloadMode::kStreamingUnsignedTrailer;

  // The length the object will have.
  uint64_t expected = 0;
  bool known = false;
  if (chunked) {
    known = parse_u64(req.header("x-amz-decoded-content-length"), expected);
    if (!known && !req.header("x-amz-decoded-content-length").empty()) {
      err = s3_error(400, "InvalidArgument", "x-amz-decoded-content-length must be a non-negative integer");
      co_return nullptr;
    }
  } else if (req.content_length) {
    expected = *req.content_length;
    known = true;
  } else if (req.header("transfer-encoding").empty()) {
    err = s3_error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    co_return nullptr;
  }
  if (known && expected > d.options.max_object_size) {
    err = s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
    co_return nullptr;
  }

  // Which additional checksum to compute, and where its expected value comes from.
  std::optional<base::ChecksumAlgorithm> algo;
  std::string expected_checksum;
  bool from_trailer = false;
  for (auto a : kAlgorithms) {
    std::string v = req.header(base::checksum_header(a));
    if (!v.empty()) {
      if (algo) {
        err = s3_error(400, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
        co_return nullptr;
      }
      algo = a;
      expected_checksum = v;
    }
  }
  std::string trailer = base::to_lower(req.header("x-amz-trailer"));
  if (!trailer.empty()) {
    bool matched = false;
    for (auto a : kAlgorithms)
      if (trailer == base::checksum_header(a)) {
        algo = a;
        matched = true;
      }
    if (!matched || !chunked) {
      err = s3_error(400, "InvalidRequest", "The value specified in the x-amz-trailer header is not supported");
      co_return nullptr;
    }
    from_trailer = true;
  }
  if (!algo) {
    std::string sdk = req.header("x-amz-sdk-checksum-algorithm");
    if (!sdk.empty()) {
      algo = base::parse_checksum_algorithm(sdk);
      if (!algo) {
        err = s3_error(400, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
        co_return nullptr;
      }
    }
  }
  if (!algo && !upload_checksum.empty()) algo = base::parse_checksum_algorithm(upload_checksum);

  std::optional<std::string> content_md5;
  // Present but empty is a bad digest too (S3 answers InvalidDigest), not "no digest".
  if (const std::string* v = base::find_header(req.headers, "content-md5")) {
    content_md5 = base::base64_decode(*v);
    if (!content_md5 || content_md5->size() != 16) {
      err = s3_error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
      co_return nullptr;
    }
  }

  // Cheap: checks a cached bucket list, and files are only created past the inline limit.
  auto writer = d.store.new_writer(c.addr.bucket);
  if (!writer) {
    err = to_s3_error(writer.error());
    co_return nullptr;
  }
  auto& w = **writer;
  if (algo) w.add_checksum(*algo);

  auth::PayloadDecoder decoder(c.auth);
  // Sized to the body (a 4 KB PUT must not pay for a 256 KB buffer), and not
  // zero-filled: it is always written before it is read.
  size_t buf_size = known ? static_cast<size_t>(std::clamp<uint64_t>(req.content_length.value_or(expected), 4096, 256 * 1024))
                          : 256 * 1024;
  std::unique_ptr<char[]> raw(new char[buf_size]);
  std::string decoded;
  for (;;) {
    auto n = co_await req.body->read_some(raw.get(), buf_size);
    if (!n) {
      err = to_s3_error(n.error());
      co_return nullptr;
    }
    if (*n == 0) break;
    decoded.clear();
    if (auto s = decoder.feed(std::string_view(raw.get(), *n), decoded); !s) {
      err = to_s3_error(s.error());
      co_return nullptr;
    }
    if (w.size() + decoded.size() > d.options.max_object_size || (known && w.size() + decoded.size() > expected)) {
      err = known && w.size() + decoded.size() > expected && expected <= d.options.max_object_size
                ? s3_error(400, "InvalidRequest", "The request body is longer than its declared length.")
                : s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
      co_return nullptr;
    }
    if (auto s = w.write(decoded.data(), decoded.size()); !s) {
      err = to_s3_error(s.error());
      co_return nullptr;
    }
  }
  if (auto s = decoder.finish(); !s) {
    err = to_s3_error(s.error());
    co_return nullptr;
  }
  if (known && w.size() != expected) {
    err = s3_error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    co_return nullptr;
  }
  w.finish_digests();

  if (content_md5 && *content_md5 != w.md5()) {
    err = s3_error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    co_return nullptr;
  }
  if (from_trailer) {
    const std::string* v = base::find_header(decoder.trailers(), base::checksum_header(*algo));
    if (!v) {
      err = s3_error(400, "InvalidRequest", "The checksum trailer declared in x-amz-trailer was not sent.");
      co_return nullptr;
    }
    expected_checksum = *v;
  }
  if (!expected_checksum.empty() && expected_checksum != w.checksum_base64()) {
    err = s3_error(400, "BadDigest",
                   "The " + std::string(base::checksum_name(*algo)) + " you specified did not match the calculated checksum.");
    co_return nullptr;
  }
  co_return std::move(*writer);
}

std::optional<storage::WriteCondition> arriving_write_condition(Deps& d, Call& c, S3Error& err) {
  auto condition = write_condition(c.req, err);
  if (!condition || !condition->any()) return condition;
  if (auto failed = check_on_arrival(*condition, d.store.head_object(c.addr.bucket, c.addr.key))) {
    err = *failed;
    return std::nullopt;
  }
  return condition;
}

}  // namespace nimbus::s3
