#include "function_urls/service.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <optional>

#include "base/ids.h"
#include "base/time.h"
#include "execute_api/proxy_event.h"
#include "function_urls/cors.h"
#include "functions/registry.h"
#include "http/offload.h"
#include "lambda_api/url_config.h"

namespace nimbus::function_urls {

using boost::asio::awaitable;
namespace json = boost::json;

namespace {

constexpr const char* kForbidden =
    "Forbidden. For troubleshooting Function URL authorization issues, see: "
    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";

const std::vector<std::string> kSigningNames = {"lambda"};  // AWS_IAM URLs are signed for Lambda

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// message: none gives {"Message":null}, as Lambda answers an unknown url id.
http::Response lambda_reply(int status, const std::string& type, std::optional<std::string> message,
                            const std::string& request_id) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("x-amzn-RequestId", request_id);
  r.set("x-amzn-ErrorType", type);
  json::value m = nullptr;
  if (message) m = json::string(*message);
  r.body = json::serialize(json::object{{"Message", m}});
  return r;
}

// Lambda's answer to a function error or a response it cannot read.
http::Response bad_gateway(const std::string& request_id) {
  http::Response r;
  r.status = 502;
  r.set("Content-Type", "text/plain; charset=utf-8");
  r.set("x-amzn-RequestId", request_id);
  r.body = "Internal Server Error";
  return r;
}

std::string port_of(std::string_view host) {
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? "80" : std::string(host.substr(colon + 1));
}

// requestContext.authorizer of an AWS_IAM URL's event.
std::string iam_authorizer(const aws::Caller& c) {
  return json::serialize(json::object{{"iam", json::object{{"accessKey", c.access_key},
                                                           {"accountId", c.account},
                                                           {"callerId", c.user_id},
                                                           {"cognitoIdentity", nullptr},
                                                           {"principalOrgId", nullptr},
                                                           {"userArn", c.arn},
                                                           {"userId", c.user_id}}}});
}

// What Lambda's front end adds to the request, as API Gateway does.
void add_front_end_headers(base::HeaderList& h, const http::Request& req, const std::string& host) {
  h.emplace_back("x-forwarded-for", req.remote_ip);
  h.emplace_back("x-forwarded-port", port_of(host));
  h.emplace_back("x-forwarded-proto", "http");
  if (req.header("x-amzn-trace-id").empty())
    h.emplace_back("x-amzn-trace-id", "Root=1-" + base::random_hex(4) + "-" + base::random_hex(12));
}

}  // namespace

struct Service::Impl {
  Impl(functions::Registry& r, const aws::Authenticator& a, Options o)
      : registry(r), authenticator(a), options(std::move(o)) {}
  functions::Registry& registry;
  const aws::Authenticator& authenticator;
  Options options;

