#include "execute_api/service.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <variant>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/time.h"
#include "base/trace_context.h"
#include "execute_api/access_log.h"
#include "execute_api/addressing.h"
#include "execute_api/authorizer.h"
#include "execute_api/cors.h"
#include "execute_api/http_fetch.h"
#include "execute_api/iam_auth.h"
#include "execute_api/jwks.h"
#include "execute_api/http_api.h"
#include "execute_api/proxy_event.h"
#include "execute_api/token_bucket.h"
#include "execute_api/rest_service.h"
#include "gateway/documents.h"
#include "http/offload.h"

namespace nimbus::execute_api {

using boost::asio::awaitable;
namespace json = boost::json;

namespace {

// API Gateway's own answers: a JSON {"message"} body and the request id.
http::Response gateway_reply(int status, std::string_view message, const std::string& request_id) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("apigw-requestid", request_id);
  r.body = json::serialize(json::object{{"message", message}});
  return r;
}

http::Response not_found(const std::string& id) { return gateway_reply(404, "Not Found", id); }
http::Response internal_error(const std::string& id) { return gateway_reply(500, "Internal Server Error", id); }

struct Timeout {};

// The facts known before routing: the request itself and its trace (the
// caller's X-Amzn-Trace-Id or traceparent goes on, else a trace starts here).
RequestFacts begin_facts(const http::Request& req, const Address& addr, const std::string& request_id) {
  RequestFacts f;
  f.request_id = request_id;
  f.api_id = addr.api_id;
  f.account_id = std::string(base::kAccountId);
  f.method = req.method;
  f.path = addr.path;
  f.domain_name = addr.domain_name;
  f.domain_prefix = addr.domain_name.substr(0, addr.domain_name.find('.'));
  f.source_ip = req.remote_ip;
  f.user_agent = req.header("user-agent");
  f.request_time_ms = base::now_ms();
  f.start_us = base::now_us();
  auto trace = base::parse_trace_context(req.header("x-amzn-trace-id"), req.header("traceparent"));
  if (!trace.valid()) trace = base::new_trace();
  f.trace_root = trace.root;
  f.parent_span = trace.parent;
  f.span_id = base::new_span_id();
  return f;
}

// The stage matched: its name and its access-log settings (read from the
// stage, not the deployment: they apply without a redeploy, as on AWS).
void note_stage(RequestFacts& f, const std::string& stage, const gateway::Doc& doc) {
  f.stage = stage;
  const auto* settings = doc.if_contains("accessLogSettings");
  if (!settings || !settings->is_object()) return;
  const auto* arn = settings->as_object().if_contains("destinationArn");
  const auto* format = settings->as_object().if_contains("format");
  if (!arn || !arn->is_string() || !format || !format->is_string()) return;
  if (auto group = log_group_of_arn(arn->as_string())) {
    f.log_group = *group;
    f.log_format = format->as_string();
  }
}

// The function sees the trace in its event's headers, as API Gateway adds it.
void set_trace_header(base::HeaderList& headers, const RequestFacts& f) {
  std::string value = base::TraceContext{f.trace_root, f.span_id, true}.header();
  for (auto& [name, v] : headers)
    if (name == "x-amzn-trace-id") {
      v = value;
      return;
    }
  headers.emplace_back("x-amzn-trace-id", std::move(value));
}

// $context.integrationErrorMessage for a function that failed, in API
// Gateway's words, with the error's own message (not its JSON, so that a
// JSON log format stays JSON for ordinary messages).
std::string function_error_message(const std::string& payload) {
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  std::string message = "Unhandled";
  if (!ec && v.is_object())
    if (const auto* m = v.as_object().if_contains("errorMessage"); m && m->is_string()) message = m->as_string();
  return "The Lambda function returned the following error: " + message.substr(0, 1024) +
         ". Check your Lambda function code and try again.";
}

void finish_facts(RequestFacts& f, const http::Response& res) {
  f.status = res.status;
  f.response_length = res.stream ? res.stream->size() : res.body.size();
  if (!f.answered_by_function && res.status >= 400) {
    // API Gateway's own answer: its {"message"} is $context.error.message.
    boost::system::error_code ec;
    auto v = json::parse(res.body, ec);
    if (!ec && v.is_object())
      if (const auto* m = v.as_object().if_contains("message"); m && m->is_string()) f.error_message = m->as_string();
  }
}

// The invocation raced against the integration's timeout: whichever comes
// first answers; the other is dropped.
using Outcome = std::variant<base::Result<functions::InvokeResult>, Timeout>;

}  // namespace

