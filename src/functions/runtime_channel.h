// The seam between an instance and the Lambda Runtime API listener it talks
// to (runtime_api/ implements the listener; functions/ the instance).
// Calls complete through callbacks, on any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "functions/types.h"

namespace nimbus::functions {

class RuntimeChannel {
 public:
  virtual ~RuntimeChannel() = default;
  // Long poll: completes with the next invocation, or nullopt when the
  // instance is going away (the listener then answers 500 and closes).
  virtual void next(std::function<void(std::optional<Invocation>)> done) = 0;
  // kNotFound for a request id that is not the instance's current invocation
  // (unknown, finished, or answered already).
  virtual void respond(std::string request_id, std::string payload, std::function<void(base::Status)> done) = 0;
  virtual void fail(std::string request_id, std::string error_type, std::string body,
                    std::function<void(base::Status)> done) = 0;
  virtual void init_error(std::string error_type, std::string body, std::function<void(base::Status)> done) = 0;
};

// A listener serving one instance; closing it (destruction) stops it.
class RuntimeEndpoint {
 public:
  virtual ~RuntimeEndpoint() = default;
  virtual std::string address() const = 0;  // "127.0.0.1:PORT", for AWS_LAMBDA_RUNTIME_API
};

class RuntimeEndpointFactory {
 public:
  virtual ~RuntimeEndpointFactory() = default;
  virtual base::Result<std::unique_ptr<RuntimeEndpoint>> open(std::shared_ptr<RuntimeChannel> channel) = 0;
};

}  // namespace nimbus::functions
