// The Lambda REST API (2015-03-31) over functions::Registry and Invoker:
// CreateFunction, GetFunction(Configuration), ListFunctions,
// UpdateFunctionCode/Configuration, DeleteFunction, Put/Get/Delete
// FunctionConcurrency and Invoke, with Lambda's JSON errors.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "auth/credentials.h"
#include "base/result.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::functions {
class Registry;
class Invoker;
class AsyncQueue;
}  // namespace nimbus::functions

namespace nimbus::lambda_api {

struct Options {
  std::string region = "us-east-1";
  // Reads a code package from nimbus's own object store (Code.S3Bucket / S3Key).
  std::function<base::Result<std::string>(const std::string& bucket, const std::string& key)> read_object;
};

class Service {
 public:
  Service(functions::Registry& registry, functions::Invoker& invoker, functions::AsyncQueue& async_queue,
          const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking, Options options);
  ~Service();
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::lambda_api
