// The CloudWatch Logs API (JSON 1.1, X-Amz-Target `Logs_20140328.*`) over
// observability::LogStore, the subset the AWS CLI and SDKs use to read
// function logs: DescribeLogGroups, DescribeLogStreams, GetLogEvents,
// FilterLogEvents (so `aws logs tail --follow` works), CreateLogGroup,
// DeleteLogGroup, PutRetentionPolicy and DeleteRetentionPolicy, with
// CloudWatch's JSON errors. It declares itself to the edge as an
// aws::ServiceDescriptor (descriptor()); the edge authenticates and names the
// operation, handle() answers it, call() is the same without the wire.
//
// THREADING RULE: handle() runs on an io thread and offloads every LogStore
// call to the blocking pool; call() blocks (LogStore reads and writes SQLite).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "aws/service.h"
#include "base/result.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::observability {
class LogStore;
}

namespace nimbus::logs_api {

// CloudWatch Logs' wire errors, from domain errors: the one table.
aws::ServiceError error_of(const base::Error& e);

class Service {
 public:
  Service(observability::LogStore& store, boost::asio::thread_pool& blocking, std::string region);
  ~Service();
  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);
  // One operation on a parsed body, on the calling thread.
  base::Result<boost::json::object> call(const std::string& operation, const boost::json::object& in);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::logs_api
