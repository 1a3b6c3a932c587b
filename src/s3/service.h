// The S3 REST API over storage::Store: authenticates each request (SigV4,
// presigned), routes it to its operation, and answers in S3's XML.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/credentials.h"
#include "base/result.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::storage {
class Store;
}

namespace nimbus::events {
class Notifications;
}

namespace nimbus::s3 {

// One S3 request as served, for metrics.
struct RequestRecord {
  std::string_view operation;  // "GetObject", "PutObject", ...
  int status = 0;
  uint64_t bytes_in = 0, bytes_out = 0;
  double seconds = 0;  // until the response started (streamed bodies go on after)
  std::string_view request_id;
  // Its span. traced: the caller sent a trace, or the request caused events
  // (its trace goes on); other requests are not worth a span each.
  std::string_view trace_root, span_id, parent_span, resource;
  int64_t start_us = 0;
  bool traced = false;
};

struct Options {
  std::string region = "us-east-1";
  std::vector<std::string> virtual_host_suffixes;  // empty: default_virtual_host_suffixes()
  uint64_t max_object_size = 5ull << 30;           // 5 GiB, S3's single PUT limit
  events::Notifications* notifications = nullptr;  // bucket notifications, when served
  // Notification destinations (functions, SQS queues, SNS topics): whether
  // one can take a bucket's events (an error says why not), and S3's
  // s3:TestEvent sent to each queue or topic a new configuration names. Both
  // may block (the test event is a durable send): called on the blocking pool.
  std::function<base::Status(const std::string& destination_arn)> check_destination;
  std::function<void(const std::string& bucket, const std::string& destination_arn)> send_test_event;
  std::function<void(const RequestRecord&)> on_request;
};

class Service {
 public:
  Service(storage::Store& store, const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking,
          Options options);
  ~Service();
  boost::asio::awaitable<http::Response> handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::s3
