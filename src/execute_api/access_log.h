// API Gateway's access-log lines for HTTP APIs: a stage's accessLogSettings
// format with its $context variables substituted from one request's facts,
// as API Gateway does (a variable with no value, or one nimbus does not
// know, becomes "-"); JSON, CLF, XML and CSV formats are all plain text
// substitution. Also the log group named by a destination ARN, and the
// stream the lines go to.
// THREADING RULE: pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "execute_api/request_facts.h"

namespace nimbus::execute_api {

std::string render_access_log(std::string_view format, const RequestFacts& facts);

// The log group of "arn:aws:logs:REGION:ACCOUNT:log-group:NAME" (a trailing
// ":*" allowed); nullopt when the ARN is not a CloudWatch Logs group's.
std::optional<std::string> log_group_of_arn(std::string_view arn);

// The stream an API's stage writes its access log to.
std::string access_log_stream(const RequestFacts& facts);

}  // namespace nimbus::execute_api
