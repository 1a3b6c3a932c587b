#include "execute_api/rest_service.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/regex.hpp>
#include <chrono>
#include <mutex>
#include <variant>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "base/wildcard.h"
#include "execute_api/iam_auth.h"
#include "execute_api/json_schema.h"
#include "execute_api/rest_api.h"
#include "execute_api/rest_event.h"
#include "execute_api/token_bucket.h"
#include "gateway/usage.h"
#include "http/offload.h"

namespace nimbus::execute_api {

using boost::asio::awaitable;
namespace json = boost::json;

namespace {

struct Ids {
  std::string request_id;   // a UUID: x-amzn-RequestId, requestContext.requestId
  std::string extended_id;  // x-amz-apigw-id, requestContext.extendedRequestId
};

// API Gateway's own REST answers: {"message": ...} with the error's type.
http::Response rest_error(int status, std::string_view type, std::string body, const Ids& ids) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("x-amzn-RequestId", ids.request_id);
  r.set("x-amzn-ErrorType", std::string(type));
  r.set("x-amz-apigw-id", ids.extended_id);
  r.body = std::move(body);
  return r;
}

http::Response message_error(int status, std::string_view type, std::string_view message, const Ids& ids) {
  return rest_error(status, type, json::serialize(json::object{{"message", message}}), ids);
}

http::Response missing_token(const Ids& ids) {
  return message_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token", ids);
}
// The texts AWS captures show, with their space after the colon.
http::Response internal_error(int status, const Ids& ids) {
  return rest_error(status, "InternalServerErrorException", R"({"message": "Internal server error"})", ids);
}
http::Response timed_out(const Ids& ids) {
  return rest_error(504, "InternalServerErrorException", R"({"message": "Endpoint request timed out"})", ids);
}
http::Response unauthorized(const Ids& ids) { return message_error(401, "UnauthorizedException", "Unauthorized", ids); }
http::Response authorizer_failure(const Ids& ids) {
  return rest_error(500, "AuthorizerConfigurationException", R"({"message": null})", ids);
}
http::Response forbidden(const Ids& ids) { return message_error(403, "ForbiddenException", "Forbidden", ids); }
http::Response throttled(const Ids& ids) { return message_error(429, "TooManyRequestsException", "Too Many Requests", ids); }

struct Timeout {};
using Outcome = std::variant<base::Result<functions::InvokeResult>, Timeout>;

bool any_matches(const json::value& v, std::string_view text, bool action) {
  auto one = [&](const json::value& x) {
    if (!x.is_string()) return false;
    std::string_view s = x.as_string();
    if (action) return s == "*" || base::iequals(s, "execute-api:*") || base::iequals(s, "execute-api:Invoke");
    return base::wildcard_match(s, text);
  };
  if (v.is_array()) {
    for (const auto& x : v.as_array())
      if (one(x)) return true;
    return false;
  }
  return one(v);
}

enum class Verdict { kAllow, kDeny, kNoAllow, kInvalid };

// An authorizer's IAM policy applied to one method ARN: an explicit Deny wins.
Verdict evaluate_policy(const json::object& response, const std::string& method_arn) {
  const auto* doc = response.if_contains("policyDocument");
  if (!doc || !doc->is_object()) return Verdict::kInvalid;
  const auto* st = doc->as_object().if_contains("Statement");
  if (!st) return Verdict::kInvalid;
  json::array statements = st->is_array() ? st->as_array() : json::array{*st};
  bool allowed = false;
  for (const auto& s : statements) {
    if (!s.is_object()) return Verdict::kInvalid;
    const auto& o = s.as_object();
    const auto* effect = o.if_contains("Effect");
    const auto* action = o.if_contains("Action");
    const auto* resource = o.if_contains("Resource");
    if (!effect || !effect->is_string() || !action || !resource) return Verdict::kInvalid;
    if (!any_matches(*action, "", true) || !any_matches(*resource, method_arn, false)) continue;
    if (base::iequals(effect->as_string(), "Deny")) return Verdict::kDeny;
    if (base::iequals(effect->as_string(), "Allow")) allowed = true;
  }
  return allowed ? Verdict::kAllow : Verdict::kNoAllow;
}

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The path below the stage as REST events show it: runs of '/' collapsed, a trailing one kept.
std::string collapse_slashes(std::string_view p) {
  std::string out;
  for (char c : p)
    if (c != '/' || out.empty() || out.back() != '/') out += c;
  return out.empty() ? "/" : out;
}

}  // namespace

