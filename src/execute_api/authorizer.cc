#include "execute_api/authorizer.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/wildcard.h"
#include "execute_api/http_api.h"
#include "execute_api/jwks.h"

namespace nimbus::execute_api {

using boost::asio::awaitable;
namespace json = boost::json;

struct Authorizers::Verdict {
  bool simple = false;
  bool authorized = false;  // simple responses
  json::object policy;      // IAM policy responses
  std::string principal;
  json::object context;
};

namespace {

AuthDecision deny(int status, std::string message) {
  AuthDecision d;
  d.status = status;
  d.message = std::move(message);
  return d;
}

bool any_matches(const json::value* v, std::string_view text, bool ignore_case) {
  if (!v) return false;
  auto one = [&](const json::value& x) {
    if (!x.is_string()) return false;
    return base::wildcard_match(x.as_string(), text, ignore_case);
  };
  if (v->is_array()) {
    for (const auto& x : v->as_array())
      if (one(x)) return true;
    return false;
  }
  return one(*v);
}

std::string joined_header(const base::HeaderList& headers, std::string_view name) {
  std::string out;
  bool found = false;
  for (const auto& [n, v] : headers)
    if (base::iequals(n, name)) {
      if (found) out += ",";
      out += v;
      found = true;
    }
  return out;
}

std::string context_variable(std::string_view name, const ProxyRequest& req, const ProxyContext& ctx) {
  if (name == "routeKey") return ctx.route_key;
  if (name == "stage") return ctx.stage;
  if (name == "apiId") return ctx.api_id;
  if (name == "accountId") return ctx.account_id;
  if (name == "requestId") return ctx.request_id;
  if (name == "domainName") return req.domain_name;
  if (name == "domainPrefix") return req.domain_name.substr(0, req.domain_name.find('.'));
  if (name == "httpMethod" || name == "http.method") return req.method;
  if (name == "path" || name == "http.path") return req.raw_path;
  if (name == "protocol" || name == "http.protocol") return req.protocol;
  if (name == "identity.sourceIp" || name == "http.sourceIp") return req.source_ip;
  if (name == "identity.userAgent" || name == "http.userAgent") return joined_header(req.headers, "user-agent");
  return {};
}

// The authorizer's event: the integration's event of the same version,
// without the body, plus what authorizers get (HLA).
std::string authorizer_event(const AuthorizerConfig& a, const AuthInput& in, const std::vector<std::string>& identity,
                             const std::string& route_arn) {
  if (a.payload_version == "2.0") {
    json::object e = json::parse(build_v2_event(in.request, in.context)).as_object();
    e.erase("body");
    e.erase("isBase64Encoded");
    json::object out;
    out["version"] = "2.0";
    out["type"] = "REQUEST";
    out["routeArn"] = route_arn;
    json::array ids;
    for (const auto& v : identity) ids.emplace_back(v);
    out["identitySource"] = std::move(ids);
    for (auto& [k, v] : e)
      if (k != "version") out[k] = std::move(v);
    return json::serialize(out);
  }
  json::object e = json::parse(build_v1_event(in.request, in.context)).as_object();
  std::string joined;
  for (size_t i = 0; i < identity.size(); ++i) joined += (i ? "," : "") + identity[i];
  json::object out;
  out["version"] = "1.0";
  out["type"] = "REQUEST";
  out["methodArn"] = route_arn;
  out["identitySource"] = joined;
  out["authorizationToken"] = joined;
  for (const char* k : {"resource", "path", "httpMethod", "headers", "queryStringParameters", "pathParameters",
                        "stageVariables", "requestContext"})
    if (auto* v = e.if_contains(k)) out[k] = std::move(*v);
  if (auto* rc = out.if_contains("requestContext"); rc && rc->is_object()) rc->as_object().erase("authorizer");
  return json::serialize(out);
}

base::Result<Authorizers::Verdict> read_verdict(const AuthorizerConfig& a, std::string_view payload);

}  // namespace

std::shared_ptr<const AuthorizerConfig> compile_authorizer(const json::object& doc) {
  auto a = std::make_shared<AuthorizerConfig>();
  a->id = doc.at("authorizerId").as_string();
  a->jwt = doc.contains("authorizerType") && doc.at("authorizerType") == "JWT";
  if (const auto* ids = doc.if_contains("identitySource"); ids && ids->is_array())
    for (const auto& v : ids->as_array())
      if (v.is_string()) a->identity_sources.emplace_back(v.as_string());
  if (a->jwt) {
    if (const auto* j = doc.if_contains("jwtConfiguration"); j && j->is_object()) {
      if (const auto* iss = j->as_object().if_contains("issuer"); iss && iss->is_string()) a->issuer = iss->as_string();
      if (const auto* aud = j->as_object().if_contains("audience"); aud && aud->is_array())
        for (const auto& v : aud->as_array())
          if (v.is_string()) a->audience.emplace_back(v.as_string());
    }
    return a;
  }
  if (const auto* uri = doc.if_contains("authorizerUri"); uri && uri->is_string())
    if (auto t = lambda_target(uri->as_string())) {
      a->function = t->function;
      a->qualifier = t->qualifier;
    }
  if (const auto* v = doc.if_contains("authorizerPayloadFormatVersion"); v && v->is_string())
    a->payload_version = v->as_string();
  if (const auto* s = doc.if_contains("enableSimpleResponses"); s && s->is_bool()) a->simple_responses = s->as_bool();
  if (const auto* t = doc.if_contains("authorizerResultTtlInSeconds"); t && t->is_number())
    a->ttl_seconds = static_cast<int>(t->to_number<int64_t>());
  return a;
}

std::optional<std::vector<std::string>> resolve_identity(const std::vector<std::string>& sources,
                                                         const ProxyRequest& req, const ProxyContext& ctx) {
  std::vector<std::string> out;
  for (const auto& s : sources) {
    std::string_view src(s), value_name;
    std::string value;
    auto after = [&](std::string_view prefix) {
      if (src.rfind(prefix, 0) != 0) return false;
      value_name = src.substr(prefix.size());
      return true;
    };
    if (after("$request.header.")) {
      value = joined_header(req.headers, value_name);
    } else if (after("$request.querystring.")) {
      bool found = false;
      for (const auto& p : base::parse_query(req.raw_query))
        if (p.key == value_name) {
          value += (found ? "," : "") + p.value;
          found = true;
        }
    } else if (after("$context.")) {
      value = context_variable(value_name, req, ctx);
    } else if (after("$stageVariables.")) {
      if (auto it = ctx.stage_variables.find(std::string(value_name)); it != ctx.stage_variables.end())
        value = it->second;
    }
    if (value.empty()) return std::nullopt;
    out.push_back(std::move(value));
  }
  return out;
}

bool policy_allows(const json::object& policy, const std::string& arn) {
  const auto* statements = policy.if_contains("Statement");
  if (!statements) return false;
  json::array list = statements->is_array() ? statements->as_array() : json::array{*statements};
  bool allowed = false;
  for (const auto& st : list) {
    if (!st.is_object()) continue;
    const auto& o = st.as_object();
    if (!any_matches(o.if_contains("Action"), "execute-api:Invoke", true)) continue;
    if (!any_matches(o.if_contains("Resource"), arn, false)) continue;
    const auto* effect = o.if_contains("Effect");
    if (!effect || !effect->is_string()) continue;
    if (effect->as_string() == "Deny") return false;
    if (effect->as_string() == "Allow") allowed = true;
  }
  return allowed;
}

namespace {

base::Result<Authorizers::Verdict> read_verdict(const AuthorizerConfig& a, std::string_view payload) {
  auto bad = [](std::string why) { return base::make_error(base::ErrorCode::kMalformed, "invalid authorizer response: " + why); };
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return bad("not a JSON object");
  const auto& o = v.as_object();
  Authorizers::Verdict verdict;
  if (const auto* c = o.if_contains("context"); c && !c->is_null()) {
    if (!c->is_object()) return bad("context must be an object");
    verdict.context = c->as_object();
  }
  if (a.simple_responses) {
    const auto* ok = o.if_contains("isAuthorized");
    if (!ok || !ok->is_bool()) return bad("a simple response needs a boolean isAuthorized");
    verdict.simple = true;
    verdict.authorized = ok->as_bool();
    return verdict;
  }
  const auto* doc = o.if_contains("policyDocument");
  if (!doc || !doc->is_object()) return bad("an IAM policy response needs a policyDocument");
  verdict.policy = doc->as_object();
  if (const auto* p = o.if_contains("principalId"); p && p->is_string()) verdict.principal = p->as_string();
  return verdict;
}

}  // namespace

Authorizers::Authorizers(Invoke invoke, JwksCache* jwks, const base::Clock& clock)
    : invoke_(std::move(invoke)), jwks_(jwks), clock_(clock), results_(clock) {}

awaitable<AuthDecision> Authorizers::authorize(const AuthorizerConfig& a, const AuthInput& in) {
  if (a.jwt) co_return co_await run_jwt(a, in);
  co_return co_await run_lambda(a, in);
}

awaitable<AuthDecision> Authorizers::run_lambda(const AuthorizerConfig& a, const AuthInput& in) {
  auto identity = resolve_identity(a.identity_sources, in.request, in.context);
  if (!identity) co_return deny(401, "Unauthorized");
  std::string path = in.path.empty() ? "" : in.path.substr(1);
  std::string route_arn = "arn:aws:execute-api:" + in.region + ":" + in.context.account_id + ":" +
                          in.context.api_id + "/" + in.context.stage + "/" + in.method + "/" + path;
  // The cache key: the identity values (each length-prefixed, so no two lists collide).
  std::string key = in.cache_scope + "\n" + a.id;
  for (const auto& v : *identity) key += "\n" + std::to_string(v.size()) + ":" + v;
  std::shared_ptr<const Verdict> verdict;
  if (a.ttl_seconds > 0) verdict = results_.get(key).value_or(nullptr);
  if (!verdict) {
    functions::InvokeRequest ir;
    ir.function = a.function;
    ir.qualifier = a.qualifier;
    ir.payload = authorizer_event(a, in, *identity, route_arn);
    auto payload = co_await invoke_(std::move(ir));
    if (!payload) {
      spdlog::info("execute-api {}: authorizer {}: {}", in.context.api_id, a.id, payload.error().message);
      co_return deny(500, "Internal Server Error");
    }
    auto read = read_verdict(a, *payload);
    if (!read) {
      spdlog::info("execute-api {}: authorizer {}: {}", in.context.api_id, a.id, read.error().message);
      co_return deny(500, "Internal Server Error");
    }
    verdict = std::make_shared<const Verdict>(std::move(*read));
    if (a.ttl_seconds > 0) results_.put(key, verdict, int64_t{a.ttl_seconds} * 1000);
  }
  bool allowed = verdict->simple ? verdict->authorized : policy_allows(verdict->policy, route_arn);
  if (!allowed) co_return deny(403, "Forbidden");
  AuthDecision d;
  d.for_v2["lambda"] = verdict->context;
  d.for_v1 = verdict->context;
  if (!verdict->principal.empty()) d.for_v1["principalId"] = verdict->principal;
  co_return d;
}

// A claim as API Gateway passes it on: strings as they are, lists as
// "[a b]", other values as JSON text.
static std::string claim_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_array()) {
    std::string out = "[";
    for (const auto& x : v.as_array()) out += (out.size() > 1 ? " " : "") + claim_text(x);
    return out + "]";
  }
  return json::serialize(v);
}

