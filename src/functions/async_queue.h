// Asynchronous invocations (InvocationType=Event) and bucket notifications,
// durable: each event is a message of queue "lambda-async" in the durable
// queue (queue::Store, DATA_DIR/queue.db) before the caller's 202, keyed by
// its function; a queue::Consumer hands it to the invoke target, at most
// max_in_flight_per_function of one function at once. The retry policy
// (queue/retry_policy.h) decides the rest, as Lambda does: function errors
// are retried with backoff (twice, about 1 and 2 minutes apart); throttled
// events wait and try again without spending an attempt; events past the
// maximum age or out of attempts move to "lambda-async-dead" and their
// on-failure destination gets a record. Pending events survive a restart and
// are delivered after it (at least once). A success whose config names an
// OnSuccess destination gets a record too (on_success). Events of an older nimbus
// (invocations.db) move into the queue once, when it opens.
//
// THREADING RULE: enqueue, list, stats and redrive may be called from any
// thread but write or read SQLite: call them from the blocking pool, not an io
// thread. The invoke target is called on the consumer's thread and must not
// block; its `done` may come from any thread. config_for and on_dead_letter
// run on the consumer's thread, outside every queue lock (on_dead_letter may
// write S3 and fsync without holding up an enqueue).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "functions/invoker.h"

namespace nimbus::queue {
class Store;
}

namespace nimbus::functions {

// The request id an event's invocations run under: its message id when that
// is a UUID (an Event invoke's), else a UUID derived from it (a bucket
// notification's "s3-event-N"), the same on every attempt, as Lambda's.
std::string request_id_of(const std::string& message_id);

// An event's target as the queue keeps it, "name" or "name:qualifier", split.
struct EventTarget {
  std::string name, qualifier;  // qualifier: empty for $LATEST
};
EventTarget split_target(const std::string& function);

// An event finished for good: succeeded (for its OnSuccess destination), or
// failed (for metrics, its OnFailure destination and dead-letter target).
struct EventOutcome {
  std::string id;           // its request id (request_id_of)
  std::string function;     // name[:qualifier]
  std::string payload;      // the event
  std::string response;     // the function's response, or the last error (function error JSON or the reason)
  std::string condition;    // "Success", "RetriesExhausted" or "EventAgeExceeded"
  int attempts = 0;
  std::string destination;  // the event invoke config's for this outcome; empty: none
  std::string executed_version = "$LATEST";
  bool function_error = false;  // the response is a function error (Unhandled)
  int depth = 1;                // the chain depth the event ran at
};

struct AsyncOptions {
  std::vector<std::chrono::milliseconds> retry_delays{std::chrono::minutes(1), std::chrono::minutes(2)};
  std::chrono::milliseconds max_event_age{std::chrono::hours(6)};
  std::chrono::milliseconds throttle_delay{std::chrono::milliseconds(500)};
  int max_in_flight = 32;
  // Events of one function running at once. An event source's burst on one
  // machine is CPU-bound: more instances than cores only add cold starts
  // (see docs/events.md). Reserved concurrency, when lower, still applies.
  int max_in_flight_per_function = 4;
  // How long an event may run before it is handed out again: longer than any
  // function's timeout (900 s at most) plus its start.
  std::chrono::milliseconds lease{std::chrono::minutes(30)};
  // The event invoke config (retries, age, destination) of the function and
  // qualifier ("" unqualified, a version or an alias) an event was sent to,
  // as Lambda picks it; may be empty.
  std::function<std::optional<EventInvokeConfig>(const std::string& function, const std::string& qualifier)>
      config_for;
  // Called (on the consumer's thread, no lock held) for every event given up on.
  std::function<void(const EventOutcome&)> on_dead_letter;
  // Called (likewise) for every event that succeeded whose config names an
  // OnSuccess destination.
  std::function<void(const EventOutcome&)> on_success;
};

struct AsyncEvent {
  std::string id;
  std::string function;
  std::string payload;
  std::string trace_id;
  int attempts = 0;
  int depth = 1;
  int64_t created_ms = 0;
  int64_t next_attempt_ms = 0;
  std::string state;       // "pending", "in-flight" or "dead"
  std::string last_error;  // the last failure, for dead letters
};

// Where events are delivered: the Invoker in nimbus, a fake in tests.
// Errors: kNotFound (no such function: a dead letter at once), kThrottled
// (retried without spending an attempt); a function error is an InvokeResult
// with function_error set.
using InvokeTarget = std::function<void(InvokeRequest, std::function<void(base::Result<InvokeResult>)>)>;

class AsyncQueue {
 public:
  static constexpr const char* kQueue = "lambda-async";
  static constexpr const char* kDeadLetterQueue = "lambda-async-dead";

  // On a shared store; data_dir is where an older nimbus's invocations.db is
  // looked for (migrated once, then removed).
  static base::Result<std::unique_ptr<AsyncQueue>> open(queue::Store& queues, const std::string& data_dir,
                                                        InvokeTarget target, AsyncOptions options = {});
  // With a store of its own, DATA_DIR/queue.db, delivering to the invoker.
  static base::Result<std::unique_ptr<AsyncQueue>> open(const std::string& data_dir, Invoker& invoker,
                                                        AsyncOptions options = {});
  ~AsyncQueue();
  // Durable on return. The id is the invocation's request id; a caller-given
  // id makes the call idempotent (an event queued twice runs once).
  base::Result<std::string> enqueue(const std::string& function, std::string payload, std::string trace_id = "",
                                    std::string id = "", int depth = 1);
  base::Status start();
  void stop();
  std::vector<AsyncEvent> list();  // pending, in-flight and dead, oldest first
  struct FunctionStats {
    std::string function;
    int pending = 0, in_flight = 0, dead = 0;
    int64_t oldest_created_ms = 0;  // of its pending and in-flight events; 0: none
  };
  std::vector<FunctionStats> stats();  // per function, for metrics
  // Puts every dead letter back in the queue with fresh attempts; returns how many.
  base::Result<int> redrive();
  // Tests: one turn of the consumer on the caller's thread (instead of start()).
  int64_t run_once();

 private:
  struct Impl;
  explicit AsyncQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::functions
