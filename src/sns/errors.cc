// THE table from domain errors to SNS's wire errors (codes and statuses from
// botocore's model of SNS 2010-03-31).
#include "sns/errors.h"

#include <array>
#include <string_view>

#include "sns/service.h"

namespace nimbus::sns {

namespace {

struct Wire {
  std::string_view code;
  int status;
};

constexpr std::array kByReason = {
    Wire{reason::kInvalidParameter, 400},         Wire{reason::kParameterValueInvalid, 400},
    Wire{reason::kNotFound, 404},                 Wire{reason::kResourceNotFound, 404},
    Wire{reason::kTagLimitExceeded, 400},         Wire{reason::kBatchEntryIdsNotDistinct, 400},
    Wire{reason::kBatchRequestTooLong, 400},      Wire{reason::kEmptyBatchRequest, 400},
    Wire{reason::kInvalidBatchEntryId, 400},      Wire{reason::kTooManyEntriesInBatchRequest, 400},
};

}  // namespace

base::Error with_reason(base::ErrorCode code, const char* why, std::string message) {
  base::Error e = base::make_error(code, std::move(message));
  e.reason = why;
  return e;
}

base::Error invalid_parameter(const std::string& what) {
  return with_reason(base::ErrorCode::kInvalidArgument, reason::kInvalidParameter, "Invalid parameter: " + what);
}

base::Error invalid_value(const std::string& message) {
  return with_reason(base::ErrorCode::kInvalidArgument, reason::kParameterValueInvalid, message);
}

base::Error topic_not_found() {
  return with_reason(base::ErrorCode::kNotFound, reason::kNotFound, "Topic does not exist");
}

base::Error subscription_not_found() {
  return with_reason(base::ErrorCode::kNotFound, reason::kNotFound, "Subscription does not exist");
}

aws::ServiceError error_of(const base::Error& e) {
  for (const auto& w : kByReason)
    if (e.reason == w.code) return {w.status, std::string(w.code), e.message};
  using base::ErrorCode;
  switch (e.code) {
    // Field validation (aws/fields.h) and the domain's refusals (filter and delivery policies).
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kNotImplemented: return {400, "InvalidParameter", e.message};
    case ErrorCode::kNotFound: return {404, "NotFound", e.message};
    case ErrorCode::kAccessDenied: return {403, "AuthorizationError", e.message};
    case ErrorCode::kThrottled: return {429, "Throttled", e.message};
    default: return {500, "InternalError", e.message, "", false};
  }
}

}  // namespace nimbus::sns