struct Service::Impl {
  Impl(gateway::Documents& d, Options o)
      : docs(d),
        options(std::move(o)),
        jwks([](std::string url) { return http_get(std::move(url)); }),
        authorizers([this](functions::InvokeRequest r) { return invoke_authorizer(std::move(r)); }, &jwks),
        rest(options) {}
  gateway::Documents& docs;
  Options options;
  DeploymentCache cache;
  JwksCache jwks;
  Authorizers authorizers;
  RateLimiter throttles;
  RestApis rest;  // REST APIs (v1): rest_service.h

  // Stage throttling (routeSettings[routeKey], then defaultRouteSettings,
  // member by member) under the account's 10,000 rps / 5,000 burst.
  bool admit(const std::string& api, const std::string& stage, const gateway::Doc& stage_doc,
             const std::string& route_key) {
    double rate = 10000, burst = 5000;
    auto take = [&](const json::value* settings) {
      if (!settings || !settings->is_object()) return;
      const auto& o = settings->as_object();
      if (const auto* r = o.if_contains("throttlingRateLimit"); r && r->is_number()) rate = r->to_number<double>();
      if (const auto* b = o.if_contains("throttlingBurstLimit"); b && b->is_number()) burst = b->to_number<double>();
    };
    take(stage_doc.if_contains("defaultRouteSettings"));
    if (const auto* r = stage_doc.if_contains("routeSettings"); r && r->is_object())
      take(r->as_object().if_contains(route_key));
    if (!throttles.admit(api + "\n" + stage + "\n" + route_key, rate, burst)) return false;
    return throttles.admit("", 10000, 5000);
  }

  // An authorizer function's answer; HTTP APIs give authorizers 10 seconds.
  awaitable<base::Result<std::string>> invoke_authorizer(functions::InvokeRequest request) {
    auto outcome = co_await invoke(std::move(request), 10000);
    if (std::holds_alternative<Timeout>(outcome))
      co_return base::make_error(base::ErrorCode::kUnavailable, "the authorizer timed out");
    auto& result = std::get<0>(outcome);
    if (!result) co_return result.error();
    if (result->function_error) co_return base::make_error(base::ErrorCode::kInternal, "the authorizer failed: " + result->payload);
    co_return std::move(result->payload);
  }

  awaitable<Outcome> invoke(functions::InvokeRequest request, int timeout_ms) {
    auto executor = co_await boost::asio::this_coro::executor;
    auto timer = std::make_shared<boost::asio::steady_timer>(executor, std::chrono::milliseconds(timeout_ms));
    auto decided = std::make_shared<std::atomic<bool>>(false);
    auto ir = std::make_shared<functions::InvokeRequest>(std::move(request));
    auto start = [this, timer, decided, ir](auto done) {
      timer->async_wait([decided, done](const boost::system::error_code& ec) {
        if (!ec && !decided->exchange(true)) done(Outcome(Timeout{}));
      });
      options.invoke(std::move(*ir), [decided, done](base::Result<functions::InvokeResult> r) {
        if (!decided->exchange(true)) done(Outcome(std::move(r)));
      });
    };
    auto outcome = co_await http::await_callback<Outcome>(std::move(start));
    // Back on the executor the timer was started on: cancelling here saves
    // posting one more handler per request just to stop the timer.
    timer->cancel();
    co_return outcome;
  }

