// Lambda function URLs' data plane: a request to
// http://<url-id>.lambda-url.<region>.<anything>/ (the registry's url id,
// any port) becomes a payload 2.0 event (routeKey and stage "$default",
// apiId = the url id, authorizer.iam for AWS_IAM), runs through the invoker
// with the URL's qualifier (its alias, or none), and the function's response
// is read as API Gateway's 2.0 response. Lambda's own answers: 403
// AccessDeniedException for an unknown url id and for AWS_IAM requests not
// signed (SigV4, service "lambda") by a known key, 502 on a function error or
// a malformed response, 413 over 6 MB; CORS preflights answered here and the
// URL's CORS headers replacing the function's. The edge reaches it through
// descriptor()'s claims, before any signature is looked at.
// THREADING RULE: handle() runs on io threads and never blocks: the URL is
// read from the registry's snapshot, the signature check is in memory, the
// invocation is awaited.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "aws/authenticate.h"
#include "aws/service.h"
#include "base/result.h"
#include "functions/invoker.h"
#include "http/message.h"

namespace nimbus::functions {
class Registry;
}

namespace nimbus::function_urls {

struct Options {
  std::string region = "us-east-1";
  // Runs one invocation (functions::Invoker::invoke); done once, any thread.
  std::function<void(functions::InvokeRequest, std::function<void(base::Result<functions::InvokeResult>)>)> invoke;
  size_t max_body = 6 << 20;  // Lambda's synchronous request payload limit
};

class Service {
 public:
  Service(functions::Registry& registry, const aws::Authenticator& authenticator, Options options);
  ~Service();

  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::function_urls
