// HTTP APIs' authorizers at request time. A route with authorizationType
// CUSTOM runs its REQUEST Lambda authorizer: the identity sources are
// resolved first (any missing: 401 without invoking), the result is cached
// by their values for authorizerResultTtlInSeconds, the function gets the
// authorizer event (payload 2.0 or 1.0) and answers with a simple response
// ({"isAuthorized", "context"}, when enableSimpleResponses) or an IAM policy
// checked against the route's ARN (a deny or no allow: 403). A route with
// JWT verifies the bearer token (jwt.h, keys from jwks.h) and its scopes.
// What passes reaches the integration as requestContext.authorizer.
// THREADING RULE: Authorizers is shared by every io thread; its caches lock
// internally, authorize() awaits the invocation and the JWKS fetch and
// never blocks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "execute_api/proxy_event.h"
#include "execute_api/ttl_cache.h"
#include "functions/invoker.h"

namespace nimbus::execute_api {

class JwksCache;

// One authorizer of a deployment, compiled from its document.
struct AuthorizerConfig {
  std::string id;
  bool jwt = false;
  // REQUEST (Lambda)
  std::string function, qualifier;
  std::string payload_version = "2.0";
  bool simple_responses = false;
  int ttl_seconds = 0;
  std::vector<std::string> identity_sources;  // "$request.header.Authorization", ...
  // JWT
  std::string issuer;
  std::vector<std::string> audience;
};
std::shared_ptr<const AuthorizerConfig> compile_authorizer(const boost::json::object& doc);

// What the route asks and the request offers.
struct AuthInput {
  const ProxyRequest& request;
  const ProxyContext& context;
  std::string method;      // the request's method
  std::string path;        // below the stage, for the route ARN
  std::string region;
  std::string cache_scope;  // the api and deployment: results are not shared beyond it
  std::vector<std::string> scopes;  // the route's authorizationScopes (JWT)
};

// status 0: allowed, with requestContext.authorizer for either payload
// version; else API Gateway's answer (401/403/500) and its extra headers.
struct AuthDecision {
  int status = 0;
  std::string message;
  base::HeaderList headers;
  boost::json::object for_v2, for_v1;
};

// The values of identity sources; nullopt when one is missing or empty.
std::optional<std::vector<std::string>> resolve_identity(const std::vector<std::string>& sources,
                                                         const ProxyRequest& req, const ProxyContext& ctx);
// Does an IAM policy (a policyDocument) allow execute-api:Invoke on `arn`?
// An explicit Deny wins over any Allow; no matching Allow is a deny.
bool policy_allows(const boost::json::object& policy, const std::string& arn);

class Authorizers {
 public:
  // Runs an authorizer function with its timeout; an error when it could not
  // run, failed or timed out (the gateway answers 500).
  using Invoke = std::function<boost::asio::awaitable<base::Result<std::string>>(functions::InvokeRequest)>;
  Authorizers(Invoke invoke, JwksCache* jwks, const base::Clock& clock = base::system_clock());

  boost::asio::awaitable<AuthDecision> authorize(const AuthorizerConfig& a, const AuthInput& in);

  struct Verdict;  // a Lambda authorizer's parsed answer, as cached

 private:
  boost::asio::awaitable<AuthDecision> run_lambda(const AuthorizerConfig& a, const AuthInput& in);
  boost::asio::awaitable<AuthDecision> run_jwt(const AuthorizerConfig& a, const AuthInput& in);

  Invoke invoke_;
  JwksCache* jwks_;
  const base::Clock& clock_;
  TtlCache<std::shared_ptr<const Verdict>> results_;
};

}  // namespace nimbus::execute_api
