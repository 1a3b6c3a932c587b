// Lambda proxy integrations' wire shapes, as API Gateway builds and reads
// them: the event a function receives for an HTTP request (payload format
// 2.0, and 1.0 as HTTP APIs send it), and how its response becomes the HTTP
// reply (2.0's inferred responses, cookies, base64; 1.0's headers and
// multiValueHeaders). Function URLs use the 2.0 shapes too.
// THREADING RULE: pure functions over values; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/headers.h"
#include "base/result.h"

namespace nimbus::execute_api {

// The HTTP request as the gateway saw it, below the API's address.
struct ProxyRequest {
  std::string method;
  std::string raw_path;   // not decoded; for a named stage it includes "/<stage>" (rawPath does)
  std::string raw_query;  // without '?'
  base::HeaderList headers;  // lower-case names, in arrival order, repeats kept
  std::string body;
  std::string source_ip;
  std::string domain_name;  // the Host, without a port
  std::string protocol = "HTTP/1.1";
  int64_t time_ms = 0;
};

// Who signed a request to an AWS_IAM route or method, as payload 1.0's and
// REST's requestContext.identity names it (empty members: not signed).
struct CallerIdentity {
  std::string access_key, account_id;
  std::string caller;    // the user id: the access key, or ROLEID:SESSION
  std::string user;      // the same, as AWS repeats it
  std::string user_arn;
  bool signed_request() const { return !access_key.empty(); }
};

// Sets identity's accessKey, accountId, caller, user and userArn when signed.
void put_caller_identity(boost::json::object& identity, const CallerIdentity& who);

// What the route or function URL contributes.
struct ProxyContext {
  std::string api_id;  // or the function URL's id
  std::string account_id;
  std::string route_key;  // "GET /pets/{id}", "$default"
  std::string stage;      // "$default" or the name
  std::string request_id;
  std::string resource_path;  // 1.0: the route's path ("/pets/{id}"), or the request path for $default
  std::map<std::string, std::string> path_parameters;
  std::map<std::string, std::string> stage_variables;
  std::string authorizer_json;  // requestContext.authorizer, a JSON object's text; empty: none
  CallerIdentity caller;        // 1.0's requestContext.identity of an AWS_IAM route
};

// HTTP APIs pass a body as text only for these content types; any other
// body (a missing Content-Type included) is base64-encoded.
bool is_text_content_type(std::string_view content_type);

std::string build_v2_event(const ProxyRequest& req, const ProxyContext& ctx);
std::string build_v1_event(const ProxyRequest& req, const ProxyContext& ctx);

// What the client gets back. Headers in order; Set-Cookie may repeat.
struct ProxyReply {
  int status = 200;
  base::HeaderList headers;
  std::string body;
};

// Reads a function's response payload. kMalformed when it is not a response
// API Gateway accepts (the gateway answers 500 for HTTP APIs).
base::Result<ProxyReply> read_v2_response(std::string_view payload);
base::Result<ProxyReply> read_v1_response(std::string_view payload);

// "21/Apr/2020:15:08:21 +0000", requestContext.time's format (and access logs').
std::string clf_time(int64_t ms);
// API Gateway's HTTP API request id: 16 characters of base64 ending in '='.
std::string new_request_id();

}  // namespace nimbus::execute_api
