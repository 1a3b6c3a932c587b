#include "server/edge_router.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "auth/sigv2.h"
#include "auth/sigv4.h"

namespace nimbus::server {

std::string_view service_name(ServiceKind k) {
  switch (k) {
    case ServiceKind::kS3: return "s3";
    case ServiceKind::kLambda: return "lambda";
    case ServiceKind::kLogs: return "logs";
    case ServiceKind::kHealth: return "health";
    case ServiceKind::kUnknown: return "unknown";
  }
  return "unknown";
}

ServiceKind classify(const http::Request& req) {
  if (req.target.rfind("/_nimbus/", 0) == 0) return ServiceKind::kHealth;
  auth::RequestView view{req.method, req.target, &req.headers, {}};
  // Prometheus' path; a signed request for it is S3's (a bucket named "metrics").
  if (req.target == "/metrics" && req.method == "GET" && !auth::is_sigv4(view) && !auth::is_sigv2(view))
    return ServiceKind::kHealth;
  if (auth::is_sigv4(view)) {
    if (auto scope = auth::peek_scope(view); scope.ok()) {
      if (scope->service == "s3") return ServiceKind::kS3;
      if (scope->service == "lambda") return ServiceKind::kLambda;
      if (scope->service == "logs") return ServiceKind::kLogs;
      return ServiceKind::kUnknown;
    }
  }
  if (std::string target = req.header("x-amz-target"); !target.empty())
    return target.rfind("Logs_20140328.", 0) == 0 ? ServiceKind::kLogs : ServiceKind::kUnknown;
  if (req.target.rfind("/2015-03-31/", 0) == 0) return ServiceKind::kLambda;
  return ServiceKind::kS3;
}

void EdgeRouter::add(ServiceKind kind, Handler handler) { handlers_[kind] = std::move(handler); }

boost::asio::awaitable<http::Response> EdgeRouter::handle(http::Request& req) {
  ServiceKind kind = classify(req);
  auto it = handlers_.find(kind);
  if (it == handlers_.end()) {
    std::string name(service_name(kind));
    co_return json_error(501, "NotImplementedException",
                         "nimbus does not serve this service (" + name + ") on this port yet");
  }
  co_return co_await it->second(req);
}

http::Response json_error(int status, const std::string& type, const std::string& message) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("x-amzn-ErrorType", type);
  boost::json::object body;
  body["Type"] = "User";
  body["message"] = message;
  body["__type"] = type;
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace nimbus::server
