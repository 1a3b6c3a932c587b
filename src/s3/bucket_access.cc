#include "s3/bucket_access.h"

#include <spdlog/spdlog.h>

#include "base/arn.h"
#include "storage/store.h"

namespace nimbus::s3 {

namespace {

constexpr size_t kMaxCachedBuckets = 4096;

}  // namespace

std::shared_ptr<const BucketAccess> BucketAccessCache::get(const std::string& bucket) {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(bucket); it != cache_.end()) return it->second;
    generation = generation_;
  }
  auto loaded = load(bucket);
  std::lock_guard lock(mu_);
  // A missing bucket is not remembered: it may be created by any path, and anonymous probes must not fill the map.
  if (generation == generation_ && loaded->exists) {
    if (cache_.size() >= kMaxCachedBuckets) cache_.clear();  // rare: a bound, not an LRU
    cache_[bucket] = loaded;
  }
  return loaded;
}

void BucketAccessCache::invalidate(const std::string& bucket) {
  std::lock_guard lock(mu_);
  ++generation_;
  cache_.erase(bucket);
}

std::shared_ptr<const BucketAccess> BucketAccessCache::load(const std::string& bucket) {
  auto out = std::make_shared<BucketAccess>();
  auto read = [&](const char* name) -> std::optional<std::optional<std::string>> {
    auto doc = store_.get_bucket_setting(bucket, name);
    if (!doc) return std::nullopt;
    out->exists = true;
    return *doc;
  };
  // Documents were validated when stored; one that no longer parses is logged and read as absent.
  S3Error err;
  if (auto acl = read(setting::kAcl); acl && *acl) {
    out->acl = parse_access_control_policy(**acl, err);
    if (!out->acl) spdlog::warn("s3: bucket {}: stored ACL does not parse: {}", bucket, err.message);
  }
  if (!out->exists) return out;  // the first read found no bucket
  if (auto pab = read(setting::kPublicAccessBlock); pab && *pab) out->public_access_block = parse_public_access_block(**pab, err);
  if (auto own = read(setting::kOwnership); own && *own) out->ownership = **own;
  if (auto pol = read(setting::kPolicy); pol && *pol) {
    out->policy = parse_bucket_policy(**pol, bucket, err);
    if (out->policy) out->policy_text = **pol;
    else spdlog::warn("s3: bucket {}: stored policy does not parse: {}", bucket, err.message);
  }
  if (auto cors = read(setting::kCors); cors && *cors) out->cors = parse_cors_configuration(**cors, err);
  return out;
}

std::string policy_action(std::string_view op) {
  struct Row {
    std::string_view op, action;
  };
  static constexpr Row kRows[] = {
      {"HeadObject", "s3:GetObject"},
      {"HeadBucket", "s3:ListBucket"},
      {"ListObjects", "s3:ListBucket"},
      {"ListObjectsV2", "s3:ListBucket"},
      {"ListObjectVersions", "s3:ListBucketVersions"},
      {"ListMultipartUploads", "s3:ListBucketMultipartUploads"},
      {"ListParts", "s3:ListMultipartUploadParts"},
      {"CreateMultipartUpload", "s3:PutObject"},
      {"UploadPart", "s3:PutObject"},
      {"UploadPartCopy", "s3:PutObject"},
      {"CompleteMultipartUpload", "s3:PutObject"},
      {"CopyObject", "s3:PutObject"},
      {"AbortMultipartUpload", "s3:AbortMultipartUpload"},
      {"DeleteObjects", "s3:DeleteObject"},
      {"GetBucketNotificationConfiguration", "s3:GetBucketNotification"},
      {"PutBucketNotificationConfiguration", "s3:PutBucketNotification"},
      {"GetBucketCors", "s3:GetBucketCORS"},
      {"PutBucketCors", "s3:PutBucketCORS"},
      {"DeleteBucketCors", "s3:PutBucketCORS"},
      {"GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"},
      {"PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
      {"DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
      {"GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"},
      {"PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"},
      {"DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls"},
  };
  for (const auto& r : kRows)
    if (r.op == op) return std::string(r.action);
  return "s3:" + std::string(op);
}

std::optional<S3Error> expected_owner_error(const base::HeaderList& headers) {
  for (std::string_view h : {"x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"})
    if (const std::string* owner = base::find_header(headers, h); owner && *owner != base::kAccountId)
      return s3_error(403, "AccessDenied", "Access Denied");
  return std::nullopt;
}

}  // namespace nimbus::s3
