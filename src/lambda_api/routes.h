// The Lambda API's route table: method and path template (e.g.
// "/2015-03-31/functions/{FunctionName}/aliases/{Name}") to operation, matched
// by the protocol layer's rest-json RouteTable (aws/rest_routes.h).
// THREADING RULE: built once, on first use; then read-only, from any thread.
#pragma once

#include <span>
#include <string_view>

#include "aws/rest_routes.h"
#include "lambda_api/call.h"

namespace nimbus::lambda_api {

struct Route {
  std::string_view method;
  std::string_view path;       // literal segments and {Param} captures
  std::string_view operation;  // Lambda's name for it, e.g. "CreateAlias"
  Handler handler = nullptr;
};

// The rows, in matching order.
std::span<const Route> route_list();
// The same as a table to match requests against.
const aws::RouteTable<Handler>& routes();

}  // namespace nimbus::lambda_api
