#include "execute_api/rest_event.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>

#include "base/encoding.h"

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

// CloudFront, in front of AWS's edge, capitalises these two; clients that
// send them lower-case still see them so.
std::string sent_name(const RestRequest& req, size_t i) {
  const std::string& lower = req.headers[i].first;
  if (lower == "user-agent") return "User-Agent";
  if (lower == "authorization") return "Authorization";
  return i < req.header_names.size() && !req.header_names[i].empty() ? req.header_names[i] : lower;
}

json::value string_map_or_null(const std::map<std::string, std::string>& m) {
  if (m.empty()) return nullptr;
  json::object out;
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

std::string header_value(const base::HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

}  // namespace

void put_rest_request_maps(json::object& event, const RestRequest& req) {
  // One spelling per header: the first one seen names all its repeats.
  json::object headers, multi;
  std::map<std::string, std::string> spelling;  // lower -> as sent first
  for (size_t i = 0; i < req.headers.size(); ++i) {
    const auto& [lower, value] = req.headers[i];
    auto [it, fresh] = spelling.emplace(lower, sent_name(req, i));
    const std::string& name = it->second;
    headers[name] = value;  // the last of repeats
    if (fresh)
      multi[name] = json::array{json::value(value)};
    else
      multi[name].as_array().emplace_back(value);
  }
  event["headers"] = std::move(headers);
  event["multiValueHeaders"] = std::move(multi);
  if (req.raw_query.empty()) {
    event["queryStringParameters"] = nullptr;
    event["multiValueQueryStringParameters"] = nullptr;
    return;
  }
  json::object query, multi_query;
  for (const auto& p : base::parse_query(req.raw_query, true)) {
    query[p.key] = p.value;  // REST: the last value
    if (auto* a = multi_query.if_contains(p.key))
      a->as_array().emplace_back(p.value);
    else
      multi_query[p.key] = json::array{json::value(p.value)};
  }
  event["queryStringParameters"] = std::move(query);
  event["multiValueQueryStringParameters"] = std::move(multi_query);
}

json::object rest_request_context(const RestRequest& req, const RestContext& ctx) {
  json::object rc;
  rc["accountId"] = ctx.account_id;
  rc["apiId"] = ctx.api_id;
  if (!ctx.authorizer.empty()) rc["authorizer"] = ctx.authorizer;
  rc["deploymentId"] = ctx.deployment_id;
  rc["domainName"] = req.domain_name;
  rc["domainPrefix"] = req.domain_name.substr(0, req.domain_name.find('.'));
  rc["extendedRequestId"] = ctx.extended_request_id;
  rc["httpMethod"] = req.method;
  json::object identity{{"accessKey", nullptr},
                        {"accountId", nullptr},
                        {"caller", nullptr},
                        {"cognitoAuthenticationProvider", nullptr},
                        {"cognitoAuthenticationType", nullptr},
                        {"cognitoIdentityId", nullptr},
                        {"cognitoIdentityPoolId", nullptr},
                        {"principalOrgId", nullptr},
                        {"sourceIp", req.source_ip},
                        {"user", nullptr},
                        {"userAgent", header_value(req.headers, "user-agent")},
                        {"userArn", nullptr}};
  put_caller_identity(identity, ctx.caller);
  if (!ctx.api_key.empty()) {
    identity["apiKey"] = ctx.api_key;
    identity["apiKeyId"] = ctx.api_key_id;
  }
  rc["identity"] = std::move(identity);
  rc["path"] = req.full_path;
  rc["protocol"] = "HTTP/1.1";
  rc["requestId"] = ctx.request_id;
  rc["requestTime"] = clf_time(req.time_ms);
  rc["requestTimeEpoch"] = req.time_ms;
  rc["resourceId"] = ctx.resource_id;
  rc["resourcePath"] = ctx.resource_path;
  rc["stage"] = ctx.stage;
  return rc;
}

std::string build_rest_event(const RestRequest& req, const RestContext& ctx) {
  json::object event;
  event["resource"] = ctx.resource_path;
  event["path"] = req.path;
  event["httpMethod"] = req.method;
  put_rest_request_maps(event, req);
  event["pathParameters"] = string_map_or_null(ctx.path_parameters);
  event["stageVariables"] = string_map_or_null(ctx.stage_variables);
  event["requestContext"] = rest_request_context(req, ctx);
  if (req.body.empty())
    event["body"] = nullptr;
  else
    event["body"] = req.body_is_binary ? base::base64_encode(req.body) : req.body;
  event["isBase64Encoded"] = !req.body.empty() && req.body_is_binary;
  return json::serialize(event);
}

std::string build_token_authorizer_event(const std::string& token, const std::string& method_arn) {
  return json::serialize(json::object{{"type", "TOKEN"}, {"methodArn", method_arn}, {"authorizationToken", token}});
}

std::string build_request_authorizer_event(const RestRequest& req, const RestContext& ctx, const std::string& method_arn) {
  json::object event;
  event["type"] = "REQUEST";
  event["methodArn"] = method_arn;
  event["resource"] = ctx.resource_path;
  event["path"] = req.path;
  event["httpMethod"] = req.method;
  put_rest_request_maps(event, req);
  event["pathParameters"] = string_map_or_null(ctx.path_parameters);
  event["stageVariables"] = string_map_or_null(ctx.stage_variables);
  event["requestContext"] = rest_request_context(req, ctx);
  return json::serialize(event);
}

namespace {

base::Error malformed(std::string why) {
  return base::make_error(base::ErrorCode::kMalformed, "Malformed Lambda proxy response: " + why);
}

std::optional<int> status_of(const json::value& v) {
  if (v.is_int64() && v.as_int64() >= 100 && v.as_int64() <= 599) return static_cast<int>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() >= 100 && v.as_uint64() <= 599) return static_cast<int>(v.as_uint64());
  if (v.is_string()) {
    std::string s(v.as_string());
    if (s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      int n = std::stoi(s);
      if (n >= 100 && n <= 599) return n;
    }
  }
  return std::nullopt;
}

// REST's header values: strings, or booleans sent as "true"/"false".
std::optional<std::string> rest_header_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return std::string(v.as_bool() ? "true" : "false");
  return std::nullopt;
}

}  // namespace

