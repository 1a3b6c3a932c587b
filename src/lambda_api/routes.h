// The Lambda API's route table: method and path template (e.g.
// "/2015-03-31/functions/{FunctionName}/aliases/{Name}") to operation, and the
// matching that captures the template's parameters.
// THREADING RULE: the table is constant; matching is pure; any thread.
#pragma once

#include <span>
#include <string_view>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

struct Route {
  std::string_view method;
  std::string_view path;       // literal segments and {Param} captures
  std::string_view operation;  // Lambda's name for it, e.g. "CreateAlias"
  Handler handler = nullptr;
};

std::span<const Route> routes();

struct RouteMatch {
  const Route* route = nullptr;  // null: no route has this method and path
  PathParams params;
};

// Matches a raw path (no query): its segments are percent-decoded one by one
// (an encoded '/' stays inside its segment) and trailing slashes are ignored.
RouteMatch match_route(std::string_view method, std::string_view raw_path);

}  // namespace nimbus::lambda_api
