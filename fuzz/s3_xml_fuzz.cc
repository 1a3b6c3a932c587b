// Every S3 request XML body parser (s3/request_parsing.h): notification
// configuration, multi-object delete, CompleteMultipartUpload and
// CreateBucketConfiguration, each given the whole input as its body.
// Seeds are the documents the AWS CLI sends.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "s3/request_parsing.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  s3::S3Error err;
  auto exists = [](const std::string& function, const std::string&) { return function == "thumbnail"; };
  if (auto rules = s3::parse_notification_configuration(body, exists, err))
    for (const auto& r : *rules)
      if (r.events.empty() || r.function_arn.empty()) std::abort();  // the parser promises both
  if (auto d = s3::parse_delete_request(body, err))
    if (d->objects.empty() || d->objects.size() > 1000) std::abort();
  if (auto parts = s3::parse_complete_multipart(body, err))
    for (const auto& p : *parts)
      if (p.part_number < 1 || p.part_number > 10000) std::abort();
  (void)s3::parse_create_bucket_configuration(body, err);
  return 0;
}
