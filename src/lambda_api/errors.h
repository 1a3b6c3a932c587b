// Lambda's error vocabulary: every wire error the Lambda API sends (type and
// HTTP status) in one table, the one mapping from domain errors
// (base::Error) onto it, and the JSON error response itself.
// THREADING RULE: pure functions; any thread.
#pragma once

#include <string>

#include "base/result.h"
#include "http/message.h"

namespace nimbus::lambda_api {

// Lambda's error types (the x-amzn-ErrorType header), each with one status.
enum class ErrorType {
  kResourceNotFound,
  kResourceConflict,
  kInvalidParameterValue,
  kInvalidRequestContent,
  kRequestTooLarge,                         // an Invoke payload over its limit
  kRequestEntityTooLarge,                   // a request body over nimbus's limit
  kTooManyRequests,
  kAccessDenied,
  kUnrecognizedClient,
  kInvalidSignature,
  kIncompleteSignature,
  kMissingAuthenticationToken,
  kProvisionedConcurrencyConfigNotFound,
  kPreconditionFailed,
  kUnknownOperation,
  kService,
};

struct LambdaError {
  ErrorType type = ErrorType::kService;
  std::string message;
  std::string reason;  // the body's "Reason" (throttling says which limit), when set
};

int status_of(ErrorType type);
const char* name_of(ErrorType type);  // e.g. "ResourceNotFoundException"

// The one table from domain errors to Lambda's.
LambdaError to_lambda_error(const base::Error& e);

http::Response error_response(const LambdaError& e);
inline http::Response error_response(const base::Error& e) { return error_response(to_lambda_error(e)); }
inline http::Response error_response(ErrorType type, std::string message) {
  return error_response(LambdaError{type, std::move(message), {}});
}

}  // namespace nimbus::lambda_api
