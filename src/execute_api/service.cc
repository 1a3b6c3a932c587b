#include "execute_api/service.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <variant>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/time.h"
#include "execute_api/addressing.h"
#include "execute_api/http_api.h"
#include "execute_api/proxy_event.h"
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

// The invocation raced against the integration's timeout: whichever comes
// first answers; the other is dropped.
using Outcome = std::variant<base::Result<functions::InvokeResult>, Timeout>;

}  // namespace

struct Service::Impl {
  Impl(gateway::Documents& d, Options o) : docs(d), options(std::move(o)), rest(options) {}
  gateway::Documents& docs;
  Options options;
  DeploymentCache cache;
  RestApis rest;  // REST APIs (v1): rest_service.h

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

  awaitable<http::Response> serve_http_api(http::Request& req, const Address& addr, const gateway::Snapshot& snap,
                                           const gateway::Doc& api, const std::string& request_id) {
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
    const auto* dep = stage_doc->if_contains("deploymentId");
    if (!dep || !dep->is_string()) co_return not_found(request_id);
    auto compiled = cache.get(snap, addr.api_id, std::string(dep->as_string()));
    if (!compiled) co_return not_found(request_id);
    auto match = compiled->table.select(req.method, below);
    if (!match) co_return not_found(request_id);
    const CompiledRoute& route = compiled->routes.at(match->route_id);
    if (!route.integration) co_return not_found(request_id);
    (void)api;

    auto body = co_await http::read_body(req, options.max_body);
    if (!body) {
      if (body.error().code == base::ErrorCode::kTooLarge) co_return gateway_reply(413, "Request Entity Too Large", request_id);
      co_return gateway_reply(400, "Bad Request", request_id);
    }
    ProxyRequest pr;
    pr.method = req.method;
    pr.raw_path = raw_path;
    pr.raw_query = addr.query;
    pr.headers = req.headers;
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
    if (const auto* vars = stage_doc->if_contains("stageVariables"); vars && vars->is_object())
      for (const auto& [k, v] : vars->as_object())
        if (v.is_string()) ctx.stage_variables[k] = v.as_string();

    const LambdaTarget& target = *route.integration;
    bool v2 = target.payload_version == "2.0";
    functions::InvokeRequest ir;
    ir.function = target.function;
    ir.qualifier = target.qualifier;
    ir.payload = v2 ? build_v2_event(pr, ctx) : build_v1_event(pr, ctx);
    ir.trace_id = req.header("x-amzn-trace-id");
    auto outcome = co_await invoke(std::move(ir), target.timeout_ms);
    if (std::holds_alternative<Timeout>(outcome)) co_return gateway_reply(503, "Service Unavailable", request_id);
    auto& result = std::get<0>(outcome);
    if (!result) {
      spdlog::info("execute-api {}: route {} could not invoke {}: {}", addr.api_id, match->route_key, target.function,
                   result.error().message);
      co_return internal_error(request_id);
    }
    if (result->function_error) co_return internal_error(request_id);
    auto reply = v2 ? read_v2_response(result->payload) : read_v1_response(result->payload);
    if (!reply) {
      spdlog::info("execute-api {}: route {}: {}", addr.api_id, match->route_key, reply.error().message);
      co_return internal_error(request_id);
    }
    http::Response r;
    r.status = reply->status;
    r.headers = std::move(reply->headers);
    r.set("apigw-requestid", request_id);
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
  auto snap = impl_->docs.snapshot();
  const gateway::Doc* api = snap->find(addr->api_id, "api", addr->api_id);
  if (!api && snap->find(addr->api_id, "restapi", addr->api_id)) co_return co_await impl_->rest.serve(req, *addr, snap);
  if (!api) co_return not_found(request_id);
  try {
    co_return co_await impl_->serve_http_api(req, *addr, *snap, *api, request_id);
  } catch (const std::exception& e) {
    spdlog::error("execute-api {}: {} {} failed: {}", addr->api_id, req.method, req.target, e.what());
    co_return internal_error(request_id);
  }
}

}  // namespace nimbus::execute_api
