// Where an S3 request points: bucket and key from a path-style URL
// (/bucket/key) or a virtual-hosted one (bucket.localhost/key), and the
// decoded query parameters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace nimbus::s3 {

struct Address {
  std::string bucket;  // empty for service-level requests
  std::string key;     // empty for bucket-level requests; decoded, any UTF-8
  bool virtual_hosted = false;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order

  bool has(std::string_view param) const;
  std::optional<std::string> param(std::string_view name) const;
  std::string resource() const { return "/" + bucket + (key.empty() ? "" : "/" + key); }
};

// Host suffixes under which the first label is a bucket name.
std::vector<std::string> default_virtual_host_suffixes();

Address parse_address(const http::Request& req, const std::vector<std::string>& virtual_host_suffixes);

}  // namespace nimbus::s3
