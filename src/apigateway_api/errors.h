// API Gateway's error vocabulary (v1 and v2 share it): every wire error the
// management API sends, type and status in one table, and the one mapping
// from domain errors (base::Error) onto it — the aws::ErrorTable of the
// descriptor. The protocol layer renders them (rest-json: x-amzn-ErrorType,
// message).
// THREADING RULE: pure functions; any thread.
#pragma once

#include <string>

#include "aws/protocol.h"
#include "base/result.h"

namespace nimbus::apigateway_api {

enum class ErrorType {
  kNotFound,         // 404 NotFoundException
  kBadRequest,       // 400 BadRequestException
  kConflict,         // 409 ConflictException
  kTooManyRequests,  // 429 TooManyRequestsException
  kLimitExceeded,    // 429 LimitExceededException
  kUnauthorized,     // 401 UnauthorizedException
  kService,          // 500 ServiceUnavailableException
};

aws::ServiceError gateway_error(ErrorType type, std::string message);
aws::ServiceError to_gateway_error(const base::Error& e);

}  // namespace nimbus::apigateway_api
