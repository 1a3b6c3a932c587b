// S3 request addressing and headers: parse_address (path-style,
// virtual-hosted, absolute-form targets, the query), parse_range,
// parse_copy_source, attributes_from_request and evaluate_conditions (plain
// and x-amz-copy-source- prefixed). Input: fuzz/request_text.h framing.
#include <cstdint>
#include <cstdlib>

#include "request_text.h"
#include "s3/addressing.h"
#include "s3/object_headers.h"
#include "s3/request_parsing.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto suffixes = s3::default_virtual_host_suffixes();
  auto text = fuzz::parse_text_request({reinterpret_cast<const char*>(data), size});
  http::Request req;
  req.method = text.method;
  req.target = text.target;
  req.headers = text.headers;
  auto a = s3::parse_address(req, suffixes);
  (void)a.resource();
  (void)a.param("uploadId");

  storage::ObjectMeta meta;
  meta.size = text.body.size();
  meta.etag = "d41d8cd98f00b204e9800998ecf8427e";
  meta.last_modified_ms = fuzz::kSeedTimeMs;
  for (uint64_t object_size : {uint64_t{0}, uint64_t{1}, uint64_t{1000}, meta.size, ~uint64_t{0}}) {
    s3::ByteRange r;
    if (s3::parse_range(req.header("range"), object_size, r) == s3::RangeResult::kRange)
      if (r.first > r.last || r.last >= object_size) std::abort();  // a range inside the object
  }
  s3::S3Error err;
  if (auto src = s3::parse_copy_source(req.header("x-amz-copy-source"), err))
    if (src->bucket.empty() || src->key.empty()) std::abort();
  meta.attributes = s3::attributes_from_request(req);
  (void)s3::evaluate_conditions(req, meta);
  (void)s3::evaluate_conditions(req, meta, "x-amz-copy-source-");
  return 0;
}
