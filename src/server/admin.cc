#include "server/admin.h"

#include <boost/json.hpp>

#include "auth/sigv2.h"
#include "auth/sigv4.h"
#include "aws/protocol.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "events/notifications.h"
#include "functions/async_queue.h"
#include "http/offload.h"
#include "server/admin_queues.h"
#include "base/trace_context.h"
#include "observability/metrics.h"
#include "observability/span_store.h"

namespace nimbus::server {

namespace json = boost::json;

namespace {

http::Response json_error(int status, const std::string& type, const std::string& message) {
  return aws::error_response(aws::Protocol::kRestJson, aws::ServiceError{status, type, message}, base::uuid4());
}

http::Response auth_failed(const aws::AuthResult& r) {
  return aws::error_response(aws::Protocol::kRestJson, aws::auth_error(aws::Protocol::kRestJson, r.failure, r.message),
                             base::uuid4());
}

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
  auto secret = deps.auth.credentials.secret_for(decoded->substr(0, colon));
  return secret && base::constant_time_equal(*secret, std::string_view(*decoded).substr(colon + 1));
}

bool sigv4_ok(const AdminDeps& deps, const http::Request& req) {
  return static_cast<bool>(aws::verify_signature(req, "", deps.auth, {}));
}

}  // namespace

boost::asio::awaitable<http::Response> handle_admin(const AdminDeps& deps, http::Request& req) {
  std::string path = req.target.substr(0, req.target.find('?'));
  if (path == "/_nimbus/health" && req.method == "GET") {
    json::object services;
    for (const auto& name : deps.services) services[name] = "running";
    co_return json_reply(json::object{{"status", "running"}, {"region", deps.region}, {"services", services}});
  }
  if ((path == "/metrics" || path == "/_nimbus/metrics") && req.method == "GET" && deps.metrics && deps.blocking) {
    if (deps.metrics_auth && !basic_auth_ok(deps, req) && !sigv4_ok(deps, req)) {
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
  if (auto authd = co_await aws::authenticate(req, deps.auth, 1 << 20, {}); !authd) co_return auth_failed(authd);

  if (path == "/_nimbus/events" && req.method == "GET" && deps.queue && deps.blocking) {
    // A listing and a write (redrive) read and write queue.db: the blocking pool's work, not an io thread's.
    auto listed = co_await http::offload(*deps.blocking, [&] { return deps.queue->list(); });
    json::array events;
    for (const auto& e : listed)
      events.push_back(json::object{{"id", e.id},
                                    {"function", e.function},
                                    {"state", e.state},
                                    {"attempts", e.attempts},
                                    {"created", base::iso8601(e.created_ms)},
                                    {"next_attempt", base::iso8601(e.next_attempt_ms)},
                                    {"last_error", e.last_error}});
    json::object out{{"events", events}};
    if (deps.notifications) out["outbox"] = co_await http::offload(*deps.blocking, [&] { return deps.notifications->pending(); });
    co_return json_reply(out);
  }
  if (path == "/_nimbus/events/redrive" && req.method == "POST" && deps.queue && deps.blocking) {
    auto n = co_await http::offload(*deps.blocking, [&] { return deps.queue->redrive(); });
    if (!n) co_return json_error(500, "ServiceException", n.error().message);
    co_return json_reply(json::object{{"redriven", *n}});
  }
  if (path.rfind("/_nimbus/queues", 0) == 0 && deps.sqs && deps.blocking)
    if (auto answered = co_await handle_queue_admin(*deps.sqs, *deps.blocking, req)) co_return std::move(*answered);
  if (path == "/_nimbus/schedules" && req.method == "GET" && deps.schedules && deps.blocking)
    co_return json_reply(co_await http::offload(*deps.blocking, [&] { return deps.schedules(); }));
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

aws::ServiceDescriptor admin_descriptor(const AdminDeps& deps) {
  aws::ServiceDescriptor d;
  d.name = "nimbus";
  d.title = "nimbus admin API";
  d.protocol = aws::Protocol::kRestJson;
  d.auth = aws::AuthMode::kOwn;
  d.claims = [](const http::Request& req) {
    if (req.target.rfind("/_nimbus/", 0) == 0) return true;
    auth::RequestView view{req.method, req.target, &req.headers, {}};
    return req.target == "/metrics" && req.method == "GET" && !auth::is_sigv4(view) && !auth::is_sigv2(view);
  };
  d.raw_handler = [&deps](http::Request& req) { return handle_admin(deps, req); };
  return d;
}

}  // namespace nimbus::server
