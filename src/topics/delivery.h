// topics::Deliveries: SNS's delivery of published messages, durable and
// retried. Publish hands one Delivery per matching subscription to
// enqueue(), which writes them all to nimbus's durable queue (queue.db,
// queue "sns-delivery"; "sns-delivery-fifo" for FIFO topics) in one
// transaction before Publish answers. A queue::Consumer per queue then hands
// each to its endpoint:
//   lambda      FunctionSink::invoke: an asynchronous invocation (the
//               function's own retries and destinations apply from there)
//   sqs         QueueSink::send (the SQS service, connected by server/)
//   http/https  HttpPoster: a POST with AWS's x-amz-sns-* headers
// A failure is retried as the protocol's delivery policy says
// (topics/delivery_policy.h); a client-side failure (no such function or
// queue, an HTTP 4xx other than 429) is not. A delivery out of retries goes to
// the subscription's RedrivePolicy dead-letter queue through the QueueSink,
// or, without one, stays in "sns-delivery-dead". Deliveries of a
// subscription deleted meanwhile are dropped, as AWS drops them.
// FIFO topics: one delivery of a (subscription, message group) at a time.
//
// THREADING RULE: enqueue() fsyncs: call it from the blocking pool. The
// consumers run on their own threads; sinks are called on the `blocking`
// executor given in the options (lambda, sqs) or through the HttpPoster,
// whose completion may come from any thread. The dead-letter send runs on the
// consumer's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/headers.h"
#include "base/result.h"
#include "topics/types.h"

namespace nimbus::queue {
class Store;
}

namespace nimbus::topics {

class Store;

// Where lambda subscriptions deliver: an asynchronous invocation, durable
// on return and idempotent by id. kNotFound: no such function.
class FunctionSink {
 public:
  virtual ~FunctionSink() = default;
  virtual base::Status invoke(const std::string& id, const std::string& function_arn, const std::string& event) = 0;
};

// Where sqs subscriptions (and subscription dead-letter queues) deliver: the
// SQS service. Durable on return; kNotFound for a queue that does not exist.
// message_group_id and dedup_id are empty for standard topics. May block
// (SQLite): it is called from the blocking executor or a consumer thread.
class QueueSink {
 public:
  virtual ~QueueSink() = default;
  virtual base::Status send(const std::string& queue_arn, const std::string& body, const MessageAttributes& attributes,
                            const std::string& message_group_id, const std::string& dedup_id) = 0;
};

struct HttpPost {
  std::string url;
  base::HeaderList headers;
  std::string body;
};
// POSTs and reports the HTTP status (or a connection failure).
using HttpPoster = std::function<void(HttpPost, std::function<void(base::Result<int>)>)>;
// Runs blocking work (a sink's fsync) away from the consumer's thread.
using Executor = std::function<void(std::function<void()>)>;

struct Delivery {
  std::string id;  // unique per (message, subscription): idempotent enqueue
  std::string subscription_arn;
  std::string type = "Notification";  // or "SubscriptionConfirmation"
  std::string message_id;
  std::string body;                   // exactly what the endpoint receives
  MessageAttributes attributes;       // raw sqs deliveries: the SQS message's attributes
  bool raw = false;                   // RawMessageDelivery (x-amz-sns-rawdelivery)
  std::string message_group_id, dedup_id;  // FIFO
};

struct DeliveryOptions {
  HttpPoster http;
  FunctionSink* functions = nullptr;
  QueueSink* queues = nullptr;  // null: sqs deliveries fail (and retry) until one is connected
  Executor blocking;            // null: run inline
  int max_in_flight = 32;
  int per_subscription = 8;     // deliveries of one standard subscription in flight at once
};

class Deliveries {
 public:
  static constexpr const char* kQueue = "sns-delivery";
  static constexpr const char* kFifoQueue = "sns-delivery-fifo";
  static constexpr const char* kDeadLetterQueue = "sns-delivery-dead";

  static base::Result<std::unique_ptr<Deliveries>> open(queue::Store& queues, Store& topics, DeliveryOptions options);
  ~Deliveries();
  // Durable on return: all of them, in one transaction per queue.
  base::Status enqueue(std::vector<Delivery> deliveries, bool fifo);
  base::Status start();
  void stop();
  // Tests: one turn of each consumer on the caller's thread.
  void run_once();

 private:
  struct Impl;
  explicit Deliveries(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::topics
