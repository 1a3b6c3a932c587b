#include "aws/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "aws/json_protocol.h"
#include "aws/unserved.h"
#include "base/ids.h"
#include "base/time.h"
#include "base/trace_context.h"

namespace nimbus::aws {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct CallFacts {
  std::string operation;
  std::string request_id;
};

http::Response refuse(const Call& call, int status, std::string code, std::string message) {
  bool query = call.protocol == Protocol::kQuery;
  if (query && code.size() > 9 && code.ends_with("Exception")) code.resize(code.size() - 9);
  return call.fail(ServiceError{status, std::move(code), std::move(message)});
}

// Names the operation of a JSON or query request, or refuses it in the
// service's protocol; rest-json handlers name theirs from their route table.
std::optional<http::Response> name_operation(Call& call) {
  const ServiceDescriptor& d = call.service;
  switch (call.protocol) {
    case Protocol::kJson10:
    case Protocol::kJson11: {
      std::string target = call.request.header("x-amz-target");
      for (const auto& p : d.target_prefixes)
        if (starts_with(target, p)) call.operation = target.substr(p.size());
      if (call.request.method != "POST" || call.operation.empty())
        return refuse(call, 400, "UnknownOperationException", "Operation is not supported: " + target);
      break;
    }
    case Protocol::kQuery: {
      call.params = QueryParams::of(call.request, call.body);
      call.operation = call.params.get("Action");
      if (call.operation.empty()) return refuse(call, 400, "MissingAction", "Missing Action");
      if (std::string v = call.params.get("Version"); !d.api_version.empty() && !v.empty() && v != d.api_version)
        return refuse(call, 400, "InvalidAction",
                      "Could not find operation " + call.operation + " for version " + v);
      break;
    }
    case Protocol::kRestJson:
    case Protocol::kRestXml: return std::nullopt;
  }
  if (!d.operations.empty() && !contains(d.operations, call.operation)) {
    std::string code = call.protocol == Protocol::kQuery ? "InvalidAction" : "UnknownOperationException";
    return refuse(call, 400, code, "nimbus does not implement " + call.operation + " yet");
  }
  return std::nullopt;
}

boost::asio::awaitable<http::Response> dispatch(const Authenticator& a, const ServiceDescriptor& d,
                                                http::Request& req, CallFacts* facts) {
  if (d.auth == AuthMode::kOwn) {
    if (facts) facts->operation = req.method;
    co_return co_await d.raw_handler(req);
  }
  Call call(req, d, base::uuid4());
  if (facts) facts->request_id = call.request_id;
  auto authd = co_await authenticate(req, a, d.max_body, d.signing_names);
  if (!authd) co_return call.fail(auth_error(call.protocol, authd.failure, authd.message));
  call.body = std::move(authd.value.body);
  call.auth = std::move(authd.value.auth);
  call.caller = std::move(authd.value.caller);
  if (auto refused = name_operation(call)) {
    if (facts) facts->operation = call.operation;
    co_return std::move(*refused);
  }
  http::Response res;
  try {
    res = co_await d.handler(call);
  } catch (const std::exception& e) {
    spdlog::error("{}: {} failed: {}", d.name, call.operation.empty() ? req.target : call.operation, e.what());
    res = call.fail(base::make_error(base::ErrorCode::kInternal, e.what()));
  }
  if (facts) facts->operation = call.operation;
  co_return res;
}

}  // namespace

struct Router::Impl {
  Authenticator authenticator;
  std::vector<ServiceDescriptor> services;
  std::optional<ServiceDescriptor> fallback;
  std::function<void(const RequestRecord&)> hook;
  std::function<http::Response(int, std::string, std::string)> fallback_error;
};

Router::Router(Authenticator authenticator) : impl_(new Impl{std::move(authenticator), {}, {}, {}, {}}) {}
Router::~Router() = default;

void Router::add(ServiceDescriptor d) { impl_->services.push_back(std::move(d)); }
void Router::set_fallback(ServiceDescriptor d) { impl_->fallback = std::move(d); }
void Router::on_request(std::function<void(const RequestRecord&)> hook) { impl_->hook = std::move(hook); }
void Router::set_fallback_error(std::function<http::Response(int, std::string, std::string)> f) {
  impl_->fallback_error = std::move(f);
}
const std::vector<ServiceDescriptor>& Router::services() const { return impl_->services; }

Route Router::route(const http::Request& req) const {
  return route_request(impl_->services, impl_->fallback ? &*impl_->fallback : nullptr, req);
}

boost::asio::awaitable<http::Response> Router::handle(http::Request& req) {
  Route r = route(req);
  if (!r.service) co_return unserved_response(req, r.unserved_name, base::uuid4());
  const ServiceDescriptor& d = *r.service;
  if (d.records_itself || !impl_->hook) co_return co_await dispatch(impl_->authenticator, d, req, nullptr);
  RequestRecord record;
  auto incoming = base::parse_trace_context(req.header("x-amzn-trace-id"), req.header("traceparent"));
  record.traced = incoming.valid();
  record.start_us = now_us();
  auto started = std::chrono::steady_clock::now();
  record.bytes_in = req.content_length.value_or(0);
  CallFacts facts;
  http::Response res = co_await dispatch(impl_->authenticator, d, req, &facts);
  record.service = d.name;
  record.operation = facts.operation;
  record.request_id = facts.request_id;
  record.status = res.status;
  record.bytes_out = res.stream ? res.stream->size() : res.body.size();
  record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string span_id = base::random_hex(8);
  record.trace_root = incoming.root;
  record.parent_span = incoming.parent;
  record.span_id = span_id;
  impl_->hook(record);
  co_return res;
}

http::Response Router::error_for(const http::Request* req, int status, std::string code, std::string message) const {
  if (req) {
    Route r = route(*req);
    bool s3 = r.service && impl_->fallback && r.service == &*impl_->fallback;
    Protocol p = s3 ? Protocol::kRestXml : r.protocol;
    if (p != Protocol::kRestXml || !impl_->fallback_error) {
      if (p != Protocol::kRestXml) {
        if (status >= 500) code = "InternalFailure";  // what JSON and query services call it
        else if (p != Protocol::kQuery && !code.ends_with("Exception")) code += "Exception";
      }
      return error_response(p, ServiceError{status, code, message, "", status < 500}, base::uuid4(),
                            r.service ? std::string_view(r.service->xml_namespace) : std::string_view());
    }
  }
  if (impl_->fallback_error) return impl_->fallback_error(status, std::move(code), std::move(message));
  return error_response(Protocol::kRestXml, ServiceError{status, code, message}, base::uuid4());
}

}  // namespace nimbus::aws
