// S3 tag sets: the <Tagging><TagSet><Tag><Key>/<Value> document of
// Put/GetBucketTagging, parsed with S3's validation (InvalidTag: at most 50
// tags, keys of 1..128 and values of 0..256 characters from letters, digits,
// white space and _ . : / = + - @, no duplicate keys, no "aws:" keys) and
// rendered back as Get answers it. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/errors.h"

namespace nimbus::s3 {

using TagSet = std::vector<std::pair<std::string, std::string>>;  // in the order given

inline constexpr size_t kMaxBucketTags = 50;

// A PutBucketTagging body. An empty <TagSet/> is valid (it clears the tags, as
// on S3, which then answers NoSuchTagSet).
std::optional<TagSet> parse_bucket_tagging(std::string_view body, S3Error& err);

// The <Tagging> document GetBucketTagging answers.
std::string render_tagging(const TagSet& tags);

}  // namespace nimbus::s3
