// What the Lambda API asks of the parts of nimbus that run functions (the
// invoker and the async queue), as an interface: the service adapts the real
// ones, and unit tests drive the API with a fake and no processes.
// THREADING RULE: invoke, prepare, retire, provision and max_instances are
// called from io threads and must not block; enqueue writes durably (fsync),
// so the service calls it on the blocking pool only.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "functions/invoker.h"
#include "functions/types.h"

namespace nimbus::lambda_api {

class Invocations {
 public:
  virtual ~Invocations() = default;
  // Runs one invocation; done is called once, from any thread.
  virtual void invoke(functions::InvokeRequest request,
                      std::function<void(base::Result<functions::InvokeResult>)> done) = 0;
  // Queues an asynchronous invocation of "name" or "name:qualifier"; the id is its request id.
  virtual base::Result<std::string> enqueue(const std::string& target, std::string payload,
                                            const std::string& trace_id) = 0;
  virtual void prepare(const functions::FunctionConfig& config) = 0;  // ahead of the first cold start
  virtual void retire(const std::string& function) = 0;               // after an update or delete
  virtual void provision(const std::string& function, const std::string& qualifier, int count) = 0;
  virtual int max_instances() const = 0;  // no concurrency setting may exceed it
};

}  // namespace nimbus::lambda_api
