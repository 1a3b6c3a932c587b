// SNS's error vocabulary: the reasons its domain errors carry (the wire
// code, mapped in errors.cc's table) and helpers that make them.
// Threading: pure functions.
#pragma once

#include <string>

#include "base/result.h"

namespace nimbus::sns {

namespace reason {
inline constexpr const char* kInvalidParameter = "InvalidParameter";
inline constexpr const char* kParameterValueInvalid = "ParameterValueInvalid";
inline constexpr const char* kNotFound = "NotFound";
inline constexpr const char* kResourceNotFound = "ResourceNotFound";
inline constexpr const char* kTagLimitExceeded = "TagLimitExceeded";
inline constexpr const char* kBatchEntryIdsNotDistinct = "BatchEntryIdsNotDistinct";
inline constexpr const char* kBatchRequestTooLong = "BatchRequestTooLong";
inline constexpr const char* kEmptyBatchRequest = "EmptyBatchRequest";
inline constexpr const char* kInvalidBatchEntryId = "InvalidBatchEntryId";
inline constexpr const char* kTooManyEntriesInBatchRequest = "TooManyEntriesInBatchRequest";
}  // namespace reason

// InvalidParameter, "Invalid parameter: <what>".
base::Error invalid_parameter(const std::string& what);
// ParameterValueInvalid (botocore's InvalidParameterValueException).
base::Error invalid_value(const std::string& message);
base::Error topic_not_found();
base::Error subscription_not_found();
base::Error with_reason(base::ErrorCode code, const char* reason, std::string message);

}  // namespace nimbus::sns
