// Lambda function ARNs: "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]",
// parsed once for every module that meets them (Lambda API, S3 notification
// destinations, event delivery).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus::base {

struct LambdaArn {
  std::string region;
  std::string account;
  std::string function;
  std::string qualifier;  // empty when absent
};

std::optional<LambdaArn> parse_lambda_arn(std::string_view arn);

}  // namespace nimbus::base