struct RestApis::Impl {
  explicit Impl(const Options& o) : options(o) {}
  const Options& options;
  RestDeploymentCache cache;
  RateLimiter method_buckets, plan_buckets;

  struct CachedAuth {
    std::chrono::steady_clock::time_point expires;
    json::object response;
  };
  std::mutex auth_mutex;
  std::map<std::string, CachedAuth> auth_cache;

  gateway::UsageCounters own_usage;  // when the server shares none (tests)
  gateway::UsageCounters& usage() { return options.usage ? *options.usage : own_usage; }

  awaitable<Outcome> invoke(functions::InvokeRequest request, int timeout_ms) {
    auto executor = co_await boost::asio::this_coro::executor;
    auto timer = std::make_shared<boost::asio::steady_timer>(executor, std::chrono::milliseconds(timeout_ms));
    auto decided = std::make_shared<std::atomic<bool>>(false);
    auto ir = std::make_shared<functions::InvokeRequest>(std::move(request));
    auto start = [this, timer, decided, ir, executor](auto done) {
      timer->async_wait([decided, done](const boost::system::error_code& ec) {
        if (!ec && !decided->exchange(true)) done(Outcome(Timeout{}));
      });
      options.invoke(std::move(*ir), [decided, done, timer, executor](base::Result<functions::InvokeResult> r) {
        if (!decided->exchange(true)) done(Outcome(std::move(r)));
        boost::asio::post(executor, [timer] { timer->cancel(); });
      });
    };
    co_return co_await http::await_callback<Outcome>(std::move(start));
  }

  std::optional<CachedAuth> cached(const std::string& key) {
    std::lock_guard lock(auth_mutex);
    auto it = auth_cache.find(key);
    if (it == auth_cache.end()) return std::nullopt;
    if (it->second.expires <= std::chrono::steady_clock::now()) {
      auth_cache.erase(it);
      return std::nullopt;
    }
    return it->second;
  }
  void remember(const std::string& key, int ttl, json::object response) {
    if (ttl <= 0) return;
    std::lock_guard lock(auth_mutex);
    if (auth_cache.size() > 10000) auth_cache.clear();
    auth_cache[key] = CachedAuth{std::chrono::steady_clock::now() + std::chrono::seconds(ttl), std::move(response)};
  }

