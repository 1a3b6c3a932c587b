// Asynchronous invocations (InvocationType=Event), durable: each event is
// committed to SQLite (invocations.db) before the caller's 202, then
// delivered by a dispatcher thread through the Invoker. Function errors are
// retried with backoff (Lambda: twice, about 1 and 2 minutes apart);
// throttled events wait and try again without spending an attempt; events
// past the maximum age or out of attempts become dead letters. Pending
// events survive a restart and are delivered after it (at least once).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "functions/invoker.h"

namespace nimbus::functions {

// An event that failed for good (for metrics, and its on-failure destination if any).
struct DeadLetter {
  std::string id;
  std::string function;     // name[:qualifier]
  std::string payload;      // the event
  std::string response;     // the last error (function error JSON or the reason)
  std::string condition;    // "RetriesExhausted" or "EventAgeExceeded"
  int attempts = 0;
  std::string destination;  // from the function's event invoke config; empty: none
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
  // Per-function overrides (retries, age, destination); may be empty.
  std::function<std::optional<EventInvokeConfig>(const std::string& function)> config_for;
  // Called (on the dispatcher thread) for every event given up on.
  std::function<void(const DeadLetter&)> on_dead_letter;
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
  std::string state;       // "pending" or "dead"
  std::string last_error;  // the last failure, for dead letters
};

class AsyncQueue {
 public:
  static base::Result<std::unique_ptr<AsyncQueue>> open(const std::string& data_dir, Invoker& invoker,
                                                        AsyncOptions options = {});
  ~AsyncQueue();
  // Durable on return. The id is the invocation's request id; a caller-given
  // id makes the call idempotent (an event queued twice runs once).
  base::Result<std::string> enqueue(const std::string& function, std::string payload, std::string trace_id = "",
                                    std::string id = "", int depth = 1);
  void start();
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

 private:
  struct Impl;
  explicit AsyncQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::functions
