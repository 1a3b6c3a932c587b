// What `nimbus status` shows (GET /_nimbus/status): version and uptime, the
// isolation layers instances run under, and per function its instances
// (starting, idle, busy), its async queue (pending, in flight, dead) and its
// last error.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <mutex>
#include <string>

#include "functions/invoker.h"

namespace nimbus::functions {
class Registry;
class AsyncQueue;
}  // namespace nimbus::functions

namespace nimbus::server {

class StatusBoard {
 public:
  explicit StatusBoard(int64_t started_ms) : started_ms_(started_ms) {}
  // Keeps each function's last error. Any thread.
  void record(const functions::InvocationRecord& r);
  // Waits for the invoker: call it from a blocking thread.
  boost::json::object snapshot(functions::Registry& registry, functions::Invoker& invoker,
                               functions::AsyncQueue& queue);

 private:
  struct LastError {
    int64_t at_ms;
    std::string type, message, request_id;
  };
  int64_t started_ms_;
  std::mutex mu_;
  std::map<std::string, LastError> last_errors_;
};

}  // namespace nimbus::server
