#include "execute_api/http_api.h"

#include <spdlog/spdlog.h>

#include "base/arn.h"

namespace nimbus::execute_api {

namespace json = boost::json;

std::shared_ptr<const CompiledHttpApi> compile_http_api(const gateway::Doc& content) {
  auto api = std::make_shared<CompiledHttpApi>();
  std::map<std::string, LambdaTarget> integrations;
  if (const auto* list = content.if_contains("integrations"); list && list->is_array())
    for (const auto& i : list->as_array()) {
      const auto& o = i.as_object();
      auto t = lambda_target(o.at("integrationUri").as_string());
      if (!t) continue;  // refused at creation; an older document would not serve
      if (const auto* v = o.if_contains("payloadFormatVersion")) t->payload_version = v->as_string();
      if (const auto* ms = o.if_contains("timeoutInMillis")) t->timeout_ms = static_cast<int>(ms->to_number<int64_t>());
      integrations[std::string(o.at("integrationId").as_string())] = *t;
    }
  if (const auto* list = content.if_contains("routes"); list && list->is_array())
    for (const auto& r : list->as_array()) {
      const auto& o = r.as_object();
      std::string id(o.at("routeId").as_string()), key(o.at("routeKey").as_string());
      auto parsed = gateway::parse_route_key(key);
      if (!parsed) {
        spdlog::warn("execute-api: route {} has an unusable key {}", id, key);
        continue;
      }
      CompiledRoute route{key, parsed->path, std::nullopt};
      if (const auto* t = o.if_contains("target"); t && t->is_string()) {
        std::string target(t->as_string());
        if (target.rfind("integrations/", 0) == 0)
          if (auto it = integrations.find(target.substr(13)); it != integrations.end()) route.integration = it->second;
      }
      if (const auto* t = o.if_contains("authorizationType"); t && t->is_string()) route.authorization_type = t->as_string();
      if (const auto* a = o.if_contains("authorizerId"); a && a->is_string()) route.authorizer_id = a->as_string();
      if (const auto* sc = o.if_contains("authorizationScopes"); sc && sc->is_array())
        for (const auto& v : sc->as_array())
          if (v.is_string()) route.authorization_scopes.emplace_back(v.as_string());
      api->routes[id] = std::move(route);
      api->table.add(id, key, std::move(*parsed));
    }
  if (const auto* list = content.if_contains("authorizers"); list && list->is_array())
    for (const auto& a : list->as_array())
      if (a.is_object() && a.as_object().contains("authorizerId")) {
        auto compiled = compile_authorizer(a.as_object());
        api->authorizers[compiled->id] = std::move(compiled);
      }
  if (const auto* a = content.if_contains("api"); a && a->is_object())
    if (const auto* c = a->as_object().if_contains("corsConfiguration"); c && c->is_object()) api->cors = c->as_object();
  return api;
}

std::shared_ptr<const CompiledHttpApi> DeploymentCache::get(const gateway::Snapshot& snap, const std::string& api,
                                                            const std::string& deployment_id) {
  auto key = std::make_pair(api, deployment_id);
  {
    std::lock_guard lock(mutex_);
    if (auto it = compiled_.find(key); it != compiled_.end()) return it->second;
  }
  const gateway::Doc* content = snap.find(api, "deployment-content", deployment_id);
  if (!content) return nullptr;
  auto compiled = compile_http_api(*content);
  std::lock_guard lock(mutex_);
  // Deployments are immutable; ones deleted since leave with the cache's next sweep.
  if (compiled_.size() > 1024) compiled_.clear();
  compiled_[key] = compiled;
  return compiled;
}

}  // namespace nimbus::execute_api
