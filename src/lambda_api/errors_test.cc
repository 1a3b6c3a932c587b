#include "lambda_api/errors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::lambda_api {
namespace {

using base::ErrorCode;
using base::make_error;

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
                        Case{ErrorCode::kTooLarge, 413, "RequestEntityTooLargeException"},
                        Case{ErrorCode::kNotImplemented, 400, "InvalidParameterValueException"},
                        Case{ErrorCode::kPreconditionFailed, 412, "PreconditionFailedException"},
                        Case{ErrorCode::kThrottled, 429, "TooManyRequestsException"},
                        Case{ErrorCode::kAccessDenied, 403, "AccessDeniedException"},
                        Case{ErrorCode::kIo, 500, "ServiceException"},
                        Case{ErrorCode::kInternal, 500, "ServiceException"}}) {
    auto e = to_lambda_error(make_error(c.code, "m"));
    EXPECT_EQ(e.status, c.status) << c.type;
    EXPECT_EQ(e.code, c.type);
    EXPECT_EQ(e.sender, c.status < 500) << c.type;
  }
}

TEST(LambdaErrors, ThrottlingSaysWhichLimitInReason) {
  auto e = to_lambda_error(make_error(ErrorCode::kThrottled, "ConcurrentInvocationLimitExceeded"));
  EXPECT_EQ(e.message, "Rate Exceeded.");
  EXPECT_EQ(e.reason, "ConcurrentInvocationLimitExceeded");
  auto r = aws::error_response(aws::Protocol::kRestJson, e, "rid");
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("Reason").as_string(), "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(body.at("Type").as_string(), "User");
  // A reason given as such wins over the message.
  EXPECT_EQ(to_lambda_error(make_error(ErrorCode::kThrottled, "over", "ReservedFunctionConcurrentInvocationLimitExceeded"))
                .reason,
            "ReservedFunctionConcurrentInvocationLimitExceeded");
}

TEST(LambdaErrors, TypedErrorsHaveTheirOwnNameAndStatus) {
  auto e = lambda_error(ErrorType::kProvisionedConcurrencyConfigNotFound, "none");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code, "ProvisionedConcurrencyConfigNotFoundException");
  EXPECT_EQ(e.message, "none");
  EXPECT_EQ(lambda_error(ErrorType::kUnknownOperation, "").code, "UnknownOperationException");
  EXPECT_EQ(status_of(ErrorType::kUnknownOperation), 404);
  EXPECT_STREQ(name_of(ErrorType::kRequestTooLarge), "RequestEntityTooLargeException");
  EXPECT_EQ(status_of(ErrorType::kRequestTooLarge), 413);
}

}  // namespace
}  // namespace nimbus::lambda_api