base::Result<ProxyReply> read_rest_response(std::string_view payload, bool binary_ok) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec || !v.is_object()) return malformed("the function's output is not a JSON object");
  const json::object& o = v.as_object();
  for (const auto& [k, x] : o)
    if (k != "statusCode" && k != "headers" && k != "multiValueHeaders" && k != "body" && k != "isBase64Encoded")
      return malformed("unexpected key '" + std::string(k) + "'");
  ProxyReply reply;
  reply.status = 200;
  if (const auto* code = o.if_contains("statusCode"); code && !code->is_null()) {
    auto status = status_of(*code);
    if (!status) return malformed("statusCode must be an HTTP status code");
    reply.status = *status;
  }
  std::vector<std::string> multi_names;  // lower case
  if (const auto* m = o.if_contains("multiValueHeaders"); m && !m->is_null()) {
    if (!m->is_object()) return malformed("multiValueHeaders must be an object");
    for (const auto& [name, values] : m->as_object()) {
      if (!values.is_array()) return malformed("multiValueHeaders." + std::string(name) + " must be a list");
      for (const auto& value : values.as_array()) {
        auto text = rest_header_text(value);
        if (!text) return malformed("multiValueHeaders." + std::string(name) + " must hold strings");
        reply.headers.emplace_back(std::string(name), *text);
      }
      multi_names.push_back(base::to_lower(name));
    }
  }
  if (const auto* h = o.if_contains("headers"); h && !h->is_null()) {
    if (!h->is_object()) return malformed("headers must be an object");
    for (const auto& [name, value] : h->as_object()) {
      auto text = rest_header_text(value);
      if (!text) return malformed("header " + std::string(name) + " must be a string");
      // multiValueHeaders win for a name both set.
      if (std::find(multi_names.begin(), multi_names.end(), base::to_lower(name)) != multi_names.end()) continue;
      reply.headers.emplace_back(std::string(name), *text);
    }
  }
  if (const auto* body = o.if_contains("body"); body && !body->is_null()) {
    if (!body->is_string()) return malformed("body must be a string");
    const auto* b64 = o.if_contains("isBase64Encoded");
    if (b64 && !b64->is_null() && !b64->is_bool()) return malformed("isBase64Encoded must be a boolean");
    if (b64 && b64->is_bool() && b64->as_bool() && binary_ok) {
      auto decoded = base::base64_decode(body->as_string());
      if (!decoded) return malformed("body is not valid base64 while isBase64Encoded is true");
      reply.body = std::move(*decoded);
    } else {
      reply.body = body->as_string();
    }
  }
  bool typed = false;
  for (const auto& [n, x] : reply.headers) typed = typed || base::iequals(n, "content-type");
  if (!typed) reply.headers.emplace_back("Content-Type", "application/json");
  return reply;
}

}  // namespace nimbus::execute_api