  // Runs the method's Lambda authorizer. On success fills ctx.authorizer and
  // `usage_key`; otherwise the reply to send.
  awaitable<std::optional<http::Response>> authorize(const RestAuthorizer& au, const RestRequest& req, RestContext& ctx,
                                                     const std::string& method_arn, const std::string& api_id,
                                                     std::string& usage_key, const Ids& ids) {
    std::vector<std::string> values;
    for (const auto& src : au.identity_sources) {
      std::string_view s = src;
      std::optional<std::string> v;
      if (s.starts_with("method.request.header.")) {
        if (const auto* h = base::find_header(req.headers, base::to_lower(s.substr(22)))) v = *h;
      } else if (s.starts_with("method.request.querystring.")) {
        for (const auto& p : base::parse_query(req.raw_query, true))
          if (p.key == s.substr(27)) v = p.value;
      } else if (s.starts_with("stageVariables.")) {
        if (auto it = ctx.stage_variables.find(std::string(s.substr(15))); it != ctx.stage_variables.end()) v = it->second;
      } else if (s.starts_with("context.")) {
        std::string k(s.substr(8));
        if (k == "httpMethod") v = req.method;
        else if (k == "resourcePath") v = ctx.resource_path;
        else if (k == "resourceId") v = ctx.resource_id;
        else if (k == "stage") v = ctx.stage;
        else if (k == "path") v = req.full_path;
        else if (k == "identity.sourceIp") v = req.source_ip;
      }
      if (!v || v->empty()) co_return unauthorized(ids);
      values.push_back(*v);
    }
    if (au.type == "TOKEN" && !au.validation_expression.empty()) {
      bool ok = false;
      if (values[0].size() > 4096) co_return unauthorized(ids);  // a match's cost stays small
      boost::regex re;
      bool readable = true;
      try {
        re.assign(au.validation_expression, boost::regex::ECMAScript);
      } catch (const boost::regex_error&) {
        readable = false;
      }
      if (!readable) co_return authorizer_failure(ids);
      try {
        ok = boost::regex_match(values[0], re);
      } catch (const std::runtime_error&) {
        ok = false;  // backtracked past Boost.Regex's bound: not shown to match
      }
      if (!ok) co_return unauthorized(ids);
    }
    std::string key = api_id + "\n" + au.id;
    for (const auto& v : values) key += "\n" + v;
    json::object response;
    if (auto hit = cached(key)) {
      response = std::move(hit->response);
    } else {
      functions::InvokeRequest ir;
      ir.function = au.target.function;
      ir.qualifier = au.target.qualifier;
      ir.payload = au.type == "TOKEN" ? build_token_authorizer_event(values.empty() ? "" : values[0], method_arn)
                                      : build_request_authorizer_event(req, ctx, method_arn);
      auto outcome = co_await invoke(std::move(ir), 30000);
      if (std::holds_alternative<Timeout>(outcome)) co_return authorizer_failure(ids);
      auto& result = std::get<0>(outcome);
      if (!result) co_return authorizer_failure(ids);
      boost::system::error_code ec;
      auto v = json::parse(result->payload, ec);
      if (result->function_error) {
        // A function that fails with "Unauthorized" is the authorizer's 401.
        if (!ec && v.is_object() && text(v.as_object(), "errorMessage") == "Unauthorized") co_return unauthorized(ids);
        co_return authorizer_failure(ids);
      }
      if (ec || !v.is_object()) co_return authorizer_failure(ids);
      response = std::move(v.as_object());
      remember(key, au.ttl_seconds, response);
    }
    switch (evaluate_policy(response, method_arn)) {
      case Verdict::kInvalid: co_return authorizer_failure(ids);
      case Verdict::kDeny:
        co_return message_error(403, "AccessDeniedException",
                                "User is not authorized to access this resource with an explicit deny", ids);
      case Verdict::kNoAllow:
        co_return message_error(403, "AccessDeniedException", "User is not authorized to access this resource", ids);
      case Verdict::kAllow: break;
    }
    json::object authorizer;
    if (const auto* c = response.if_contains("context"); c && !c->is_null()) {
      if (!c->is_object()) co_return authorizer_failure(ids);
      for (const auto& [k, v] : c->as_object()) {
        if (!v.is_string() && !v.is_number() && !v.is_bool()) co_return authorizer_failure(ids);
        authorizer[k] = v;
      }
    }
    authorizer["principalId"] = response.contains("principalId") ? response["principalId"] : json::value(nullptr);
    authorizer["integrationLatency"] = 0;
    ctx.authorizer = std::move(authorizer);
    usage_key = text(response, "usageIdentifierKey");
    co_return std::nullopt;
  }

