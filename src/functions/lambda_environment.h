// The Lambda environment contract: the variables an instance is started
// with (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_RUNTIME_API, _HANDLER,
// LAMBDA_TASK_ROOT, credentials, region, endpoint, TZ, PATH, ...) layered
// over the function's own Environment, with the runtime's additions last;
// and the names Lambda gives an instance's log stream and its credentials.
//
// THREADING RULE: pure functions (log_stream_name and
// new_instance_access_key draw random bytes); any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "functions/runtimes.h"
#include "functions/types.h"

namespace nimbus::functions {

struct InstanceContext {
  std::string region;
  std::string endpoint_url;  // AWS_ENDPOINT_URL; empty: not set
  std::string log_stream;    // AWS_LAMBDA_LOG_STREAM_NAME
  std::string runtime_api;   // AWS_LAMBDA_RUNTIME_API, "127.0.0.1:PORT"
  std::string access_key, secret_key;
};

std::map<std::string, std::string> lambda_environment(const FunctionConfig& cfg, const Launch& launch,
                                                      const InstanceContext& context);
// "2026/12/02/[$LATEST]<32 hex digits>", as Lambda names an instance's stream.
std::string log_stream_name(const FunctionConfig& cfg, int64_t now_ms);
// An access key for one instance ("NIMBUS" + 14 upper-case hex digits).
std::string new_instance_access_key();

}  // namespace nimbus::functions
