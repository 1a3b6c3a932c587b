// HTTP APIs' routes and integrations: Create/Get/Update/Delete and the
// listings. Every change redeploys the API's autoDeploy stages.
#include <boost/json/array.hpp>

#include "apigateway_api/call.h"
#include "gateway/http_routes.h"

namespace nimbus::apigateway_api {

using boost::asio::awaitable;

namespace {

base::Error unsupported(std::string what) {
  return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support " + what + " yet");
}

base::Status take_route_members(const json::object& in, json::object& doc) {
  return take_members(in,
                      {{"routeKey", JsonType::kString},
                       {"target", JsonType::kString},
                       {"authorizationType", JsonType::kString},
                       {"authorizerId", JsonType::kString},
                       {"authorizationScopes", JsonType::kArray},
                       {"apiKeyRequired", JsonType::kBool},
                       {"operationName", JsonType::kString}},
                      doc, "a route of an HTTP API");
}

// A route as it will be stored: its key parses and is free, its target names
// an integration of the API, its authorization is one nimbus enforces.
base::Status check_route(const Snapshot& s, const std::string& api, const std::string& route_id, const Doc& route) {
  if (auto st = require(route, "routeKey"); !st) return st;
  std::string key(route.at("routeKey").as_string());
  if (auto k = gateway::parse_route_key(key); !k) return k.error();
  for (const auto& [id, other] : s.list(api, v2::kRoute))
    if (id != route_id && other->at("routeKey") == json::value(key))
      return base::make_error(base::ErrorCode::kConflict, "Route with key " + key + " already exists for this API");
  if (const auto* t = route.if_contains("target")) {
    std::string target(t->as_string());
    if (target.rfind("integrations/", 0) != 0 || !s.find(api, v2::kIntegration, target.substr(13)))
      return bad_request("Invalid target " + target + ": it must be integrations/<an integration of this API>");
  }
  std::string auth = route.contains("authorizationType") ? std::string(route.at("authorizationType").as_string()) : "NONE";
  if (auth != "NONE" && auth != "CUSTOM" && auth != "JWT" && auth != "AWS_IAM")
    return bad_request("Invalid authorizationType " + auth + ": NONE, CUSTOM, JWT or AWS_IAM");
  const auto* authorizer_id = route.if_contains("authorizerId");
  // AWS_IAM is SigV4 for execute-api, checked by the gateway itself: no authorizer.
  bool uses_authorizer = auth == "CUSTOM" || auth == "JWT";
  if (!uses_authorizer && authorizer_id) return bad_request("An authorizerId needs an authorizationType that uses one");
  if (uses_authorizer) {
    if (!authorizer_id) return bad_request("authorizationType " + auth + " needs an authorizerId");
    std::string id(authorizer_id->as_string());
    const Doc* a = s.find(api, v2::kAuthorizer, id);
    if (!a) return not_found("Invalid Authorizer identifier specified " + id);
    std::string type(a->at("authorizerType").as_string());
    if ((auth == "JWT") != (type == "JWT"))
      return bad_request("Authorizer " + id + " is a " + type + " authorizer: its routes use authorizationType " +
                         (type == "JWT" ? "JWT" : "CUSTOM"));
  }
  if (const auto* scopes = route.if_contains("authorizationScopes"); scopes && !scopes->as_array().empty()) {
    if (auth != "JWT") return bad_request("authorizationScopes are for routes with authorizationType JWT");
    for (const auto& v : scopes->as_array())
      if (!v.is_string()) return bad_request("Invalid input: 'authorizationScopes' must be a list of strings");
  }
  if (const auto* k = route.if_contains("apiKeyRequired"); k && k->as_bool())
    return bad_request("HTTP APIs do not support API keys: apiKeyRequired is for WebSocket APIs");
  return {};
}

// integrationUri: a function's ARN (optionally qualified), or API Gateway's
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/<function ARN>/invocations.
bool is_lambda_uri(std::string_view uri) {
  if (uri.rfind("arn:aws:lambda:", 0) == 0) return uri.find(":function:") != std::string_view::npos;
  return uri.rfind("arn:aws:apigateway:", 0) == 0 && uri.find(":lambda:path/2015-03-31/functions/arn:aws:lambda:") !=
                                                        std::string_view::npos;
}

base::Status take_integration_members(const json::object& in, json::object& doc) {
  return take_members(in,
                      {{"integrationType", JsonType::kString},
                       {"integrationUri", JsonType::kString},
                       {"integrationMethod", JsonType::kString},
                       {"payloadFormatVersion", JsonType::kString},
                       {"timeoutInMillis", JsonType::kInt},
                       {"connectionType", JsonType::kString},
                       {"description", JsonType::kString}},
                      doc, "an integration of an HTTP API");
}

base::Status check_integration(const Doc& i) {
  if (auto s = require(i, "integrationType"); !s) return s;
  std::string type(i.at("integrationType").as_string());
  if (type != "AWS_PROXY") return unsupported("integrationType " + type + " (only AWS_PROXY to Lambda)");
  if (auto s = require(i, "integrationUri"); !s) return s;
  std::string uri(i.at("integrationUri").as_string());
  if (!is_lambda_uri(uri)) return unsupported("integrationUri " + uri + " (only Lambda functions)");
  if (auto s = require(i, "payloadFormatVersion"); !s) return s;
  const auto& version = i.at("payloadFormatVersion");
  if (version != "1.0" && version != "2.0")
    return bad_request("Invalid payloadFormatVersion " + std::string(version.as_string()) + ": 1.0 or 2.0");
  if (const auto* m = i.if_contains("integrationMethod"); m && *m != "POST")
    return bad_request("A Lambda proxy integration's integrationMethod is POST");
  if (const auto* c = i.if_contains("connectionType"); c && *c != "INTERNET") return unsupported("VPC links");
  if (const auto* t = i.if_contains("timeoutInMillis")) {
    int64_t ms = t->to_number<int64_t>();
    if (ms < 50 || ms > 30000) return bad_request("timeoutInMillis must be between 50 and 30000");
  }
  return {};
}

// Create/Update of one kind in one API: members taken, checked against the
// snapshot it commits with, autoDeploy stages redeployed.
struct Family {
  const char* kind;
  const char* id_member;
  const char* what;  // for messages
  size_t id_length;
  base::Status (*take)(const json::object& in, json::object& doc);
  base::Status (*check)(const Snapshot& s, const std::string& api, const std::string& id, const Doc& doc);
  void (*defaults)(Doc& doc);
};

base::Status check_integration_in(const Snapshot&, const std::string&, const std::string&, const Doc& doc) {
  return check_integration(doc);
}

void route_defaults(Doc& doc) {
  if (!doc.contains("authorizationType")) doc["authorizationType"] = "NONE";
  if (!doc.contains("apiKeyRequired")) doc["apiKeyRequired"] = false;
  doc["apiGatewayManaged"] = false;
}

void integration_defaults(Doc& doc) {
  if (!doc.contains("integrationMethod")) doc["integrationMethod"] = "POST";
  if (!doc.contains("timeoutInMillis")) doc["timeoutInMillis"] = 30000;
  if (!doc.contains("connectionType")) doc["connectionType"] = "INTERNET";
  doc["apiGatewayManaged"] = false;
}

constexpr Family kRoutes{v2::kRoute, "routeId", "Route", 7, take_route_members, check_route, route_defaults};
constexpr Family kIntegrations{v2::kIntegration, "integrationId", "Integration", 7, take_integration_members,
                               check_integration_in, integration_defaults};

base::Error missing(const Family& f, const std::string& id) {
  return not_found("Invalid " + std::string(f.what) + " identifier specified " + id);
}

awaitable<http::Response> create_in(const Family& f, Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  Doc doc;
  if (auto s = f.take(*in, doc); !s) co_return call.fail(s.error());
  std::string api = call.path_param("apiId");
  std::string id = gateway::new_id(f.id_length);
  doc[f.id_member] = id;
  f.defaults(doc);
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (auto s = f.check(current, api, id, doc); !s) return s;
    changes.push_back(Change::put(api, f.kind, id, doc));
    v2::auto_deploy(current, changes, api);
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> update_in(const Family& f, Deps& d, Call& call, std::string id) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  std::string api = call.path_param("apiId");
  Doc doc;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    const Doc* existing = current.find(api, f.kind, id);
    if (!existing) return base::Status(missing(f, id));
    doc = *existing;
    if (auto s = f.take(*in, doc); !s) return s;
    doc[f.id_member] = id;
    if (auto s = f.check(current, api, id, doc); !s) return s;
    changes.push_back(Change::put(api, f.kind, id, doc));
    v2::auto_deploy(current, changes, api);
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, doc);
}

awaitable<http::Response> get_in(const Family& f, Deps& d, Call& call, std::string id) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  const Doc* doc = snap->find(api, f.kind, id);
  if (!doc) co_return call.fail(missing(f, id));
  co_return call.reply(200, *doc);
}

