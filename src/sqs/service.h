// SQS on the edge: one descriptor, signing name "sqs", both wire protocols —
// query (form bodies, XML answers: AWS CLI 2.9, boto3 1.26) and JSON 1.0
// (X-Amz-Target AmazonSQS.*: botocore >= 1.34.90), chosen per request by
// X-Amz-Target. Both are brought to the JSON shape (wire.h), handled by the
// operations (operations.h) over sqs::Queues, and answered in the request's
// protocol; errors through the one table (errors.h).
//
// THREADING RULE: handlers run on io threads; every operation's queue.db
// work is offloaded to the blocking pool, and long polls wait without
// holding a thread (receive_ops.cc).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "aws/service.h"
#include "sqs/move_tasks.h"
#include "sqs/operations.h"
#include "sqs/queues.h"

namespace nimbus::sqs {

class Service {
 public:
  Service(Queues& queues, boost::asio::thread_pool& blocking);
  ~Service();
  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);
  // Wakes every waiting long poll (each answers what it has, as at the end of
  // its wait) and makes new ones answer at once: nimbus is stopping.
  void stop();

 private:
  Queues& queues_;
  MoveTasks tasks_;
  Context context_;
};

}  // namespace nimbus::sqs
