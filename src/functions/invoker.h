// The invoker: runs invocations on instances of functions. A pool per
// function keeps warm instances (one invocation each at a time), starts new
// ones while the function's invocations in flight are under its reserved
// concurrency and the server has room (idle instances give theirs up,
// least recently used first), throttles beyond it, enforces timeouts and memory limits, turns crashes
// into Runtime.ExitError, stops instances idle past the keep-alive, and
// writes Lambda's START / END / REPORT lines around each invocation's log.
//
// THREADING RULE: every public call may come from any thread; all but
// instance_count(), max_concurrency() and depth_of() post onto the invoker's
// strand and return at once (load() then waits for the strand: not from an
// io thread). The strand never blocks: it reads the registry's snapshot
// (never waiting on a registry write), and starts processes through the
// spawner (fork/exec or a zygote's short answer). `done` and the options'
// callbacks (log_sink, on_invocation, add_key, remove_key) run on the strand:
// they must not block either.
//
// Files: invoker.cc (an invocation's life), instance.* (the instance state
// machine), pools.* (pools and throttling), lambda_environment.* (the
// variables a function gets), spawner.* and zygote_pool.* (starting
// processes, zygote policy), log_capture.* and instance_output.cc (output
// into log lines), report_lines.* (START / END / REPORT and platform errors),
// provisioned.cc (always-warm instances).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "functions/registry.h"
#include "functions/response_stream.h"
#include "functions/runtime_channel.h"
#include "functions/runtimes.h"
#include "functions/spawner.h"
#include "functions/types.h"

namespace nimbus::functions {

// One line an instance wrote (or a START / END / REPORT line about it).
struct LogLine {
  std::string_view function;
  std::string_view stream;      // the instance's log stream
  std::string_view request_id;  // the invocation it belongs to; empty during init
  int64_t timestamp_ms;
  std::string_view text;
};

// How one invocation went, for metrics.
struct InvocationRecord {
  enum class Outcome { kSuccess, kError, kTimeout, kThrottled };
  std::string_view function;
  Outcome outcome = Outcome::kSuccess;
  double duration_ms = 0;
  std::optional<double> init_ms;  // set on the first invocation of a cold start
  std::string_view error;  // the function's error (Lambda's JSON), when it failed
  // Its span: where it sits in its trace.
  std::string_view request_id, trace_root, span_id, parent_span;
  int64_t start_us = 0;  // wall clock
};

// What isolates an instance from nimbus and from other instances, as applied
// (`nimbus status` and the start-up log say it; none is silently missing).
std::vector<std::string> isolation_layers();
std::vector<std::string> isolation_missing();

// A function's instances right now.
struct FunctionLoad {
  std::string function;
  int starting = 0, idle = 0, busy = 0;
};

struct InvokerOptions {
  std::string region = "us-east-1";
  std::string endpoint_url;          // AWS_ENDPOINT_URL given to functions (the edge port)
  std::string access_key = "test";   // credentials given to functions without add_key
  std::string secret_key = "test";
  // With these, every instance gets credentials of its own, so that its writes
  // can be traced back to the invocation that made them (loop detection).
  std::function<void(const std::string& access_key, const std::string& secret)> add_key;
  std::function<void(const std::string& access_key)> remove_key;
  int max_concurrency = 64;          // instances across all functions
  RuntimeOptions runtimes;           // interpreters and bootstraps of the language runtimes
  // Where instances' log lines go besides nimbus's own log (the log store).
  std::function<void(const LogLine&)> log_sink;
  // True while the sink is behind: instances' output is then left in their
  // pipes for a moment, so a function that prints fast waits, and loses nothing.
  std::function<bool()> log_backlogged;
  std::function<void(const InvocationRecord&)> on_invocation;
  std::chrono::milliseconds keep_alive{std::chrono::minutes(5)};
  // Seams for tests. Null: real processes (fork/exec, zygotes) and the
  // system clock (which gives deadlines, log timestamps and the echo and
  // zygote-restart windows; timers and measured durations stay real).
  std::shared_ptr<ProcessSpawner> spawner;
  const base::Clock* clock = nullptr;
};

struct InvokeRequest {
  std::string function;  // name
  std::string qualifier;   // "", "$LATEST", a version or an alias
  std::string request_id;  // empty: a new one is made
  int depth = 1;           // chain depth: 1 for a request from outside
  std::string payload;
  bool tail_log = false;
  std::string client_context;
  std::string trace_id;
  // Set: the response goes to it as the function produces it
  // (functions/response_stream.h); `done` still ends the invocation.
  std::shared_ptr<ResponseStream> stream;
};

class Invoker {
 public:
  Invoker(boost::asio::io_context& io, Registry& registry, RuntimeEndpointFactory& endpoints, InvokerOptions options);
  ~Invoker();
  // Runs one invocation; done is called once, on some thread. Errors:
  // kNotFound (no such function), kThrottled (over the concurrency limit).
  void invoke(InvokeRequest request, std::function<void(base::Result<InvokeResult>)> done);
  // Stops the instances of a function (after delete or update); provisioned
  // instances are started again from the new definition.
  void retire(const std::string& function);
  // Keeps `count` warm instances of a version or alias (0: none), replacing any that die.
  void provision(const std::string& function, const std::string& qualifier, int count);
  int max_concurrency() const;  // instances across all functions: no provisioned count may exceed it
  // Gets the function's runtime ready ahead of its first cold start (starts
  // its zygote, if it has one).
  void prepare(const FunctionConfig& cfg);
  // Stops every instance.
  void shutdown();
  int instance_count() const;
  // Instances per function. Waits for the invoker's strand: not from an io thread.
  std::vector<FunctionLoad> load();
  // The chain depth of the invocation running on the instance that holds
  // access_key; 0 when the key is no instance's. Callable from any thread.
  int depth_of(const std::string& access_key) const;

  struct Impl;  // public only so that instances (instance.h) can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace nimbus::functions
