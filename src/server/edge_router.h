// The edge router: one port for every service, as LocalStack's edge port.
// Picks the service a request is for from its SigV4 credential scope,
// X-Amz-Target or path, and hands it to that service's handler.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>

#include "http/message.h"

namespace nimbus::server {

enum class ServiceKind { kS3, kLambda, kLogs, kHealth, kUnknown };  // kHealth: nimbus's own /_nimbus/ API

std::string_view service_name(ServiceKind k);
ServiceKind classify(const http::Request& req);

class EdgeRouter {
 public:
  using Handler = std::function<boost::asio::awaitable<http::Response>(http::Request&)>;
  void add(ServiceKind kind, Handler handler);
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  std::map<ServiceKind, Handler> handlers_;
};

// A JSON error in the shape AWS JSON/REST services (Lambda and others) use.
http::Response json_error(int status, const std::string& type, const std::string& message);

}  // namespace nimbus::server
