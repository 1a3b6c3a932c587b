// What the data plane knows about one request it served: the API, stage and
// route it matched, the integration's outcome and timings, the trace it
// belongs to, and the stage's access-log settings. execute_api fills one per
// request and hands it to Options::on_request, which server/ turns into the
// access-log line (access_log.h), the nimbus_apigateway_* metrics and the
// gateway's span.
// THREADING RULE: a plain value, filled and read on the request's io thread.
#pragma once

#include <cstdint>
#include <string>

namespace nimbus::execute_api {

struct RequestFacts {
  std::string request_id;
  std::string api_id, stage, route_key;  // stage and route_key empty until matched
  std::string method, path, protocol = "HTTP/1.1";
  std::string domain_name, domain_prefix, source_ip, user_agent;
  std::string account_id;
  int64_t request_time_ms = 0;  // wall clock, when the request arrived
  int64_t start_us = 0;
  int status = 0;               // what the client got
  uint64_t response_length = 0;
  double response_latency_ms = 0;
  // The integration: Lambda's own answer (200 when it ran the function,
  // whatever the function did; 0 when it was never reached), the status
  // the function's response set, how long the invocation took, and why
  // the integration failed, if it did.
  std::string function;
  int integration_status = 0;
  int function_status = 0;
  double integration_latency_ms = -1;  // < 0: no integration ran
  std::string integration_error;
  std::string error_message;  // API Gateway's own error ({"message"}), when it answered one
  bool answered_by_function = false;
  // The gateway's span: the function's invocation is its child.
  std::string trace_root, span_id, parent_span;
  // The stage's accessLogSettings, read when the stage was matched.
  std::string log_group, log_format;
};

}  // namespace nimbus::execute_api
