// EventBridge (JSON 1.1, X-Amz-Target `AWSEvents.*`, signing name `events`)
// on aws/: event buses, rules with event patterns, targets, PutEvents,
// TestEventPattern and tags, over buses::Store and buses::Router. One file
// per family of operations: bus_ops.cc, rule_ops.cc, target_ops.cc,
// put_events_ops.cc, tag_ops.cc; errors.cc is the one error table;
// requests.cc the readers they share (ops.h). docs/eventbridge.md says what
// is served and what is refused.
//
// THREADING RULE: handle() runs on an io thread and runs every operation on
// the blocking pool (the store's writes and PutEvents' enqueue fsync).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "aws/service.h"
#include "base/clock.h"
#include "base/result.h"
#include "http/message.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::buses {
class Store;
class Router;
}  // namespace nimbus::buses

namespace nimbus::eventbridge {

// EventBridge's wire errors, from domain errors: the one table.
aws::ServiceError error_of(const base::Error& e);

class Service {
 public:
  // clock: when buses and rules are created (a rule's rate() counts from then).
  Service(buses::Store& store, buses::Router& router, boost::asio::thread_pool& blocking,
          const base::Clock& clock = base::system_clock());
  ~Service();
  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);
  // One operation on a parsed body, on the calling thread (tests).
  base::Result<boost::json::object> call(const std::string& operation, const boost::json::object& in);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::eventbridge
