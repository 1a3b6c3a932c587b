// mappings::SqsPoller: runs one enabled SQS event source mapping. Delivery
// is driven by arrival: the poller subscribes to its queue (sqs::Queues::
// subscribe), so a message sent wakes it at once, and it sleeps until the
// next delay or visibility timeout ends (next_change_ms) when nothing else
// can arrive. It receives up to BatchSize messages (rounds of 10, the
// queue's visibility timeout as their lease), waits up to the batching
// window for a fuller batch, deletes the messages no filter lets through,
// and invokes the function (RequestResponse) with the SQS event, at most
// MaximumConcurrency batches at once. Then, as Lambda does: a success deletes
// the batch (all but the reported failures with ReportBatchItemFailures); a
// function error, an invalid partial batch response or a missing function
// deletes nothing, so those messages come back after their visibility
// timeout and reach the queue's dead-letter queue after maxReceiveCount.
// A throttled invocation is tried again shortly, within the lease.
//
// THREADING RULE: each poller has a thread of its own, where every queue
// read and write happens (SQLite, never an io thread). The invoke function
// may be called there and must not block; its completion may come from any
// thread and only hands the result back. stop() (and the destructor) joins
// the thread; invocations still running then finish unobserved and their
// messages come back after their visibility timeout (at least once).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "functions/invoker.h"
#include "mappings/filters.h"
#include "mappings/mapping.h"

namespace nimbus::sqs {
class Queues;
}

namespace nimbus::mappings {

using InvokeFunction =
    std::function<void(functions::InvokeRequest, std::function<void(base::Result<functions::InvokeResult>)>)>;

struct PollerOptions {
  std::string region = "us-east-1";
  int default_concurrency = 4;  // without ScalingConfig.MaximumConcurrency
  size_t max_payload_bytes = 6 * 1024 * 1024;  // Lambda's synchronous payload limit
};

class SqsPoller {
 public:
  SqsPoller(Mapping mapping, Filters filters, sqs::Queues& queues, InvokeFunction invoke, PollerOptions options);
  ~SqsPoller();
  SqsPoller(const SqsPoller&) = delete;
  SqsPoller& operator=(const SqsPoller&) = delete;
  void stop();
  const Mapping& mapping() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace nimbus::mappings
