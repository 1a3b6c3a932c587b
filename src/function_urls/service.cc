#include "function_urls/service.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <optional>

#include "base/ids.h"
#include "base/time.h"
#include "execute_api/proxy_event.h"
#include "function_urls/cors.h"
#include "function_urls/stream_prelude.h"
#include "functions/registry.h"
#include "functions/stream_body.h"
#include "http/offload.h"
#include "lambda_api/url_config.h"

namespace nimbus::function_urls {

using boost::asio::awaitable;
using functions::StreamBuffer;
using Event = StreamBuffer::Event;
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

// "Type/Sub; charset=x" → "type/sub".
std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return lower(t);
}

// A RESPONSE_STREAM body: the function's bytes as they come. An error after
// the status line (the function failed or timed out mid-stream) cuts the
// connection before the last chunk, so the client sees a truncated body, as
// from Lambda.
class UrlStreamBody : public functions::StreamBody {
 public:
  UrlStreamBody(std::shared_ptr<StreamBuffer> buffer, std::string url_id, std::string first)
      : StreamBody(std::move(buffer)), url_id_(std::move(url_id)), first_(std::move(first)) {}

  awaitable<base::Result<std::string>> next() override {
    if (!first_.empty()) co_return std::exchange(first_, std::string());
    if (finished()) co_return std::string();
    for (;;) {
      Event e = co_await next_event();
      if (e.kind == Event::Kind::kHead) continue;
      if (e.kind == Event::Kind::kChunk) {
        if (e.bytes.empty()) continue;  // an empty piece would end the body
        co_return std::move(e.bytes);
      }
      set_finished();
      const auto& result = *e.end;
      if (!result) co_return result.error();
      if (result->function_error) {
        spdlog::info("function URL {}: the function failed mid-stream ({}): the response is cut off", url_id_,
                     result->error_type.empty() ? std::string("Unhandled") : result->error_type);
        co_return base::make_error(base::ErrorCode::kInternal, "the function failed mid-stream");
      }
      co_return std::string();
    }
  }

 private:
  std::string url_id_;
  std::string first_;
};

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
    if (config.invoke_mode == "RESPONSE_STREAM") {
      // A named awaitable: no by-value copies made inside the co_await operand (GCC 12, as below).
      auto streamed = stream(std::move(ir), req, url, config, request_id);
      co_return co_await std::move(streamed);
    }
    // The start is a named local moved in, never a lambda temporary inside the
    // co_await operand: GCC 12 destroys such a temporary twice (a use after
    // free of whatever it captured; ASan found it here).
    auto request = std::make_shared<functions::InvokeRequest>(std::move(ir));
    auto start = [this, request](auto done) { options.invoke(std::move(*request), std::move(done)); };
    auto result = co_await http::await_callback<base::Result<functions::InvokeResult>>(std::move(start));
    if (!result) co_return refused(url, result.error(), request_id);
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

  // RESPONSE_STREAM: the function's bytes go to the client as they come
  // (chunked). The status line waits for the first body bytes (or the
  // prelude), so an error before them is still a 502.
  awaitable<http::Response> stream(functions::InvokeRequest ir, http::Request& req,
                                   const functions::Registry::FunctionUrl& url, lambda_api::UrlConfig config,
                                   std::string request_id) {
    auto buffer = std::make_shared<StreamBuffer>();
    ir.stream = buffer;
    auto request = std::make_shared<functions::InvokeRequest>(std::move(ir));
    options.invoke(std::move(*request), [buffer](base::Result<functions::InvokeResult> r) { buffer->on_end(std::move(r)); });

    std::optional<PreludeReader> prelude;  // set when the stream says it begins with one
    std::string content_type = "application/octet-stream";
    std::string first;  // the first body bytes
    std::optional<Event> end;
    for (;;) {
      Event e = co_await functions::next_stream_event(buffer);
      if (e.kind == Event::Kind::kHead) {
        content_type = e.head.content_type;
        if (e.head.streamed && media_type(content_type) == kHttpIntegrationResponse) prelude.emplace();
        continue;
      }
      if (e.kind == Event::Kind::kEnd) {
        end = std::move(e);
        break;
      }
      if (!prelude) {
        first = std::move(e.bytes);
        break;
      }
      auto step = prelude->add(e.bytes);
      if (step == PreludeReader::Step::kTooLarge) {
        spdlog::info("function URL {}: no end to the stream's HTTP prelude in its first {} bytes", url.url_id,
                     kMaxPreludeBytes);
        buffer->abandon();
        co_return bad_gateway(request_id);
      }
      if (step == PreludeReader::Step::kDone) {
        first = prelude->take_body();
        break;
      }
    }
    if (end) {
      const auto& result = *end->end;
      if (!result) co_return refused(url, result.error(), request_id);
      if (result->function_error) co_return bad_gateway(request_id);
    }

    http::Response r;
    r.status = 200;
    if (prelude) {
      // Ended before the delimiter: what it sent is the whole prelude (or nothing).
      auto head = parse_http_prelude(end ? prelude->unterminated() : prelude->prelude());
      if (!head) {
        spdlog::info("function URL {}: {}", url.url_id, head.error().message);
        buffer->abandon();
        co_return bad_gateway(request_id);
      }
      r.status = head->status;
      r.headers = std::move(head->headers);
    } else {
      r.set("Content-Type", content_type);
    }
    if (config.cors) apply_cors(*config.cors, req.headers, r.headers);
    r.set("x-amzn-RequestId", request_id);
    r.omit_body = req.method == "HEAD";
    auto body = std::make_unique<UrlStreamBody>(buffer, url.url_id, std::move(first));
    if (end) body->put_back(std::move(*end));
    r.chunks = std::move(body);
    co_return r;
  }

  http::Response refused(const functions::Registry::FunctionUrl& url, const base::Error& error,
                         const std::string& request_id) {
    if (error.code == base::ErrorCode::kThrottled)
      return lambda_reply(429, "TooManyRequestsException", std::string("Rate Exceeded."), request_id);
    spdlog::info("function URL {}: could not invoke {}: {}", url.url_id, url.function, error.message);
    return bad_gateway(request_id);
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