  awaitable<http::Response> serve_http_api(http::Request& req, const Address& addr, const gateway::Snapshot& snap,
                                           const gateway::Doc& api, const std::string& request_id, RequestFacts& facts) {
    // disableExecuteApiEndpoint leaves an API only its custom domains, which
    // nimbus does not serve: every address form here is the default endpoint.
    if (const auto* off = api.if_contains("disableExecuteApiEndpoint"); off && off->is_bool() && off->as_bool())
      co_return gateway_reply(403, "Forbidden", request_id);
    // The stage: the first segment when it names one (or is "$default", as
    // the path forms write it), else $default with the whole path. rawPath
    // keeps a named stage's segment, as on AWS.
    std::string stage = "$default", below = addr.path, raw_path = addr.path;
    if (addr.path.size() > 1) {
      size_t end = addr.path.find('/', 1);
      std::string first = base::uri_decode(addr.path.substr(1, end == std::string::npos ? std::string::npos : end - 1));
      std::string rest = end == std::string::npos ? "/" : addr.path.substr(end);
      if (first == "$default") {
        below = raw_path = rest;
      } else if (snap.find(addr.api_id, "stage", first)) {
        stage = first;
        below = rest;
      }
    }
    const gateway::Doc* stage_doc = snap.find(addr.api_id, "stage", stage);
    if (!stage_doc) co_return not_found(request_id);
    note_stage(facts, stage, *stage_doc);
    const auto* dep = stage_doc->if_contains("deploymentId");
    if (!dep || !dep->is_string()) co_return not_found(request_id);
    auto compiled = cache.get(snap, addr.api_id, std::string(dep->as_string()));
    if (!compiled) co_return not_found(request_id);
    // With a CORS configuration the gateway answers preflights itself and
    // owns every reply's Access-Control-* headers.
    auto cors = cors_config(compiled->cors);
    if (cors && is_preflight(req.method, req.headers)) {
      http::Response r;
      r.status = 204;
      r.headers = preflight_headers(*cors, req.headers);
      r.set("apigw-requestid", request_id);
      co_return r;
    }
    auto reply = co_await serve_route(req, addr, *compiled, *stage_doc, stage, below, raw_path, request_id, facts);
    if (cors) apply_cors(*cors, req.headers, reply.headers);
    co_return reply;
  }

  awaitable<http::Response> serve_route(http::Request& req, const Address& addr, const CompiledHttpApi& api,
                                        const gateway::Doc& stage_doc, const std::string& stage,
                                        const std::string& below, const std::string& raw_path,
                                        const std::string& request_id, RequestFacts& facts) {
    const CompiledHttpApi* compiled = &api;
    const std::string deployment(stage_doc.at("deploymentId").as_string());
    auto match = compiled->table.select(req.method, below);
    if (!match) co_return not_found(request_id);
    const CompiledRoute& route = compiled->routes.at(match->route_id);
    facts.route_key = match->route_key;
    if (!route.integration) co_return not_found(request_id);
    if (!admit(addr.api_id, stage, stage_doc, match->route_key))
      co_return gateway_reply(429, "Too Many Requests", request_id);

    auto body = co_await http::read_body(req, options.max_body);
    if (!body) {
      if (body.error().code == base::ErrorCode::kTooLarge) co_return gateway_reply(413, "Request Entity Too Large", request_id);
      co_return gateway_reply(400, "Bad Request", request_id);
    }
    // AWS_IAM: the gateway checks the SigV4 itself, no authorizer runs.
    std::optional<aws::Caller> signer;
    if (route.authorization_type == "AWS_IAM") {
      auto check = check_iam(req, *body, options.authenticator);
      if (!check) co_return gateway_reply(403, http_api_iam_message(check), request_id);
      signer = std::move(check.caller);
    }
    ProxyRequest pr;
    pr.method = req.method;
    pr.raw_path = raw_path;
    pr.raw_query = addr.query;
    pr.headers = req.headers;
    set_trace_header(pr.headers, facts);
    pr.body = std::move(*body);
    pr.source_ip = req.remote_ip;
    pr.domain_name = addr.domain_name;
    pr.time_ms = base::now_ms();
    ProxyContext ctx;
    ctx.api_id = addr.api_id;
    ctx.account_id = std::string(base::kAccountId);
    ctx.route_key = match->route_key;
    ctx.stage = stage;
    ctx.request_id = request_id;
    ctx.resource_path = route.path.empty() ? below : route.path;
    ctx.path_parameters = match->path_parameters;
    if (const auto* vars = stage_doc.if_contains("stageVariables"); vars && vars->is_object())
      for (const auto& [k, v] : vars->as_object())
        if (v.is_string()) ctx.stage_variables[k] = v.as_string();

    const LambdaTarget& target = *route.integration;
    bool v2 = target.payload_version == "2.0";
    if (signer) {
      if (v2)
        ctx.authorizer_json = json::serialize(iam_authorizer(*signer));
      else
        ctx.caller = identity_of(*signer);
    } else if (route.authorization_type != "NONE") {
      auto a = compiled->authorizers.find(route.authorizer_id);
      if (a == compiled->authorizers.end()) co_return internal_error(request_id);
      AuthInput in{pr, ctx, req.method, below, options.region,
                   addr.api_id + "/" + deployment, route.authorization_scopes};
      auto decision = co_await authorizers.authorize(*a->second, in);
      if (decision.status != 0) {
        auto r = gateway_reply(decision.status, decision.message, request_id);
        for (auto& [n, v] : decision.headers) r.set(n, v);
        co_return r;
      }
      ctx.authorizer_json = json::serialize(v2 ? decision.for_v2 : decision.for_v1);
    }
    functions::InvokeRequest ir;
    ir.function = target.function;
    ir.qualifier = target.qualifier;
    ir.payload = v2 ? build_v2_event(pr, ctx) : build_v1_event(pr, ctx);
    // The function's invocation is a child of the gateway's span.
    ir.trace_id = base::TraceContext{facts.trace_root, facts.span_id, true}.header();
    facts.function = target.function;
    auto invoked = std::chrono::steady_clock::now();
    auto outcome = co_await invoke(std::move(ir), target.timeout_ms);
    facts.integration_latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - invoked).count();
    if (std::holds_alternative<Timeout>(outcome)) {
      facts.integration_error = "The integration timed out after " + std::to_string(target.timeout_ms) + " ms";
      co_return gateway_reply(503, "Service Unavailable", request_id);
    }
    auto& result = std::get<0>(outcome);
    if (!result) {
      spdlog::info("execute-api {}: route {} could not invoke {}: {}", addr.api_id, match->route_key, target.function,
                   result.error().message);
      facts.integration_status = result.error().code == base::ErrorCode::kThrottled ? 429
                                 : result.error().code == base::ErrorCode::kNotFound ? 404
                                                                                     : 500;
      facts.integration_error = result.error().message;
      co_return internal_error(request_id);
    }
    facts.integration_status = 200;  // Lambda ran the function, whatever the function did
    if (result->function_error) {
      facts.integration_error = function_error_message(result->payload);
      co_return internal_error(request_id);
    }
    auto reply = v2 ? read_v2_response(result->payload) : read_v1_response(result->payload);
    if (!reply) {
      spdlog::info("execute-api {}: route {}: {}", addr.api_id, match->route_key, reply.error().message);
      facts.integration_error = reply.error().message;
      co_return internal_error(request_id);
    }
    facts.function_status = reply->status;
    http::Response r;
    r.status = reply->status;
    r.headers = std::move(reply->headers);
    r.set("apigw-requestid", request_id);
    facts.answered_by_function = true;
    r.body = std::move(reply->body);
    r.omit_body = req.method == "HEAD";
    co_return r;
  }
};

