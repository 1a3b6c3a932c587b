// A Lambda proxy integration's target, read from the URIs API Gateway stores:
// "arn:aws:lambda:…:function:NAME[:QUALIFIER]" (HTTP APIs' integrationUri) or
// "arn:aws:apigateway:…:lambda:path/2015-03-31/functions/<that>/invocations"
// (REST APIs' uri, authorizers' authorizerUri). In nimbus_proxy_shapes, so the
// fuzz targets link it without the server.
// THREADING RULE: pure functions and plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus::execute_api {

struct LambdaTarget {
  std::string function;
  std::string qualifier;
  std::string payload_version = "2.0";
  int timeout_ms = 30000;
};

std::optional<LambdaTarget> lambda_target(std::string_view uri);

}  // namespace nimbus::execute_api
