// REST APIs' Lambda proxy shapes (payload 1.0 as REST APIs send it, not as
// HTTP APIs do): the event (no "version" key; header names in the client's
// own spelling; single-value maps take the last of repeated values; query
// values decoded with '+' as a space; path and pathParameters raw; null for
// what is absent), the Lambda authorizers' TOKEN and REQUEST events, and
// reading a function's response strictly (any key beyond statusCode,
// headers, multiValueHeaders, body and isBase64Encoded is a 502).
// THREADING RULE: pure functions over values; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/headers.h"
#include "base/result.h"
#include "execute_api/proxy_event.h"

namespace nimbus::execute_api {

struct RestRequest {
  std::string method;
  std::string path;       // below the stage, empty segments collapsed, a trailing '/' kept
  std::string full_path;  // as sent, the stage segment included (requestContext.path)
  std::string raw_query;  // without '?'
  base::HeaderList headers;              // lower-case names, arrival order
  std::vector<std::string> header_names; // headers[i]'s name as sent (may be empty: then lower case)
  std::string body;
  bool body_is_binary = false;  // the Content-Type is one of binaryMediaTypes
  std::string source_ip;
  std::string domain_name;
  int64_t time_ms = 0;
};

struct RestContext {
  std::string api_id, account_id, stage, deployment_id;
  std::string resource_id, resource_path;  // "/{proxy+}"
  std::string request_id;                  // a UUID
  std::string extended_request_id;         // x-amz-apigw-id
  std::map<std::string, std::string> path_parameters;
  std::map<std::string, std::string> stage_variables;
  boost::json::object authorizer;  // empty: no authorizer
  std::string api_key, api_key_id;  // when an API key was used
  CallerIdentity caller;            // an AWS_IAM method's signer
};

// "headers", "multiValueHeaders" and the query maps as REST events hold them.
void put_rest_request_maps(boost::json::object& event, const RestRequest& req);
boost::json::object rest_request_context(const RestRequest& req, const RestContext& ctx);

std::string build_rest_event(const RestRequest& req, const RestContext& ctx);
std::string build_token_authorizer_event(const std::string& token, const std::string& method_arn);
std::string build_request_authorizer_event(const RestRequest& req, const RestContext& ctx, const std::string& method_arn);

// `binary_ok`: the request's Accept names a binary media type, so a base64
// body is decoded; otherwise its text goes out as it is (as AWS does).
base::Result<ProxyReply> read_rest_response(std::string_view payload, bool binary_ok);

}  // namespace nimbus::execute_api