Service::Service(gateway::Documents& docs, Options options)
    : impl_(std::make_unique<Impl>(docs, std::move(options))) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "execute-api";
  d.title = "API Gateway (invoke URLs)";
  d.protocol = aws::Protocol::kRestJson;
  d.auth = aws::AuthMode::kOwn;
  d.claims = [](const http::Request& req) { return is_execute_api(req.header("host"), req.target); };
  d.raw_handler = [this](http::Request& req) { return handle(req); };
  return d;
}

awaitable<http::Response> Service::handle(http::Request& req) {
  std::string request_id = new_request_id();
  auto addr = parse_address(req.header("host"), req.target);
  if (!addr) co_return not_found(request_id);
  auto started = std::chrono::steady_clock::now();
  RequestFacts facts = begin_facts(req, *addr, request_id);
  auto snap = impl_->docs.snapshot();
  const gateway::Doc* api = snap->find(addr->api_id, "api", addr->api_id);
  const gateway::Doc* rest_api = api ? nullptr : snap->find(addr->api_id, "restapi", addr->api_id);
  http::Response res;
  try {
    // An unknown API is answered (and counted) like an unknown route. (No
    // co_await inside a conditional expression: GCC 12 miscompiles it.)
    if (api)
      res = co_await impl_->serve_http_api(req, *addr, *snap, *api, request_id, facts);
    else if (rest_api) {
      // A named local moved in: a temporary string in the co_await operand is
      // destroyed twice by GCC 12 (a double free).
      std::string trace = base::TraceContext{facts.trace_root, facts.span_id, true}.header();
      res = co_await impl_->rest.serve(req, *addr, snap, std::move(trace));
    }
    else
      res = not_found(request_id);
  } catch (const std::exception& e) {
    spdlog::error("execute-api {}: {} {} failed: {}", addr->api_id, req.method, req.target, e.what());
    res = internal_error(request_id);
  }
  // API Gateway answers with the trace it passed on (X-Ray's Root).
  res.set("X-Amzn-Trace-Id", "Root=" + facts.trace_root + ";Sampled=1");
  if (impl_->options.on_request) {
    facts.response_latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    finish_facts(facts, res);
    impl_->options.on_request(facts);
  }
  co_return res;
}

}  // namespace nimbus::execute_api
