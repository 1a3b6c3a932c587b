#include "execute_api/rest_api.h"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "base/encoding.h"

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

RestMethod compile_method(const std::string& verb, const json::object& m) {
  RestMethod out;
  out.verb = verb;
  out.authorization_type = text(m, "authorizationType");
  out.authorizer_id = text(m, "authorizerId");
  if (const auto* k = m.if_contains("apiKeyRequired"); k && k->is_bool()) out.api_key_required = k->as_bool();
  out.validator_id = text(m, "requestValidatorId");
  if (const auto* models = m.if_contains("requestModels"); models && models->is_object())
    for (const auto& [ct, name] : models->as_object())
      if (name.is_string()) out.request_models[base::to_lower(ct)] = name.as_string();
  if (const auto* params = m.if_contains("requestParameters"); params && params->is_object())
    for (const auto& [k, v] : params->as_object()) {
      if (!v.is_bool() || !v.as_bool()) continue;
      std::string_view key = k;
      if (key.starts_with("method.request.header."))
        out.required_headers.push_back(base::to_lower(key.substr(22)));
      else if (key.starts_with("method.request.querystring."))
        out.required_query.emplace_back(key.substr(27));
    }
  if (const auto* i = m.if_contains("methodIntegration"); i && i->is_object()) {
    const auto& io = i->as_object();
    out.integration = lambda_target(text(io, "uri"));
    out.integration_post = text(io, "httpMethod") == "POST";
    if (out.integration) {
      out.integration->payload_version = "1.0";
      out.integration->timeout_ms = 29000;
      if (const auto* ms = io.if_contains("timeoutInMillis"); ms && ms->is_number())
        out.integration->timeout_ms = static_cast<int>(ms->to_number<int64_t>());
    }
  }
  return out;
}

struct Matcher {
  const CompiledRestApi& api;
  std::vector<std::string_view> segs;

  // Depth-first with priority; backtracks when a more specific child dead-ends.
  const RestResource* walk(const RestResource& at, size_t i, std::map<std::string, std::string>& params) const {
    if (i == segs.size()) return &at;
    const RestResource *literal = nullptr, *param = nullptr, *greedy = nullptr;
    for (size_t c : at.children) {
      const RestResource& child = api.resources[c];
      if (child.kind == RestResource::kLiteral && child.part == segs[i]) literal = &child;
      if (child.kind == RestResource::kParam) param = &child;
      if (child.kind == RestResource::kGreedy) greedy = &child;
    }
    if (literal)
      if (const auto* r = walk(*literal, i + 1, params)) return r;
    if (param) {
      params[param->param] = std::string(segs[i]);
      if (const auto* r = walk(*param, i + 1, params)) return r;
      params.erase(param->param);
    }
    if (greedy) {
      std::string rest;
      for (size_t j = i; j < segs.size(); ++j) rest += (j == i ? "" : "/") + std::string(segs[j]);
      params[greedy->param] = std::move(rest);
      return greedy;
    }
    return nullptr;
  }
};

std::string media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  return base::to_lower(base::trim(content_type.substr(0, semi)));
}

}  // namespace

