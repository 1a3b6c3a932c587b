// API Gateway's management APIs over gateway::Documents: HTTP APIs
// (apigatewayv2, /v2/...) with their routes, integrations, stages and
// deployments, and REST APIs (apigateway, /restapis/...), both rest-json and
// signed for "apigateway". It declares itself to the protocol layer
// (descriptor()); routes.cc lists the operations, errors.cc is the one error
// table. Serving the APIs' traffic is execute_api/'s.
// THREADING RULE: handle() runs on io threads; document writes run on the
// blocking pool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "auth/credentials.h"
#include "aws/service.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}
namespace nimbus::gateway {
class Documents;
class UsageCounters;
}

namespace nimbus::apigateway_api {

struct Options {
  std::string region = "us-east-1";
  // The edge's "host:port" as clients reach it: an API's endpoint is
  // http://<api-id>.execute-api.<edge>.
  std::string edge = "localhost:4566";
  // Usage plans' counts as execute_api keeps them (GetUsage, UpdateUsage);
  // outlives the service. Null: every count is 0 and UpdateUsage is refused.
  gateway::UsageCounters* usage = nullptr;
};

class Service {
 public:
  Service(gateway::Documents& docs, boost::asio::thread_pool& blocking, Options options);
  ~Service();

  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::apigateway_api
