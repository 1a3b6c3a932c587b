// The management API's operations: one row per (method, path template) with
// its operation name and handler, for both API Gateway versions.
// THREADING RULE: built once (a function-local static), then const.
#pragma once

#include "apigateway_api/call.h"
#include "aws/rest_routes.h"

namespace nimbus::apigateway_api {

const aws::RouteTable<Handler>& routes();

}  // namespace nimbus::apigateway_api
