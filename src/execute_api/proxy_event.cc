#include "execute_api/proxy_event.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <ctime>

#include "base/encoding.h"
#include "base/ids.h"

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

std::string media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  return base::to_lower(base::trim(content_type.substr(0, semi)));
}

// Repeated headers joined with commas (2.0), the cookie header excepted.
json::object joined_headers(const base::HeaderList& headers) {
  json::object out;
  for (const auto& [name, value] : headers) {
    if (name == "cookie") continue;
    auto it = out.find(name);
    if (it == out.end())
      out[name] = value;
    else
      it->value() = std::string(it->value().as_string()) + "," + value;
  }
  return out;
}

json::array cookies_of(const base::HeaderList& headers) {
  json::array out;
  for (const auto& [name, value] : headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      auto one = base::trim(rest.substr(0, semi));
      if (!one.empty()) out.emplace_back(one);
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return out;
}

std::string header_value(const base::HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

json::object string_map(const std::map<std::string, std::string>& m) {
  json::object out;
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

void put_body(json::object& event, const ProxyRequest& req, bool absent_when_empty) {
  bool binary = !req.body.empty() && !is_text_content_type(header_value(req.headers, "content-type"));
  if (req.body.empty()) {
    if (!absent_when_empty) event["body"] = nullptr;
  } else {
    event["body"] = binary ? base::base64_encode(req.body) : req.body;
  }
  event["isBase64Encoded"] = binary;
}

std::optional<int> status_of(const json::value& v) {
  if (v.is_int64() && v.as_int64() >= 100 && v.as_int64() <= 599) return static_cast<int>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() >= 100 && v.as_uint64() <= 599) return static_cast<int>(v.as_uint64());
  if (v.is_double() && v.as_double() >= 100 && v.as_double() <= 599 && v.as_double() == static_cast<int>(v.as_double()))
    return static_cast<int>(v.as_double());
  if (v.is_string()) {
    std::string s(v.as_string());
    if (s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      int n = std::stoi(s);
      if (n >= 100 && n <= 599) return n;
    }
  }
  return std::nullopt;
}

// A header value as API Gateway sends it: strings as they are, other scalars as their JSON text.
std::optional<std::string> header_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return std::string(v.as_bool() ? "true" : "false");
  if (v.is_number()) return json::serialize(v);
  return std::nullopt;
}

base::Error malformed(std::string why) {
  return base::make_error(base::ErrorCode::kMalformed, "Malformed Lambda proxy response: " + why);
}

base::Status read_body(const json::object& o, ProxyReply& reply) {
  const auto* body = o.if_contains("body");
  if (!body || body->is_null()) return {};
  std::string text = body->is_string() ? std::string(body->as_string()) : json::serialize(*body);
  const auto* b64 = o.if_contains("isBase64Encoded");
  if (b64 && b64->is_bool() && b64->as_bool()) {
    auto decoded = base::base64_decode(text);
    if (!decoded) return malformed("body is not valid base64 while isBase64Encoded is true");
    reply.body = std::move(*decoded);
  } else {
    reply.body = std::move(text);
  }
  return {};
}

base::Status read_headers(const json::object& o, ProxyReply& reply) {
  const auto* h = o.if_contains("headers");
  if (!h || h->is_null()) return {};
  if (!h->is_object()) return malformed("headers must be an object");
  for (const auto& [name, value] : h->as_object()) {
    auto text = header_text(value);
    if (!text) return malformed("header " + std::string(name) + " must be a string");
    reply.headers.emplace_back(std::string(name), *text);
  }
  return {};
}

bool has_header(const base::HeaderList& headers, std::string_view lower) {
  for (const auto& [n, v] : headers)
    if (base::iequals(n, lower)) return true;
  return false;
}

}  // namespace

void put_caller_identity(json::object& identity, const CallerIdentity& who) {
  if (!who.signed_request()) return;
  identity["accessKey"] = who.access_key;
  identity["accountId"] = who.account_id;
  identity["caller"] = who.caller;
  identity["user"] = who.user;
  identity["userArn"] = who.user_arn;
}

bool is_text_content_type(std::string_view content_type) {
  std::string t = media_type(content_type);
  if (t.rfind("text/", 0) == 0) return true;
  return t == "application/json" || t == "application/xml" || t == "application/javascript";
}

