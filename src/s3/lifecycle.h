// S3 lifecycle configuration: the rules of PutBucketLifecycleConfiguration
// (Expiration by Days, Date or ExpiredObjectDeleteMarker;
// NoncurrentVersionExpiration; AbortIncompleteMultipartUpload; filters by
// prefix, tags and object size), parsed with S3's validation, rendered back as
// GetBucketLifecycleConfiguration answers, and matched against objects by the
// sweeper (s3/lifecycle_sweeper.h). Transitions are refused: every storage
// class is kept the same way, so moving between them would change nothing.
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/errors.h"

namespace nimbus::s3 {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct LifecycleFilter {
  bool legacy = false;   // <Rule><Prefix> rather than <Rule><Filter>
  bool has_filter = false;
  bool uses_and = false;
  std::string prefix;
  Tags tags;
  std::optional<uint64_t> size_greater_than;
  std::optional<uint64_t> size_less_than;
};

struct LifecycleRule {
  std::string id;
  bool enabled = false;
  LifecycleFilter filter;
  std::optional<int> expiration_days;
  std::optional<int64_t> expiration_date_ms;  // midnight UTC
  std::optional<bool> expired_object_delete_marker;
  std::optional<int> noncurrent_days;
  std::optional<int> newer_noncurrent_versions;
  std::optional<int> abort_incomplete_upload_days;
};

std::optional<std::vector<LifecycleRule>> parse_lifecycle_configuration(std::string_view body, S3Error& err);
std::string render_lifecycle_configuration(const std::vector<LifecycleRule>& rules);

// Whether a rule's filter takes in an object (tags: the object's tags).
bool lifecycle_filter_matches(const LifecycleFilter& f, std::string_view key, uint64_t size, const Tags& tags);

// When an object's age reaches `days`: S3 counts from its creation rounded up
// to the next midnight UTC. day_ms is 86400000 except in tests.
int64_t lifecycle_due_ms(int64_t created_ms, int days, int64_t day_ms);

}  // namespace nimbus::s3
