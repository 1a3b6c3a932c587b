// Message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
// CancelMessageMoveTask): moving a dead-letter queue's messages back to the
// queues they came from, or to another queue, at up to a rate, in the
// background. One task at a time per source queue; a task runs on a thread
// of its own, moving in small steps through Queues::move_messages (each one
// transaction), so a cancel stops it between steps. Tasks are remembered in
// memory (the last 10 per source): a restart forgets finished ones and an
// interrupted one simply stops (the messages not yet moved stay in the DLQ).
//
// THREADING RULE: every method may be called from any thread; start/list/
// cancel take a mutex briefly and never touch queue.db but to check the
// queues (call them from the blocking pool).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "sqs/queues.h"

namespace nimbus::sqs {

struct MoveTask {
  std::string handle;
  std::string status;  // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string source_arn, destination_arn;
  std::optional<int64_t> max_per_second;
  int64_t moved = 0, to_move = 0;
  std::string failure_reason;
  int64_t started_ms = 0;
};

class MoveTasks {
 public:
  explicit MoveTasks(Queues& queues) : queues_(queues) {}
  ~MoveTasks();  // cancels and joins running tasks

  // The source must be a dead-letter queue (some queue's RedrivePolicy names
  // it) with no task running; the destination, when given, must exist.
  base::Result<std::string> start(const std::string& source_arn, const std::string& destination_arn,
                                  std::optional<int64_t> max_per_second);
  base::Result<std::vector<MoveTask>> list(const std::string& source_arn, int max_results);
  // Returns how many messages the task had moved.
  base::Result<int64_t> cancel(const std::string& handle);

 private:
  struct Running;
  void run(std::shared_ptr<Running> r);

  Queues& queues_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::list<std::shared_ptr<Running>> tasks_;  // newest first
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace nimbus::sqs