std::string build_v2_event(const ProxyRequest& req, const ProxyContext& ctx) {
  json::object event;
  event["version"] = "2.0";
  event["routeKey"] = ctx.route_key;
  event["rawPath"] = req.raw_path;
  event["rawQueryString"] = req.raw_query;
  if (auto cookies = cookies_of(req.headers); !cookies.empty()) event["cookies"] = std::move(cookies);
  event["headers"] = joined_headers(req.headers);
  if (!req.raw_query.empty()) {
    json::object query;
    for (const auto& p : base::parse_query(req.raw_query)) {
      auto it = query.find(p.key);
      if (it == query.end())
        query[p.key] = p.value;
      else
        it->value() = std::string(it->value().as_string()) + "," + p.value;
    }
    event["queryStringParameters"] = std::move(query);
  }
  json::object rc;
  rc["accountId"] = ctx.account_id;
  rc["apiId"] = ctx.api_id;
  if (!ctx.authorizer_json.empty()) rc["authorizer"] = json::parse(ctx.authorizer_json);
  rc["domainName"] = req.domain_name;
  rc["domainPrefix"] = req.domain_name.substr(0, req.domain_name.find('.'));
  rc["http"] = json::object{{"method", req.method},
                            {"path", req.raw_path},
                            {"protocol", req.protocol},
                            {"sourceIp", req.source_ip},
                            {"userAgent", header_value(req.headers, "user-agent")}};
  rc["requestId"] = ctx.request_id;
  rc["routeKey"] = ctx.route_key;
  rc["stage"] = ctx.stage;
  rc["time"] = clf_time(req.time_ms);
  rc["timeEpoch"] = req.time_ms;
  event["requestContext"] = std::move(rc);
  if (!ctx.path_parameters.empty()) event["pathParameters"] = string_map(ctx.path_parameters);
  if (!ctx.stage_variables.empty()) event["stageVariables"] = string_map(ctx.stage_variables);
  put_body(event, req, true);
  return json::serialize(event);
}

