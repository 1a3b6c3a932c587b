// HTTP APIs' authorizers: Create/Get/Update/Delete and GetAuthorizers.
// REQUEST authorizers (a Lambda function, payload 1.0 or 2.0, simple or IAM
// policy responses, identity sources, result caching) and JWT authorizers
// (issuer + audience) are served by execute_api/authorizer.h; what AWS
// accepts only for WebSocket APIs, or what nimbus does not serve
// (authorizerCredentialsArn), is refused by name. Every change redeploys the
// API's autoDeploy stages.
#include <boost/json/array.hpp>
#include <regex>

#include "apigateway_api/call.h"

namespace nimbus::apigateway_api {

using boost::asio::awaitable;

namespace {

base::Status take_authorizer_members(const json::object& in, json::object& doc) {
  return take_members(in,
                      {{"name", JsonType::kString},
                       {"authorizerType", JsonType::kString},
                       {"authorizerUri", JsonType::kString},
                       {"authorizerPayloadFormatVersion", JsonType::kString},
                       {"authorizerResultTtlInSeconds", JsonType::kInt},
                       {"enableSimpleResponses", JsonType::kBool},
                       {"identitySource", JsonType::kArray},
                       {"jwtConfiguration", JsonType::kObject},
                       {"authorizerCredentialsArn", JsonType::kString},
                       {"identityValidationExpression", JsonType::kString}},
                      doc, "an authorizer of an HTTP API");
}

base::Error unsupported(std::string what) {
  return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support " + what + " yet");
}

// "$request.header.Auth", "$request.querystring.q", "$context.routeKey", "$stageVariables.v".
bool is_identity_source(const std::string& s) {
  static const std::regex kSource(
      R"(\$request\.header\.[!#$%&'*+\-.^_`|~0-9A-Za-z]+|\$request\.querystring\.[^\s]+|\$context\.[A-Za-z0-9_.]+|\$stageVariables\.[A-Za-z0-9_]+)");
  return std::regex_match(s, kSource);
}

base::Status check_authorizer(const Doc& a) {
  if (auto s = require(a, "name"); !s) return s;
  if (auto s = require(a, "authorizerType"); !s) return s;
  if (a.contains("authorizerCredentialsArn"))
    return unsupported("authorizerCredentialsArn: authorizer functions are invoked without assuming a role");
  if (a.contains("identityValidationExpression"))
    return bad_request("identityValidationExpression is for WebSocket APIs only");
  std::vector<std::string> sources;
  if (const auto* ids = a.if_contains("identitySource"))
    for (const auto& v : ids->as_array()) {
      if (!v.is_string()) return bad_request("Invalid input: 'identitySource' must be a list of strings");
      std::string s(v.as_string());
      sources.push_back(s);
    }
  std::string type(a.at("authorizerType").as_string());
  if (type == "JWT") {
    for (const char* m : {"authorizerUri", "authorizerPayloadFormatVersion", "enableSimpleResponses"})
      if (a.contains(m)) return bad_request(std::string(m) + " is for REQUEST authorizers, not JWT");
    if (const auto* ttl = a.if_contains("authorizerResultTtlInSeconds"); ttl && ttl->to_number<int64_t>() != 0)
      return bad_request("authorizerResultTtlInSeconds is for REQUEST authorizers, not JWT");
    const auto* jwt = a.if_contains("jwtConfiguration");
    if (!jwt) return bad_request("A JWT authorizer needs a jwtConfiguration with an issuer and an audience");
    json::object checked;
    if (auto s = take_members(jwt->as_object(), {{"issuer", JsonType::kString}, {"audience", JsonType::kArray}},
                              checked, "a JWT configuration");
        !s)
      return s;
    if (auto s = require(jwt->as_object(), "issuer"); !s) return s;
    const auto* aud = jwt->as_object().if_contains("audience");
    if (!aud || aud->as_array().empty()) return bad_request("A JWT authorizer's audience needs at least one value");
    for (const auto& v : aud->as_array())
      if (!v.is_string()) return bad_request("Invalid input: 'audience' must be a list of strings");
    if (sources.size() != 1 || sources[0].rfind("$request.", 0) != 0 || !is_identity_source(sources[0]))
      return bad_request("A JWT authorizer's identitySource is one $request.header.<name> or $request.querystring.<name>");
    return {};
  }
  if (type != "REQUEST") return bad_request("Invalid authorizerType " + type + ": REQUEST or JWT for HTTP APIs");
  if (a.contains("jwtConfiguration")) return bad_request("jwtConfiguration is for JWT authorizers");
  if (auto s = require(a, "authorizerUri"); !s) return s;
  std::string uri(a.at("authorizerUri").as_string());
  if (uri.rfind("arn:aws:apigateway:", 0) != 0 || uri.find(":lambda:path/2015-03-31/functions/arn:aws:lambda:") ==
                                                       std::string::npos ||
      uri.size() < 12 || uri.substr(uri.size() - 12) != "/invocations")
    return bad_request("Invalid authorizerUri " + uri +
                       ": arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/<function ARN>/invocations");
  if (auto s = require(a, "authorizerPayloadFormatVersion"); !s) return s;
  const auto& version = a.at("authorizerPayloadFormatVersion");
  if (version != "1.0" && version != "2.0")
    return bad_request("Invalid authorizerPayloadFormatVersion " + std::string(version.as_string()) + ": 1.0 or 2.0");
  if (const auto* simple = a.if_contains("enableSimpleResponses"); simple && simple->as_bool() && version != "2.0")
    return bad_request("enableSimpleResponses needs authorizerPayloadFormatVersion 2.0");
  int64_t ttl = 0;
  if (const auto* t = a.if_contains("authorizerResultTtlInSeconds")) ttl = t->to_number<int64_t>();
  if (ttl < 0 || ttl > 3600) return bad_request("authorizerResultTtlInSeconds must be between 0 and 3600");
  if (ttl > 0 && sources.empty())
    return bad_request("An authorizer that caches its results (authorizerResultTtlInSeconds > 0) needs an identitySource");
  for (const auto& s : sources)
    if (!is_identity_source(s))
      return bad_request("Invalid identitySource " + s +
                         ": $request.header.<name>, $request.querystring.<name>, $context.<name> or "
                         "$stageVariables.<name>");
  return {};
}

void authorizer_defaults(Doc& doc) {
  if (doc.contains("authorizerType") && doc.at("authorizerType") == "REQUEST") {
    if (!doc.contains("authorizerResultTtlInSeconds")) doc["authorizerResultTtlInSeconds"] = 0;
    if (!doc.contains("enableSimpleResponses")) doc["enableSimpleResponses"] = false;
  }
  if (!doc.contains("identitySource") && doc.contains("authorizerType") && doc.at("authorizerType") == "JWT")
    doc["identitySource"] = json::array{"$request.header.Authorization"};
}

base::Error missing(const std::string& id) { return not_found("Invalid Authorizer identifier specified " + id); }

// The checks that need the whole API: names are unique; a route that uses the
// authorizer keeps a matching authorizationType.
base::Status check_in_api(const Snapshot& s, const std::string& api, const std::string& id, const Doc& doc) {
  for (const auto& [other_id, other] : s.list(api, v2::kAuthorizer))
    if (other_id != id && other->at("name") == doc.at("name"))
      return base::make_error(base::ErrorCode::kConflict,
                              "Authorizer with name " + std::string(doc.at("name").as_string()) + " already exists");
  std::string needed = doc.at("authorizerType") == "JWT" ? "JWT" : "CUSTOM";
  for (const auto& [route_id, route] : s.list(api, v2::kRoute))
    if (const auto* a = route->if_contains("authorizerId"); a && *a == json::value(id) &&
                                                            route->at("authorizationType") != json::value(needed))
      return bad_request("Route " + route_id + " uses authorizer " + id + " with authorizationType " +
                         std::string(route->at("authorizationType").as_string()));
  return {};
}

}  // namespace

awaitable<http::Response> create_authorizer(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  Doc doc;
  if (auto s = take_authorizer_members(*in, doc); !s) co_return call.fail(s.error());
  authorizer_defaults(doc);
  if (auto s = check_authorizer(doc); !s) co_return call.fail(s.error());
  std::string api = call.path_param("apiId");
  std::string id = gateway::new_id(6);
  doc["authorizerId"] = id;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (auto s = check_in_api(current, api, id, doc); !s) return s;
    changes.push_back(Change::put(api, v2::kAuthorizer, id, doc));
    v2::auto_deploy(current, changes, api);
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_authorizers(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, doc] : snap->list(api, v2::kAuthorizer)) items.push_back(*doc);
  auto page = page_of(call, std::move(items), Paging::kV2);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_authorizer(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId"), id = call.path_param("authorizerId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  const Doc* doc = snap->find(api, v2::kAuthorizer, id);
  if (!doc) co_return call.fail(missing(id));
  co_return call.reply(200, *doc);
}

awaitable<http::Response> update_authorizer(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  std::string api = call.path_param("apiId"), id = call.path_param("authorizerId");
  Doc doc;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    const Doc* existing = current.find(api, v2::kAuthorizer, id);
    if (!existing) return base::Status(missing(id));
    doc = *existing;
    if (auto s = take_authorizer_members(*in, doc); !s) return s;
    doc["authorizerId"] = id;
    authorizer_defaults(doc);
    if (auto s = check_authorizer(doc); !s) return s;
    if (auto s = check_in_api(current, api, id, doc); !s) return s;
    changes.push_back(Change::put(api, v2::kAuthorizer, id, doc));
    v2::auto_deploy(current, changes, api);
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, doc);
}

awaitable<http::Response> delete_authorizer(Deps& d, Call& call) {
  std::string api = call.path_param("apiId"), id = call.path_param("authorizerId");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (!current.find(api, v2::kAuthorizer, id)) return base::Status(missing(id));
    for (const auto& [route_id, route] : current.list(api, v2::kRoute))
      if (const auto* a = route->if_contains("authorizerId"); a && *a == json::value(id))
        return base::Status(base::make_error(base::ErrorCode::kConflict,
                                             "Authorizer " + id + " is used by route " + route_id +
                                                 ": change or delete the route first"));
    changes.push_back(Change::erase(api, v2::kAuthorizer, id));
    v2::auto_deploy(current, changes, api);
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

}  // namespace nimbus::apigateway_api
