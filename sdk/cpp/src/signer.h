// AWS Signature Version 4 for the SDK's clients: signs one request given its
// method, path (already URI-encoded), query, headers and payload hash.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::sdk {

std::string sha256_hex(std::string_view data);
// RFC 3986 encoding as SigV4 wants it; '/' kept when `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash);

struct SignInput {
  std::string method;
  std::string path;   // encoded, e.g. "/bucket/red%20flower.jpg"
  std::string query;  // canonical (sorted, encoded) or empty
  // Lowercase names; must include host, x-amz-date and x-amz-content-sha256.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;
  std::string region, service, access_key, secret_key;
  std::string amz_date;  // YYYYMMDDTHHMMSSZ
};

// The value of the Authorization header.
std::string authorization(const SignInput& in);
// YYYYMMDDTHHMMSSZ for `t`.
std::string amz_date(std::time_t t);

}  // namespace nimbus::sdk
