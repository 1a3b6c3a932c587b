// Whether an anonymous (unsigned) request may proceed: a bucket that is not
// there is 404 NoSuchBucket (as S3 answers anonymous callers); then the
// bucket policy (an explicit Deny wins, an Allow grants unless
// RestrictPublicBuckets), then the ACLs' grants to AllUsers (unless
// IgnorePublicAcls or BucketOwnerEnforced). Everything else is 403.
#include "s3/bucket_access.h"
#include "s3/call.h"

namespace nimbus::s3 {

namespace {

bool one_of(std::string_view op, std::initializer_list<std::string_view> ops) {
  for (auto o : ops)
    if (op == o) return true;
  return false;
}

}  // namespace

std::optional<S3Error> authorize_anonymous(Deps& d, Call& c, std::string_view op) {
  const S3Error denied = s3_error(403, "AccessDenied", "Access Denied");
  const std::string& bucket = c.addr.bucket;
  if (bucket.empty()) return denied;
  auto access = d.access->get(bucket);
  if (!access->exists) return s3_error(404, "NoSuchBucket", "The specified bucket does not exist");
  const PublicAccessBlock block = access->block();
  const bool acls = !access->acls_disabled() && !block.ignore_public_acls;
  const std::string bucket_arn = "arn:aws:s3:::" + bucket;
  auto policy = [&](std::string_view action, const std::string& resource) {
    if (!access->policy) return PolicyDecision::kNone;
    return evaluate_anonymous(*access->policy, action, resource, block.restrict_public_buckets);
  };
  auto bucket_grants = [&](std::string_view permission) {
    return acls && access->acl && access->acl->group_has(kAllUsers, permission);
  };
  // Whether the caller may learn that a key does not exist (else a missing key is 403, as S3).
  auto can_list = [&] {
    auto p = policy("s3:ListBucket", bucket_arn);
    return p == PolicyDecision::kAllow || (p == PolicyDecision::kNone && bucket_grants("READ"));
  };

  const bool object_level = !c.addr.key.empty();
  const std::optional<std::string> version = c.addr.param("versionId");
  std::string resource = object_level ? bucket_arn + "/" + c.addr.key : bucket_arn;
  PolicyDecision decision = policy(policy_action(op), resource);
  if (decision == PolicyDecision::kDeny) return denied;

  const bool reads_object = one_of(op, {"GetObject", "HeadObject", "GetObjectAcl", "PutObjectAcl"});
  if (op == "GetObject" || op == "HeadObject")
    for (const auto& [name, value] : c.addr.query)
      if (name.rfind("response-", 0) == 0)
        return s3_error(400, "InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.");
  if (decision == PolicyDecision::kAllow) {
    if (reads_object && !d.store.head_object(bucket, c.addr.key, version) && !can_list()) return denied;
    return std::nullopt;
  }
  if (!acls) return denied;
  if (reads_object) {
    // The ACL of the version addressed: each version has its own, as in S3.
    auto doc = d.store.get_object_acl(bucket, c.addr.key, version);  // a point read
    if (!doc) {
      const std::string& why = doc.error().reason;
      bool missing = why == base::reason::kNoSuchKey || why == storage::reason::kNoSuchVersion;
      return missing && can_list() ? std::nullopt : std::optional(denied);
    }
    if (!*doc) return denied;  // private
    S3Error err;
    auto acl = parse_access_control_policy(**doc, err);
    std::string_view need = op == "GetObjectAcl" ? "READ_ACP" : op == "PutObjectAcl" ? "WRITE_ACP" : "READ";
    if (acl && acl->group_has(kAllUsers, need)) return std::nullopt;
    return denied;
  }
  if (one_of(op, {"PutObject", "DeleteObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
                  "AbortMultipartUpload"}))
    return bucket_grants("WRITE") ? std::nullopt : std::optional(denied);
  if (one_of(op, {"ListObjects", "ListObjectsV2", "HeadBucket", "ListObjectVersions", "ListMultipartUploads", "ListParts"}))
    return bucket_grants("READ") ? std::nullopt : std::optional(denied);
  if (op == "GetBucketAcl") return bucket_grants("READ_ACP") ? std::nullopt : std::optional(denied);
  if (op == "PutBucketAcl") return bucket_grants("WRITE_ACP") ? std::nullopt : std::optional(denied);
  return denied;
}

}  // namespace nimbus::s3
