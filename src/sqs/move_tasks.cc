#include "sqs/move_tasks.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "base/encoding.h"
#include "base/ids.h"
#include "sqs/names.h"

namespace nimbus::sqs {

namespace {

base::Error invalid(std::string m) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(m), "InvalidParameterValue");
}
base::Error not_found(std::string m) {
  return base::make_error(base::ErrorCode::kNotFound, std::move(m), "ResourceNotFoundException");
}

constexpr int kStep = 100;  // messages per transaction without a rate

}  // namespace

struct MoveTasks::Running {
  MoveTask task;
  std::string source, destination;  // names; destination "" moves each back where it came from
  bool cancel = false;
};

MoveTasks::~MoveTasks() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& t : tasks_) t->cancel = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

base::Result<std::string> MoveTasks::start(const std::string& source_arn, const std::string& destination_arn,
                                           std::optional<int64_t> max_per_second) {
  if (source_arn.empty())
    return base::make_error(base::ErrorCode::kInvalidArgument, "The request must contain the parameter SourceArn.",
                            "MissingParameter");
  auto source = name_from_arn(source_arn);
  if (!source) return invalid("Value " + source_arn + " for parameter SourceArn is invalid.");
  std::string destination;
  if (!destination_arn.empty()) {
    auto d = name_from_arn(destination_arn);
    if (!d) return invalid("Value " + destination_arn + " for parameter DestinationArn is invalid.");
    destination = *d;
  }
  if (max_per_second && (*max_per_second < 1 || *max_per_second > 500))
    return invalid("Value " + std::to_string(*max_per_second) +
                   " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.");
  auto sources = queues_.dead_letter_sources(*source);
  if (!sources) return not_found("The resource that you specified for the SourceArn parameter doesn't exist.");
  if (sources->empty()) return invalid("Source queue must be configured as a Dead Letter Queue.");
  if (!destination.empty())
    if (auto stats = queues_.stats(destination); !stats)
      return not_found("The resource that you specified for the DestinationArn parameter doesn't exist.");
  auto stats = queues_.stats(*source);
  if (!stats) return stats.error();
  auto r = std::make_shared<Running>();
  {
    std::lock_guard lock(mu_);
    for (const auto& t : tasks_)
      if (t->task.source_arn == source_arn && (t->task.status == "RUNNING" || t->task.status == "CANCELLING"))
        return base::make_error(base::ErrorCode::kConflict,
                                "There is already a task running. Only one active task is allowed for each source "
                                "queue arn at a given time.",
                                "UnsupportedOperation");
    r->source = *source;
    r->destination = destination;
    r->task.source_arn = source_arn;
    r->task.destination_arn = destination_arn;
    r->task.max_per_second = max_per_second;
    r->task.status = "RUNNING";
    r->task.to_move = stats->visible + stats->delayed + stats->in_flight;
    r->task.started_ms = queues_.clock().now_ms();
    r->task.handle = base::base64_encode(boost::json::serialize(
        boost::json::object{{"taskId", base::uuid4()}, {"sourceArn", source_arn}}));
    tasks_.push_front(r);
    // Keep the last 10 per source.
    int kept = 0;
    for (auto it = tasks_.begin(); it != tasks_.end();) {
      if ((*it)->task.source_arn == source_arn && ++kept > 10 && (*it)->task.status != "RUNNING") it = tasks_.erase(it);
      else ++it;
    }
    threads_.emplace_back([this, r] { run(r); });
  }
  return r->task.handle;
}

void MoveTasks::run(std::shared_ptr<Running> r) {
  using namespace std::chrono;
  int step = r->task.max_per_second ? static_cast<int>(*r->task.max_per_second) : kStep;
  for (;;) {
    auto began = steady_clock::now();
    {
      std::lock_guard lock(mu_);
      if (r->cancel || stopping_) {
        r->task.status = "CANCELLED";
        return;
      }
    }
    auto moved = queues_.move_messages(r->source, r->destination, step);
    std::unique_lock lock(mu_);
    if (!moved) {
      r->task.status = "FAILED";
      r->task.failure_reason = moved.error().message;
      return;
    }
    r->task.moved += *moved;
    if (*moved < step) {
      r->task.status = r->cancel ? "CANCELLED" : "COMPLETED";
      return;
    }
    if (r->task.max_per_second)  // one step a second at the rate asked
      cv_.wait_until(lock, began + seconds(1), [&] { return r->cancel || stopping_; });
  }
}

base::Result<std::vector<MoveTask>> MoveTasks::list(const std::string& source_arn, int max_results) {
  if (source_arn.empty())
    return base::make_error(base::ErrorCode::kInvalidArgument, "The request must contain the parameter SourceArn.",
                            "MissingParameter");
  auto source = name_from_arn(source_arn);
  if (!source) return invalid("Value " + source_arn + " for parameter SourceArn is invalid.");
  if (auto s = queues_.stats(*source); !s)
    return not_found("The resource that you specified for the SourceArn parameter doesn't exist.");
  if (max_results < 1 || max_results > 10)
    return invalid("Value " + std::to_string(max_results) +
                   " for parameter MaxResults is invalid. Reason: Must be between 1 and 10.");
  std::vector<MoveTask> out;
  std::lock_guard lock(mu_);
  for (const auto& t : tasks_)
    if (t->task.source_arn == source_arn && static_cast<int>(out.size()) < max_results) out.push_back(t->task);
  return out;
}

base::Result<int64_t> MoveTasks::cancel(const std::string& handle) {
  std::lock_guard lock(mu_);
  for (auto& t : tasks_) {
    if (t->task.handle != handle) continue;
    if (t->task.status != "RUNNING")
      return base::make_error(base::ErrorCode::kConflict, "Only active tasks can be cancelled.",
                              "UnsupportedOperation");
    t->cancel = true;
    t->task.status = "CANCELLING";
    cv_.notify_all();
    return t->task.moved;
  }
  return not_found("Task does not exist.");
}

}  // namespace nimbus::sqs
