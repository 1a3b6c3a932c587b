// Object metadata <-> HTTP headers: which request headers an object keeps
// (Content-*, Cache-Control, Expires, x-amz-meta-*), the headers a GET or
// HEAD answers with, and S3's conditional requests and byte ranges.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"
#include "storage/types.h"

namespace nimbus::s3 {

storage::Attributes attributes_from_request(const http::Request& req);
std::string attribute(const storage::Attributes& a, std::string_view name);
void add_object_headers(http::Response& r, const storage::ObjectMeta& m);
void add_checksum_header(http::Response& r, const storage::ObjectMeta& m);
// x-amz-version-id for a version a versioned bucket made (not for "null").
void add_version_header(http::Response& r, const storage::ObjectMeta& m);

// If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, read
// from headers with the given prefix ("" or "x-amz-copy-source-").
// Returns 0 to proceed, 412 (precondition failed) or 304 (not modified).
int evaluate_conditions(const http::Request& req, const storage::ObjectMeta& m, std::string_view prefix = "");

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};
enum class RangeResult { kWhole, kRange, kUnsatisfiable };
// Parses "bytes=a-b", "bytes=a-", "bytes=-n"; malformed or multiple ranges
// are ignored (the whole object is sent), as S3 does.
RangeResult parse_range(std::string_view header, uint64_t size, ByteRange& out);

}  // namespace nimbus::s3