  // The API key's checks: enabled, in a usage plan of this stage, within the
  // plan's throttle and quota.
  std::optional<http::Response> check_api_key(const gateway::Snapshot& snap, const std::string& api, const std::string& stage,
                                              const std::string& value, RestContext& ctx, const Ids& ids) {
    if (value.empty()) return forbidden(ids);
    const gateway::Doc* key = nullptr;
    std::string key_id;
    for (const auto& [id, k] : snap.list("", "apikey"))
      if (text(*k, "value") == value) {
        key = k.get();
        key_id = id;
      }
    if (!key || !(key->contains("enabled") && key->at("enabled") == true)) return forbidden(ids);
    const gateway::Doc* plan = nullptr;
    std::string plan_id;
    for (const auto& [id, p] : snap.list("", "usageplan")) {
      if (!snap.find("", "usageplan-key", id + "/" + key_id)) continue;
      if (const auto* stages = p->if_contains("apiStages"); stages && stages->is_array())
        for (const auto& s : stages->as_array())
          if (text(s.as_object(), "apiId") == api && text(s.as_object(), "stage") == stage) {
            plan = p.get();
            plan_id = id;
          }
    }
    if (!plan) return forbidden(ids);
    ctx.api_key = value;
    ctx.api_key_id = key_id;
    std::string who = plan_id + "/" + key_id;
    if (const auto* t = plan->if_contains("throttle"); t && t->is_object()) {
      const auto& o = t->as_object();
      double rate = o.contains("rateLimit") ? o.at("rateLimit").to_number<double>() : 10000;
      double burst = o.contains("burstLimit") ? o.at("burstLimit").to_number<double>() : 5000;
      if (!plan_buckets.admit(who, rate, burst)) return throttled(ids);
    }
    std::optional<gateway::Quota> quota;
    if (const auto* q = plan->if_contains("quota"); q && q->is_object()) {
      const auto& o = q->as_object();
      quota = gateway::Quota{o.contains("limit") ? o.at("limit").to_number<int64_t>() : 0, text(o, "period")};
    }
    // Counted with or without a quota: GetUsage reports every key's requests.
    if (!usage().admit(plan_id, key_id, quota, gateway::day_of(base::now_ms())))
      return message_error(429, "LimitExceededException", "Limit Exceeded", ids);
    return std::nullopt;
  }

