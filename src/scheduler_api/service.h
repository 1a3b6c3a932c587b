// EventBridge Scheduler (rest-json, signing name `scheduler`, API version
// 2021-06-30) on aws/: schedules, schedule groups and their tags, over
// timetable::Store; the timer that fires them is timetable::ScheduleTimer.
// One file per family of operations: schedule_ops.cc, group_ops.cc,
// tag_ops.cc; routes.cc is the route table (paths from botocore's model),
// errors.cc the one error table, requests.cc the readers they share (ops.h).
// docs/scheduler.md says what is served and what is refused.
//
// THREADING RULE: handle() runs on an io thread and runs every operation on
// the blocking pool (the store's writes fsync).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/service.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "base/result.h"
#include "http/message.h"
#include "scheduler_api/request.h"

namespace boost::asio {
class thread_pool;
}

namespace nimbus::timetable {
class Store;
}

namespace nimbus::scheduler_api {

// Scheduler's wire errors, from domain errors: the one table.
aws::ServiceError error_of(const base::Error& e);

class Service {
 public:
  // clock: creation and modification times (a rate() schedule without
  // StartDate counts from them): the schedules' clock, which a test may scale.
  Service(timetable::Store& store, boost::asio::thread_pool& blocking, const base::Clock& clock = base::system_clock());
  ~Service();
  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);
  // One operation on the calling thread (tests): `method` and `target` (path
  // and query) as a client sends them, `body` its JSON.
  base::Result<boost::json::object> call(const std::string& method, const std::string& target,
                                         const boost::json::object& body = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::scheduler_api
