// The Lambda REST API (2015-03-31 and the later dates of its newer
// operations) over functions::Registry and the invoker: functions, code,
// Invoke, versions, aliases, reserved and provisioned concurrency and event
// invoke configs, with Lambda's JSON errors. It declares itself to the
// protocol layer (descriptor(): rest-json, signed for "lambda"); the
// operations are listed in routes.cc, errors.cc is the one error table.
// THREADING RULE: handle() runs on io threads and never writes SQLite there:
// registry writes and listings, code unpacking and the async queue's enqueue
// run on the blocking pool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "auth/credentials.h"
#include "aws/service.h"
#include "base/result.h"
#include "http/message.h"
#include "lambda_api/mapping_request.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::functions {
class Registry;
class Invoker;
class AsyncQueue;
}  // namespace nimbus::functions

namespace nimbus::mappings {
class Store;
}

namespace nimbus::lambda_api {

class Invocations;
class CodeLocations;

struct Options {
  std::string region = "us-east-1";
  // Reads a code package from nimbus's own object store (Code.S3Bucket / S3Key).
  std::function<base::Result<std::string>(const std::string& bucket, const std::string& key)> read_object;
  // GetFunction's Code.Location links; null: Location is empty (unit tests).
  const CodeLocations* code_locations = nullptr;
  // host:port of the edge, the tail of every FunctionUrl ("<id>.lambda-url.<region>.<edge>").
  std::string edge = "localhost:4566";
  // Event source mappings; null: their operations answer that nimbus runs none here.
  mappings::Store* mappings = nullptr;
  // What a mapping needs of its SQS queue, by ARN (blocks: SQLite); kNotFound for none.
  std::function<base::Result<QueueFacts>(const std::string& queue_arn)> queue_facts;
  // Whether an async destination or a dead-letter target (an SQS queue, an SNS
  // topic, a function) exists and takes nimbus's messages, with why not
  // (blocks: SQLite); null: not checked (unit tests).
  std::function<base::Status(const std::string& arn)> check_target;
};

class Service {
 public:
  Service(functions::Registry& registry, functions::Invoker& invoker, functions::AsyncQueue& async_queue,
          const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking, Options options);
  // Over any Invocations (unit tests give a fake); it must outlive the service.
  Service(functions::Registry& registry, Invocations& invocations, const auth::CredentialStore& credentials,
          boost::asio::thread_pool& blocking, Options options);
  ~Service();

  // How the edge (aws::Router) serves Lambda; its handler is handle(Call&),
  // and the service must outlive it.
  aws::ServiceDescriptor descriptor();
  // A request the edge has authenticated: routes it to its operation.
  boost::asio::awaitable<http::Response> handle(aws::Call& call);
  // A request as it arrives: the shared auth step (aws::authenticate), then handle(call).
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::lambda_api
