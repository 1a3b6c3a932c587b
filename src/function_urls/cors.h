// A function URL's CORS, as Lambda applies it: preflights (OPTIONS with
// Origin and Access-Control-Request-Method) are answered without invoking
// the function; on other responses the URL's CORS headers replace any the
// function set. An Origin the configuration does not allow gets none.
// THREADING RULE: pure functions over values; any thread.
#pragma once

#include "base/headers.h"
#include "lambda_api/url_config.h"

namespace nimbus::function_urls {

bool is_preflight(const std::string& method, const base::HeaderList& request_headers);
// The headers of a preflight's 200 answer.
base::HeaderList preflight_headers(const lambda_api::UrlCors& cors, const base::HeaderList& request_headers);
// Drops the function's Access-Control-* headers and adds the URL's.
void apply_cors(const lambda_api::UrlCors& cors, const base::HeaderList& request_headers, base::HeaderList& reply);

}  // namespace nimbus::function_urls
