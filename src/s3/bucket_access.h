// What decides who may do what to a bucket, parsed once and cached: its ACL,
// public access block, object ownership, policy and CORS rules (stored as bucket settings
// in storage::Store), and the anonymous-access check built on them.
//
// Threading: BucketAccessCache is thread-safe. get() is a map lookup under a
// mutex; a miss does point reads of the bucket's settings (cheap, lock-free
// in WAL mode) on the caller's thread. Operations that change a setting call
// invalidate() after the write; a load that raced with it is not kept.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/headers.h"
#include "s3/acl.h"
#include "s3/cors.h"
#include "s3/policy.h"

namespace nimbus::storage {
class Store;
}

namespace nimbus::s3 {

// The names of the bucket settings documents this module reads.
namespace setting {
inline constexpr const char* kAcl = "acl";                       // AccessControlPolicy XML
inline constexpr const char* kPublicAccessBlock = "public-access-block";  // PublicAccessBlockConfiguration XML
inline constexpr const char* kOwnership = "ownership";          // BucketOwnerEnforced | BucketOwnerPreferred | ObjectWriter
inline constexpr const char* kPolicy = "policy";                // the policy JSON as sent
inline constexpr const char* kCors = "cors";                    // CORSConfiguration XML
// The ACL a multipart upload asked for, applied when it completes: "upload-acl:" + upload id.
inline constexpr const char* kUploadAclPrefix = "upload-acl:";
}  // namespace setting

struct BucketAccess {
  bool exists = false;
  std::optional<Acl> acl;                      // nullopt: private
  std::optional<PublicAccessBlock> public_access_block;
  std::string ownership;                       // "" when never set
  std::optional<BucketPolicy> policy;
  std::string policy_text;
  std::optional<CorsConfiguration> cors;

  bool acls_disabled() const { return ownership == "BucketOwnerEnforced"; }
  PublicAccessBlock block() const { return public_access_block.value_or(PublicAccessBlock{}); }
};

class BucketAccessCache {
 public:
  explicit BucketAccessCache(storage::Store& store) : store_(store) {}
  // The bucket's access settings; exists == false for a bucket that is not there.
  std::shared_ptr<const BucketAccess> get(const std::string& bucket);
  void invalidate(const std::string& bucket);

 private:
  std::shared_ptr<const BucketAccess> load(const std::string& bucket);
  storage::Store& store_;
  std::mutex mu_;
  uint64_t generation_ = 0;  // bumped by invalidate(): a load that started before is not cached
  std::unordered_map<std::string, std::shared_ptr<const BucketAccess>> cache_;
};

// x-amz-expected-bucket-owner (and CopyObject's and UploadPartCopy's
// x-amz-source-expected-bucket-owner): every bucket belongs to nimbus's one
// account (base::kAccountId), so any other account id is S3's 403
// AccessDenied; nullopt when the headers are absent or name that account.
std::optional<S3Error> expected_owner_error(const base::HeaderList& headers);

// The policy action an S3 operation needs ("GetObject" -> "s3:GetObject").
std::string policy_action(std::string_view operation);

}  // namespace nimbus::s3
