#include "apigateway_api/errors.h"

#include <iterator>

namespace nimbus::apigateway_api {

namespace {

struct TypeRow {
  ErrorType type;
  int status;
  const char* name;
};
constexpr TypeRow kTypes[] = {
    {ErrorType::kNotFound, 404, "NotFoundException"},
    {ErrorType::kBadRequest, 400, "BadRequestException"},
    {ErrorType::kConflict, 409, "ConflictException"},
    {ErrorType::kTooManyRequests, 429, "TooManyRequestsException"},
    {ErrorType::kLimitExceeded, 429, "LimitExceededException"},
    {ErrorType::kUnauthorized, 401, "UnauthorizedException"},
    {ErrorType::kService, 500, "ServiceUnavailableException"},
};

}  // namespace

aws::ServiceError gateway_error(ErrorType type, std::string message) {
  const TypeRow* row = &kTypes[std::size(kTypes) - 1];
  for (const auto& r : kTypes)
    if (r.type == type) row = &r;
  return aws::ServiceError{row->status, row->name, std::move(message), "", row->status < 500};
}

aws::ServiceError to_gateway_error(const base::Error& e) {
  switch (e.code) {
    case base::ErrorCode::kNotFound: return gateway_error(ErrorType::kNotFound, e.message);
    case base::ErrorCode::kAlreadyExists:
    case base::ErrorCode::kConflict: return gateway_error(ErrorType::kConflict, e.message);
    case base::ErrorCode::kInvalidArgument:
    case base::ErrorCode::kMalformed:
    case base::ErrorCode::kNotImplemented:
    case base::ErrorCode::kTooLarge: return gateway_error(ErrorType::kBadRequest, e.message);
    case base::ErrorCode::kThrottled: return gateway_error(ErrorType::kTooManyRequests, e.message);
    case base::ErrorCode::kAccessDenied: return gateway_error(ErrorType::kUnauthorized, e.message);
    default: return gateway_error(ErrorType::kService, e.message);
  }
}

}  // namespace nimbus::apigateway_api
