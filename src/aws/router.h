// The edge router: one port, a table of ServiceDescriptors. For each request:
//   1. a descriptor whose `claims` matches (registration order): /_nimbus/,
//      GET /metrics, later API Gateway and function URLs;
//   2. a SigV4 request by its scope's service (signing_names); a scope naming
//      an AWS service nimbus does not serve gets "nimbus does not serve X"
//      in that service's protocol (aws/unserved.h);
//   3. X-Amz-Target by prefix (served, else unserved as in 2);
//   4. host patterns, then path prefixes;
//   5. the fallback (S3), which authenticates itself.
// For AuthMode::kSigV4 services it runs the auth step, checks the operation
// is known, and calls the handler with a Call; then it reports every request
// (service, operation, status, duration, trace) to the on_request hook, so
// each service gets the metrics and spans S3 has.
//
// THREADING RULE: add() and set_fallback() before the server starts; then
// handle() from any io thread (the table is read-only, the hook must be
// thread-safe).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/authenticate.h"
#include "aws/service.h"
#include "http/message.h"

namespace nimbus::aws {

// One answered request, for metrics and spans.
struct RequestRecord {
  std::string_view service;    // descriptor name
  std::string_view operation;  // "" when not known (refused before)
  int status = 0;
  double seconds = 0;          // until the response is ready
  uint64_t bytes_in = 0, bytes_out = 0;
  std::string_view request_id;
  // The span: traced when the caller sent X-Amzn-Trace-Id or traceparent.
  std::string_view trace_root, span_id, parent_span;
  int64_t start_us = 0;
  bool traced = false;
};

// What a request routes to, for tests and for the error callback.
struct Route {
  const ServiceDescriptor* service = nullptr;  // null: unserved
  std::string unserved_name;                   // the scope service or target naming it
  Protocol protocol = Protocol::kRestXml;      // how to answer when service is null
};

// The routing decision alone (steps 1-5 above, no coroutine): Router uses
// it, and the HTTP fuzz target compiles it in without the server.
Route route_request(const std::vector<ServiceDescriptor>& services, const ServiceDescriptor* fallback,
                    const http::Request& req);

class Router {
 public:
  explicit Router(Authenticator authenticator);
  ~Router();
  void add(ServiceDescriptor d);
  void set_fallback(ServiceDescriptor d);
  void on_request(std::function<void(const RequestRecord&)> hook);

  Route route(const http::Request& req) const;
  boost::asio::awaitable<http::Response> handle(http::Request& req);

  // For errors raised before a service is known (http::Server's error
  // callback): the protocol the request's service speaks, when it can be told.
  http::Response error_for(const http::Request* req, int status, std::string code, std::string message) const;
  // The fallback's renderer of such errors (S3's XML error).
  void set_fallback_error(std::function<http::Response(int, std::string, std::string)> f);

  const std::vector<ServiceDescriptor>& services() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::aws
