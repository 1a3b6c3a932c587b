// The policy document of a browser form upload (POST Object): its JSON
// (expiration, conditions) validated as S3 does (400 InvalidPolicyDocument),
// and the form's fields checked against it (403 AccessDenied "Invalid
// according to Policy: ..."). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/errors.h"

namespace nimbus::s3 {

struct PostCondition {
  enum class Kind { kEq, kStartsWith, kLengthRange };
  Kind kind = Kind::kEq;
  std::string field;  // lowercase, without '$'
  std::string value;
  int64_t min = 0, max = 0;  // kLengthRange
  std::string text;   // as written, for the error message
};

struct PostPolicy {
  int64_t expiration_ms = 0;
  std::vector<PostCondition> conditions;
  // content-length-range, if the policy has one: [min, max] bytes.
  std::optional<std::pair<int64_t, int64_t>> length_range() const;
};

std::optional<PostPolicy> parse_post_policy(std::string_view json, S3Error& err);

// The form's fields (names lowercase) against the policy: expiry, every
// condition, and no field the policy does not cover. `bucket` is the bucket
// posted to (the "bucket" condition).
std::optional<S3Error> check_post_fields(const PostPolicy& p, const std::vector<std::pair<std::string, std::string>>& fields,
                                         const std::string& bucket, int64_t now_ms);

}  // namespace nimbus::s3
