// THE table from domain errors to EventBridge's wire errors (codes and
// statuses from botocore's model of events 2015-10-07).
#include <array>
#include <string_view>

#include "eventbridge/service.h"

namespace nimbus::eventbridge {

namespace {

struct Wire {
  std::string_view code;
  int status;
};

constexpr std::array kByReason = {
    Wire{"ValidationException", 400},          Wire{"ResourceNotFoundException", 400},
    Wire{"ResourceAlreadyExistsException", 400}, Wire{"InvalidEventPatternException", 400},
    Wire{"LimitExceededException", 400},       Wire{"ConcurrentModificationException", 400},
    Wire{"ManagedRuleException", 400},         Wire{"IllegalStatusException", 400},
};

}  // namespace

aws::ServiceError error_of(const base::Error& e) {
  for (const auto& w : kByReason)
    if (e.reason == w.code) return {w.status, std::string(w.code), e.message};
  using base::ErrorCode;
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kNotImplemented:
    case ErrorCode::kConflict:
    case ErrorCode::kTooLarge: return {400, "ValidationException", e.message};
    case ErrorCode::kNotFound: return {400, "ResourceNotFoundException", e.message};
    case ErrorCode::kAlreadyExists: return {400, "ResourceAlreadyExistsException", e.message};
    case ErrorCode::kThrottled: return {400, "ThrottlingException", e.message};
    case ErrorCode::kUnauthenticated: return {400, "UnrecognizedClientException", e.message};
    case ErrorCode::kAccessDenied: return {400, "AccessDeniedException", e.message};
    default: return {500, "InternalException", e.message, "", false};
  }
}

}  // namespace nimbus::eventbridge
