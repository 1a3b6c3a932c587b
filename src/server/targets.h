// Deliveries nimbus makes on its own to a destination named by ARN: bucket
// notifications (the events relay), asynchronous invocations' OnSuccess and
// OnFailure destinations, and functions' dead-letter configs. An SQS queue
// gets a message through sqs::Queues::send (the queue's own rules and MD5s),
// an SNS topic a publication through sns::Service::publish_from_nimbus (its
// subscriptions' filters and deliveries), a Lambda function an asynchronous
// invocation on the async queue (its retries and destinations), an
// EventBridge bus the message as an event routed on the bus's rules
// (buses::Router::route: a bucket's events with EventBridge enabled). FIFO queues
// and topics are refused: these sources send without a message group, as
// AWS's do not send to FIFO destinations either.
//
// THREADING RULE: check_target and deliver_to_target read and write SQLite
// and fsync: call them on the blocking pool or on a relay's or consumer's own
// thread, never on an io thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "events/notifications.h"

namespace nimbus::server {

class Application;

// The kinds an ARN may name (events/notifications.h reads them, for S3's configurations too).
using TargetKind = events::DestinationKind;

struct TargetAttribute {
  std::string name;
  std::string type;  // "String" or "Number"
  std::string value;
};

struct TargetMessage {
  // Names the delivery: a function's invocation request id is derived from it, so a
  // delivery handed over twice (a crash between send and bookkeeping) runs once;
  // a bus's deliveries to its targets are named after it, so they queue once.
  std::string id;
  std::string body;  // to a bus: an EventBridge event (JSON with the whole envelope)
  std::string subject;  // topics only; empty: none
  std::vector<TargetAttribute> attributes;  // queues and topics
  // functions only: an event routed on a bus reaches its targets through
  // EventBridge's deliveries, which carry neither (buses::Delivery).
  int depth = 1;        // the chain depth of the invocation it starts
  std::string trace;    // the X-Amzn-Trace-Id it continues
};

// The kind of destination an ARN names, or InvalidArgument saying what it is not.
base::Result<TargetKind> target_kind(const std::string& arn);

// Whether arn names a destination that exists and takes nimbus's messages:
// NotFound when it does not exist, InvalidArgument when it is FIFO or of a kind
// `allowed` does not list; the message says which.
base::Status check_target(Application& app, const std::string& arn, const std::vector<TargetKind>& allowed);

// Durable on return: the message is in the queue, the publication queued for its
// subscriptions, the invocation queued, the event's deliveries to the bus's
// matching targets queued (none when no rule matches).
base::Status deliver_to_target(Application& app, const std::string& arn, const TargetMessage& message);

}  // namespace nimbus::server