std::shared_ptr<const CompiledRestApi> compile_rest_api(const gateway::Doc& content) {
  auto out = std::make_shared<CompiledRestApi>();
  if (const auto* a = content.if_contains("api"); a && a->is_object()) {
    const auto& api = a->as_object();
    if (const auto* types = api.if_contains("binaryMediaTypes"); types && types->is_array())
      for (const auto& t : types->as_array())
        if (t.is_string()) out->binary_media_types.emplace_back(base::to_lower(t.as_string()));
    if (auto src = text(api, "apiKeySource"); !src.empty()) out->api_key_source = src;
  }
  // Resources: the root first, then each one under its parent (by id).
  std::map<std::string, size_t> index;
  std::vector<const json::object*> docs;
  if (const auto* list = content.if_contains("resources"); list && list->is_array())
    for (const auto& r : list->as_array())
      if (r.is_object()) docs.push_back(&r.as_object());
  out->resources.push_back(RestResource{"", "/", "", RestResource::kRoot, "", {}, {}});
  for (const auto* d : docs)
    if (!d->contains("parentId")) {
      out->resources[0].id = text(*d, "id");
      index[out->resources[0].id] = 0;
    }
  for (const auto* d : docs) {
    if (!d->contains("parentId")) continue;
    RestResource r;
    r.id = text(*d, "id");
    r.path = text(*d, "path");
    r.part = text(*d, "pathPart");
    if (r.part.size() > 2 && r.part.front() == '{' && r.part.back() == '}') {
      r.param = r.part.substr(1, r.part.size() - 2);
      r.kind = RestResource::kParam;
      if (!r.param.empty() && r.param.back() == '+') {
        r.param.pop_back();
        r.kind = RestResource::kGreedy;
      }
    }
    index[r.id] = out->resources.size();
    out->resources.push_back(std::move(r));
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    const json::object& d = *docs[i];
    auto self = index.find(text(d, "id"));
    if (self == index.end()) continue;
    if (d.contains("parentId")) {
      auto parent = index.find(text(d, "parentId"));
      if (parent == index.end()) {
        spdlog::warn("execute-api: resource {} has no parent in its deployment", self->first);
        continue;
      }
      out->resources[parent->second].children.push_back(self->second);
    }
    if (const auto* ms = d.if_contains("resourceMethods"); ms && ms->is_object())
      for (const auto& [verb, m] : ms->as_object())
        if (m.is_object()) out->resources[self->second].methods[std::string(verb)] = compile_method(std::string(verb), m.as_object());
  }
  if (const auto* list = content.if_contains("authorizers"); list && list->is_array())
    for (const auto& a : list->as_array()) {
      const auto& o = a.as_object();
      auto target = lambda_target(text(o, "authorizerUri"));
      if (!target) continue;
      RestAuthorizer au;
      au.id = text(o, "id");
      au.type = text(o, "type");
      au.target = *target;
      au.validation_expression = text(o, "identityValidationExpression");
      if (const auto* ttl = o.if_contains("authorizerResultTtlInSeconds"); ttl && ttl->is_number())
        au.ttl_seconds = static_cast<int>(ttl->to_number<int64_t>());
      std::string src = text(o, "identitySource");
      std::string_view rest = src;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        auto one = base::trim(rest.substr(0, comma));
        if (!one.empty()) au.identity_sources.emplace_back(one);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      out->authorizers[au.id] = std::move(au);
    }
  if (const auto* list = content.if_contains("validators"); list && list->is_array())
    for (const auto& v : list->as_array()) {
      const auto& o = v.as_object();
      RestValidator rv;
      rv.body = o.contains("validateRequestBody") && o.at("validateRequestBody") == true;
      rv.parameters = o.contains("validateRequestParameters") && o.at("validateRequestParameters") == true;
      out->validators[text(o, "id")] = rv;
    }
  if (const auto* list = content.if_contains("models"); list && list->is_array())
    for (const auto& m : list->as_array()) {
      const auto& o = m.as_object();
      boost::system::error_code ec;
      auto schema = json::parse(text(o, "schema"), ec);
      out->models[text(o, "name")] = ec ? json::value(json::object{}) : std::move(schema);
    }
  return out;
}

std::optional<RestMatch> match_rest(const CompiledRestApi& api, std::string_view verb, std::string_view path) {
  Matcher m{api, {}};
  while (!path.empty()) {
    size_t slash = path.find('/');
    auto seg = path.substr(0, slash);
    if (!seg.empty()) m.segs.push_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (api.resources.empty()) return std::nullopt;
  RestMatch out;
  out.resource = m.walk(api.resources[0], 0, out.path_parameters);
  if (!out.resource) return std::nullopt;
  auto it = out.resource->methods.find(std::string(verb));
  if (it == out.resource->methods.end()) it = out.resource->methods.find("ANY");
  if (it != out.resource->methods.end()) out.method = &it->second;
  return out;
}

bool is_binary_type(const std::vector<std::string>& types, std::string_view content_type) {
  std::string t = media_type(content_type);
  if (t.empty()) return false;
  std::string family = t.substr(0, t.find('/'));
  for (const auto& b : types)
    if (b == t || b == "*/*" || (b.size() > 2 && b.ends_with("/*") && b.substr(0, b.size() - 2) == family)) return true;
  return false;
}

bool accepts_binary(const std::vector<std::string>& types, std::string_view accept) {
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    if (is_binary_type(types, accept.substr(0, comma))) return true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

std::shared_ptr<const CompiledRestApi> RestDeploymentCache::get(const gateway::Snapshot& snap, const std::string& api,
                                                                const std::string& deployment_id) {
  auto key = std::make_pair(api, deployment_id);
  {
    std::lock_guard lock(mutex_);
    if (auto it = compiled_.find(key); it != compiled_.end()) return it->second;
  }
  const gateway::Doc* content = snap.find(api, "rest-deployment-content", deployment_id);
  if (!content) return nullptr;
  auto compiled = compile_rest_api(*content);
  std::lock_guard lock(mutex_);
  if (compiled_.size() > 1024) compiled_.clear();
  compiled_[key] = compiled;
  return compiled;
}

}  // namespace nimbus::execute_api
