#include "lambda_api/errors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::lambda_api {
namespace {

using base::ErrorCode;
using base::make_error;

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

TEST(LambdaErrors, DomainErrorsMapOnce) {
  struct Case {
    ErrorCode code;
    int status;
    const char* type;
  };
  for (const Case& c : {Case{ErrorCode::kNotFound, 404, "ResourceNotFoundException"},
                        Case{ErrorCode::kAlreadyExists, 409, "ResourceConflictException"},
                        Case{ErrorCode::kConflict, 409, "ResourceConflictException"},
                        Case{ErrorCode::kInvalidArgument, 400, "InvalidParameterValueException"},
                        Case{ErrorCode::kMalformed, 400, "InvalidRequestContentException"},
                        Case{ErrorCode::kEntityTooLarge, 413, "RequestTooLargeException"},
                        Case{ErrorCode::kThrottled, 429, "TooManyRequestsException"},
                        Case{ErrorCode::kAccessDenied, 403, "AccessDeniedException"},
                        Case{ErrorCode::kInvalidAccessKeyId, 403, "UnrecognizedClientException"},
                        Case{ErrorCode::kSignatureMismatch, 403, "InvalidSignatureException"},
                        Case{ErrorCode::kRequestTimeTooSkewed, 403, "InvalidSignatureException"},
                        Case{ErrorCode::kAuthorizationMalformed, 400, "IncompleteSignatureException"},
                        Case{ErrorCode::kIo, 500, "ServiceException"},
                        Case{ErrorCode::kInternal, 500, "ServiceException"}}) {
    auto e = to_lambda_error(make_error(c.code, "m"));
    EXPECT_EQ(status_of(e.type), c.status) << c.type;
    EXPECT_STREQ(name_of(e.type), c.type);
  }
}

TEST(LambdaErrors, ThrottlingSaysWhichLimitInReason) {
  auto e = to_lambda_error(make_error(ErrorCode::kThrottled, "ConcurrentInvocationLimitExceeded"));
  EXPECT_EQ(e.message, "Rate Exceeded.");
  EXPECT_EQ(e.reason, "ConcurrentInvocationLimitExceeded");
  auto r = error_response(e);
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("Reason").as_string(), "ConcurrentInvocationLimitExceeded");
}

TEST(LambdaErrors, ResponseShape) {
  auto r = error_response(ErrorType::kUnknownOperation, "Unknown operation GET /x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header(r, "x-amzn-ErrorType"), "UnknownOperationException");
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(header(r, "x-amzn-RequestId").size(), 32u);
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("Type").as_string(), "User");
  EXPECT_EQ(body.at("message").as_string(), "Unknown operation GET /x");
  EXPECT_FALSE(body.contains("Reason"));
}

TEST(LambdaErrors, EveryTypeHasItsOwnName) {
  for (auto t : {ErrorType::kRequestEntityTooLarge, ErrorType::kMissingAuthenticationToken,
                 ErrorType::kProvisionedConcurrencyConfigNotFound, ErrorType::kPreconditionFailed}) {
    EXPECT_STRNE(name_of(t), "ServiceException");
  }
  EXPECT_EQ(status_of(ErrorType::kRequestEntityTooLarge), 413);
  EXPECT_EQ(status_of(ErrorType::kMissingAuthenticationToken), 403);
}

}  // namespace
}  // namespace nimbus::lambda_api
