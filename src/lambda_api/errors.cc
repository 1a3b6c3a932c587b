#include "lambda_api/errors.h"

#include <boost/json.hpp>

#include "base/ids.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
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
    {ErrorType::kRequestTooLarge, 413, "RequestTooLargeException"},
    {ErrorType::kRequestEntityTooLarge, 413, "RequestEntityTooLargeException"},
    {ErrorType::kTooManyRequests, 429, "TooManyRequestsException"},
    {ErrorType::kAccessDenied, 403, "AccessDeniedException"},
    {ErrorType::kUnrecognizedClient, 403, "UnrecognizedClientException"},
    {ErrorType::kInvalidSignature, 403, "InvalidSignatureException"},
    {ErrorType::kIncompleteSignature, 400, "IncompleteSignatureException"},
    {ErrorType::kMissingAuthenticationToken, 403, "MissingAuthenticationTokenException"},
    {ErrorType::kProvisionedConcurrencyConfigNotFound, 404, "ProvisionedConcurrencyConfigNotFoundException"},
    {ErrorType::kPreconditionFailed, 412, "PreconditionFailedException"},
    {ErrorType::kUnknownOperation, 404, "UnknownOperationException"},
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

LambdaError to_lambda_error(const base::Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound: return {ErrorType::kResourceNotFound, e.message, {}};
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return {ErrorType::kResourceConflict, e.message, {}};
    case ErrorCode::kInvalidArgument: return {ErrorType::kInvalidParameterValue, e.message, {}};
    case ErrorCode::kMalformed: return {ErrorType::kInvalidRequestContent, e.message, {}};
    case ErrorCode::kEntityTooLarge: return {ErrorType::kRequestTooLarge, e.message, {}};
    case ErrorCode::kPreconditionFailed: return {ErrorType::kPreconditionFailed, e.message, {}};
    // The invoker says which limit was hit; Lambda puts that in "Reason".
    case ErrorCode::kThrottled: return {ErrorType::kTooManyRequests, "Rate Exceeded.", e.message};
    case ErrorCode::kAccessDenied: return {ErrorType::kAccessDenied, e.message, {}};
    case ErrorCode::kInvalidAccessKeyId:
      return {ErrorType::kUnrecognizedClient, "The security token included in the request is invalid.", {}};
    case ErrorCode::kSignatureMismatch: return {ErrorType::kInvalidSignature, e.message, {}};
    case ErrorCode::kRequestTimeTooSkewed: return {ErrorType::kInvalidSignature, "Signature expired: " + e.message, {}};
    case ErrorCode::kAuthorizationMalformed: return {ErrorType::kIncompleteSignature, e.message, {}};
    default: return {ErrorType::kService, e.message, {}};
  }
}

http::Response error_response(const LambdaError& e) {
  const TypeRow& row = row_of(e.type);
  http::Response r;
  r.status = row.status;
  r.set("Content-Type", "application/json");
  r.set("x-amzn-ErrorType", row.name);
  r.set("x-amzn-RequestId", base::random_hex(16));
  json::object body{{"Type", "User"}, {"message", e.message}};
  if (!e.reason.empty()) body["Reason"] = e.reason;
  r.body = json::serialize(body);
  return r;
}

}  // namespace nimbus::lambda_api
