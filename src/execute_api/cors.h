// CORS for HTTP APIs, as API Gateway applies an API's corsConfiguration:
// it answers preflight requests (OPTIONS with Origin and
// Access-Control-Request-Method) itself, 204, before any route or
// authorizer; on every other reply it drops the Access-Control-* headers the
// backend sent and adds the configured ones when the Origin is allowed.
// THREADING RULE: pure functions over values; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/headers.h"

namespace nimbus::execute_api {

struct CorsConfig {
  std::vector<std::string> origins, methods, headers, expose;
  int64_t max_age = -1;  // -1: no Access-Control-Max-Age
  bool credentials = false;
};
// From corsConfiguration (the management API's shape); nullopt when empty.
std::optional<CorsConfig> cors_config(const boost::json::object& doc);

bool is_preflight(const std::string& method, const base::HeaderList& request_headers);
// The preflight's reply headers: empty when the origin, method or headers are not allowed.
base::HeaderList preflight_headers(const CorsConfig& c, const base::HeaderList& request_headers);
// Replaces the backend's Access-Control-* headers in `reply` by the configured ones.
void apply_cors(const CorsConfig& c, const base::HeaderList& request_headers, base::HeaderList& reply);

}  // namespace nimbus::execute_api
