// GetFunction's Code.Location: an unsigned, expiring URL on the edge port,
// http://HOST/_nimbus/code/FUNCTION/REVISION?expires=UNIX_S&signature=HEX,
// from which the function's deployment package (the zip as uploaded, kept
// beside its unpacked code) is downloaded, as Lambda hands out a presigned S3
// URL valid for 10 minutes. The signature is an HMAC-SHA256, under a key made
// at start, of the function, the revision and the expiry: a URL dies with the
// server that made it (or after its expiry). An expired URL is 403
// AccessDenied "Request has expired", a wrong signature 403
// SignatureDoesNotMatch, in S3's XML, as a presigned URL would be.
// Code unpacked by a nimbus that did not keep the zip is zipped again from
// the unpacked files (deterministically, once, kept as REVISION.rezipped.zip):
// the same files, but bytes whose SHA-256 differs from CodeSha256.
//
// THREADING RULE: url() and the pure functions are safe from any thread;
// handle() runs on an io thread and opens (or re-zips) the package on the
// blocking pool; the body is then streamed in pieces by the connection loop,
// never read whole into memory.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "aws/service.h"
#include "functions/types.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::lambda_api {

// The signature of one link (hex HMAC-SHA256 of "FUNCTION\nREVISION\nEXPIRES").
std::string code_link_signature(std::string_view key, std::string_view function, std::string_view revision,
                                int64_t expires_s);

// What a request's target says, checked against the key and the time.
struct CodeLink {
  enum class Check { kValid, kMalformed, kBadSignature, kExpired } check = Check::kMalformed;
  std::string function, revision;
  int64_t expires_s = 0;
};
CodeLink check_code_link(std::string_view key, std::string_view target, int64_t now_s);

class CodeLocations {
 public:
  // data_dir: where functions/<name>/<revision>[.zip] are; ttl_s: how long a
  // link is good for (600, as Lambda; shorter only in tests); default_host:
  // the edge's address, for requests that carry no Host header.
  CodeLocations(std::string data_dir, boost::asio::thread_pool& blocking, int64_t ttl_s, std::string default_host,
                std::function<int64_t()> now_s = {});

  // The link to c's package, for a caller that reached nimbus as `host`.
  std::string url(const std::string& host, const functions::FunctionConfig& c) const;

  // Claims GET and HEAD under /_nimbus/code/ (before the admin API's /_nimbus/).
  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  std::string dir_;
  boost::asio::thread_pool& blocking_;
  int64_t ttl_s_;
  std::string default_host_;
  std::function<int64_t()> now_s_;
  std::string key_;
};

}  // namespace nimbus::lambda_api
