#include "lambda_api/errors.h"

#include "functions/runtimes.h"

namespace nimbus::lambda_api {

using base::ErrorCode;

namespace {

struct TypeRow {
  ErrorType type;
  int status;
  const char* name;
};
constexpr TypeRow kTypes[] = {
    {ErrorType::kResourceNotFound, 404, "ResourceNotFoundException"},
    {ErrorType::kResourceConflict, 409, "ResourceConflictException"},
    {ErrorType::kInvalidParameterValue, 400, "InvalidParameterValueException"},
    {ErrorType::kInvalidRequestContent, 400, "InvalidRequestContentException"},
    {ErrorType::kRequestTooLarge, 413, "RequestEntityTooLargeException"},
    {ErrorType::kTooManyRequests, 429, "TooManyRequestsException"},
    {ErrorType::kAccessDenied, 403, "AccessDeniedException"},
    {ErrorType::kProvisionedConcurrencyConfigNotFound, 404, "ProvisionedConcurrencyConfigNotFoundException"},
    {ErrorType::kPreconditionFailed, 412, "PreconditionFailedException"},
    {ErrorType::kCodeSigningConfigNotFound, 404, "CodeSigningConfigNotFoundException"},
    {ErrorType::kInvalidRuntime, 502, "InvalidRuntimeException"},
    {ErrorType::kUnknownOperation, 404, "UnknownOperationException"},
    {ErrorType::kValidation, 400, "ValidationException"},
    {ErrorType::kService, 500, "ServiceException"},
};

const TypeRow& row_of(ErrorType type) {
  for (const auto& row : kTypes)
    if (row.type == type) return row;
  return kTypes[std::size(kTypes) - 1];
}

}  // namespace

int status_of(ErrorType type) { return row_of(type).status; }
const char* name_of(ErrorType type) { return row_of(type).name; }

aws::ServiceError lambda_error(ErrorType type, std::string message, std::string reason) {
  const TypeRow& row = row_of(type);
  return aws::ServiceError{row.status, row.name, std::move(message), std::move(reason), row.status < 500};
}

aws::ServiceError to_lambda_error(const base::Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound: return lambda_error(ErrorType::kResourceNotFound, e.message);
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return lambda_error(ErrorType::kResourceConflict, e.message);
    case ErrorCode::kInvalidArgument:
      if (e.reason == "ValidationException") return lambda_error(ErrorType::kValidation, e.message);
      return lambda_error(ErrorType::kInvalidParameterValue, e.message);
    case ErrorCode::kMalformed: return lambda_error(ErrorType::kInvalidRequestContent, e.message);
    case ErrorCode::kTooLarge: return lambda_error(ErrorType::kRequestTooLarge, e.message);
    case ErrorCode::kNotImplemented: return lambda_error(ErrorType::kInvalidParameterValue, e.message);
    case ErrorCode::kPreconditionFailed: return lambda_error(ErrorType::kPreconditionFailed, e.message);
    // The invoker says which limit was hit; Lambda puts that in "Reason".
    case ErrorCode::kThrottled:
      return lambda_error(ErrorType::kTooManyRequests, "Rate Exceeded.", e.reason.empty() ? e.message : e.reason);
    case ErrorCode::kAccessDenied: return lambda_error(ErrorType::kAccessDenied, e.message);
    case ErrorCode::kUnavailable:
      if (e.reason == functions::kInvalidRuntimeReason) return lambda_error(ErrorType::kInvalidRuntime, e.message);
      return lambda_error(ErrorType::kService, e.message);
    // Signatures are checked by the shared auth step (aws/authenticate.h), which words its own errors.
    default: return lambda_error(ErrorType::kService, e.message);
  }
}

}  // namespace nimbus::lambda_api
