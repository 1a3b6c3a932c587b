// One function instance and its state machine, as the invoker sees it:
//   kStarting --first poll--> kIdle --dispatch--> kBusy --answer/timeout--> kIdle ...
//   any state --process exit--> kDead
// An instance serves one invocation at a time (`active`). It is the
// RuntimeChannel its Runtime API listener calls: the runtime's poll, answer
// and init error move it along (next(), respond(), fail(), init_error()).
//
// THREADING RULE: every field is touched on the invoker's strand only. The
// RuntimeChannel calls come from the listener's threads and hop onto the
// strand before they look at anything; their callbacks run there too.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "functions/invoker.h"
#include "functions/log_capture.h"
#include "functions/process.h"
#include "functions/response_stream.h"
#include "functions/runtime_channel.h"

namespace nimbus::functions {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using InvokeDone = std::function<void(base::Result<InvokeResult>)>;

// The invocation an instance is running.
struct Active {
  Invocation inv;
  InvokeDone done;
  LogTail log;
  std::chrono::steady_clock::time_point started;  // Duration is measured, not a decision: the real clock
  bool handed_out = false;  // the runtime has it (START was written)
  bool timed_out = false;
  int64_t started_us = 0;  // wall clock, for its span
  std::shared_ptr<ResponseStream> stream;  // the caller wants the response as it comes
  bool head_sent = false;                  // stream->on_head was called
  bool streaming = false;                  // the runtime is sending a streamed response
  std::string collected;                   // a streamed response to a caller without a stream (Invoke)
};

struct Instance : RuntimeChannel, std::enable_shared_from_this<Instance> {
  enum class State { kStarting, kIdle, kBusy, kDead };
  Instance(std::weak_ptr<Invoker::Impl> owner, const Strand& strand, FunctionConfig cfg)
      : owner(std::move(owner)), cfg(std::move(cfg)), output(strand), exit_watch(strand), timer(strand) {}

  // RuntimeChannel
  void next(std::function<void(std::optional<Invocation>)> done) override;
  void respond(std::string request_id, std::string payload, std::function<void(base::Status)> done) override;
  void fail(std::string request_id, std::string error_type, std::string body,
            std::function<void(base::Status)> done) override;
  void init_error(std::string error_type, std::string body, std::function<void(base::Status)> done) override;
  void stream_begin(std::string request_id, std::string content_type, std::function<void(base::Status)> done) override;
  void stream_chunk(std::string request_id, std::string bytes, std::function<void(base::Status)> done) override;
  void stream_end(std::string request_id, std::optional<StreamError> error,
                  std::function<void(base::Status)> done) override;

  // An idle instance that may take an invocation of `c` (the same definition, not being retired).
  bool serves(const FunctionConfig& c) const;
  bool live() const { return state != State::kDead; }

  std::weak_ptr<Invoker::Impl> owner;
  FunctionConfig cfg;
  Process proc;
  boost::asio::posix::stream_descriptor output;
  boost::asio::posix::stream_descriptor exit_watch;
  boost::asio::steady_timer timer;  // the invocation's timeout, or the idle keep-alive
  std::unique_ptr<RuntimeEndpoint> endpoint;
  State state = State::kStarting;
  std::optional<Active> active;
  std::function<void(std::optional<Invocation>)> waiter;  // the runtime's pending poll
  std::chrono::steady_clock::time_point spawned = std::chrono::steady_clock::now();
  std::optional<double> init_ms;  // reported once, on the cold start's REPORT
  bool init_reported = false;
  bool took_an_event = false;
  bool retired = false;
  bool stopping = false;  // killed, not yet reaped: no longer counts against the limits
  std::chrono::steady_clock::time_point last_used = std::chrono::steady_clock::now();  // for reclaiming the LRU idle one
  std::string provisioned_for;  // the qualifier this always-warm instance serves; empty if on demand
  std::string access_key;       // the instance's own credentials, when the server hands them out
  LineSplitter lines;
  std::string log_stream;  // AWS_LAMBDA_LOG_STREAM_NAME
  std::string exec_error;  // "fork/exec …: reason", when the process could not run its program (process.cc)
  char read_buf[4096];

 private:
  void answer(std::string request_id, bool error, std::string body, std::function<void(base::Status)> done);
  // Runs f(impl) on the strand; impl is null once the invoker is gone.
  template <typename F>
  void on_strand(F f);
};

}  // namespace nimbus::functions
