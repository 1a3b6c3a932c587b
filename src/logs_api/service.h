// The CloudWatch Logs API (JSON 1.1, X-Amz-Target `Logs_20140328.*`) over
// observability::LogStore, the subset the AWS CLI and SDKs use to read
// function logs: DescribeLogGroups, DescribeLogStreams, GetLogEvents,
// FilterLogEvents (so `aws logs tail --follow` works), CreateLogGroup,
// DeleteLogGroup, PutRetentionPolicy and DeleteRetentionPolicy, with
// CloudWatch's JSON errors.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "auth/credentials.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::observability {
class LogStore;
}

namespace nimbus::logs_api {

class Service {
 public:
  Service(observability::LogStore& store, const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking,
          std::string region);
  ~Service();
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::logs_api
