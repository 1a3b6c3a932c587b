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

  // A streamed response (Lambda-Runtime-Function-Response-Mode: streaming):
  // begin, then chunks as they arrive, then end (with the trailers' error,
  // if any). Each `done` is the go-ahead for the next call: stream_chunk's
  // comes when the caller can take more (back-pressure). kNotFound as for
  // respond(), also once the invocation has ended (timed out) mid-stream.
  struct StreamError {
    std::string type;  // Lambda-Runtime-Function-Error-Type
    std::string body;  // Lambda-Runtime-Function-Error-Body, decoded
  };
  virtual void stream_begin(std::string request_id, std::string content_type, std::function<void(base::Status)> done) {
    (void)request_id, (void)content_type;
    done(base::make_error(base::ErrorCode::kNotImplemented, "this channel does not take streamed responses"));
  }
  virtual void stream_chunk(std::string request_id, std::string bytes, std::function<void(base::Status)> done) {
    (void)request_id, (void)bytes;
    done(base::make_error(base::ErrorCode::kNotImplemented, "this channel does not take streamed responses"));
  }
  virtual void stream_end(std::string request_id, std::optional<StreamError> error,
                          std::function<void(base::Status)> done) {
    (void)request_id, (void)error;
    done(base::make_error(base::ErrorCode::kNotImplemented, "this channel does not take streamed responses"));
  }
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