  // Request validation: required parameters, then the body against its model.
  static std::optional<http::Response> validate(const CompiledRestApi& api, const RestMethod& method,
                                                const RestRequest& req, const Ids& ids) {
    auto v = api.validators.find(method.validator_id);
    if (method.validator_id.empty() || v == api.validators.end()) return std::nullopt;
    if (v->second.parameters) {
      std::vector<std::string> missing;
      for (const auto& h : method.required_headers)
        if (!base::find_header(req.headers, h)) missing.push_back(h);
      auto query = base::parse_query(req.raw_query, true);
      for (const auto& q : method.required_query) {
        bool found = false;
        for (const auto& p : query) found = found || p.key == q;
        if (!found) missing.push_back(q);
      }
      if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        return message_error(400, "BadRequestException", "Missing required request parameters: [" + list + "]", ids);
      }
    }
    if (v->second.body && !method.request_models.empty()) {
      std::string type = base::to_lower(base::trim(req.headers.empty() ? "" : [&] {
        const std::string* ct = base::find_header(req.headers, "content-type");
        return ct ? ct->substr(0, ct->find(';')) : std::string();
      }()));
      if (type.empty()) type = "application/json";
      auto m = method.request_models.find(type);
      if (m == method.request_models.end()) m = method.request_models.find("$default");
      if (m == method.request_models.end() && method.request_models.size() == 1) m = method.request_models.begin();
      if (m != method.request_models.end()) {
        auto schema = api.models.find(m->second);
        if (schema != api.models.end()) {
          boost::system::error_code ec;
          auto body = json::parse(req.body, ec);
          std::optional<std::string> why;
          if (ec)
            why = "the body is not JSON";
          else
            why = validate_json(schema->second, body, [&api](const std::string& name) -> const json::value* {
              auto it = api.models.find(name);
              return it == api.models.end() ? nullptr : &it->second;
            });
          if (why) {
            spdlog::info("execute-api: request body refused by model {}: {}", m->second, *why);
            return message_error(400, "BadRequestException", "Invalid request body", ids);
          }
        }
      }
    }
    return std::nullopt;
  }

  awaitable<http::Response> serve(http::Request& req, const Address& addr, const gateway::Snapshot& snap, const Ids& ids,
                                  std::string trace) {
    // disableExecuteApiEndpoint: every address form nimbus serves is the
    // default endpoint (no custom domains), so the API answers nothing.
    if (const gateway::Doc* rest_api = snap.find(addr.api_id, "restapi", addr.api_id))
      if (const auto* off = rest_api->if_contains("disableExecuteApiEndpoint"); off && off->is_bool() && off->as_bool())
        co_return forbidden(ids);
    // The stage is always the first segment.
    std::string_view path = addr.path;
    size_t end = path.find('/', 1);
    std::string stage = base::uri_decode(path.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
    std::string below = collapse_slashes(end == std::string_view::npos ? "/" : path.substr(end));
    const gateway::Doc* stage_doc = stage.empty() ? nullptr : snap.find(addr.api_id, "rest-stage", stage);
    if (!stage_doc) co_return missing_token(ids);
    std::string deployment = text(*stage_doc, "deploymentId");
    auto api = cache.get(snap, addr.api_id, deployment);
    if (!api) co_return missing_token(ids);
    auto match = match_rest(*api, req.method, below);
    if (!match || !match->method) co_return missing_token(ids);
    const RestMethod& method = *match->method;
    const RestResource& resource = *match->resource;

    // Method throttling from the stage's methodSettings ("pets/GET", then "*/*").
    if (const auto* all = stage_doc->if_contains("methodSettings"); all && all->is_object()) {
      std::string own = resource.path.substr(1) + "/" + method.verb;
      const auto* ms = all->as_object().if_contains(own);
      std::string which = own;
      if (!ms) {
        ms = all->as_object().if_contains("*/*");
        which = "*/*";
      }
      if (ms && ms->is_object()) {
        const auto& o = ms->as_object();
        if (o.contains("throttlingRateLimit") || o.contains("throttlingBurstLimit")) {
          double rate = o.contains("throttlingRateLimit") ? o.at("throttlingRateLimit").to_number<double>() : 10000;
          double burst = o.contains("throttlingBurstLimit") ? o.at("throttlingBurstLimit").to_number<double>() : 5000;
          // "*/*" is one bucket for each method, as AWS applies stage defaults per method.
          std::string key = addr.api_id + "/" + stage + "/" + resource.path + "/" + method.verb;
          if (!method_buckets.admit(key, rate, burst)) co_return throttled(ids);
        }
      }
    }

    auto body = co_await http::read_body(req, options.max_body);
    if (!body) {
      if (body.error().code == base::ErrorCode::kTooLarge)
        co_return message_error(413, "RequestTooLargeException", "HTTP content length exceeded 10485760 bytes.", ids);
      co_return message_error(400, "BadRequestException", "Bad Request", ids);
    }
    RestRequest rr;
    rr.method = req.method;
    rr.path = below;
    rr.full_path = addr.path;
    rr.raw_query = addr.query;
    rr.headers = req.headers;
    rr.header_names = req.original_names;
    rr.body = std::move(*body);
    rr.body_is_binary = is_binary_type(api->binary_media_types, req.header("content-type"));
    rr.source_ip = req.remote_ip;
    rr.domain_name = addr.domain_name;
    rr.time_ms = base::now_ms();
    // What API Gateway's edge adds when the client did not.
    auto add = [&rr](std::string lower, std::string name, std::string value) {
      if (base::find_header(rr.headers, lower)) return;
      rr.headers.emplace_back(std::move(lower), std::move(value));
      rr.header_names.resize(rr.headers.size() - 1);
      rr.header_names.push_back(std::move(name));
    };
    std::string host = req.header("host");
    size_t colon = host.rfind(':');
    add("x-forwarded-for", "X-Forwarded-For", req.remote_ip);
    add("x-forwarded-port", "X-Forwarded-Port",
        colon == std::string::npos || host.find(']', colon) != std::string::npos ? "80" : host.substr(colon + 1));
    add("x-forwarded-proto", "X-Forwarded-Proto", "http");
    // The function sees the gateway's trace, its span as the parent, as on AWS.
    bool had_trace = false;
    for (auto& [name, value] : rr.headers)
      if (name == "x-amzn-trace-id") value = trace, had_trace = true;
    if (!had_trace) add("x-amzn-trace-id", "X-Amzn-Trace-Id", trace);
    RestContext ctx;
    ctx.api_id = addr.api_id;
    ctx.account_id = std::string(base::kAccountId);
    ctx.stage = stage;
    ctx.deployment_id = deployment;
    ctx.resource_id = resource.id;
    ctx.resource_path = resource.path;
    ctx.request_id = ids.request_id;
    ctx.extended_request_id = ids.extended_id;
    ctx.path_parameters = match->path_parameters;
    if (const auto* vars = stage_doc->if_contains("variables"); vars && vars->is_object())
      for (const auto& [k, v] : vars->as_object())
        if (v.is_string()) ctx.stage_variables[k] = v.as_string();

    std::string method_arn = "arn:aws:execute-api:" + options.region + ":" + std::string(base::kAccountId) + ":" +
                             addr.api_id + "/" + stage + "/" + req.method + "/" + below.substr(1);
    std::string usage_key;
    if (method.authorization_type == "AWS_IAM") {
      // The gateway checks the SigV4 itself (iam_auth.h); the signer is the event's identity.
      auto check = check_iam(req, rr.body, options.authenticator);
      if (!check) {
        auto [type, message] = rest_iam_error(check);
        co_return message_error(403, type, message, ids);
      }
      ctx.caller = identity_of(check.caller);
    }
    if (method.authorization_type == "CUSTOM") {
      auto au = api->authorizers.find(method.authorizer_id);
      if (au == api->authorizers.end()) co_return authorizer_failure(ids);
      if (auto refused = co_await authorize(au->second, rr, ctx, method_arn, addr.api_id, usage_key, ids))
        co_return std::move(*refused);
    }
    if (method.api_key_required) {
      std::string value = api->api_key_source == "AUTHORIZER" ? usage_key : req.header("x-api-key");
      if (auto refused = check_api_key(snap, addr.api_id, stage, value, ctx, ids)) co_return std::move(*refused);
    }
    if (auto refused = validate(*api, method, rr, ids)) co_return std::move(*refused);

    if (!method.integration) co_return internal_error(500, ids);
    if (!method.integration_post) co_return internal_error(500, ids);  // AWS_PROXY calls Lambda with POST only
    const LambdaTarget& target = *method.integration;
    functions::InvokeRequest ir;
    ir.function = target.function;
    ir.qualifier = target.qualifier;
    ir.payload = build_rest_event(rr, ctx);
    ir.trace_id = trace;  // the invocation is a child of the gateway's span
    auto outcome = co_await invoke(std::move(ir), target.timeout_ms);
    if (std::holds_alternative<Timeout>(outcome)) co_return timed_out(ids);
    auto& result = std::get<0>(outcome);
    if (!result) {
      spdlog::info("execute-api {}: {} {} could not invoke {}: {}", addr.api_id, req.method, resource.path,
                   target.function, result.error().message);
      co_return internal_error(500, ids);
    }
    if (result->function_error) co_return internal_error(502, ids);
    auto reply = read_rest_response(result->payload, accepts_binary(api->binary_media_types, req.header("accept")));
    if (!reply) {
      spdlog::info("execute-api {}: {} {}: {}", addr.api_id, req.method, resource.path, reply.error().message);
      co_return internal_error(502, ids);
    }
    http::Response r;
    r.status = reply->status;
    r.headers = std::move(reply->headers);
    r.set("x-amzn-RequestId", ids.request_id);
    r.set("x-amz-apigw-id", ids.extended_id);
    r.body = std::move(reply->body);
    r.omit_body = req.method == "HEAD";
    co_return r;
  }
};

RestApis::RestApis(const Options& options) : impl_(std::make_unique<Impl>(options)) {}
RestApis::~RestApis() = default;

awaitable<http::Response> RestApis::serve(http::Request& req, const Address& addr,
                                          std::shared_ptr<const gateway::Snapshot> snap, std::string trace) {
  Ids ids{base::uuid4(), new_request_id()};
  try {
    co_return co_await impl_->serve(req, addr, *snap, ids, std::move(trace));
  } catch (const std::exception& e) {
    spdlog::error("execute-api {}: {} {} failed: {}", addr.api_id, req.method, req.target, e.what());
    co_return internal_error(500, ids);
  }
}

}  // namespace nimbus::execute_api
