// StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.
#include <boost/json/array.hpp>

#include "sqs/operations.h"

namespace nimbus::sqs {

namespace json = boost::json;

Output start_message_move_task(Context& c, const Request& r) {
  Reader in(r.in);
  std::string source = in.string("SourceArn", true);
  std::string destination = in.string("DestinationArn");
  auto rate = in.integer("MaxNumberOfMessagesPerSecond");
  if (auto s = in.status(); !s) return s.error();
  auto handle = c.tasks.start(source, destination, rate);
  if (!handle) return handle.error();
  return json::object{{"TaskHandle", *handle}};
}

Output list_message_move_tasks(Context& c, const Request& r) {
  Reader in(r.in);
  std::string source = in.string("SourceArn", true);
  auto max = in.integer("MaxResults");
  if (auto s = in.status(); !s) return s.error();
  auto tasks = c.tasks.list(source, static_cast<int>(max.value_or(1)));
  if (!tasks) return tasks.error();
  json::array results;
  for (const auto& t : *tasks) {
    json::object o{{"Status", t.status},
                   {"SourceArn", t.source_arn},
                   {"ApproximateNumberOfMessagesMoved", t.moved},
                   {"ApproximateNumberOfMessagesToMove", t.to_move},
                   {"StartedTimestamp", t.started_ms}};
    if (t.status == "RUNNING") o["TaskHandle"] = t.handle;
    if (!t.destination_arn.empty()) o["DestinationArn"] = t.destination_arn;
    if (t.max_per_second) o["MaxNumberOfMessagesPerSecond"] = *t.max_per_second;
    if (!t.failure_reason.empty()) o["FailureReason"] = t.failure_reason;
    results.push_back(std::move(o));
  }
  return json::object{{"Results", std::move(results)}};
}

Output cancel_message_move_task(Context& c, const Request& r) {
  Reader in(r.in);
  std::string handle = in.string("TaskHandle", true);
  if (auto s = in.status(); !s) return s.error();
  auto moved = c.tasks.cancel(handle);
  if (!moved) return moved.error();
  return json::object{{"ApproximateNumberOfMessagesMoved", *moved}};
}

}  // namespace nimbus::sqs
