// An HTTP API's deployment compiled for serving: its route table, each
// route's Lambda integration, and the API's CORS configuration, built once
// from the deployment's frozen documents (apigateway_api/v2_deploy.cc) and
// shared by every request to a stage that serves it.
// THREADING RULE: immutable once built; DeploymentCache is safe from any
// thread (a mutex around its map).
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "execute_api/authorizer.h"
#include "execute_api/lambda_target.h"
#include "gateway/documents.h"
#include "gateway/http_routes.h"

namespace nimbus::execute_api {

struct CompiledRoute {
  std::string key;
  std::string path;  // the key's path ("/pets/{id}"); for $default the request's
  std::optional<LambdaTarget> integration;  // none: the route has no target
  std::string authorization_type = "NONE";  // NONE, CUSTOM, JWT or AWS_IAM
  std::string authorizer_id;
  std::vector<std::string> authorization_scopes;
};

struct CompiledHttpApi {
  gateway::RouteTable table;
  std::map<std::string, CompiledRoute> routes;  // by route id
  boost::json::object cors;                     // empty: no CORS configuration
  std::map<std::string, std::shared_ptr<const AuthorizerConfig>> authorizers;  // by authorizer id
};

std::shared_ptr<const CompiledHttpApi> compile_http_api(const gateway::Doc& content);

class DeploymentCache {
 public:
  // The compiled deployment `deployment_id` of `api`, compiling it on first use.
  std::shared_ptr<const CompiledHttpApi> get(const gateway::Snapshot& snap, const std::string& api,
                                             const std::string& deployment_id);

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const CompiledHttpApi>> compiled_;
};

}  // namespace nimbus::execute_api
