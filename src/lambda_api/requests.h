// The request bodies and names the Lambda API parses: a JSON body, a
// function reference ("name", "name:qualifier", an ARN), the configuration
// fields of CreateFunction / UpdateFunctionConfiguration, event invoke
// configs and concurrency settings, with Lambda's validation messages.
// Pure functions, so the service and fuzz/lambda_json_fuzz.cc run the same code.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "functions/types.h"

namespace nimbus::lambda_api {

// The body as a JSON object ("" is {}); kMalformed otherwise.
base::Result<boost::json::object> parse_body(std::string_view body);

struct FunctionRef {
  std::string name;
  std::string qualifier;
};
// "name", "name:qualifier", "ACCOUNT:function:name" or an ARN; kInvalidArgument otherwise.
base::Result<FunctionRef> parse_ref(const std::string& raw);

// Applies the configuration fields of a Create/UpdateFunctionConfiguration body.
base::Status apply_config(const boost::json::object& in, functions::FunctionConfig& c);

// Architectures (one of x86_64, arm64), as CreateFunction, UpdateFunctionCode
// and UpdateFunctionConfiguration carry it.
base::Status apply_architectures(const boost::json::object& in, functions::FunctionConfig& c);

// Applies a Put/UpdateFunctionEventInvokeConfig body onto c.
base::Status apply_event_invoke_config(const boost::json::object& in, functions::EventInvokeConfig& c);
// An OnSuccess / OnFailure destination's ARN: SQS, SNS, Lambda, or (on failure) S3; EventBridge refused by name.
base::Status check_destination_arn(const char* member, const std::string& arn, bool on_failure);

// PutFunctionConcurrency's ReservedConcurrentExecutions (>= 0).
base::Result<int> reserved_concurrency(const boost::json::object& in);
// PutProvisionedConcurrencyConfig's ProvisionedConcurrentExecutions (>= 1).
base::Result<int> provisioned_concurrency(const boost::json::object& in);

// A list operation's MaxItems query parameter: "" is `cap`; otherwise an
// integer 1..10000 (ValidationException, as Lambda answers, for anything
// else), of which at most `cap` are answered a page, as Lambda caps
// ListFunctions and ListVersionsByFunction at 50 whatever is asked.
base::Result<size_t> max_items(const std::string& raw, size_t cap);

// A version's place in Lambda's listing order: $LATEST first, then published
// versions by number; nullopt for anything else (not a version).
std::optional<int64_t> version_rank(std::string_view version);

}  // namespace nimbus::lambda_api
