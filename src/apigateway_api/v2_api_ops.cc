// HTTP APIs (apigatewayv2): CreateApi (with quick create), GetApis, GetApi,
// UpdateApi, DeleteApi, and the tags of APIs and stages.
#include <boost/json/array.hpp>

#include "apigateway_api/call.h"
#include "apigateway_api/tag_ops.h"
#include "gateway/http_routes.h"

namespace nimbus::apigateway_api {

using boost::asio::awaitable;

namespace {

constexpr const char* kRouteSelection = "$request.method $request.path";

// CreateApi's and UpdateApi's members, beside quick create's target/routeKey.
base::Status take_api_members(const json::object& in, json::object& doc) {
  return take_members(in,
                      {{"name", JsonType::kString},
                       {"protocolType", JsonType::kString},
                       {"description", JsonType::kString},
                       {"version", JsonType::kString},
                       {"tags", JsonType::kStringMap},
                       {"corsConfiguration", JsonType::kObject},
                       {"routeSelectionExpression", JsonType::kString},
                       {"apiKeySelectionExpression", JsonType::kString},
                       {"disableExecuteApiEndpoint", JsonType::kBool},
                       {"ipAddressType", JsonType::kString},
                       {"routeKey", JsonType::kString},
                       {"target", JsonType::kString},
                       {"credentialsArn", JsonType::kString}},
                      doc, "an API");
}

// corsConfiguration, served by execute_api/cors.h: lists of strings, a
// maxAge of -1..86400, and no credentials with the "*" origin (browsers
// refuse that combination; AWS refuses it at configuration time).
base::Status check_cors(const json::object& c) {
  json::object checked;  // the members are only checked here; the document keeps them as given
  if (auto s = take_members(c,
                            {{"allowOrigins", JsonType::kArray},
                             {"allowMethods", JsonType::kArray},
                             {"allowHeaders", JsonType::kArray},
                             {"exposeHeaders", JsonType::kArray},
                             {"maxAge", JsonType::kInt},
                             {"allowCredentials", JsonType::kBool}},
                            checked, "a CORS configuration");
      !s)
    return s;
  bool star_origin = false;
  for (const char* list : {"allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders"})
    if (const auto* v = c.if_contains(list); v && v->is_array())
      for (const auto& x : v->as_array()) {
        if (!x.is_string()) return bad_request("Invalid input: 'corsConfiguration." + std::string(list) +
                                               "' must be a list of strings");
        if (std::string_view(list) == "allowOrigins" && x == "*") star_origin = true;
        if (std::string_view(list) == "allowMethods") {
          static const char* kMethods[] = {"*", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
          bool known = false;
          for (const char* m : kMethods)
            if (x == m) known = true;
          if (!known) return bad_request("Invalid CORS allowMethods value " + std::string(x.as_string()));
        }
      }
  if (const auto* m = c.if_contains("maxAge"); m && m->is_number() &&
                                               (m->to_number<int64_t>() < -1 || m->to_number<int64_t>() > 86400))
    return bad_request("CORS maxAge must be between -1 and 86400");
  if (const auto* b = c.if_contains("allowCredentials"); b && b->is_bool() && b->as_bool() && star_origin)
    return bad_request("allowCredentials is not supported when allowOrigins is '*': list the origins");
  return {};
}

base::Status check_api(const json::object& doc) {
  if (auto s = require(doc, "name"); !s) return s;
  const auto* type = doc.if_contains("protocolType");
  if (!type || !type->is_string()) return bad_request("Invalid input: 'protocolType' is required");
  if (*type == "WEBSOCKET")
    return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not serve WebSocket APIs yet");
  if (*type != "HTTP") return bad_request("Invalid protocolType " + std::string(type->as_string()));
  if (const auto* e = doc.if_contains("routeSelectionExpression"); e && *e != kRouteSelection)
    return bad_request("HTTP APIs' routeSelectionExpression is " + std::string(kRouteSelection));
  if (const auto* t = doc.if_contains("ipAddressType"); t && *t != "ipv4" && *t != "dualstack")
    return bad_request("Invalid ipAddressType " + std::string(t->as_string()));
  if (const auto* c = doc.if_contains("corsConfiguration")) return check_cors(c->as_object());
  return {};
}

// Quick create: the integration, route, $default stage (autoDeploy) and its
// first deployment an API created with a target gets, all marked managed.
void quick_create(const Snapshot& current, std::vector<Change>& changes, const std::string& api,
                  const std::string& target, const std::string& route_key) {
  std::string integration_id = gateway::new_id(7);
  changes.push_back(Change::put(api, v2::kIntegration, integration_id,
                                {{"integrationId", integration_id},
                                 {"integrationType", "AWS_PROXY"},
                                 {"integrationUri", target},
                                 {"integrationMethod", "POST"},
                                 {"payloadFormatVersion", "2.0"},
                                 {"timeoutInMillis", 30000},
                                 {"connectionType", "INTERNET"},
                                 {"apiGatewayManaged", true}}));
  std::string route_id = gateway::new_id(7);
  changes.push_back(Change::put(api, v2::kRoute, route_id,
                                {{"routeId", route_id},
                                 {"routeKey", route_key.empty() ? "$default" : route_key},
                                 {"target", "integrations/" + integration_id},
                                 {"authorizationType", "NONE"},
                                 {"apiKeyRequired", false},
                                 {"apiGatewayManaged", true}}));
  std::string now = now_iso8601();
  changes.push_back(Change::put(api, v2::kStage, "$default",
                                {{"stageName", "$default"},
                                 {"autoDeploy", true},
                                 {"createdDate", now},
                                 {"lastUpdatedDate", now},
                                 {"defaultRouteSettings", json::object{{"detailedMetricsEnabled", false}}},
                                 {"routeSettings", json::object{}},
                                 {"stageVariables", json::object{}},
                                 {"tags", json::object{}},
                                 {"apiGatewayManaged", true}}));
  v2::auto_deploy(current, changes, api);
}

}  // namespace

awaitable<http::Response> create_api(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_api_members(*in, doc); !s) co_return call.fail(s.error());
  if (auto s = check_api(doc); !s) co_return call.fail(s.error());
  std::string target = doc.contains("target") ? std::string(doc["target"].as_string()) : "";
  std::string route_key = doc.contains("routeKey") ? std::string(doc["routeKey"].as_string()) : "";
  doc.erase("target");
  doc.erase("routeKey");
  doc.erase("credentialsArn");
  if (target.empty() && !route_key.empty())
    co_return call.fail(bad_request("routeKey is only for quick create, together with target"));
  if (!target.empty() && in->contains("credentialsArn"))
    co_return call.fail(base::make_error(base::ErrorCode::kNotImplemented,
                                         "nimbus does not support credentialsArn yet: functions are invoked "
                                         "without assuming a role"));
  if (!target.empty() && target.rfind("arn:aws:lambda:", 0) != 0)
    co_return call.fail(base::make_error(base::ErrorCode::kNotImplemented,
                                         "nimbus serves Lambda integrations only: quick create's target must be a "
                                         "function's ARN, not " + target));
  std::string id = gateway::new_id(10);
  doc["apiId"] = id;
  doc["apiEndpoint"] = d.api_endpoint(id);
  doc["createdDate"] = now_iso8601();
  if (!doc.contains("routeSelectionExpression")) doc["routeSelectionExpression"] = kRouteSelection;
  if (!doc.contains("apiKeySelectionExpression")) doc["apiKeySelectionExpression"] = "$request.header.x-api-key";
  if (!doc.contains("disableExecuteApiEndpoint")) doc["disableExecuteApiEndpoint"] = false;
  if (!doc.contains("tags")) doc["tags"] = json::object{};
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    changes.push_back(Change::put(id, v2::kApi, id, doc));
    if (!target.empty()) {
      if (!route_key.empty())
        if (auto k = gateway::parse_route_key(route_key); !k) return base::Status(k.error());
      quick_create(current, changes, id, target, route_key);
    }
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_apis(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  json::array items;
  for (const auto& scope : snap->scopes())
    if (const Doc* api = snap->find(scope, v2::kApi, scope)) items.push_back(*api);
  auto page = page_of(call, std::move(items), Paging::kV2);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_api(Deps& d, Call& call) {
  auto api = v2::find_api(*d.docs.snapshot(), call.path_param("apiId"));
  if (!api) co_return call.fail(api.error());
  co_return call.reply(200, **api);
}

awaitable<http::Response> update_api(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  for (const char* quick : {"target", "routeKey", "credentialsArn"})
    if (in->contains(quick))
      co_return call.fail(base::make_error(base::ErrorCode::kNotImplemented,
                                           std::string("nimbus does not support changing '") + quick +
                                               "' of an API yet"));
  std::string id = call.path_param("apiId");
  json::object updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto api = v2::find_api(current, id);
    if (!api) return base::Status(api.error());
    updated = **api;
    if (auto s = take_api_members(*in, updated); !s) return s;
    if (auto s = check_api(updated); !s) return s;
    changes.push_back(Change::put(id, v2::kApi, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_api(Deps& d, Call& call) {
  std::string id = call.path_param("apiId");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto api = v2::find_api(current, id); !api) return base::Status(api.error());
    changes.push_back(Change::erase_scope(id));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

// --- tags -------------------------------------------------------------------

namespace {
constexpr TagScheme kHttpApiTags{"apis", v2::kApi, v2::kStage, "HTTP APIs", "resource-arn", 201};
}  // namespace

awaitable<http::Response> get_tags(Deps& d, Call& call) { return apigateway_api::get_tags(d, call, kHttpApiTags); }
awaitable<http::Response> tag_resource(Deps& d, Call& call) { return apigateway_api::tag_resource(d, call, kHttpApiTags); }
awaitable<http::Response> untag_resource(Deps& d, Call& call) {
  return apigateway_api::untag_resource(d, call, kHttpApiTags);
}

}  // namespace nimbus::apigateway_api
