#include "server/admin.h"

#include <boost/json.hpp>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"
#include "events/notifications.h"
#include "functions/async_queue.h"
#include "http/offload.h"
#include "base/trace_context.h"
#include "observability/metrics.h"
#include "observability/span_store.h"
#include "server/edge_router.h"

namespace nimbus::server {

namespace json = boost::json;

namespace {

http::Response json_reply(const json::value& v) {
  http::Response r;
  r.set("Content-Type", "application/json");
  r.body = json::serialize(v);
  return r;
}

// Prometheus scrapes with basic_auth: the user is an access key, the password its secret.
bool basic_auth_ok(const AdminDeps& deps, const http::Request& req) {
  std::string h = req.header("authorization");
  if (h.size() < 6 || !base::iequals(std::string_view(h).substr(0, 6), "Basic ")) return false;
  auto decoded = base::base64_decode(base::trim(std::string_view(h).substr(6)));
  if (!decoded) return false;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  auto secret = deps.credentials.secret_for(decoded->substr(0, colon));
  return secret && base::constant_time_equal(*secret, std::string_view(*decoded).substr(colon + 1));
}

bool sigv4_ok(const AdminDeps& deps, const http::Request& req, const std::string& body_hash) {
  auth::RequestView view{req.method, req.target, &req.headers, body_hash};
  if (!auth::is_sigv4(view)) return false;
  auth::VerifyOptions opts;
  opts.double_encode_path = true;
  return auth::verify(view, deps.credentials, base::now_ms(), opts).ok();
}

}  // namespace

boost::asio::awaitable<http::Response> handle_admin(const AdminDeps& deps, http::Request& req) {
  std::string path = req.target.substr(0, req.target.find('?'));
  if (path == "/_nimbus/health" && req.method == "GET") {
    co_return json_reply(json::object{{"status", "running"},
                                      {"region", deps.region},
                                      {"services", json::object{{"s3", "running"}, {"lambda", "running"}, {"logs", "running"}}}});
  }
  if ((path == "/metrics" || path == "/_nimbus/metrics") && req.method == "GET" && deps.metrics && deps.blocking) {
    if (deps.metrics_auth && !basic_auth_ok(deps, req) && !sigv4_ok(deps, req, base::sha256_hex(""))) {
      http::Response denied = json_error(401, "UnrecognizedClientException",
                                         "/metrics needs credentials here (--metrics-auth): basic auth with an access "
                                         "key and its secret, or a SigV4 signature");
      denied.set("WWW-Authenticate", "Basic realm=\"nimbus metrics\"");
      co_return denied;
    }
    http::Response r;
    r.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = co_await http::offload(*deps.blocking, [&] { return deps.metrics->render(); });
    co_return r;
  }
  auto body = co_await http::read_body(req, 1 << 20);
  if (!body) co_return json_error(400, "InvalidRequestContentException", body.error().message);
  std::string hash = base::sha256_hex(*body);
  auth::RequestView view{req.method, req.target, &req.headers, hash};
  if (!auth::is_sigv4(view)) co_return json_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  auth::VerifyOptions opts;
  opts.double_encode_path = true;
  auto verified = auth::verify(view, deps.credentials, base::now_ms(), opts);
  if (!verified) co_return json_error(403, "InvalidSignatureException", verified.error().message);

  if (path == "/_nimbus/events" && req.method == "GET" && deps.queue) {
    json::array events;
    for (const auto& e : deps.queue->list())
      events.push_back(json::object{{"id", e.id},
                                    {"function", e.function},
                                    {"state", e.state},
                                    {"attempts", e.attempts},
                                    {"created", base::iso8601(e.created_ms)},
                                    {"next_attempt", base::iso8601(e.next_attempt_ms)},
                                    {"last_error", e.last_error}});
    json::object out{{"events", events}};
    if (deps.notifications) out["outbox"] = deps.notifications->pending();
    co_return json_reply(out);
  }
  if (path == "/_nimbus/events/redrive" && req.method == "POST" && deps.queue) {
    auto n = deps.queue->redrive();
    if (!n) co_return json_error(500, "ServiceException", n.error().message);
    co_return json_reply(json::object{{"redriven", *n}});
  }
  if (path == "/_nimbus/status" && req.method == "GET" && deps.status && deps.blocking)
    co_return json_reply(co_await http::offload(*deps.blocking, [&] { return deps.status(); }));
  if (path.rfind("/_nimbus/traces", 0) == 0 && req.method == "GET" && deps.spans) {
    std::string id = path.size() > 16 ? path.substr(16) : "";
    if (id.empty()) {
      auto recent = co_await http::offload(*deps.blocking, [&] { return deps.spans->recent(20); });
      if (!recent) co_return json_error(500, "ServiceException", recent.error().message);
      json::array out;
      for (const auto& t : *recent)
        out.push_back(json::object{{"trace_id", t.trace_id}, {"start_us", t.start_us}, {"end_us", t.end_us},
                                   {"spans", t.spans}, {"first", t.first}});
      co_return json_reply(json::object{{"traces", out}});
    }
    // A bare X-Ray root, or a whole X-Amzn-Trace-Id value.
    if (auto parsed = base::parse_trace_context(id); parsed.valid()) id = parsed.root;
    auto spans = co_await http::offload(*deps.blocking, [&] {
      deps.spans->flush();
      return deps.spans->trace(id);
    });
    if (!spans) co_return json_error(500, "ServiceException", spans.error().message);
    if (spans->empty()) co_return json_error(404, "ResourceNotFoundException", "No spans of trace " + id);
    json::array out;
    for (const auto& s : *spans)
      out.push_back(json::object{{"span_id", s.span_id}, {"parent_id", s.parent_id}, {"service", s.service},
                                 {"operation", s.operation}, {"resource", s.resource}, {"start_us", s.start_us},
                                 {"duration_us", s.duration_us}, {"status", s.status}, {"cold_start", s.cold_start},
                                 {"request_id", s.request_id}});
    co_return json_reply(json::object{{"trace_id", id}, {"spans", out}});
  }
  co_return json_error(404, "UnknownOperationException", "Unknown operation " + req.method + " " + path);
}

}  // namespace nimbus::server
