// S3 tag sets, for objects and buckets alike: the <Tagging><TagSet><Tag>
// <Key>/<Value> document of Put/GetObjectTagging and Put/GetBucketTagging,
// PutObject's x-amz-tagging header ("k1=v1&k2=v2"), S3's validation and the
// document Get answers. One parser; AWS's limits differ by kind (TagRules):
// objects take at most 10 tags (BadRequest), buckets 50 and only letters,
// digits, white space and _ . : / = + - @, no "aws:" keys. Both: keys of
// 1..128 and values of 0..256 characters, keys unique (InvalidTag). Each
// kind keeps the messages S3 gives it. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/errors.h"

namespace nimbus::s3 {

using TagSet = std::vector<std::pair<std::string, std::string>>;  // in the order given

inline constexpr size_t kMaxObjectTags = 10;
inline constexpr size_t kMaxBucketTags = 50;

enum class TagSetKind { kObject, kBucket };

// A Put*Tagging body. An empty <TagSet/> is valid (it clears the tags; a
// bucket then answers NoSuchTagSet, as on S3).
std::optional<TagSet> parse_tagging(std::string_view body, TagSetKind kind, S3Error& err);

// x-amz-tagging on PutObject, CreateMultipartUpload and CopyObject: URL-encoded
// pairs, with the object limits.
std::optional<TagSet> parse_tagging_header(std::string_view header, S3Error& err);

// The <Tagging> document Get*Tagging answers.
std::string render_tagging(const TagSet& tags);

}  // namespace nimbus::s3
