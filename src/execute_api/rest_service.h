// Serving REST APIs (API Gateway v1): a request to <api>/<stage>/<path> is
// matched against the resource tree of the deployment its stage serves, then
// goes through what the method asks for, in AWS's order — method throttling,
// the Lambda authorizer (TOKEN or REQUEST, results cached for their TTL) or
// AWS_IAM's SigV4 for execute-api (iam_auth.h), the
// API key and its usage plans (throttle, quota), request validation (required
// parameters, the body against its JSON-schema model) — and on to the Lambda
// proxy integration, whose response is read strictly. Errors are API
// Gateway's REST answers: 403 Missing Authentication Token, 401/403 from
// authorizers, 403 Forbidden for keys, 429, 400, 502, 504 — each with
// x-amzn-RequestId and x-amzn-ErrorType.
// THREADING RULE: serve() runs on io threads and never blocks; the caches
// and counters it shares between requests lock their own mutexes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "execute_api/addressing.h"
#include "execute_api/service.h"
#include "gateway/documents.h"
#include "http/message.h"

namespace nimbus::execute_api {

class RestApis {
 public:
  explicit RestApis(const Options& options);
  ~RestApis();

  // `trace`: the X-Amzn-Trace-Id the function gets (the gateway's span as its
  // parent); the caller answers the client's X-Amzn-Trace-Id.
  boost::asio::awaitable<http::Response> serve(http::Request& req, const Address& addr,
                                               std::shared_ptr<const gateway::Snapshot> snap, std::string trace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::execute_api