  awaitable<http::Response> serve(http::Request& req, const functions::Registry::FunctionUrl& url,
                                  const std::string& host, const std::string& request_id) {
    lambda_api::UrlConfig config = lambda_api::decode_url_config(url.config);
    // Preflights are Lambda's to answer, before any signature: a browser cannot sign them.
    if (config.cors && is_preflight(req.method, req.headers)) {
      http::Response r;
      r.status = 200;
      r.headers = preflight_headers(*config.cors, req.headers);
      r.set("x-amzn-RequestId", request_id);
      co_return r;
    }
    std::string body, account = "anonymous", authorizer;
    if (config.auth_type == "AWS_IAM") {
      auto authd = co_await aws::authenticate(req, authenticator, options.max_body, kSigningNames);
      if (!authd) {
        if (authd.failure == aws::AuthFailure::kBodyTooLarge) co_return too_large(request_id);
        co_return lambda_reply(403, "AccessDeniedException", std::string(kForbidden), request_id);
      }
      body = std::move(authd.value.body);
      const aws::Caller& c = authd.value.caller;
      account = c.account;
      authorizer = iam_authorizer(c);
    } else {
      auto read = co_await http::read_body(req, options.max_body);
      if (!read) {
        if (read.error().code == base::ErrorCode::kTooLarge) co_return too_large(request_id);
        co_return lambda_reply(400, "InvalidRequestContentException", std::string("Could not read the request body"), request_id);
      }
      body = std::move(*read);
    }

    execute_api::ProxyRequest pr;
    pr.method = req.method;
    size_t q = req.target.find('?');
    pr.raw_path = req.target.substr(0, q);
    if (pr.raw_path.empty()) pr.raw_path = "/";
    pr.raw_query = q == std::string::npos ? "" : req.target.substr(q + 1);
    pr.headers = req.headers;
    add_front_end_headers(pr.headers, req, host);
    pr.body = std::move(body);
    pr.source_ip = req.remote_ip;
    pr.domain_name = host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
    pr.time_ms = base::now_ms();
    execute_api::ProxyContext ctx;
    ctx.api_id = url.url_id;
    ctx.account_id = account;
    ctx.route_key = "$default";
    ctx.stage = "$default";
    ctx.request_id = request_id;
    ctx.authorizer_json = authorizer;

    functions::InvokeRequest ir;
    ir.function = url.function;
    ir.qualifier = url.qualifier;
    ir.request_id = request_id;
    ir.payload = execute_api::build_v2_event(pr, ctx);
    ir.trace_id = req.header("x-amzn-trace-id");
    // The start is a named local moved in, never a lambda temporary inside the
    // co_await operand: GCC 12 destroys such a temporary twice (a use after
    // free of whatever it captured; ASan found it here).
    auto request = std::make_shared<functions::InvokeRequest>(std::move(ir));
    auto start = [this, request](auto done) { options.invoke(std::move(*request), std::move(done)); };
    auto result = co_await http::await_callback<base::Result<functions::InvokeResult>>(std::move(start));
    if (!result) {
      if (result.error().code == base::ErrorCode::kThrottled)
        co_return lambda_reply(429, "TooManyRequestsException", std::string("Rate Exceeded."), request_id);
      spdlog::info("function URL {}: could not invoke {}: {}", url.url_id, url.function, result.error().message);
      co_return bad_gateway(request_id);
    }
    if (result->function_error) co_return bad_gateway(request_id);
    auto reply = execute_api::read_v2_response(result->payload);
    if (!reply) {
      spdlog::info("function URL {}: {}", url.url_id, reply.error().message);
      co_return bad_gateway(request_id);
    }
    http::Response r;
    r.status = reply->status;
    r.headers = std::move(reply->headers);
    if (config.cors) apply_cors(*config.cors, req.headers, r.headers);
    r.set("x-amzn-RequestId", request_id);
    r.body = std::move(reply->body);
    r.omit_body = req.method == "HEAD";
    co_return r;
  }

  http::Response too_large(const std::string& request_id) {
    return lambda_reply(413, "RequestEntityTooLargeException",
                        "Request must be smaller than " + std::to_string(options.max_body) +
                            " bytes for the InvokeFunction operation",
                        request_id);
  }
};

Service::Service(functions::Registry& registry, const aws::Authenticator& authenticator, Options options)
    : impl_(std::make_unique<Impl>(registry, authenticator, std::move(options))) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "lambda-url";
  d.title = "Lambda function URLs";
  d.protocol = aws::Protocol::kRestJson;
  d.auth = aws::AuthMode::kOwn;
  d.claims = [](const http::Request& req) { return !lambda_api::url_id_of_host(lower(req.header("host"))).empty(); };
  d.raw_handler = [this](http::Request& req) { return handle(req); };
  return d;
}

awaitable<http::Response> Service::handle(http::Request& req) {
  std::string request_id = base::uuid4();
  std::string host = lower(req.header("host"));
  std::string id = lambda_api::url_id_of_host(host);
  auto snap = impl_->registry.snapshot();
  auto at = snap->url_ids.find(id);
  const functions::Registry::FunctionUrl* url = nullptr;
  if (at != snap->url_ids.end())
    if (auto u = snap->urls.find(at->second); u != snap->urls.end()) url = &u->second;
  if (!url) co_return lambda_reply(403, "AccessDeniedException", std::nullopt, request_id);
  try {
    co_return co_await impl_->serve(req, *url, host, request_id);
  } catch (const std::exception& e) {
    spdlog::error("function URL {}: {} {} failed: {}", id, req.method, req.target, e.what());
    co_return bad_gateway(request_id);
  }
}

}  // namespace nimbus::function_urls
