// Every S3 request XML body parser (s3/request_parsing.h, s3/lifecycle.h):
// notification configuration (rendered back and parsed again), multi-object delete, CompleteMultipartUpload,
// CreateBucketConfiguration, default encryption, lifecycle rules, bucket tagging,
// and the bucket access documents (ACLs, CORS, public access block, ownership
// controls), each given the whole input as its body.
// Seeds are the documents the AWS CLI sends.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "s3/acl.h"
#include "s3/cors.h"
#include "s3/lifecycle.h"
#include "s3/notification_config.h"
#include "s3/request_parsing.h"
#include "s3/tag_set.h"

using namespace nimbus;

namespace {
constexpr const char* kRegion = "us-east-1";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  s3::S3Error err;
  if (auto rules = s3::parse_notification_configuration(body, kRegion, err)) {
    // The parser promises a destination of a known kind, and events for all but the EventBridge rule (which
    // takes every event), itself at most once and last.
    for (size_t i = 0; i < rules->size(); ++i) {
      const auto& r = (*rules)[i];
      auto kind = events::destination_kind(r.destination_arn);
      if (!kind) std::abort();
      bool bus = *kind == events::DestinationKind::kEventBus;
      if (bus != r.events.empty() || (bus && i + 1 != rules->size())) std::abort();
    }
    // What Get answers must parse again to the same rules.
    auto again = s3::parse_notification_configuration(s3::render_notification_configuration(*rules), kRegion, err);
    if (!again || again->size() != rules->size()) std::abort();
    for (size_t i = 0; i < rules->size(); ++i)
      if ((*again)[i].destination_arn != (*rules)[i].destination_arn || (*again)[i].events != (*rules)[i].events ||
          (*again)[i].prefix != (*rules)[i].prefix || (*again)[i].suffix != (*rules)[i].suffix)
        std::abort();
  }
  if (auto d = s3::parse_delete_request(body, err))
    if (d->objects.empty() || d->objects.size() > 1000) std::abort();
  if (auto parts = s3::parse_complete_multipart(body, err))
    for (const auto& p : *parts)
      if (p.part_number < 1 || p.part_number > 10000) std::abort();
  (void)s3::parse_create_bucket_configuration(body, err);
  if (auto key = s3::parse_bucket_encryption(body, err))
    if (*key != "true" && *key != "false") std::abort();
  if (auto rules = s3::parse_lifecycle_configuration(body, err)) {
    if (rules->empty() || rules->size() > 1000) std::abort();
    // What Get answers must parse again to the same rules.
    std::string again = s3::render_lifecycle_configuration(*rules);
    auto reparsed = s3::parse_lifecycle_configuration(again, err);
    if (!reparsed || reparsed->size() != rules->size()) std::abort();
  }
  // Bucket access documents: what parses must render and parse back.
  if (auto acl = s3::parse_access_control_policy(body, err))
    if (!s3::parse_access_control_policy(s3::render_access_control_policy(*acl), err)) std::abort();
  if (auto cors = s3::parse_cors_configuration(body, err)) {
    if (!s3::parse_cors_configuration(s3::render_cors_configuration(*cors), err)) std::abort();
    (void)s3::match_cors_rule(*cors, "https://a.example.com", "GET", {"x-amz-date"});
  }
  (void)s3::parse_public_access_block(body, err);
  (void)s3::parse_ownership_controls(body, err);
  if (auto tags = s3::parse_tagging(body, s3::TagSetKind::kBucket, err)) {
    if (tags->size() > s3::kMaxBucketTags) std::abort();
    for (const auto& [k, v] : *tags)
      if (k.empty() || k.size() > 128 * 4 || v.size() > 256 * 4) std::abort();
    // What Get answers must parse again to the same tags.
    auto reparsed = s3::parse_tagging(s3::render_tagging(*tags), s3::TagSetKind::kBucket, err);
    if (!reparsed || *reparsed != *tags) std::abort();
  }
  if (auto tags = s3::parse_tagging(body, s3::TagSetKind::kObject, err))
    if (tags->size() > s3::kMaxObjectTags) std::abort();
  return 0;
}