awaitable<http::Response> list_in(const Family& f, Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, doc] : snap->list(api, f.kind)) items.push_back(*doc);
  auto page = page_of(call, std::move(items), Paging::kV2);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

// `in_use`: why this document may not go (a route still targets the integration).
// The id is taken by value: these coroutines outlive the wrappers' temporaries.
awaitable<http::Response> delete_in(const Family& f, Deps& d, Call& call, std::string id,
                                    base::Status (*in_use)(const Snapshot&, const std::string&, const std::string&)) {
  std::string api = call.path_param("apiId");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (!current.find(api, f.kind, id)) return base::Status(missing(f, id));
    if (in_use)
      if (auto s = in_use(current, api, id); !s) return s;
    changes.push_back(Change::erase(api, f.kind, id));
    v2::auto_deploy(current, changes, api);
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

base::Status integration_in_use(const Snapshot& s, const std::string& api, const std::string& id) {
  for (const auto& [route_id, route] : s.list(api, v2::kRoute))
    if (const auto* t = route->if_contains("target"); t && *t == json::value("integrations/" + id))
      return base::make_error(base::ErrorCode::kConflict, "Integration " + id + " is the target of route " +
                                                              route_id + ": change or delete the route first");
  return {};
}

}  // namespace

awaitable<http::Response> create_route(Deps& d, Call& c) { return create_in(kRoutes, d, c); }
awaitable<http::Response> get_routes(Deps& d, Call& c) { return list_in(kRoutes, d, c); }
awaitable<http::Response> get_route(Deps& d, Call& c) { return get_in(kRoutes, d, c, c.path_param("routeId")); }
awaitable<http::Response> update_route(Deps& d, Call& c) { return update_in(kRoutes, d, c, c.path_param("routeId")); }
awaitable<http::Response> delete_route(Deps& d, Call& c) {
  return delete_in(kRoutes, d, c, c.path_param("routeId"), nullptr);
}
awaitable<http::Response> create_integration(Deps& d, Call& c) { return create_in(kIntegrations, d, c); }
awaitable<http::Response> get_integrations(Deps& d, Call& c) { return list_in(kIntegrations, d, c); }
awaitable<http::Response> get_integration(Deps& d, Call& c) {
  return get_in(kIntegrations, d, c, c.path_param("integrationId"));
}
awaitable<http::Response> update_integration(Deps& d, Call& c) {
  return update_in(kIntegrations, d, c, c.path_param("integrationId"));
}
awaitable<http::Response> delete_integration(Deps& d, Call& c) {
  return delete_in(kIntegrations, d, c, c.path_param("integrationId"), integration_in_use);
}

}  // namespace nimbus::apigateway_api
