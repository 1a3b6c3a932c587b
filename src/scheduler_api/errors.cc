// THE table from domain errors to Scheduler's wire errors (codes and statuses
// from botocore's model of scheduler 2021-06-30).
#include <array>
#include <string_view>

#include "scheduler_api/service.h"

namespace nimbus::scheduler_api {

namespace {

struct Wire {
  std::string_view code;
  int status;
};

constexpr std::array kByReason = {
    Wire{"ValidationException", 400},           Wire{"ResourceNotFoundException", 404},
    Wire{"ConflictException", 409},             Wire{"ServiceQuotaExceededException", 402},
    Wire{"ThrottlingException", 429},           Wire{"InternalServerException", 500},
};

}  // namespace

aws::ServiceError error_of(const base::Error& e) {
  for (const auto& w : kByReason)
    if (e.reason == w.code) return {w.status, std::string(w.code), e.message, "", w.status < 500};
  using base::ErrorCode;
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kNotImplemented: return {400, "ValidationException", e.message};
    case ErrorCode::kNotFound: return {404, "ResourceNotFoundException", e.message};
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return {409, "ConflictException", e.message};
    case ErrorCode::kTooLarge: return {402, "ServiceQuotaExceededException", e.message};
    case ErrorCode::kThrottled: return {429, "ThrottlingException", e.message};
    case ErrorCode::kUnauthenticated: return {403, "UnrecognizedClientException", e.message};
    case ErrorCode::kAccessDenied: return {403, "AccessDeniedException", e.message};
    default: return {500, "InternalServerException", e.message, "", false};
  }
}

}  // namespace nimbus::scheduler_api
