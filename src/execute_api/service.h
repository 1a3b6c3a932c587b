// The data plane of API Gateway: requests to an API's invoke URL (the forms
// in addressing.h) are matched to a stage and a route of the deployment that
// stage serves, turned into a Lambda proxy event, run through the invoker,
// and the function's response turned back into the HTTP reply — with API
// Gateway's own JSON errors ({"message":"Not Found"}, 500, 503 on the
// integration's timeout, 413 over 10 MB) and its apigw-requestid header.
// The edge reaches it through descriptor()'s claims, before any signature is
// looked at: invoke URLs are unsigned, but for AWS_IAM routes and methods,
// whose SigV4 (service execute-api) this service checks itself (iam_auth.h).
// THREADING RULE: handle() runs on io threads and never blocks: the route
// is read from the documents' snapshot, the invocation is awaited.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "aws/authenticate.h"
#include "aws/service.h"
#include "base/result.h"
#include "execute_api/request_facts.h"
#include "functions/invoker.h"
#include "http/message.h"

namespace nimbus::gateway {
class Documents;
class UsageCounters;
}

namespace nimbus::execute_api {

struct Options {
  std::string region = "us-east-1";
  // Runs one invocation (functions::Invoker::invoke); done once, any thread.
  std::function<void(functions::InvokeRequest, std::function<void(base::Result<functions::InvokeResult>)>)> invoke;
  size_t max_body = 10 << 20;  // API Gateway's payload limit
  // Verifies AWS_IAM routes' and methods' SigV4 (iam_auth.h); outlives the
  // service. Null: every AWS_IAM request is refused as unsigned.
  const aws::Authenticator* authenticator = nullptr;
  // Usage plans' counts, shared with the management API's GetUsage and
  // UpdateUsage; outlives the service. Null: the service keeps its own.
  gateway::UsageCounters* usage = nullptr;
  // Every request served, once answered (access log, metrics, span); on
  // the io thread, so it must not block. Null: nothing is recorded.
  std::function<void(const RequestFacts&)> on_request;
};

class Service {
 public:
  Service(gateway::Documents& docs, Options options);
  ~Service();

  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::execute_api
