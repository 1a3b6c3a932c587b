// buses::Deliveries: EventBridge's deliveries of matched events to rule
// targets, durable and retried. PutEvents hands one Delivery per (event,
// rule, target) to enqueue(), which writes them all to nimbus's durable queue
// (queue.db, queue "events-delivery") in one transaction before PutEvents
// answers: an accepted event reaches each matching target at least once,
// across a kill -9. A queue::Consumer hands each to the TargetSink (server/:
// a function's asynchronous invocation, an SQS send, an SNS publication, or
// another bus's routing). A failure is retried with exponential backoff
// within the target's RetryPolicy (MaximumRetryAttempts, 185 by default;
// MaximumEventAgeInSeconds, 24 hours); a target that is gone or refuses the
// message for what it is (kNotFound, kInvalidArgument) is not retried. A
// delivery out of retries goes to the target's DeadLetterConfig queue (the
// event as its body, with AWS's RULE_ARN, TARGET_ARN, ERROR_CODE and
// ERROR_MESSAGE message attributes), or, without one, stays in
// "events-delivery-dead".
//
// EventBridge Scheduler's fires (timetable/schedule_timer.h) travel the same
// way: a Delivery names its own dead-letter attributes (Scheduler's
// SCHEDULE_ARN, TARGET_ARN, EXECUTION_ID) and may carry an attempt marker,
// replaced by the attempt's number each time the delivery is handed over
// (Scheduler's <aws.scheduler.attempt-number>).
//
// THREADING RULE: enqueue() fsyncs: call it from the blocking pool. The
// consumer runs on its own thread and calls the sink through `blocking`
// (or inline when null).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "buses/types.h"

namespace nimbus::queue {
class Store;
}

namespace nimbus::buses {

struct SinkAttribute {
  std::string name, type, value;  // type "String"
};

// Where deliveries go. Durable on return (or an error); kNotFound for a
// target that does not exist. May block.
class TargetSink {
 public:
  virtual ~TargetSink() = default;
  // id names the delivery (idempotent downstream where the target allows);
  // body is exactly what the target receives.
  virtual base::Status deliver(const std::string& id, const std::string& target_arn, const std::string& body,
                               const std::vector<SinkAttribute>& attributes) = 0;
};

struct Delivery {
  std::string id;  // unique per (event, rule, target): idempotent enqueue
  std::string rule_arn;  // the rule's ARN, or the Scheduler schedule's
  Target target;      // as the rule held it when the event matched
  std::string body;   // what the target receives (the event, or its input)
  std::string event;  // the event itself: a dead letter's body
  // A dead letter's message attributes before ERROR_CODE and ERROR_MESSAGE,
  // which every dead letter gets: a rule's RULE_ARN and TARGET_ARN.
  std::vector<SinkAttribute> dead_letter_attributes;
  // When set, each occurrence in body and event is replaced by the attempt's
  // number (1 for the first) as the delivery is handed to the sink.
  std::string attempt_marker;
};

struct DeliveryOptions {
  TargetSink* sink = nullptr;
  std::function<void(std::function<void()>)> blocking;  // null: run inline
  int max_in_flight = 64;
  int per_target = 16;  // deliveries of one (rule, target) in flight at once
  // Waits before retry 1, 2, ...; the last repeats (exponential, as AWS's backoff).
  std::vector<int64_t> retry_delays_ms{1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000};
};

class Deliveries {
 public:
  static constexpr const char* kQueue = "events-delivery";
  static constexpr const char* kDeadLetterQueue = "events-delivery-dead";

  static base::Result<std::unique_ptr<Deliveries>> open(queue::Store& queues, DeliveryOptions options);
  ~Deliveries();
  // Durable on return: all of them, in one transaction.
  base::Status enqueue(std::vector<Delivery> deliveries);
  base::Status start();
  void stop();
  void run_once();  // tests: one turn on the caller's thread

 private:
  struct Impl;
  explicit Deliveries(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::buses
