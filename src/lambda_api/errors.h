// Lambda's error vocabulary: every wire error the Lambda API sends (type and
// HTTP status) in one table, and the one mapping from domain errors
// (base::Error) onto it: the aws::ErrorTable of Lambda's descriptor. The
// protocol layer renders them (rest-json: x-amzn-ErrorType, Type, message, Reason).
// THREADING RULE: pure functions; any thread.
#pragma once

#include <string>

#include "aws/protocol.h"
#include "base/result.h"

namespace nimbus::lambda_api {

// Lambda's error types (the x-amzn-ErrorType header), each with one status.
enum class ErrorType {
  kResourceNotFound,
  kResourceConflict,
  kInvalidParameterValue,
  kInvalidRequestContent,
  kRequestTooLarge,  // an Invoke payload over its limit
  kTooManyRequests,
  kAccessDenied,
  kProvisionedConcurrencyConfigNotFound,
  kPreconditionFailed,
  kCodeSigningConfigNotFound,
  kInvalidRuntime,  // Invoke: a function this host cannot run (an arm64 function on x86_64)
  kUnknownOperation,
  kValidation,  // ValidationException (function URLs' field constraints)
  kService,
};

int status_of(ErrorType type);
const char* name_of(ErrorType type);  // e.g. "ResourceNotFoundException"

aws::ServiceError lambda_error(ErrorType type, std::string message, std::string reason = "");

// The one table from domain errors to Lambda's.
aws::ServiceError to_lambda_error(const base::Error& e);

}  // namespace nimbus::lambda_api
