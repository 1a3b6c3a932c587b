// Bucket policies as values: the JSON document validated as S3 does
// (MalformedPolicy), and its evaluation for anonymous (unsigned) requests:
// statements whose principal is everyone ("*", {"AWS": "*"}), Effect Allow or
// Deny, Action / NotAction and Resource / NotResource with * and ? wildcards.
// Full IAM evaluation (named principals, conditions) is a later issue:
// a statement with a Condition is not evaluated — an Allow with one grants
// nothing, a Deny with one denies (the safe reading). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/errors.h"

namespace nimbus::s3 {

struct PolicyStatement {
  bool allow = true;
  bool everyone = false;       // Principal "*" / {"AWS": "*"}, or a NotPrincipal (which everyone else matches)
  std::vector<std::string> actions;
  bool not_action = false;
  std::vector<std::string> resources;
  bool not_resource = false;
  bool has_condition = false;
};

struct BucketPolicy {
  std::vector<PolicyStatement> statements;
  // An Allow to everyone without a condition: what GetBucketPolicyStatus
  // reports and BlockPublicPolicy refuses.
  bool is_public() const;
};

// Validates a PutBucketPolicy body for `bucket`; nullopt with err (400 MalformedPolicy) when wrong.
std::optional<BucketPolicy> parse_bucket_policy(std::string_view json, const std::string& bucket, S3Error& err);

enum class PolicyDecision { kNone, kAllow, kDeny };
// What the policy says about an anonymous request for `action` ("s3:GetObject")
// on `resource` ("arn:aws:s3:::bucket/key"). ignore_public_allows: the
// bucket's RestrictPublicBuckets (only Deny statements count).
PolicyDecision evaluate_anonymous(const BucketPolicy& p, std::string_view action, std::string_view resource,
                                  bool ignore_public_allows);

}  // namespace nimbus::s3