std::string build_v1_event(const ProxyRequest& req, const ProxyContext& ctx) {
  json::object event;
  event["version"] = "1.0";
  event["resource"] = ctx.resource_path;
  event["path"] = req.raw_path;
  event["httpMethod"] = req.method;
  json::object headers, multi_headers;
  for (const auto& [name, value] : req.headers) {
    headers[name] = value;  // the last of a repeated header
    auto it = multi_headers.find(name);
    if (it == multi_headers.end())
      multi_headers[name] = json::array{json::value(value)};
    else
      it->value().as_array().emplace_back(value);
  }
  event["headers"] = std::move(headers);
  event["multiValueHeaders"] = std::move(multi_headers);
  if (req.raw_query.empty()) {
    event["queryStringParameters"] = nullptr;
    event["multiValueQueryStringParameters"] = nullptr;
  } else {
    json::object query, multi_query;
    for (const auto& p : base::parse_query(req.raw_query, true)) {
      if (!query.contains(p.key)) query[p.key] = p.value;  // HTTP APIs' 1.0: the first value
      auto it = multi_query.find(p.key);
      if (it == multi_query.end())
        multi_query[p.key] = json::array{json::value(p.value)};
      else
        it->value().as_array().emplace_back(p.value);
    }
    event["queryStringParameters"] = std::move(query);
    event["multiValueQueryStringParameters"] = std::move(multi_query);
  }
  json::object rc;
  rc["accountId"] = ctx.account_id;
  rc["apiId"] = ctx.api_id;
  rc["authorizer"] = ctx.authorizer_json.empty() ? json::value(json::object{{"claims", nullptr}, {"scopes", nullptr}})
                                                 : json::parse(ctx.authorizer_json);
  rc["domainName"] = req.domain_name;
  rc["domainPrefix"] = req.domain_name.substr(0, req.domain_name.find('.'));
  rc["extendedRequestId"] = ctx.request_id;
  rc["httpMethod"] = req.method;
  json::object identity{{"accessKey", nullptr},
                        {"accountId", nullptr},
                        {"caller", nullptr},
                        {"cognitoAmr", nullptr},
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
  rc["identity"] = std::move(identity);
  rc["path"] = req.raw_path;
  rc["protocol"] = req.protocol;
  rc["requestId"] = ctx.request_id;
  rc["requestTime"] = clf_time(req.time_ms);
  rc["requestTimeEpoch"] = req.time_ms;
  rc["resourceId"] = nullptr;
  rc["resourcePath"] = ctx.resource_path;
  rc["stage"] = ctx.stage;
  event["requestContext"] = std::move(rc);
  event["pathParameters"] = ctx.path_parameters.empty() ? json::value(nullptr) : json::value(string_map(ctx.path_parameters));
  event["stageVariables"] = ctx.stage_variables.empty() ? json::value(nullptr) : json::value(string_map(ctx.stage_variables));
  put_body(event, req, false);
  return json::serialize(event);
}

base::Result<ProxyReply> read_v2_response(std::string_view payload) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec) return malformed("the function's output is not JSON");
  ProxyReply reply;
  // An object naming an errorMessage is a function's error, returned or raised.
  if (v.is_object() && v.as_object().contains("errorMessage") && !v.as_object().contains("statusCode"))
    return malformed("the function returned an error");
  // Inferred: any output but an object with a statusCode is a 200 JSON body.
  if (!v.is_object() || !v.as_object().contains("statusCode")) {
    reply.status = 200;
    reply.headers.emplace_back("Content-Type", "application/json");
    reply.body = v.is_string() ? std::string(v.as_string()) : std::string(payload);
    return reply;
  }
  const json::object& o = v.as_object();
  auto status = status_of(o.at("statusCode"));
  if (!status) return malformed("statusCode must be an HTTP status code");
  reply.status = *status;
  if (auto s = read_headers(o, reply); !s) return s.error();
  if (const auto* c = o.if_contains("cookies"); c && !c->is_null()) {
    if (!c->is_array()) return malformed("cookies must be a list of strings");
    for (const auto& cookie : c->as_array()) {
      if (!cookie.is_string()) return malformed("cookies must be a list of strings");
      reply.headers.emplace_back("Set-Cookie", std::string(cookie.as_string()));
    }
  }
  // A structured response without a content-type gets none: what AWS adds is not settled.
  if (auto s = read_body(o, reply); !s) return s.error();
  return reply;
}

base::Result<ProxyReply> read_v1_response(std::string_view payload) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec || !v.is_object()) return malformed("the function's output is not a JSON object");
  const json::object& o = v.as_object();
  const auto* code = o.if_contains("statusCode");
  if (!code) return malformed("statusCode is required in payload format 1.0");
  auto status = status_of(*code);
  if (!status) return malformed("statusCode must be an HTTP status code");
  ProxyReply reply;
  reply.status = *status;
  // multiValueHeaders win over headers of the same name, as API Gateway merges them.
  if (const auto* m = o.if_contains("multiValueHeaders"); m && !m->is_null()) {
    if (!m->is_object()) return malformed("multiValueHeaders must be an object");
    for (const auto& [name, values] : m->as_object()) {
      if (!values.is_array()) return malformed("multiValueHeaders." + std::string(name) + " must be a list");
      for (const auto& value : values.as_array()) {
        auto text = header_text(value);
        if (!text) return malformed("multiValueHeaders." + std::string(name) + " must hold strings");
        reply.headers.emplace_back(std::string(name), *text);
      }
    }
  }
  ProxyReply single;
  if (auto s = read_headers(o, single); !s) return s.error();
  for (auto& [name, value] : single.headers)
    if (!has_header(reply.headers, base::to_lower(name))) reply.headers.emplace_back(std::move(name), std::move(value));
  if (auto s = read_body(o, reply); !s) return s.error();
  if (!has_header(reply.headers, "content-type") && !reply.body.empty())
    reply.headers.emplace_back("Content-Type", "application/json");
  return reply;
}

std::string clf_time(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday, kMonths[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string new_request_id() {
  std::string id = base::base64_encode(base::random_bytes(11));  // 15 characters and one '='
  for (char& c : id)
    if (c == '/') c = '-';
  return id.substr(0, 15) + "=";
}

}  // namespace nimbus::execute_api
