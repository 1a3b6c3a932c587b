// ARNs, "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", parsed once for
// every module that meets them, and nimbus's one account id. Lambda function
// ARNs ("...:function:NAME[:QUALIFIER]") have their own reader, used by the
// Lambda API, S3 notification destinations and event delivery.
//
// THREADING RULE: pure functions and values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus::base {

// The account every nimbus resource and access key belongs to (LocalStack's).
inline constexpr std::string_view kAccountId = "000000000000";

struct Arn {
  std::string partition = "aws";
  std::string service;   // "lambda", "iam", "sts", "logs"
  std::string region;    // "" for global services (iam, s3)
  std::string account;
  std::string resource;  // everything after the account: "function:f:live", "role/r", "log-group:g"

  static std::optional<Arn> parse(std::string_view text);  // at least 6 parts, "arn" first
  std::string str() const;
  // The resource after "type/" or "type:", "" when resource is of another type.
  std::string resource_of(std::string_view type) const;
};

// arn:aws:SERVICE:REGION:kAccountId:RESOURCE
std::string make_arn(std::string_view service, std::string_view region, std::string_view resource);

struct LambdaArn {
  std::string region;
  std::string account;
  std::string function;
  std::string qualifier;  // empty when absent
};

std::optional<LambdaArn> parse_lambda_arn(std::string_view arn);

}  // namespace nimbus::base