awaitable<AuthDecision> Authorizers::run_jwt(const AuthorizerConfig& a, const AuthInput& in) {
  auto unauthorized = [](std::string why) {
    AuthDecision d = deny(401, "Unauthorized");
    d.headers.emplace_back("www-authenticate",
                           "Bearer scope=\"\" error=\"invalid_token\" error_description=\"" + why + "\"");
    return d;
  };
  auto identity = resolve_identity(a.identity_sources, in.request, in.context);
  if (!identity || identity->size() != 1) co_return deny(401, "Unauthorized");
  std::string_view token = (*identity)[0];
  if (token.size() > 7 && base::iequals(token.substr(0, 7), "bearer ")) token.remove_prefix(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto parts = parse_jwt(token);
  if (!parts) co_return unauthorized("the token is not a valid JWT");
  if (!jwks_) co_return unauthorized("no keys");
  auto keys = co_await jwks_->keys(a.issuer, parts->kid);
  if (!keys) {
    spdlog::info("execute-api {}: JWT authorizer {}: {}", in.context.api_id, a.id, keys.error().message);
    co_return unauthorized("the issuer's keys could not be fetched");
  }
  auto check = verify_jwt(*parts, **keys, a.issuer, a.audience, clock_.now_ms() / 1000);
  if (!check.ok) co_return unauthorized(check.error_description);
  auto scopes = jwt_scopes(parts->claims);
  if (!in.scopes.empty()) {
    bool any = false;
    for (const auto& want : in.scopes)
      for (const auto& have : scopes)
        if (want == have) any = true;
    if (!any) {
      std::string wanted;
      for (const auto& w : in.scopes) wanted += (wanted.empty() ? "" : " ") + w;
      AuthDecision d = deny(403, "Forbidden");
      d.headers.emplace_back("www-authenticate", "Bearer scope=\"" + wanted +
                                                     "\" error=\"insufficient_scope\" error_description=\"the token "
                                                     "does not have the required scopes\"");
      co_return d;
    }
  }
  json::object claims;
  for (const auto& [k, v] : parts->claims) claims[k] = claim_text(v);
  json::value scope_list = nullptr;
  if (!scopes.empty()) {
    json::array list;
    for (const auto& sc : scopes) list.emplace_back(sc);
    scope_list = std::move(list);
  }
  AuthDecision d;
  d.for_v2["jwt"] = json::object{{"claims", claims}, {"scopes", scope_list}};
  d.for_v1 = json::object{{"claims", std::move(claims)}, {"scopes", std::move(scope_list)}};
  co_return d;
}

}  // namespace nimbus::execute_api
